/**
 * Sigma's regular expressions (a PCRE subset: `.`, `^ $`, `* + ? {n,m}`, classes, `|`, groups; spec v2.1,
 * sigma-appendix-modifiers.md) parsed once and written in each target's dialect:
 * - RE2 / PCRE / Java (Sentinel `matches regex`, SPL `match()`, AQL `IMATCHES`, YARA-L, Trino, BigQuery, DuckDB):
 *   unanchored search, like Sigma; `(?i)` etc. as inline flags.
 * - Lucene (EQL `regex~`, ES|QL `RLIKE`, Lucene `/…/`): the pattern must match the whole value and there are no
 *   anchors (Elasticsearch "Regular expression syntax"; query-languages.md §3.3), so `^`/`$` are turned into the
 *   presence or absence of `.*` at the ends, and escapes such as `\d` become classes.
 * A construct that a dialect cannot express with the same meaning fails the rule with `regex-untranslatable`.
 */
import { fail } from './reasons.js';

type ClassItem = { kind: 'range'; from: string; to: string } | { kind: 'char'; c: string } | { kind: 'escape'; e: string };

/** The regex syntax tree. */
export type RegexNode =
  | { t: 'alt'; alts: RegexNode[] }
  | { t: 'seq'; items: RegexNode[] }
  | { t: 'group'; body: RegexNode }
  | { t: 'repeat'; body: RegexNode; min: number; max: number | null }
  | { t: 'char'; c: string }
  | { t: 'any' }
  | { t: 'class'; negated: boolean; items: ClassItem[] }
  /** `\d \D \w \W \s \S \b \B`. */
  | { t: 'escape'; e: string }
  | { t: 'start' }
  | { t: 'end' };

const SHORTHAND = 'dDwWsSbB';
const CONTROL: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };

