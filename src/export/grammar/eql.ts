/**
 * Elastic EQL, parsed after Elasticsearch's own grammar (x-pack/plugin/eql/src/main/antlr/EqlBase.g4) and the EQL
 * syntax reference (docs/reference/query-languages/eql/eql-syntax.md; query-languages.md §3.1):
 *
 * ```
 * statement  ::= eventQuery | sequence
 * sequence   ::= 'sequence' ('by' keys)? ('with' 'maxspan' '=' number unit)? ('by' keys)? term term+ ('until' term)?
 * term       ::= '[' eventQuery ']' ('by' keys)?
 * eventQuery ::= ('any' | IDENTIFIER | STRING) 'where' expr
 * expr       ::= expr 'or' expr | expr 'and' expr | 'not' expr | operand (cmpOp operand | predicate)?
 * predicate  ::= 'not'? ('in' | 'in~') '(' expr (',' expr)* ')'
 *              | (':' | 'like' | 'like~' | 'regex' | 'regex~') (constant | '(' constant (',' constant)* ')')
 * operand    ::= constant | function '(' args ')' | '?'? field ('.' field)* | '(' expr ')'
 * ```
 *
 * Keywords are lower case. Strings are double-quoted with the escapes `\b \t \n \f \r \" \' \\ \u{…}`, or raw
 * `"""…"""`; the old single-quoted and `?"…"` forms are errors in Elasticsearch and here. Beyond the grammar, the
 * checks Elasticsearch's analyzer makes on what we emit: the pattern operators take string constants, regexes must
 * be Lucene regexps (lucene-regexp.ts), functions must exist, and `==` is rejected with a `*` or `?` in its string
 * (it has no wildcards, so such a query silently looks for a literal star).
 */
import { parseLuceneRegexp } from './lucene-regexp.js';
import { Scanner } from './scanner.js';

/** An EQL expression. */
export type EqlExpr =
  | { k: 'and' | 'or'; children: EqlExpr[] }
  | { k: 'not'; e: EqlExpr }
  | { k: 'field'; path: string; optional: boolean }
  | { k: 'lit'; value: string | number | boolean | null }
  | { k: 'call'; name: string; args: EqlExpr[] }
  | { k: 'cmp'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: EqlExpr; right: EqlExpr }
  | { k: 'in'; negated: boolean; insensitive: boolean; left: EqlExpr; values: EqlExpr[] }
  | { k: 'pattern'; op: ':' | 'like' | 'like~' | 'regex' | 'regex~'; left: EqlExpr; patterns: string[] };

/** An event query: a category (or `any`) and its condition. */
export interface EqlEventQuery {
  category: string;
  where: EqlExpr;
}

/** A parsed EQL statement. */
export type EqlQuery =
  | ({ kind: 'event' } & EqlEventQuery)
  | { kind: 'sequence'; by: EqlExpr[]; maxspanMs: number | null; steps: { query: EqlEventQuery; by: EqlExpr[] }[]; until: EqlEventQuery | null };

/** EQL's functions (Elastic "EQL function reference"); `~` marks the case-insensitive variants. */
const FUNCTIONS = new Set([
  'add', 'between', 'cidrMatch', 'concat', 'divide', 'endsWith', 'endsWith~', 'indexOf', 'indexOf~', 'length', 'modulo', 'multiply',
  'number', 'startsWith', 'startsWith~', 'string', 'stringContains', 'stringContains~', 'substring', 'subtract',
]);
const KEYWORDS = new Set(['and', 'any', 'by', 'false', 'in', 'join', 'like', 'maxspan', 'not', 'null', 'of', 'or', 'regex', 'sequence', 'true', 'until', 'where', 'with']);
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

