/**
 * Lucene query syntax as Elasticsearch's `query_string` reads it: the classic query parser's grammar
 * (apache/lucene queryparser/classic/QueryParser.jj) with Elasticsearch's additions (`_exists_:f`, `*:*`; ES
 * "Query string query" reference; query-languages.md §3.3):
 *
 * ```
 * Query  ::= Clause ((AND | OR) Clause)*           AND ::= 'AND' | '&&'    OR ::= 'OR' | '||'    NOT ::= 'NOT' | '!'
 * Clause ::= (NOT | '+' | '-')? ((TERM | '*') ':')? (Term | '(' Query ')')
 * Term   ::= TERM | PREFIXTERM | WILDTERM | REGEXPTERM | QUOTED | '[' goop 'TO' goop ']' | '{' … '}'
 * TERM_START_CHAR ::= any char but whitespace + - ! ( ) : ^ [ ] " { } ~ * ? \ /, or '\' any char
 * TERM_CHAR ::= TERM_START_CHAR | '-' | '+'          REGEXPTERM ::= '/' ([^/] | '\/')* '/'
 * ```
 *
 * Stricter than the grammar, because mirrorwatch's output must mean one thing: implicit operators (two clauses
 * with no AND/OR between them: the default operator would decide) are rejected; a group mixing AND and OR without
 * parentheses is rejected (the classic parser gives them no precedence: `a OR b AND c` is `a +b +c`); `OR NOT`
 * and a group holding only negated clauses (which matches nothing) are rejected; a term starting with `<`/`>`
 * unquoted is rejected (Elasticsearch turns it into a range even when escaped); regexps must be Lucene regexps; a
 * value on a `.caseless` field must be lower case.
 */
import { parseLuceneRegexp } from './lucene-regexp.js';
import { Scanner } from './scanner.js';

/** One Lucene term query. */
export type LuceneTerm =
  | { k: 'term'; text: string }
  | { k: 'phrase'; text: string }
  | { k: 'wildcard'; pattern: string }
  | { k: 'regexp'; pattern: string }
  | { k: 'range'; from: string; to: string; fromInclusive: boolean; toInclusive: boolean };

/** A parsed Lucene query. */
export type LuceneNode =
  | { k: 'bool'; clauses: { occur: 'must' | 'should' | 'must_not'; q: LuceneNode }[] }
  | { k: 'field'; field: string; term: LuceneTerm }
  | { k: 'all' }
  | { k: 'exists'; field: string };

/** Characters a TERM may not start with (QueryParser.jj `_TERM_START_CHAR`). */
const NOT_START = ' \t\n\r\u3000+-!():^[]"{}~*?\\/';

