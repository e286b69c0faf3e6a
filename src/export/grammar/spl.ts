/**
 * Splunk SPL for the commands mirrorwatch emits, after Splunk's Search Reference (`search`, `where`, `eval`, `sort`,
 * `streamstats`; "Boolean expressions", "Evaluation functions"; query-languages.md §3.4):
 *
 * ```
 * pipeline ::= 'search' search ('|' command)*
 * search   ::= or (('AND')? or)*          -- in `search`, OR binds tighter than AND: NOT, then OR, then AND
 * or       ::= not ('OR' not)*            not ::= 'NOT' not | '(' search ')' | field op value | field 'IN' '(' value, … ')'
 * command  ::= 'where' eval | 'eval' name '=' eval (',' name '=' eval)* | 'sort' '0'? field, …
 *            | 'streamstats' (opt '=' value)* stat ('as' name)? (',' stat ('as' name)?)* ('by' field+)?
 * eval     ::= eval 'OR' eval | eval 'AND' eval | 'NOT' eval | sum (cmp sum | 'LIKE' sum)?
 * sum      ::= unary (('+' | '-' | '.') unary)*  primary ::= number | "string" | 'field' | name | fn '(' args ')' | '(' eval ')'
 * ```
 *
 * Boolean operators are upper case (a lower-case `or` is a search term). Strings are double-quoted with `\"` and
 * `\\`. In eval expressions `.` concatenates, so a dotted field name must be single-quoted: an unquoted
 * `userIdentity.type` there is rejected. Checks beyond the syntax: known eval functions, `match()` regexes must
 * compile (PCRE, read here with JavaScript's engine after moving a leading `(?i)` into flags), `lower(f)` compared
 * with a literal holding upper-case letters is rejected, and bare search terms (keyword searches) are rejected.
 */
import { Scanner } from './scanner.js';

/** A search-command expression. */
export type SplSearch =
  | { k: 'and' | 'or'; children: SplSearch[] }
  | { k: 'not'; e: SplSearch }
  | { k: 'cmp'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: string }
  | { k: 'in'; field: string; values: string[] };

/** An eval expression. */
export type SplEval =
  | { k: 'and' | 'or'; children: SplEval[] }
  | { k: 'not'; e: SplEval }
  | { k: 'bin'; op: string; left: SplEval; right: SplEval }
  | { k: 'field'; name: string }
  | { k: 'lit'; value: string | number }
  | { k: 'call'; name: string; args: SplEval[] };

/** One pipeline command. */
export type SplCommand =
  | { cmd: 'where'; e: SplEval }
  | { cmd: 'eval'; assigns: { name: string; e: SplEval }[] }
  | { cmd: 'sort' | 'streamstats' | 'stats'; text: string };

/** A parsed SPL pipeline. */
export interface SplQuery {
  search: SplSearch;
  commands: SplCommand[];
}

const FUNCTIONS = new Set(['lower', 'upper', 'match', 'in', 'isnull', 'isnotnull', 'case', 'if', 'true', 'false', 'null', 'cidrmatch', 'tonumber', 'like', 'len', 'coalesce', 'mvcount', 'searchmatch']);
const STATS = new Set(['count', 'dc', 'distinct_count', 'values', 'min', 'max', 'earliest', 'latest', 'sum', 'avg']);

/** A PCRE pattern checked with JavaScript's engine (leading inline flags moved into flags). */
export function pcre(pattern: string): RegExp {
  const m = /^\(\?([ims]+)\)/.exec(pattern);
  return new RegExp(m ? pattern.slice(m[0].length) : pattern, m ? m[1] : '');
}

