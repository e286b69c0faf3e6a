/**
 * The encoding and expansion transformations of the Sigma modifiers (spec v2.1, `sigma-appendix-modifiers.md`):
 * `base64`, `base64offset`, `utf16le`/`wide`, `utf16be`, `utf16` and `windash`.
 *
 * Intermediate byte strings (after a utf16 modifier) are held as "binary" JS strings, one character per byte
 * (latin1), so that a following `base64` encodes exactly those bytes.
 */
import { Buffer } from 'node:buffer';

/** The bytes a value stands for: UTF-8 of text, or the bytes of a binary string. */
export function valueBytes(text: string, binary: boolean): Buffer {
  return Buffer.from(text, binary ? 'latin1' : 'utf8');
}

/** `base64`: the standard Base64 text of the value's bytes. */
export function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

/**
 * `base64offset`: the three forms the value takes inside a longer Base64 text, for the value starting at byte offset
 * 0, 1 or 2 of a 3-byte group. With `i` bytes before it, the first 0, 2 or 3 output characters also depend on those
 * bytes and are dropped; at the end, a partial final group (1 or 2 bytes) leaves a character that depends on what
 * follows, so that character and the padding are dropped (3 characters for a 1-byte tail, 2 for a 2-byte tail).
 * This is the construction pySigma uses (`sigma/modifiers.py`, `SigmaBase64OffsetModifier`: start offsets 0, 2, 3;
 * end offsets none, -3, -2 chosen by `(length + i) % 3`).
 */
export function base64Offsets(bytes: Buffer): string[] {
  const startOffsets = [0, 2, 3];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const shifted = Buffer.concat([Buffer.alloc(i, 0x20), bytes]);
    const encoded = shifted.toString('base64');
    const tail = (bytes.length + i) % 3;
    const end = tail === 0 ? encoded.length : tail === 1 ? encoded.length - 3 : encoded.length - 2;
    out.push(encoded.slice(startOffsets[i], end));
  }
  return out;
}

/** UTF-16 code units of `text` as bytes, little- or big-endian, as a binary string. */
export function utf16(text: string, bigEndian: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    const lo = String.fromCharCode(u & 0xff);
    const hi = String.fromCharCode(u >> 8);
    out += bigEndian ? hi + lo : lo + hi;
  }
  return out;
}

/** The byte order mark `FF FE` that `utf16` puts before little-endian text (spec: `cmd` > `FF FE 63 00 …`). */
export const UTF16_LE_BOM = '\u00ff\u00fe';

/** The five characters `windash` permutes (spec v2.1): `-`, `/`, en dash, em dash, horizontal bar. */
export const WINDASH_CHARS: readonly string[] = ['-', '/', '\u2013', '\u2014', '\u2015'];

const WORD = /[\p{L}\p{N}_]/u;

/**
 * Positions of the dashes `windash` expands in one text: a dash (any of the five) that starts a command-line flag,
 * i.e. is not preceded by a word character and is followed by one. pySigma uses the same rule (`\B[-/]\b`,
 * `SigmaWindowsDashModifier`), so `-param-name` expands its first dash only.
 */
export function windashPositions(text: string, precededByWord: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!WINDASH_CHARS.includes(text[i])) continue;
    const before = i === 0 ? precededByWord : WORD.test(text[i - 1]);
    const after = i + 1 < text.length && WORD.test(text[i + 1]);
    if (!before && after) out.push(i);
  }
  return out;
}

/** Every text obtained by putting each of the five dashes at each position (5^positions variants, first unchanged order). */
export function windashVariants(text: string, positions: readonly number[]): string[] {
  let variants = [text];
  for (const pos of positions) {
    const next: string[] = [];
    for (const v of variants) for (const d of WINDASH_CHARS) next.push(v.slice(0, pos) + d + v.slice(pos + 1));
    variants = next;
  }
  return variants;
}
