/**
 * IBM QRadar AQL, parsed after IBM's "Ariel Query Language" reference (AQL query structure, operators, functions;
 * query-languages.md §3.6):
 *
 * ```
 * query   ::= 'SELECT' ('*' | item (',' item)*) 'FROM' ('events' | 'flows') ('WHERE' expr)? ('GROUP BY' list)?
 *             ('HAVING' expr)? ('ORDER BY' expr ('ASC' | 'DESC')?)? ('LIMIT' n)? ('LAST' n ('MINUTES' | 'HOURS' | 'DAYS'))?
 * item    ::= expr ('AS' name)?
 * expr    ::= expr 'OR' expr | expr 'AND' expr | 'NOT' expr | operand (cmp operand | 'NOT'? 'IN' '(' list ')'
 *             | 'NOT'? ('LIKE' | 'ILIKE' | 'MATCHES' | 'IMATCHES') string | 'IS' 'NOT'? 'NULL')?
 * operand ::= 'string' | number | "property" | column | function '(' args ')' | 'CASE' ('WHEN' expr 'THEN' expr)+ ('ELSE' expr)? 'END' | '(' expr ')'
 * ```
 *
 * Keywords are case-insensitive; strings are single-quoted with `''` for a quote; double quotes name properties.
 * Checks beyond the syntax: functions must exist, `MATCHES`/`IMATCHES` patterns must be valid (Java) regexes, and a
 * comparison of `LOWER(p)` with a literal holding upper-case letters is rejected: it can never be true, the classic
 * mistake of lower-casing one side only.
 */
import { Scanner } from './scanner.js';

/** An AQL expression. */
export type AqlExpr =
  | { k: 'and' | 'or'; children: AqlExpr[] }
  | { k: 'not'; e: AqlExpr }
  | { k: 'cmp'; op: '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='; left: AqlExpr; right: AqlExpr }
  | { k: 'like'; op: 'LIKE' | 'ILIKE' | 'MATCHES' | 'IMATCHES'; negated: boolean; left: AqlExpr; pattern: string }
  | { k: 'in'; negated: boolean; left: AqlExpr; values: AqlExpr[] }
  | { k: 'isnull'; negated: boolean; e: AqlExpr }
  | { k: 'prop'; name: string; quoted: boolean }
  | { k: 'lit'; value: string | number | null }
  | { k: 'call'; name: string; args: AqlExpr[]; star: boolean }
  | { k: 'case'; whens: { when: AqlExpr; then: AqlExpr }[]; otherwise: AqlExpr | null };

/** A parsed AQL query. */
export interface AqlQuery {
  select: { expr: AqlExpr | '*'; alias: string | null }[];
  from: 'events' | 'flows';
  where: AqlExpr | null;
  groupBy: AqlExpr[];
  having: AqlExpr | null;
  last: { n: number; unit: 'MINUTES' | 'HOURS' | 'DAYS' } | null;
}

/** AQL functions used by mirrorwatch and the seed (IBM AQL function reference). */
const FUNCTIONS = new Set([
  'LOWER', 'UPPER', 'DATEFORMAT', 'LOGSOURCENAME', 'LOGSOURCETYPENAME', 'LOGSOURCEGROUPNAME', 'QIDNAME', 'CATEGORYNAME', 'UTF8', 'INCIDR',
  'STR', 'LONG', 'DOUBLE', 'STRLEN', 'SUBSTRING', 'CONCAT', 'REPLACEALL', 'COUNT', 'UNIQUECOUNT', 'MIN', 'MAX', 'SUM', 'AVG', 'NOW',
]);
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'MATCHES', 'IMATCHES', 'IS', 'NULL', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'LAST', 'AS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'ASC', 'DESC']);

