/**
 * Sigma strings: parsing the escaping rules into parts and writing parts back.
 *
 * Escaping (spec v2.1, `sigma-rules-specification.md`, "Escaping"): `\` escapes `*`, `?` and `\` itself. A plain
 * backslash not followed by a wildcard may be written single or double; `\*` is a literal star; `\\*` is a backslash
 * then a wildcard; `\\\*` is a backslash then a literal star; three or four backslashes are a double backslash.
 * Under `expand`, `%name%` is a placeholder and `\%` a literal percent ("Placeholders").
 */
import type { StringPart } from './types.js';

const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const PERCENT = 0x25;

/** Placeholder names: pySigma matches `%(\w+)%` (`sigma/types.py`, `insert_placeholders`). */
function isPlaceholderChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f /* _ */
  );
}

/** Appends literal text, merging with a preceding text part. */
function pushText(parts: StringPart[], text: string): void {
  if (text.length === 0) return;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.kind === 'text') last.text += text;
  else parts.push({ kind: 'text', text });
}

/** Parses a written Sigma string into parts; with `placeholders`, `%name%` becomes a placeholder part. */
export function parseSigmaString(written: string, placeholders = false): StringPart[] {
  const parts: StringPart[] = [];
  let buf = '';
  const n = written.length;
  let i = 0;
  while (i < n) {
    const c = written.charCodeAt(i);
    if (c === BACKSLASH) {
      const next = i + 1 < n ? written.charCodeAt(i + 1) : -1;
      if (next === STAR || next === QUESTION || next === BACKSLASH || (placeholders && next === PERCENT)) {
        buf += written[i + 1];
        i += 2;
      } else {
        buf += '\\';
        i += 1;
      }
    } else if (c === STAR || c === QUESTION) {
      pushText(parts, buf);
      buf = '';
      // Consecutive stars mean the same as one; keep `?` runs, each is one character.
      const last = parts[parts.length - 1];
      if (c === QUESTION) parts.push({ kind: 'single' });
      else if (last === undefined || last.kind !== 'multi') parts.push({ kind: 'multi' });
      i += 1;
    } else if (placeholders && c === PERCENT) {
      let j = i + 1;
      while (j < n && isPlaceholderChar(written.charCodeAt(j))) j++;
      if (j > i + 1 && j < n && written.charCodeAt(j) === PERCENT) {
        pushText(parts, buf);
        buf = '';
        parts.push({ kind: 'placeholder', name: written.slice(i + 1, j) });
        i = j + 1;
      } else {
        buf += '%';
        i += 1;
      }
    } else {
      buf += written[i];
      i += 1;
    }
  }
  pushText(parts, buf);
  return parts;
}

/** Builds parts from plain text (no wildcards). */
export function plainParts(text: string): StringPart[] {
  return text.length === 0 ? [] : [{ kind: 'text', text }];
}

/** True when the parts hold a wildcard or a placeholder (pySigma: `contains_special`). */
export function hasSpecial(parts: readonly StringPart[]): boolean {
  for (const p of parts) if (p.kind !== 'text') return true;
  return false;
}

/** True when the parts hold a placeholder. */
export function hasPlaceholder(parts: readonly StringPart[]): boolean {
  for (const p of parts) if (p.kind === 'placeholder') return true;
  return false;
}

/** The text of parts that hold no wildcard (callers check `hasSpecial` first). */
export function partsText(parts: readonly StringPart[]): string {
  let s = '';
  for (const p of parts) if (p.kind === 'text') s += p.text;
  return s;
}

/**
 * Writes parts back as a Sigma string that parses to the same parts: wildcards as `*`/`?`, literal `*`, `?` and
 * a backslash that would otherwise escape something are escaped, placeholders as `%name%`.
 */
export function formatSigmaString(parts: readonly StringPart[]): string {
  let out = '';
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    switch (p.kind) {
      case 'text': {
        const nextSpecial = k + 1 < parts.length && parts[k + 1].kind !== 'text';
        for (let i = 0; i < p.text.length; i++) {
          const ch = p.text[i];
          if (ch === '*' || ch === '?') out += '\\' + ch;
          else if (ch === '\\') {
            // A backslash must be doubled when a wildcard, another backslash or the end of a part that is followed
            // by a wildcard comes next; elsewhere a single one reads back the same.
            const after = i + 1 < p.text.length ? p.text[i + 1] : nextSpecial ? '*' : '';
            out += after === '*' || after === '?' || after === '\\' ? '\\\\' : '\\';
          } else out += ch;
        }
        break;
      }
      case 'multi':
        out += '*';
        break;
      case 'single':
        out += '?';
        break;
      case 'placeholder':
        out += `%${p.name}%`;
        break;
      default: {
        const never: never = p;
        throw new Error(`unexpected string part ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}