class EqlParser {
  readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text, 'EQL');
  }

  /** Whitespace and `//` / `/* … *\/` comments (hidden channel in the grammar). */
  ws(): void {
    for (;;) {
      this.s.ws();
      if (this.s.eat(/\/\/[^\n]*/) !== null) continue;
      if (this.s.eat('/*') !== null) {
        const end = this.s.text.indexOf('*/', this.s.pos);
        if (end < 0) this.s.fail('an unterminated comment');
        this.s.pos = end + 2;
        continue;
      }
      return;
    }
  }

  kw(word: string): boolean {
    this.ws();
    // `~` continues a keyword (`in~`, `like~`, `regex~`), so `in` must not match the start of `in~`.
    return this.s.keyword(word, false, /[A-Za-z0-9_~]/);
  }

  statement(): EqlQuery {
    this.ws();
    let q: EqlQuery;
    if (this.s.atKeyword('sequence')) q = this.sequence();
    else q = { kind: 'event', ...this.eventQuery() };
    this.ws();
    if (this.s.peek() === '|') this.s.fail('pipes are not part of the emitted subset');
    if (!this.s.done) this.s.fail('unexpected text after the query');
    return q;
  }

  sequence(): EqlQuery {
    this.s.keyword('sequence');
    let by: EqlExpr[] = [];
    let maxspanMs: number | null = null;
    if (this.kw('by')) by = this.keys();
    if (this.kw('with')) {
      if (!this.kw('maxspan')) this.s.fail('expected maxspan after with');
      this.ws();
      this.s.expect('=', '= after maxspan');
      this.ws();
      const n = this.s.expect(/\d+/, 'a number');
      const unit = this.s.eat(/[a-z]+/) ?? '';
      if (!(unit in UNITS)) this.s.fail(`maxspan needs a time unit (${Object.keys(UNITS).join(', ')}), got ${JSON.stringify(unit)}`);
      maxspanMs = Number(n) * UNITS[unit];
      if (by.length === 0 && this.kw('by')) by = this.keys();
    }
    const steps: { query: EqlEventQuery; by: EqlExpr[] }[] = [];
    this.ws();
    while (this.s.peek() === '[') {
      const query = this.subquery();
      steps.push({ query, by: this.kw('by') ? this.keys() : [] });
      this.ws();
    }
    if (steps.length < 2) this.s.fail('a sequence needs at least two [ … ] terms');
    const until = this.kw('until') ? this.subquery() : null;
    const widths = steps.map((st) => st.by.length + by.length);
    if (widths.some((w) => w !== widths[0])) this.s.fail('every sequence term needs the same number of join keys');
    return { kind: 'sequence', by, maxspanMs, steps, until };
  }

  subquery(): EqlEventQuery {
    this.ws();
    this.s.expect('[', '[');
    const q = this.eventQuery();
    this.ws();
    this.s.expect(']', 'a closing ]');
    return q;
  }

  keys(): EqlExpr[] {
    const out = [this.expr()];
    for (;;) {
      this.ws();
      if (this.s.eat(',') === null) return out;
      out.push(this.expr());
    }
  }

  eventQuery(): EqlEventQuery {
    this.ws();
    let category: string;
    if (this.s.peek() === '"') category = this.string();
    else {
      const id = this.s.eat(/[A-Za-z_@][A-Za-z0-9_]*/);
      if (id === null) return this.s.fail('expected an event category or any');
      category = id;
    }
    if (!this.kw('where')) this.s.fail('expected where');
    return { category, where: this.expr() };
  }

  expr(): EqlExpr {
    return this.or();
  }

  or(): EqlExpr {
    const children = [this.and()];
    while (this.kw('or')) children.push(this.and());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  and(): EqlExpr {
    const children = [this.not()];
    while (this.kw('and')) children.push(this.not());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  not(): EqlExpr {
    if (this.kw('not')) return { k: 'not', e: this.not() };
    return this.comparison();
  }

  comparison(): EqlExpr {
    const left = this.operand();
    this.ws();
    const op = this.s.eat(/==|!=|<=|>=|<|>/);
    if (op !== null) {
      const right = this.operand();
      if ((op === '==' || op === '!=') && right.k === 'lit' && typeof right.value === 'string' && /[*?]/.test(right.value)) {
        this.s.fail(`${op} has no wildcards: the * or ? in ${JSON.stringify(right.value)} would be literal (use : or like)`);
      }
      return { k: 'cmp', op: op as '==', left, right };
    }
    if (this.s.peek() === '=' ) this.s.fail('= is not an EQL operator (use == or :)');
    const at = this.s.pos;
    const negated = this.kw('not');
    if (this.kw('in~')) return this.inList(left, negated, true);
    if (this.kw('in')) return this.inList(left, negated, false);
    if (negated) {
      this.s.pos = at;
      return left;
    }
    this.ws();
    let pop: ':' | 'like' | 'like~' | 'regex' | 'regex~' | null = null;
    if (this.s.eat(':') !== null) pop = ':';
    else if (this.kw('like~')) pop = 'like~';
    else if (this.kw('like')) pop = 'like';
    else if (this.kw('regex~')) pop = 'regex~';
    else if (this.kw('regex')) pop = 'regex';
    if (pop === null) return left;
    this.ws();
    const patterns: string[] = [];
    if (this.s.eat('(') !== null) {
      do patterns.push(this.patternConstant(pop));
      while ((this.ws(), this.s.eat(',')) !== null);
      this.ws();
      this.s.expect(')', 'a closing )');
    } else patterns.push(this.patternConstant(pop));
    return { k: 'pattern', op: pop, left, patterns };
  }

  patternConstant(op: string): string {
    this.ws();
    if (this.s.peek() !== '"') this.s.fail(`${op} takes string constants`);
    const at = this.s.pos;
    const v = this.string();
    if (op.startsWith('regex')) {
      try {
        parseLuceneRegexp(v, 'EQL regex');
      } catch (e) {
        this.s.fail(`an invalid Lucene regexp: ${(e as Error).message}`, at);
      }
    }
    return v;
  }

  inList(left: EqlExpr, negated: boolean, insensitive: boolean): EqlExpr {
    this.ws();
    this.s.expect('(', '( after in');
    const values = [this.expr()];
    for (;;) {
      this.ws();
      if (this.s.eat(',') === null) break;
      values.push(this.expr());
    }
    this.s.expect(')', 'a closing )');
    return { k: 'in', negated, insensitive, left, values };
  }

  operand(): EqlExpr {
    this.ws();
    const c = this.s.peek();
    if (c === '(') {
      this.s.pos++;
      const e = this.expr();
      this.ws();
      this.s.expect(')', 'a closing )');
      return e;
    }
    if (c === '"') return { k: 'lit', value: this.string() };
    if (c === "'" ) this.s.fail('single-quoted strings are not EQL (use double quotes)');
    const num = this.s.eat(/-?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?(?![A-Za-z_])/);
    if (num !== null) return { k: 'lit', value: Number(num) };
    if (c === '?') {
      this.s.pos++;
      if (this.s.peek() === '"') this.s.fail('?"…" strings are not EQL');
      return { k: 'field', path: this.qualifiedName(), optional: true };
    }
    const at = this.s.pos;
    const fn = this.s.eat(/[A-Za-z][A-Za-z0-9_]*~?(?=\s*\()/);
    if (fn !== null) {
      if (!FUNCTIONS.has(fn)) this.s.fail(`unknown function ${fn}`, at);
      this.ws();
      this.s.expect('(');
      const args: EqlExpr[] = [];
      this.ws();
      if (this.s.eat(')') === null) {
        args.push(this.expr());
        for (;;) {
          this.ws();
          if (this.s.eat(',') === null) break;
          args.push(this.expr());
        }
        this.ws();
        this.s.expect(')', 'a closing )');
      }
      return { k: 'call', name: fn, args };
    }
    if (this.s.keyword('true')) return { k: 'lit', value: true };
    if (this.s.keyword('false')) return { k: 'lit', value: false };
    if (this.s.keyword('null')) return { k: 'lit', value: null };
    return { k: 'field', path: this.qualifiedName(), optional: false };
  }

  identifier(): string {
    if (this.s.peek() === '`') {
      const m = this.s.eat(/`(?:[^`]|``)*`/);
      if (m === null) this.s.fail('an unterminated `identifier`');
      return m.slice(1, -1).replace(/``/g, '`');
    }
    const at = this.s.pos;
    const id = this.s.eat(/[A-Za-z_@][A-Za-z0-9_]*/);
    if (id === null) return this.s.fail('expected a field name');
    if (KEYWORDS.has(id)) this.s.fail(`the keyword ${id} where a field name was expected`, at);
    return id;
  }

  qualifiedName(): string {
    const parts = [this.identifier()];
    while (this.s.peek() === '.' ) {
      this.s.pos++;
      parts.push(this.identifier());
    }
    return parts.join('.');
  }

  string(): string {
    const at = this.s.pos;
    if (this.s.eat('"""') !== null) {
      const end = this.s.text.indexOf('"""', this.s.pos);
      if (end < 0) this.s.fail('an unterminated raw string', at);
      const v = this.s.text.slice(this.s.pos, end);
      if (/[\r\n]/.test(v)) this.s.fail('a line break in a raw string', at);
      this.s.pos = end + 3;
      return v;
    }
    this.s.expect('"');
    let out = '';
    for (;;) {
      const c = this.s.peek();
      if (c === '' || c === '\n' || c === '\r') this.s.fail('an unterminated string', at);
      this.s.pos++;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s.peek();
      this.s.pos++;
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };
      if (e in simple) out += simple[e];
      else if (e === 'u' && this.s.peek() === '{') {
        const hex = this.s.eat(/\{[0-9A-Fa-f]{2,8}\}/);
        if (hex === null) this.s.fail('a malformed \\u{…} escape');
        out += String.fromCodePoint(parseInt(hex.slice(1, -1), 16));
      } else this.s.fail(`the escape \\${e} is not EQL (escapes: \\b \\t \\n \\f \\r \\" \\' \\\\ \\u{…})`, this.s.pos - 2);
    }
  }
}

/** Parses an EQL query; throws GrammarError on a syntax or validity error. */
export function parseEql(text: string): EqlQuery {
  return new EqlParser(text).statement();
}