/** A Java regex pattern checked with JavaScript's engine after moving leading inline flags into flags. */
export function javaRegex(pattern: string, caseInsensitive: boolean): RegExp {
  const m = /^\(\?([imsx]+)\)/.exec(pattern);
  const flags = new Set<string>(caseInsensitive ? ['i'] : []);
  let body = pattern;
  if (m) {
    for (const f of m[1]) {
      if (f === 'x') throw new Error('the x flag is not supported');
      flags.add(f);
    }
    body = pattern.slice(m[0].length);
  }
  if (/\(\?[a-z]/.test(body)) throw new Error('inline flags are only supported at the start');
  return new RegExp(body, [...flags].join(''));
}

class AqlParser {
  readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text, 'AQL');
  }

  kw(word: string): boolean {
    this.s.ws();
    return this.s.keyword(word, true);
  }

  query(): AqlQuery {
    if (!this.kw('SELECT')) this.s.fail('expected SELECT');
    const select: AqlQuery['select'] = [];
    this.s.ws();
    if (this.s.eat('*') !== null) select.push({ expr: '*', alias: null });
    else {
      do {
        const expr = this.expr();
        let alias: string | null = null;
        if (this.kw('AS')) alias = this.name();
        select.push({ expr, alias });
      } while ((this.s.ws(), this.s.eat(',')) !== null);
    }
    if (!this.kw('FROM')) this.s.fail('expected FROM');
    let from: 'events' | 'flows';
    if (this.kw('events')) from = 'events';
    else if (this.kw('flows')) from = 'flows';
    else return this.s.fail('expected events or flows after FROM');
    const where = this.kw('WHERE') ? this.expr() : null;
    const groupBy: AqlExpr[] = [];
    if (this.kw('GROUP')) {
      if (!this.kw('BY')) this.s.fail('expected BY after GROUP');
      do groupBy.push(this.expr());
      while ((this.s.ws(), this.s.eat(',')) !== null);
    }
    const having = this.kw('HAVING') ? this.expr() : null;
    if (having !== null && groupBy.length === 0 && !this.hasAggregate(having)) this.s.fail('HAVING without GROUP BY or an aggregate');
    if (this.kw('ORDER')) {
      if (!this.kw('BY')) this.s.fail('expected BY after ORDER');
      this.expr();
      if (!this.kw('ASC')) this.kw('DESC');
    }
    if (this.kw('LIMIT')) this.s.expect(/\s*\d+/, 'a number after LIMIT');
    let last: AqlQuery['last'] = null;
    if (this.kw('LAST')) {
      this.s.ws();
      const n = Number(this.s.expect(/\d+/, 'a number after LAST'));
      let unit: 'MINUTES' | 'HOURS' | 'DAYS' | null = null;
      for (const u of ['MINUTES', 'HOURS', 'DAYS'] as const) if (this.kw(u)) unit = u;
      if (unit === null) this.s.fail('expected MINUTES, HOURS or DAYS after LAST n');
      last = { n, unit };
    }
    this.s.ws();
    if (!this.s.done) this.s.fail('unexpected text after the query');
    return { select, from, where, groupBy, having, last };
  }

  hasAggregate(e: AqlExpr): boolean {
    const walk = (x: AqlExpr): boolean => {
      switch (x.k) {
        case 'call':
          return ['COUNT', 'UNIQUECOUNT', 'MIN', 'MAX', 'SUM', 'AVG'].includes(x.name) || x.args.some(walk);
        case 'and':
        case 'or':
          return x.children.some(walk);
        case 'not':
        case 'isnull':
          return walk(x.e);
        case 'cmp':
          return walk(x.left) || walk(x.right);
        case 'like':
        case 'in':
          return walk(x.left);
        default:
          return false;
      }
    };
    return walk(e);
  }

  name(): string {
    this.s.ws();
    if (this.s.peek() === '"') return this.quotedName();
    const id = this.s.eat(/[A-Za-z_][A-Za-z0-9_]*/);
    if (id === null) return this.s.fail('expected a name');
    return id;
  }

  quotedName(): string {
    const at = this.s.pos;
    const m = this.s.eat(/"[^"\r\n]*"/);
    if (m === null) this.s.fail('an unterminated "property name"', at);
    if (m.length === 2) this.s.fail('an empty property name', at);
    return m.slice(1, -1);
  }

  expr(): AqlExpr {
    const children = [this.and()];
    while (this.kw('OR')) children.push(this.and());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  and(): AqlExpr {
    const children = [this.not()];
    while (this.kw('AND')) children.push(this.not());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  not(): AqlExpr {
    if (this.kw('NOT')) return { k: 'not', e: this.not() };
    return this.predicate();
  }

  predicate(): AqlExpr {
    const left = this.operand();
    this.s.ws();
    const op = this.s.eat(/<>|!=|<=|>=|=|<|>/);
    if (op !== null) {
      const right = this.operand();
      this.lowerCheck(left, right);
      return { k: 'cmp', op: op as '=', left, right };
    }
    if (this.s.peek() === '=' || this.s.peek() === '!') this.s.fail('an unknown operator');
    if (this.kw('IS')) {
      const negated = this.kw('NOT');
      if (!this.kw('NULL')) this.s.fail('expected NULL after IS');
      return { k: 'isnull', negated, e: left };
    }
    const at = this.s.pos;
    const negated = this.kw('NOT');
    if (this.kw('IN')) {
      this.s.ws();
      this.s.expect('(', '( after IN');
      const values: AqlExpr[] = [];
      do values.push(this.operand());
      while ((this.s.ws(), this.s.eat(',')) !== null);
      this.s.expect(')', 'a closing )');
      for (const v of values) this.lowerCheck(left, v);
      return { k: 'in', negated, left, values };
    }
    for (const lop of ['LIKE', 'ILIKE', 'MATCHES', 'IMATCHES'] as const) {
      if (!this.kw(lop)) continue;
      this.s.ws();
      const pat = this.s.pos;
      if (this.s.peek() !== "'") this.s.fail(`${lop} takes a string`);
      const pattern = this.string();
      if (lop === 'MATCHES' || lop === 'IMATCHES') {
        try {
          javaRegex(pattern, lop === 'IMATCHES');
        } catch (e) {
          this.s.fail(`an invalid regex: ${(e as Error).message}`, pat);
        }
      }
      if (lop === 'LIKE') this.lowerCheck(left, { k: 'lit', value: pattern });
      return { k: 'like', op: lop, negated, left, pattern };
    }
    if (negated) this.s.fail('expected IN, LIKE, ILIKE, MATCHES or IMATCHES after NOT', at);
    return left;
  }

  /** `LOWER(p) = 'Abc'` never holds. */
  lowerCheck(left: AqlExpr, right: AqlExpr): void {
    if (left.k === 'call' && left.name === 'LOWER' && right.k === 'lit' && typeof right.value === 'string' && right.value !== right.value.toLowerCase()) {
      this.s.fail(`LOWER(…) compared with ${JSON.stringify(right.value)}, which has upper-case letters: never true`);
    }
  }

  string(): string {
    const at = this.s.pos;
    this.s.expect("'");
    let out = '';
    for (;;) {
      const c = this.s.peek();
      if (c === '') this.s.fail('an unterminated string', at);
      this.s.pos++;
      if (c === "'") {
        if (this.s.peek() === "'") {
          this.s.pos++;
          out += "'";
          continue;
        }
        return out;
      }
      out += c;
    }
  }

  operand(): AqlExpr {
    this.s.ws();
    const c = this.s.peek();
    if (c === '(') {
      this.s.pos++;
      const e = this.expr();
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return e;
    }
    if (c === "'") return { k: 'lit', value: this.string() };
    if (c === '"') return { k: 'prop', name: this.quotedName(), quoted: true };
    const num = this.s.eat(/-?\d+(\.\d+)?(?![A-Za-z_])/);
    if (num !== null) return { k: 'lit', value: Number(num) };
    if (this.kw('NULL')) return { k: 'lit', value: null };
    if (this.kw('CASE')) {
      const whens: { when: AqlExpr; then: AqlExpr }[] = [];
      while (this.kw('WHEN')) {
        const when = this.expr();
        if (!this.kw('THEN')) this.s.fail('expected THEN');
        whens.push({ when, then: this.expr() });
      }
      if (whens.length === 0) this.s.fail('CASE needs WHEN … THEN …');
      const otherwise = this.kw('ELSE') ? this.expr() : null;
      if (!this.kw('END')) this.s.fail('expected END to close CASE');
      return { k: 'case', whens, otherwise };
    }
    const at = this.s.pos;
    const id = this.s.eat(/[A-Za-z_][A-Za-z0-9_]*/);
    if (id === null) return this.s.fail('expected a value, property or function');
    this.s.ws();
    if (this.s.peek() === '(') {
      const name = id.toUpperCase();
      if (!FUNCTIONS.has(name)) this.s.fail(`unknown function ${id}`, at);
      this.s.pos++;
      const args: AqlExpr[] = [];
      let star = false;
      this.s.ws();
      if (this.s.eat('*') !== null) star = true;
      else if (this.s.peek() !== ')') {
        do args.push(this.expr());
        while ((this.s.ws(), this.s.eat(',')) !== null);
      }
      this.s.ws();
      this.s.expect(')', 'a closing )');
      if (star && name !== 'COUNT') this.s.fail(`${name}(*) is not allowed`, at);
      return { k: 'call', name, args, star };
    }
    if (RESERVED.has(id.toUpperCase())) this.s.fail(`the keyword ${id} where a value was expected`, at);
    return { k: 'prop', name: id, quoted: false };
  }
}

/** Parses an AQL query; throws GrammarError on a syntax or validity error. */
export function parseAql(text: string): AqlQuery {
  return new AqlParser(text).query();
}