class SplParser {
  readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text, 'SPL');
  }

  kw(word: string): boolean {
    this.s.ws();
    return this.s.keyword(word, false, /[^\s()|,="]/);
  }

  pipeline(): SplQuery {
    if (!this.kw('search')) this.s.fail('expected search');
    const search = this.search();
    const commands: SplCommand[] = [];
    for (;;) {
      this.s.ws();
      if (this.s.done) break;
      this.s.expect('|', '| before the next command');
      commands.push(this.command());
    }
    return { search, commands };
  }

  atEnd(): boolean {
    this.s.ws();
    return this.s.done || this.s.peek() === '|' || this.s.peek() === ')';
  }

  search(): SplSearch {
    const children = [this.searchOr()];
    for (;;) {
      if (this.atEnd()) break;
      this.kw('AND');
      children.push(this.searchOr());
    }
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  searchOr(): SplSearch {
    const children = [this.searchNot()];
    while (this.kw('OR')) children.push(this.searchNot());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  searchNot(): SplSearch {
    if (this.kw('NOT')) return { k: 'not', e: this.searchNot() };
    this.s.ws();
    if (this.s.eat('(') !== null) {
      const e = this.search();
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return e;
    }
    const at = this.s.pos;
    const word = this.s.look(/(and|or|not)(?=[\s()]|$)/i);
    if (word) this.s.fail(`${word[1]}: boolean operators are upper case (lower case is a search term)`);
    const field = this.searchField();
    if (field === null) return this.s.fail('expected field=value, field IN (…) or a group');
    this.s.ws();
    const op = this.s.eat(/!=|<=|>=|=|<|>/);
    if (op !== null) {
      this.s.ws();
      return { k: 'cmp', field, op: op as '=', value: this.searchValue() };
    }
    if (this.kw('IN')) {
      this.s.ws();
      this.s.expect('(', '( after IN');
      const values: string[] = [];
      do {
        this.s.ws();
        values.push(this.searchValue());
      } while ((this.s.ws(), this.s.eat(',')) !== null);
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return { k: 'in', field, values };
    }
    return this.s.fail('a bare search term (a keyword search): mirrorwatch emits field comparisons only', at);
  }

  searchField(): string | null {
    if (this.s.peek() === '"') return this.quoted();
    return this.s.eat(/[A-Za-z_][A-Za-z0-9_.{}]*/);
  }

  searchValue(): string {
    if (this.s.peek() === '"') return this.quoted();
    const v = this.s.eat(/[^\s()|,="]+/);
    if (v === null) return this.s.fail('expected a value');
    return v;
  }

  quoted(): string {
    const at = this.s.pos;
    this.s.expect('"');
    let out = '';
    for (;;) {
      const c = this.s.peek();
      if (c === '') return this.s.fail('an unterminated string', at);
      this.s.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.s.peek();
        if (e !== '"' && e !== '\\') this.s.fail(`the escape \\${e} (SPL strings escape only \\" and \\\\)`, this.s.pos - 1);
        this.s.pos++;
        out += e;
        continue;
      }
      out += c;
    }
  }

  command(): SplCommand {
    this.s.ws();
    if (this.kw('where')) return { cmd: 'where', e: this.eval() };
    if (this.kw('eval')) {
      const assigns: { name: string; e: SplEval }[] = [];
      do {
        this.s.ws();
        const name = this.s.expect(/[A-Za-z_][A-Za-z0-9_]*/, 'a field name');
        this.s.ws();
        this.s.expect('=', '= in eval');
        assigns.push({ name, e: this.eval() });
      } while ((this.s.ws(), this.s.eat(',')) !== null);
      return { cmd: 'eval', assigns };
    }
    const start = this.s.pos;
    if (this.kw('sort')) {
      this.s.ws();
      this.s.eat(/0(?=\s)/);
      do {
        this.s.ws();
        this.s.eat(/[+-]/);
        this.s.expect(/[A-Za-z_][A-Za-z0-9_.]*/, 'a field to sort by');
      } while ((this.s.ws(), this.s.eat(',')) !== null);
      return { cmd: 'sort', text: this.s.text.slice(start, this.s.pos) };
    }
    for (const cmd of ['streamstats', 'stats'] as const) {
      if (!this.kw(cmd)) continue;
      for (;;) {
        this.s.ws();
        const opt = this.s.look(/([a-z_]+)=(\S+)/);
        if (!opt) break;
        if (cmd === 'streamstats' && !['time_window', 'window', 'global', 'current', 'reset_on_change', 'allnum'].includes(opt[1])) this.s.fail(`unknown streamstats option ${opt[1]}`);
        if (opt[1] === 'time_window' && !/^\d+[smhd]$/.test(opt[2])) this.s.fail('time_window needs a span such as 900s');
        this.s.pos += opt[0].length;
      }
      let n = 0;
      do {
        this.s.ws();
        const at = this.s.pos;
        const fn = this.s.expect(/[a-z_]+/, 'a statistical function');
        if (!STATS.has(fn)) this.s.fail(`unknown statistical function ${fn}`, at);
        if (this.s.eat('(') !== null) {
          this.s.expect(/"[^"]*"|'[^']*'|[A-Za-z_][A-Za-z0-9_.{}]*/, 'a field');
          this.s.expect(')', 'a closing )');
        } else if (fn !== 'count') this.s.fail(`${fn} needs a field`, at);
        if (this.kw('as')) {
          this.s.ws();
          this.s.expect(/[A-Za-z_][A-Za-z0-9_]*/, 'a name after as');
        }
        n++;
      } while ((this.s.ws(), this.s.eat(',')) !== null);
      if (n === 0) this.s.fail('no statistical function');
      if (this.kw('by')) {
        let fields = 0;
        while (!this.atEnd()) {
          if (this.searchField() === null) this.s.fail('expected a field after by');
          fields++;
        }
        if (fields === 0) this.s.fail('expected a field after by');
      }
      return { cmd, text: this.s.text.slice(start, this.s.pos) };
    }
    return this.s.fail('an unknown or unsupported command');
  }

  eval(): SplEval {
    const children = [this.evalAnd()];
    while (this.kw('OR')) children.push(this.evalAnd());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  evalAnd(): SplEval {
    const children = [this.evalNot()];
    while (this.kw('AND')) children.push(this.evalNot());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  evalNot(): SplEval {
    if (this.kw('NOT')) return { k: 'not', e: this.evalNot() };
    const left = this.sum();
    this.s.ws();
    const op = this.s.eat(/==|!=|<=|>=|=|<|>/);
    if (op !== null) {
      const right = this.sum();
      this.lowerCheck(left, right);
      return { k: 'bin', op: op === '=' ? '==' : op, left, right };
    }
    if (this.kw('LIKE')) return { k: 'bin', op: 'LIKE', left, right: this.sum() };
    return left;
  }

  lowerCheck(left: SplEval, right: SplEval): void {
    if (left.k === 'call' && left.name === 'lower' && right.k === 'lit' && typeof right.value === 'string' && right.value !== right.value.toLowerCase()) {
      this.s.fail(`lower(…) compared with ${JSON.stringify(right.value)}, which has upper-case letters: never true`);
    }
  }

  sum(): SplEval {
    let left = this.primary();
    for (;;) {
      this.s.ws();
      const op = this.s.eat(/[+\-.](?![=])/);
      if (op === null) return left;
      left = { k: 'bin', op, left, right: this.primary() };
    }
  }

  primary(): SplEval {
    this.s.ws();
    const c = this.s.peek();
    if (c === '(') {
      this.s.pos++;
      const e = this.eval();
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return e;
    }
    if (c === '"') return { k: 'lit', value: this.quoted() };
    if (c === "'") {
      const at = this.s.pos;
      const m = this.s.eat(/'(?:[^'\\]|\\.)*'/);
      if (m === null) return this.s.fail("an unterminated 'field name'", at);
      return { k: 'field', name: m.slice(1, -1).replace(/\\(.)/g, '$1') };
    }
    const num = this.s.eat(/-?\d+(\.\d+)?(?![A-Za-z_])/);
    if (num !== null) return { k: 'lit', value: Number(num) };
    const at = this.s.pos;
    const id = this.s.eat(/[A-Za-z_][A-Za-z0-9_]*/);
    if (id === null) return this.s.fail('expected a value, field or function');
    if (this.s.peek() === '(') {
      if (!FUNCTIONS.has(id)) this.s.fail(`unknown eval function ${id}`, at);
      this.s.pos++;
      const args: SplEval[] = [];
      this.s.ws();
      if (this.s.peek() !== ')') {
        do args.push(this.eval());
        while ((this.s.ws(), this.s.eat(',')) !== null);
      }
      this.s.ws();
      this.s.expect(')', 'a closing )');
      if (id === 'match') {
        const re = args[1];
        if (args.length !== 2 || re.k !== 'lit' || typeof re.value !== 'string') this.s.fail('match(field, "regex") takes a string regex', at);
        try {
          pcre(re.value);
        } catch (e) {
          this.s.fail(`an invalid regex in match(): ${(e as Error).message}`, at);
        }
      }
      if (id === 'in' && args.length > 1) for (const a of args.slice(1)) this.lowerCheck(args[0], a);
      if (id === 'case' && args.length % 2 !== 0) this.s.fail('case() takes condition, value pairs', at);
      return { k: 'call', name: id, args };
    }
    if (['AND', 'OR', 'NOT', 'LIKE'].includes(id)) this.s.fail(`the operator ${id} where a value was expected`, at);
    if (this.s.peek() === '.' && /[A-Za-z_]/.test(this.s.peek(1))) this.s.fail(`the dotted field ${id}.… must be single-quoted in eval (. concatenates)`, at);
    return { k: 'field', name: id };
  }
}

/** Parses an SPL pipeline; throws GrammarError on a syntax or validity error. */
export function parseSpl(text: string): SplQuery {
  return new SplParser(text).pipeline();
}