class LuceneParser {
  readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text, 'Lucene');
  }

  start(): LuceneNode {
    this.s.ws();
    const q = this.query(null);
    this.s.ws();
    if (!this.s.done) this.s.fail(this.s.peek() === ')' ? 'an unbalanced )' : 'unexpected text');
    return q;
  }

  conj(): 'AND' | 'OR' | null {
    this.s.ws();
    if (this.s.eat('&&') !== null || this.s.keyword('AND', false, /[^\s()]/)) return 'AND';
    if (this.s.eat('||') !== null || this.s.keyword('OR', false, /[^\s()]/)) return 'OR';
    return null;
  }

  query(field: string | null): LuceneNode {
    const clauses: { occur: 'must' | 'should' | 'must_not'; q: LuceneNode; negated: boolean }[] = [];
    let op: 'AND' | 'OR' | null = null;
    const first = this.clause(field);
    clauses.push(first);
    for (;;) {
      this.s.ws();
      if (this.s.done || this.s.peek() === ')') break;
      const at = this.s.pos;
      const c = this.conj();
      if (c === null) this.s.fail('an implicit operator between clauses (write AND or OR)', at);
      if (op !== null && c !== op) this.s.fail(`${c} after ${op} without parentheses (the classic parser gives them no precedence)`, at);
      op = c;
      const next = this.clause(field);
      if (c === 'OR' && next.negated) this.s.fail('OR NOT (a negated clause in an OR group)', at);
      clauses.push(next);
    }
    const occur = (x: (typeof clauses)[number]): 'must' | 'should' | 'must_not' => (x.negated ? 'must_not' : op === 'OR' ? 'should' : 'must');
    if (clauses.length === 1 && !clauses[0].negated) return clauses[0].q;
    if (clauses.every((x) => x.negated)) this.s.fail('a group of negated clauses only (matches nothing in Lucene; add *:* AND)');
    return { k: 'bool', clauses: clauses.map((x) => ({ occur: occur(x), q: x.q })) };
  }

  clause(field: string | null): { occur: 'must'; q: LuceneNode; negated: boolean } {
    this.s.ws();
    let negated = false;
    if (this.s.keyword('NOT', false, /[^\s()]/) || this.s.eat('!') !== null) negated = true;
    else if (this.s.peek() === '+' || this.s.peek() === '-') this.s.fail('+/- prefixes are outside the emitted subset');
    this.s.ws();
    let f = field;
    const fieldTerm = this.s.look(/((?:[^\s+\-!():^[\]"{}~*?\\/]|\\.)(?:[^\s!():^[\]"{}~*?\\/]|\\.)*|\*):/);
    if (fieldTerm) {
      if (field !== null) this.s.fail('a field inside a field group');
      f = fieldTerm[1] === '*' ? '*' : unescape(fieldTerm[1]);
      this.s.pos += fieldTerm[0].length;
    }
    if (this.s.peek() === '(') {
      this.s.pos++;
      const q = this.query(f);
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return { occur: 'must', q, negated };
    }
    if (f === null) this.s.fail('a term without a field (a search of the default field)');
    return { occur: 'must', q: this.term(f), negated };
  }

  term(field: string): LuceneNode {
    const c = this.s.peek();
    const at = this.s.pos;
    if (c === '/') {
      const m = this.s.eat(/\/((?:[^/\\]|\\.)*)\//);
      if (m === null) return this.s.fail('an unterminated /regexp/');
      const pattern = m.slice(1, -1).replace(/\\\//g, '/');
      try {
        parseLuceneRegexp(pattern);
      } catch (e) {
        this.s.fail(`an invalid Lucene regexp: ${(e as Error).message}`, at);
      }
      this.caseless(field, pattern.replace(/\\./g, ''));
      return { k: 'field', field, term: { k: 'regexp', pattern } };
    }
    if (c === '"') {
      const m = this.s.eat(/"((?:[^"\\]|\\.)*)"/);
      if (m === null) return this.s.fail('an unterminated "phrase"');
      const text = unescape(m.slice(1, -1));
      this.caseless(field, text);
      return { k: 'field', field, term: { k: 'phrase', text } };
    }
    if (c === '[' || c === '{') return this.s.fail('ranges are outside the emitted subset');
    // A term: TERM_START_CHAR or a wildcard, then TERM_CHARs and wildcards.
    let raw = '';
    let wildcard = false;
    for (;;) {
      const ch = this.s.peek();
      if (ch === '\\') {
        const e = this.s.peek(1);
        if (e === '') this.s.fail('a trailing backslash');
        raw += ch + e;
        this.s.pos += 2;
        continue;
      }
      if (ch === '*' || ch === '?') {
        wildcard = true;
        raw += ch;
        this.s.pos++;
        continue;
      }
      if (ch === '' || (raw === '' ? NOT_START.includes(ch) : NOT_START.replace('+-', '').includes(ch))) break;
      raw += ch;
      this.s.pos++;
    }
    if (raw === '') return this.s.fail('expected a term');
    if (/^\\?[<>]/.test(raw)) this.s.fail('a term starting with < or > (Elasticsearch reads it as a range, escaped or not; quote it)', at);
    if (this.s.peek() === '~' || this.s.peek() === '^') this.s.fail('fuzzy and boost modifiers are outside the emitted subset');
    if (field === '*' && raw === '*') return { k: 'all' };
    if (field === '_exists_') {
      if (wildcard) this.s.fail('_exists_ takes a field name');
      return { k: 'exists', field: unescape(raw) };
    }
    if (wildcard && raw !== '') {
      this.caseless(field, raw.replace(/\\./g, (m) => m[1]).replace(/[*?]/g, ''));
      return { k: 'field', field, term: { k: 'wildcard', pattern: raw } };
    }
    const text = unescape(raw);
    this.caseless(field, text);
    return { k: 'field', field, term: { k: 'term', text } };
  }

  caseless(field: string, text: string): void {
    if (field.endsWith('.caseless') && text !== text.toLowerCase()) {
      this.s.fail(`${JSON.stringify(text)} on the lower-case-normalised field ${field} must be lower case`);
    }
  }
}

/** Removes Lucene's backslash escapes. */
export function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Parses a Lucene query_string query; throws GrammarError on a syntax or validity error. */
export function parseLucene(text: string): LuceneNode {
  return new LuceneParser(text).start();
}
