/**
 * Literal text a regular expression cannot match without: `^(.* ; )?no +mon[a-z]* +ses[a-z]*( |$)` matches no
 * string that lacks `mon` and `ses`. Searching a string for such a literal (V8 skips ahead through it) is far cheaper
 * than running the expression, whose leading `(.* ; )?` backtracks over the whole string, so the compiler tries the
 * literal first (`compile.ts`), and the prefilter can use it as the value's literal (`literals.ts`).
 *
 * The extraction is deliberately conservative, and reads JavaScript's syntax (ECMA-262 with Annex B, no `u` flag):
 * only characters outside every group, class and alternation count, a top-level `|` gives up, a character followed
 * by `*`, `?` or a `{0…}` quantifier is dropped, one followed by `+` or `{n…}` ends its run after itself, and any
 * escape other than escaped punctuation ends the run. Only ASCII characters are taken: under the `i` flag without
 * `u`, an ASCII pattern character matches only itself in either case (a non-ASCII character never case-folds onto
 * an ASCII one), so a case-insensitive search for an ASCII literal is exact.
 */

/** A quantifier at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`): its minimum count and length, or undefined. */
function quantifierAt(p: string, i: number): { min: number; length: number } | undefined {
  const c = p[i];
  let min: number;
  let length: number;
  if (c === '*' || c === '?') [min, length] = [0, 1];
  else if (c === '+') [min, length] = [1, 1];
  else if (c === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i));
    if (!m) return undefined; // Annex B: a `{` that is not a quantifier is a literal brace
    [min, length] = [Number(m[1]), m[0].length];
  } else return undefined;
  if (p[i + length] === '?') length++; // lazy
  return { min, length };
}

/** The index just past the group that opens at `i` (`(`), or -1 when it does not close. */
function groupEnd(p: string, i: number): number {
  let depth = 0;
  for (let k = i; k < p.length; k++) {
    const c = p[k];
    if (c === '\\') {
      k++;
    } else if (c === '[') {
      k = classEnd(p, k) - 1;
      if (k < 0) return -1;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return -1;
}

/** The index just past the class that opens at `i` (`[`): the first unescaped `]` closes it (JavaScript: `[]` is empty). */
function classEnd(p: string, i: number): number {
  for (let k = i + 1; k < p.length; k++) {
    if (p[k] === '\\') k++;
    else if (p[k] === ']') return k + 1;
  }
  return -1;
}

const PUNCTUATION = /^[!-/:-@[-`{-~ ]$/;

/**
 * How many characters after `\e` (starting at `at`) belong to the escape: `\cX`, `\xHH`, `\uHHHH` or `\u{…}`, digits
 * of a back-reference or octal escape, `\k<name>`, `\p{…}`. Generous on purpose: a character wrongly skipped only
 * ends a literal early, one wrongly kept could claim a literal the pattern does not have.
 */
function escapeArgumentLength(p: string, at: number, e: string): number {
  const rest = p.slice(at);
  let m: RegExpExecArray | null = null;
  if (e === 'c') m = /^[A-Za-z]/.exec(rest);
  else if (e === 'x') m = /^[0-9A-Fa-f]{1,2}/.exec(rest);
  else if (e === 'u') m = /^(\{[^}]*\}|[0-9A-Fa-f]{1,4})/.exec(rest);
  else if (/[0-9]/.test(e)) m = /^[0-9]+/.exec(rest);
  else if (e === 'k') m = /^<[^>]*>/.exec(rest);
  else if (e === 'p' || e === 'P') m = /^\{[^}]*\}/.exec(rest);
  return m ? m[0].length : 0;
}

/**
 * Literal strings every match of `pattern` contains (each at least `minLength` characters), longest first; empty
 * when none can be proven. `flags` as given to `RegExp`; with `u` or `v` nothing is claimed.
 */
export function requiredLiterals(pattern: string, flags: string, minLength = 3): string[] {
  if (/[uv]/.test(flags)) return [];
  const runs: string[] = [];
  let run = '';
  const cut = () => {
    if (run.length >= minLength) runs.push(run);
    run = '';
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    let atom: string | undefined; // a literal character, or undefined for anything else
    let next: number;
    if (c === '|') return []; // alternation at the top: no single literal is required
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) return [];
      atom = PUNCTUATION.test(e) ? e : undefined;
      next = i + 2 + escapeArgumentLength(pattern, i + 2, e);
    } else if (c === '[') {
      next = classEnd(pattern, i);
      if (next < 0) return [];
    } else if (c === '(') {
      next = groupEnd(pattern, i);
      if (next < 0) return [];
    } else if (c === ')' || c === '*' || c === '+' || c === '?') {
      return []; // not a pattern we understand (a compile error elsewhere)
    } else if (c === '.' || c === '^' || c === '$') {
      next = i + 1;
    } else {
      atom = c.charCodeAt(0) < 0x80 ? c : undefined;
      next = i + 1;
    }
    const q = quantifierAt(pattern, next);
    if (q) next += q.length;
    if (atom === undefined || (q !== undefined && q.min === 0)) {
      cut();
    } else {
      run += atom;
      if (q !== undefined) cut(); // repeated: what follows is not adjacent
    }
    i = next;
  }
  cut();
  return runs.sort((a, b) => b.length - a.length);
}

/**
 * A cheap test that is true for every string `new RegExp(pattern, flags)` matches (and for many it does not), or
 * undefined when the pattern offers no literal worth searching for.
 */
export function regexGuard(pattern: string, flags: string): ((s: string) => boolean) | undefined {
  const literal = requiredLiterals(pattern, flags)[0];
  if (literal === undefined) return undefined;
  if (!flags.includes('i')) return (s) => s.includes(literal);
  const lower = literal.toLowerCase();
  if (lower === literal.toUpperCase()) return (s) => s.includes(literal); // no letters: case does not matter
  const search = new RegExp(caselessPattern(lower));
  return (s) => search.test(s);
}

/**
 * A regular-expression source matching `s` with ASCII letters in either case, as `[Aa]` classes rather than the `i`
 * flag: V8's regular expressions skip ahead (Boyer-Moore) much better that way, about 2× faster on CloudTrail text
 * (measured on Node 20). Same ASCII semantics.
 */
export function caselessPattern(s: string): string {
  let out = '';
  for (const c of s) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    out += lower !== upper && lower.length === 1 && upper.length === 1 && c < '\x80' ? `[${upper}${lower}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}
