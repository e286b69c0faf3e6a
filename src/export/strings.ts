/**
 * Sigma strings as compilers need them: the shape of a value (exact, prefix, suffix, contains, general pattern) and
 * helpers to write it as a glob, a SQL LIKE pattern or an anchored regular expression. pySigma picks the operator the
 * same way (`convert_condition_field_eq_val_str`, sigma/conversion/base.py): trailing `*` → startswith, leading `*` →
 * endswith, both → contains, any other wildcard → a wildcard (or regex) match.
 */
import type { StringPart } from '../sigma/types.js';
import { fail } from './reasons.js';

/** The shape of a Sigma string value. */
export type StringShape =
  | { kind: 'exact'; text: string }
  | { kind: 'prefix'; text: string }
  | { kind: 'suffix'; text: string }
  | { kind: 'contains'; text: string }
  /** Wildcards in other places, `?` anywhere, or a bare `*`. */
  | { kind: 'pattern'; parts: StringPart[] };

/** Classifies a value's parts (placeholders must have been resolved). */
export function shapeOf(parts: readonly StringPart[]): StringShape {
  for (const p of parts) if (p.kind === 'placeholder') throw new Error(`placeholder %${p.name}% reached a compiler unresolved`);
  const texts = parts.filter((p) => p.kind === 'text');
  const text = texts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
  const n = parts.length;
  if (parts.every((p) => p.kind === 'text')) return { kind: 'exact', text };
  if (texts.length === 1) {
    if (n === 2 && parts[0].kind === 'text' && parts[1].kind === 'multi') return { kind: 'prefix', text };
    if (n === 2 && parts[0].kind === 'multi' && parts[1].kind === 'text') return { kind: 'suffix', text };
    if (n === 3 && parts[0].kind === 'multi' && parts[1].kind === 'text' && parts[2].kind === 'multi') return { kind: 'contains', text };
  }
  return { kind: 'pattern', parts: [...parts] };
}

/** The value's literal text with wildcards removed (for messages). */
export function partsText(parts: readonly StringPart[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : p.kind === 'multi' ? '*' : p.kind === 'single' ? '?' : `%${p.name}%`)).join('');
}

/** True when the value has a `?` wildcard. */
export function hasSingleWildcard(parts: readonly StringPart[]): boolean {
  return parts.some((p) => p.kind === 'single');
}

/** Escapes a literal for a regex in RE2 / PCRE / Java syntax. */
export function escapeRegexLiteral(text: string, noBackslash = false): string {
  let out = '';
  for (const c of text) {
    if ('\\^$.|?*+()[]{}/'.includes(c)) {
      if (!noBackslash) out += `\\${c}`;
      // Without backslashes a metacharacter becomes a one-character class; `\`, `^` and `]` cannot be written so.
      else if (c === '\\' || c === '^' || c === ']') fail('value-unrepresentable', `the character ${c} cannot be written in this regex dialect without a backslash`);
      else out += `[${c}]`;
    } else out += c;
  }
  return out;
}

/**
 * A glob as an anchored regular expression (`^…$`), in RE2/PCRE syntax. With `noBackslash`, metacharacters are
 * escaped as one-character classes (`[.]`), for targets whose string literals treat backslashes differently.
 */
export function globToRegex(parts: readonly StringPart[], noBackslash = false): string {
  let out = '^';
  for (const p of parts) {
    if (p.kind === 'multi') out += '.*';
    else if (p.kind === 'single') out += '.';
    else if (p.kind === 'text') out += escapeRegexLiteral(p.text, noBackslash);
  }
  return `${out}$`;
}
