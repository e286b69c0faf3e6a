/**
 * Wildcard matching for Sigma strings without regular expressions: `*` (any run) and `?` (one character), anchored to
 * the whole value (spec: "String Wildcard"). Plain values, prefixes, suffixes and infixes compile to
 * `===`/`startsWith`/`endsWith`/`includes`; `*`-only patterns to a chain of `indexOf`; patterns with `?` to the
 * classic iterative two-pointer matcher, which is O(pattern × text) at worst and never backtracks exponentially.
 */
import type { StringPart } from './types.js';

/** A compiled wildcard pattern: tests one text (already lower-cased when the pattern is case-insensitive). */
export type GlobTest = (text: string) => boolean;

/** A pattern token after normalisation: literal text, `*` or `?`. */
type Token = { t: 'text'; s: string } | { t: 'multi' } | { t: 'single' };

/** Normalises parts: lower-cases text when asked, merges runs of `*`, refuses unresolved placeholders (a bug). */
export function patternTokens(parts: readonly StringPart[], lower: boolean): Token[] {
  const out: Token[] = [];
  for (const p of parts) {
    switch (p.kind) {
      case 'text': {
        const s = lower ? p.text.toLowerCase() : p.text;
        const last = out[out.length - 1];
        if (last !== undefined && last.t === 'text') last.s += s;
        else if (s.length > 0) out.push({ t: 'text', s });
        break;
      }
      case 'multi': {
        const last = out[out.length - 1];
        if (last === undefined || last.t !== 'multi') out.push({ t: 'multi' });
        break;
      }
      case 'single':
        out.push({ t: 'single' });
        break;
      case 'placeholder':
        throw new Error(`placeholder %${p.name}% reached the matcher unresolved`);
      default: {
        const never: never = p;
        throw new Error(`unexpected string part ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

/** Length in code points, for `?` which stands for one character. */
function advanceChar(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
  }
  return i + 1;
}

/** Compiles parts into a test. With `lower`, pattern text is lower-cased and the caller passes lower-cased text. */
export function compileGlob(parts: readonly StringPart[], lower: boolean): GlobTest {
  const tokens = patternTokens(parts, lower);
  const n = tokens.length;
  if (n === 0) return (text) => text.length === 0;
  const hasSingle = tokens.some((t) => t.t === 'single');
  if (!hasSingle) {
    const first = tokens[0];
    const last = tokens[n - 1];
    if (n === 1) {
      if (first.t === 'multi') return () => true;
      const s = (first as { s: string }).s;
      return (text) => text === s;
    }
    if (n === 2) {
      if (first.t === 'multi' && last.t === 'text') {
        const s = last.s;
        return (text) => text.endsWith(s);
      }
      if (first.t === 'text' && last.t === 'multi') {
        const s = first.s;
        return (text) => text.startsWith(s);
      }
    }
    if (n === 3 && first.t === 'multi' && last.t === 'multi' && tokens[1].t === 'text') {
      const s = tokens[1].s;
      return (text) => text.includes(s);
    }
    // General `*`-only pattern: anchored head and tail, middle pieces found left to right. Taking the leftmost
    // occurrence of each middle piece is optimal, so no backtracking is needed.
    const head = first.t === 'text' ? first.s : '';
    const tail = last.t === 'text' ? last.s : '';
    const middle: string[] = [];
    for (let k = first.t === 'text' ? 1 : 0; k < (last.t === 'text' ? n - 1 : n); k++) {
      const t = tokens[k];
      if (t.t === 'text') middle.push(t.s);
    }
    const minLen = head.length + tail.length;
    return (text) => {
      if (text.length < minLen || !text.startsWith(head) || !text.endsWith(tail)) return false;
      let pos = head.length;
      const limit = text.length - tail.length;
      for (const piece of middle) {
        const at = text.indexOf(piece, pos);
        if (at < 0 || at + piece.length > limit) return false;
        pos = at + piece.length;
      }
      return true;
    };
  }
  return (text) => globMatch(tokens, text);
}

/**
 * Two-pointer wildcard matching: on a mismatch after a `*`, retry with the star absorbing one more character.
 * Literal tokens compare with `startsWith` at the current position.
 */
function globMatch(tokens: readonly Token[], text: string): boolean {
  let ti = 0; // token index
  let pos = 0; // text position
  let starToken = -1;
  let starPos = 0;
  const n = tokens.length;
  while (true) {
    if (ti < n) {
      const t = tokens[ti];
      if (t.t === 'multi') {
        starToken = ti;
        starPos = pos;
        ti++;
        continue;
      }
      if (t.t === 'single' && pos < text.length) {
        pos = advanceChar(text, pos);
        ti++;
        continue;
      }
      if (t.t === 'text' && text.startsWith(t.s, pos)) {
        pos += t.s.length;
        ti++;
        continue;
      }
    } else if (pos === text.length) {
      return true;
    }
    // Mismatch (or tokens exhausted with text left): let the last star take one more character.
    if (starToken < 0 || starPos >= text.length) return false;
    starPos = advanceChar(text, starPos);
    pos = starPos;
    ti = starToken + 1;
  }
}

/**
 * The literal pieces of a pattern (text between wildcards), lower-cased when asked: every text the pattern matches
 * contains each piece. Used by the prefilter.
 */
export function globPieces(parts: readonly StringPart[], lower: boolean): string[] {
  const out: string[] = [];
  for (const t of patternTokens(parts, lower)) if (t.t === 'text') out.push(t.s);
  return out;
}
