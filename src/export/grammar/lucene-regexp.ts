/**
 * Lucene regular expressions, the dialect of EQL `regex`/`regex~`, ES|QL `RLIKE` and Lucene `/…/` terms
 * (org.apache.lucene.util.automaton.RegExp; Elasticsearch "Regular expression syntax"). A Lucene regexp always
 * matches the whole value: there are no `^`/`$` anchors. Its grammar:
 *
 * ```
 * union   ::= inter ('|' inter)*          inter ::= concat ('&' concat)*      [INTERSECTION]
 * concat  ::= repeat+                     repeat ::= '~'? simple ('?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}')*
 * simple  ::= char | '\' char | '.' | '[' '^'? classitems ']' | '(' union? ')' | '"' chars '"' | '#' | '@' | '<n-m>'
 * ```
 *
 * Elasticsearch enables every optional operator by default (`flags: ALL`): `&` intersection, `~` complement, `@` any
 * string, `#` empty language, `<n-m>` numeric interval, and `"…"` quotes a literal. mirrorwatch never means any of
 * them, so this parser accepts the core subset only and rejects those characters unescaped: a compiler that forgot
 * to escape one would otherwise change the expression's meaning silently. `\d \D \s \S \w \W` (Lucene 9) are read.
 * `toJsRegExp` turns a parsed expression into an anchored JavaScript RegExp for the evaluators.
 */
import { Scanner } from './scanner.js';

/** Characters that are operators in Lucene regexps with ES's default flags (reserved when unescaped). */
const RESERVED = '#@&~<>"';

/** Parses a Lucene regexp of the core subset and returns an equivalent JavaScript source (not anchored). */
export function parseLuceneRegexp(pattern: string, language = 'Lucene regexp'): string {
  const s = new Scanner(pattern, language);
  const js = union(s);
  if (!s.done) s.fail(s.peek() === ')' ? 'an unbalanced )' : `unexpected ${JSON.stringify(s.peek())}`);
  return js;
}

function union(s: Scanner): string {
  const alts = [concat(s)];
  while (s.eat('|') !== null) alts.push(concat(s));
  return alts.join('|');
}

function concat(s: Scanner): string {
  let out = '';
  while (!s.done && s.peek() !== '|' && s.peek() !== ')') out += repeat(s);
  return out;
}

function repeat(s: Scanner): string {
  const at = s.pos;
  let body = simple(s);
  for (;;) {
    const q = s.peek();
    if (q === '*' || q === '+' || q === '?') {
      s.pos++;
      body = `(?:${body})${q}`;
      continue;
    }
    if (q === '{') {
      const m = s.eat(/\{(\d+)(,(\d*))?\}/);
      if (m === null) s.fail('a malformed {n,m} repetition');
      const [, min, comma, max] = /\{(\d+)(,(\d*))?\}/.exec(m) as RegExpExecArray;
      if (comma !== undefined && max !== '' && Number(max) < Number(min)) s.fail('a {n,m} repetition with m < n', at);
      body = `(?:${body}){${min}${comma ?? ''}}`;
      continue;
    }
    return body;
  }
}

function escapeJs(c: string): string {
  return /[\\^$.|?*+()[\]{}/-]/.test(c) ? `\\${c}` : c;
}

function shorthand(c: string): string | null {
  return 'dDsSwW'.includes(c) ? `\\${c}` : null;
}

function simple(s: Scanner): string {
  const c = s.peek();
  if (c === '') return s.fail('an unexpected end of the expression');
  if (RESERVED.includes(c)) return s.fail(`the reserved character ${c} unescaped (an operator in Lucene regexps with the default flags)`);
  if ('*+?{'.includes(c)) return s.fail(`a quantifier ${c} with nothing to repeat`);
  if (c === ']' || c === '}') return s.fail(`an unbalanced ${c}`);
  s.pos++;
  switch (c) {
    case '.':
      return '[\\s\\S]';
    case '\\': {
      const e = s.peek();
      if (e === '') return s.fail('a trailing backslash');
      s.pos++;
      return shorthand(e) ?? escapeJs(e);
    }
    case '(': {
      if (s.peek() === ')') {
        s.pos++;
        return '(?:)';
      }
      const body = union(s);
      s.expect(')', 'a closing )');
      return `(?:${body})`;
    }
    case '[':
      return charClass(s);
    default:
      return escapeJs(c);
  }
}

function classChar(s: Scanner): { js: string; literal: string | null } {
  const c = s.peek();
  if (c === '') return s.fail('an unterminated character class');
  s.pos++;
  if (c === '\\') {
    const e = s.peek();
    if (e === '') return s.fail('a trailing backslash');
    s.pos++;
    const sh = shorthand(e);
    return sh ? { js: sh, literal: null } : { js: escapeJs(e), literal: e };
  }
  if (c === '[') return s.fail('a [ inside a character class must be escaped');
  return { js: escapeJs(c), literal: c };
}

function charClass(s: Scanner): string {
  const negated = s.eat('^') !== null;
  let out = '';
  let first = true;
  while (s.peek() !== ']' || first) {
    if (s.done) s.fail('an unterminated character class');
    if (s.peek() === ']' && first) s.fail('an empty character class');
    first = false;
    const from = classChar(s);
    if (s.peek() === '-' && s.peek(1) !== ']' && s.peek(1) !== '') {
      s.pos++;
      const to = classChar(s);
      if (from.literal === null || to.literal === null) s.fail('a range bound that is a class shorthand');
      if (from.literal > to.literal) s.fail(`the range ${from.literal}-${to.literal} is out of order`);
      out += `${from.js}-${to.js}`;
    } else out += from.js;
  }
  s.pos++;
  return `[${negated ? '^' : ''}${out}]`;
}

/** A Lucene regexp as an anchored JavaScript RegExp (whole-value match), optionally case-insensitive. */
export function toJsRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  return new RegExp(`^(?:${parseLuceneRegexp(pattern)})$`, caseInsensitive ? 'i' : '');
}