/** Parses a Sigma regex; unsupported syntax (look-around, back-references, named groups) fails the rule. */
export function parseRegex(pattern: string): RegexNode {
  let i = 0;
  const bad = (what: string): never => fail('regex-untranslatable', `${what} at offset ${i} of /${pattern}/`);
  const parseAlt = (): RegexNode => {
    const alts: RegexNode[] = [parseSeq()];
    while (pattern[i] === '|') {
      i++;
      alts.push(parseSeq());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  };
  const parseSeq = (): RegexNode => {
    const items: RegexNode[] = [];
    while (i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') {
      let atom = parseAtom();
      for (;;) {
        const q = pattern[i];
        let min: number;
        let max: number | null;
        if (q === '*') [min, max] = [0, null];
        else if (q === '+') [min, max] = [1, null];
        else if (q === '?') [min, max] = [0, 1];
        else if (q === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i)) as RegExpExecArray;
          min = Number(m[1]);
          max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
          i += m[0].length - 1;
        } else break;
        i++;
        if (pattern[i] === '?') i++; // lazy: the same set of matching strings
        else if (pattern[i] === '+') bad('a possessive quantifier');
        if (atom.t === 'start' || atom.t === 'end') bad('a quantified anchor');
        atom = { t: 'repeat', body: atom, min, max };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  };
  const parseEscape = (inClass: boolean): ClassItem | RegexNode => {
    const c = pattern[i++];
    if (c === undefined) return bad('a trailing backslash');
    if (SHORTHAND.includes(c)) {
      if (inClass && (c === 'b' || c === 'B')) bad('\\b inside a class');
      return inClass ? { kind: 'escape', e: c } : { t: 'escape', e: c };
    }
    if (c in CONTROL) return inClass ? { kind: 'char', c: CONTROL[c] } : { t: 'char', c: CONTROL[c] };
    if (/[0-9A-Za-z]/.test(c)) return bad(`the escape \\${c}`);
    return inClass ? { kind: 'char', c } : { t: 'char', c };
  };
  const parseClass = (): RegexNode => {
    const negated = pattern[i] === '^';
    if (negated) i++;
    const items: ClassItem[] = [];
    let first = true;
    while (i < pattern.length && (pattern[i] !== ']' || first)) {
      first = false;
      let item: ClassItem;
      if (pattern[i] === '\\') {
        i++;
        item = parseEscape(true) as ClassItem;
      } else if (pattern[i] === '[' && pattern[i + 1] === ':') return bad('a POSIX class');
      else item = { kind: 'char', c: pattern[i++] };
      if (item.kind === 'char' && pattern[i] === '-' && pattern[i + 1] !== ']' && i + 1 < pattern.length) {
        i++;
        let to: ClassItem;
        if (pattern[i] === '\\') {
          i++;
          to = parseEscape(true) as ClassItem;
        } else to = { kind: 'char', c: pattern[i++] };
        if (to.kind !== 'char') return bad('a range ending in a class escape');
        items.push({ kind: 'range', from: item.c, to: to.c });
      } else items.push(item);
    }
    if (pattern[i] !== ']') return bad('an unterminated class');
    i++;
    return { t: 'class', negated, items };
  };
  const parseAtom = (): RegexNode => {
    const c = pattern[i++];
    switch (c) {
      case '.':
        return { t: 'any' };
      case '^':
        return { t: 'start' };
      case '$':
        return { t: 'end' };
      case '[':
        return parseClass();
      case '\\':
        return parseEscape(false) as RegexNode;
      case '(': {
        if (pattern[i] === '?') {
          if (pattern[i + 1] === ':') i += 2;
          else return bad('a group modifier (look-around, named group or inline flag)');
        }
        const body = parseAlt();
        if (pattern[i] !== ')') return bad('an unclosed group');
        i++;
        return { t: 'group', body };
      }
      case '*':
      case '+':
      case '?':
        return bad('a quantifier with nothing to repeat');
      case '{':
      case '}':
      case ']':
        return { t: 'char', c };
      default:
        return { t: 'char', c };
    }
  };
  const ast = parseAlt();
  if (i < pattern.length) bad('an unbalanced )');
  return ast;
}

/** Regex dialects. */
export type RegexDialect = 're2' | 'lucene';

/** Options for writing a regex. */
export interface RenderOptions {
  /** Lower-case every literal (the field is lower-cased too: ES|QL `TO_LOWER(f) RLIKE`, caseless keyword fields). */
  lower?: boolean;
  /** Write metacharacters as classes instead of backslash escapes (BigQuery string literals). */
  noBackslash?: boolean;
}

const RE2_META = '\\^$.|?*+()[]{}';
// Lucene's reserved characters (Elasticsearch regexp syntax): these must be escaped to be literal.
const LUCENE_META = '.?+*|{}[]()"\\#@&<>~';

function lowerChar(c: string, lower: boolean | undefined): string {
  return lower ? c.toLowerCase() : c;
}

function caseOf(c: string): 'upper' | 'lower' | 'none' {
  if (c.toLowerCase() !== c) return 'upper';
  if (c.toUpperCase() !== c) return 'lower';
  return 'none';
}

function classItems(items: ClassItem[], dialect: RegexDialect, o: RenderOptions): string {
  let out = '';
  const lit = (c: string): string => {
    const ch = lowerChar(c, o.lower);
    if ('\\]^-['.includes(ch)) {
      if (o.noBackslash) return fail('regex-untranslatable', `the class character ${ch} cannot be written without a backslash`);
      return `\\${ch}`;
    }
    if (dialect === 'lucene' && LUCENE_META.includes(ch)) return `\\${ch}`;
    if (ch === '\n' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      if (dialect === 'lucene' || o.noBackslash) return fail('regex-untranslatable', 'a control character in a class');
      return { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v' }[ch] as string;
    }
    return ch;
  };
  for (const it of items) {
    if (it.kind === 'char') out += lit(it.c);
    else if (it.kind === 'range') {
      if (o.lower && caseOf(it.from) !== caseOf(it.to)) fail('regex-untranslatable', `the range ${it.from}-${it.to} mixes letter cases`);
      out += `${lit(it.from)}-${lit(it.to)}`;
    } else out += escapeAsClassBody(it.e, dialect, o);
  }
  return out;
}

/** `\d`, `\w`, `\s` written inside a class. */
function escapeAsClassBody(e: string, dialect: RegexDialect, o: RenderOptions): string {
  if (dialect === 're2' && !o.noBackslash) return `\\${e}`;
  switch (e) {
    case 'd':
      return '0-9';
    case 'w':
      return o.lower ? '0-9a-z_' : '0-9A-Za-z_';
    case 's':
      if (dialect === 'lucene') return fail('regex-untranslatable', '\\s (Lucene regex cannot write tab or newline)');
      return ' \t\n\r\f\v';
    default:
      return fail('regex-untranslatable', `\\${e} inside a class`);
  }
}

function render(n: RegexNode, dialect: RegexDialect, o: RenderOptions): string {
  switch (n.t) {
    case 'alt':
      return n.alts.map((a) => render(a, dialect, o)).join('|');
    case 'seq':
      return n.items.map((a) => render(a, dialect, o)).join('');
    case 'group':
      return dialect === 'lucene' ? `(${render(n.body, dialect, o)})` : `(?:${render(n.body, dialect, o)})`;
    case 'repeat': {
      const body = render(n.body, dialect, o);
      const q = n.min === 0 && n.max === null ? '*' : n.min === 1 && n.max === null ? '+' : n.min === 0 && n.max === 1 ? '?' : n.max === n.min ? `{${n.min}}` : `{${n.min},${n.max ?? ''}}`;
      return body + q;
    }
    case 'char': {
      const c = lowerChar(n.c, o.lower);
      const meta = dialect === 'lucene' ? LUCENE_META : RE2_META;
      if (meta.includes(c)) {
        if (!o.noBackslash) return `\\${c}`;
        if (c === '\\' || c === '^' || c === ']') return fail('regex-untranslatable', `the literal ${c} cannot be written without a backslash`);
        return `[${c}]`;
      }
      if (c === '/' && dialect === 're2' && !o.noBackslash) return '\\/';
      if ('\n\t\r\f\v'.includes(c)) {
        if (dialect === 'lucene' || o.noBackslash) return fail('regex-untranslatable', 'a control character');
        return { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v' }[c] as string;
      }
      return c;
    }
    case 'any':
      return '.';
    case 'class':
      return `[${n.negated ? '^' : ''}${classItems(n.items, dialect, o)}]`;
    case 'escape': {
      if (dialect === 're2' && !o.noBackslash) {
        if (o.lower && 'DWS'.includes(n.e)) return fail('regex-untranslatable', `\\${n.e} on a lower-cased value`);
        return `\\${n.e}`;
      }
      if (n.e === 'b' || n.e === 'B') return fail('regex-untranslatable', `\\${n.e} (word boundary)`);
      const neg = n.e === n.e.toUpperCase();
      return `[${neg ? '^' : ''}${escapeAsClassBody(n.e.toLowerCase(), dialect, o)}]`;
    }
    case 'start':
      return dialect === 'lucene' ? fail('regex-untranslatable', 'a ^ anchor that is not at the start') : '^';
    case 'end':
      return dialect === 'lucene' ? fail('regex-untranslatable', 'a $ anchor that is not at the end') : '$';
  }
}

/** Writes a regex for an RE2 / PCRE / Java engine: an unanchored search with the rule's flags inline. */
export function toRe2(ast: RegexNode, flags: { ignoreCase?: boolean; multiline?: boolean; dotAll?: boolean }, o: RenderOptions = {}): string {
  const f = `${flags.ignoreCase ? 'i' : ''}${flags.multiline ? 'm' : ''}${flags.dotAll ? 's' : ''}`;
  return (f ? `(?${f})` : '') + render(ast, 're2', o);
}

/** The top-level alternatives of a regex. */
function branches(ast: RegexNode): RegexNode[][] {
  const alts = ast.t === 'alt' ? ast.alts : [ast];
  return alts.map((a) => (a.t === 'seq' ? [...a.items] : [a]));
}

/**
 * Writes a regex as a Lucene regexp that must match the whole value: a search for R is `.*R.*`; a leading `^`
 * drops the leading `.*`, a trailing `$` the trailing one, and a final group whose alternatives end in `$` (as in
 * `( |$)`) keeps the `$` branches as they are and lets the others continue with `.*`.
 */
export function toLucene(ast: RegexNode, o: RenderOptions = {}): string {
  const out: string[] = [];
  for (const items of branches(ast)) {
    let head = '.*';
    let tail = '.*';
    if (items[0]?.t === 'start') {
      items.shift();
      head = '';
    }
    const last = items[items.length - 1];
    if (last?.t === 'end') {
      items.pop();
      tail = '';
    } else if (last?.t === 'group') {
      const alts = branches(last.body);
      if (alts.some((a) => a[a.length - 1]?.t === 'end')) {
        const rewritten = alts.map((a) => {
          if (a[a.length - 1]?.t === 'end') return a.slice(0, -1).map((x) => render(x, 'lucene', o)).join('');
          return a.map((x) => render(x, 'lucene', o)).join('') + '.*';
        });
        items.pop();
        out.push(head + items.map((x) => render(x, 'lucene', o)).join('') + `(${rewritten.join('|')})`);
        continue;
      }
    }
    out.push(head + items.map((x) => render(x, 'lucene', o)).join('') + tail);
  }
  return out.length === 1 ? out[0] : out.map((b) => `(${b})`).join('|');
}
