/**
 * Elastic ES|QL, parsed after Elasticsearch's grammar (x-pack/plugin/esql/src/main/antlr/EsqlBaseParser.g4) and the
 * ES|QL reference (operators, functions; query-languages.md §3.2), for the commands mirrorwatch emits:
 *
 * ```
 * query    ::= 'FROM' source (',' source)* ('METADATA' name (',' name)*)? ('|' command)*
 * command  ::= 'WHERE' bool | 'EVAL' assign (',' assign)* | 'STATS' assign (',' assign)* ('BY' item (',' item)*)?
 *            | 'SORT' … | 'KEEP' … | 'LIMIT' n
 * bool     ::= bool 'OR' bool | bool 'AND' bool | 'NOT' bool | value ('NOT'? 'IN' '(' value, … ')'
 *            | 'NOT'? ('LIKE' | 'RLIKE') string | 'IS' 'NOT'? 'NULL' | cmp value)?
 * value    ::= constant | field | function '(' args ')' | '(' bool ')' | integer unit
 * ```
 *
 * Keywords are case-insensitive. Strings are `"…"` with `\t \n \r \" \\` escapes, or `"""…"""`. Checks beyond the
 * syntax: known functions; a `LIKE` pattern may escape only `*`, `?` and `\` (Elasticsearch rejects other escapes);
 * an `RLIKE` pattern must be a Lucene regexp; and `TO_LOWER(f)` compared with a literal holding upper-case letters
 * is rejected (never true).
 */
import { parseLuceneRegexp } from './lucene-regexp.js';
import { Scanner } from './scanner.js';

/** An ES|QL expression. */
export type EsqlExpr =
  | { k: 'and' | 'or'; children: EsqlExpr[] }
  | { k: 'not'; e: EsqlExpr }
  | { k: 'cmp'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: EsqlExpr; right: EsqlExpr }
  | { k: 'like'; op: 'LIKE' | 'RLIKE'; negated: boolean; left: EsqlExpr; pattern: string }
  | { k: 'in'; negated: boolean; left: EsqlExpr; values: EsqlExpr[] }
  | { k: 'isnull'; negated: boolean; e: EsqlExpr }
  | { k: 'field'; path: string }
  | { k: 'lit'; value: string | number | boolean | null }
  | { k: 'span'; n: number; unit: string }
  | { k: 'call'; name: string; args: EsqlExpr[]; star: boolean };

/** One processing command. */
export type EsqlCommand =
  | { cmd: 'WHERE'; e: EsqlExpr }
  | { cmd: 'EVAL'; assigns: { name: string; e: EsqlExpr }[] }
  | { cmd: 'STATS'; assigns: { name: string | null; e: EsqlExpr }[]; by: EsqlExpr[] }
  | { cmd: 'OTHER'; name: string };

/** A parsed ES|QL query. */
export interface EsqlQuery {
  sources: string[];
  metadata: string[];
  commands: EsqlCommand[];
}

const FUNCTIONS = new Set([
  'TO_LOWER', 'TO_UPPER', 'CIDR_MATCH', 'STARTS_WITH', 'ENDS_WITH', 'DATE_TRUNC', 'CASE', 'COUNT', 'COUNT_DISTINCT', 'MIN', 'MAX', 'SUM', 'AVG',
  'VALUES', 'COALESCE', 'TO_STRING', 'MV_COUNT', 'LENGTH', 'LOCATE',
]);
const UNITS = new Set(['millisecond', 'milliseconds', 'ms', 'second', 'seconds', 'sec', 's', 'minute', 'minutes', 'min', 'hour', 'hours', 'h', 'day', 'days', 'd', 'week', 'weeks', 'w']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'RLIKE', 'IS', 'NULL', 'BY', 'TRUE', 'FALSE', 'METADATA']);

class EsqlParser {
  readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text, 'ES|QL');
  }

  kw(word: string): boolean {
    this.s.ws();
    return this.s.keyword(word, true);
  }

  query(): EsqlQuery {
    if (!this.kw('FROM')) this.s.fail('expected FROM');
    const sources: string[] = [];
    do {
      this.s.ws();
      const src = this.s.eat(/[A-Za-z0-9_.*:-]+/);
      if (src === null) this.s.fail('expected an index pattern');
      sources.push(src);
    } while ((this.s.ws(), this.s.eat(',')) !== null);
    const metadata: string[] = [];
    if (this.kw('METADATA')) {
      do {
        this.s.ws();
        metadata.push(this.s.expect(/_[a-z_]+/, 'a metadata field'));
      } while ((this.s.ws(), this.s.eat(',')) !== null);
    }
    const commands: EsqlCommand[] = [];
    for (;;) {
      this.s.ws();
      if (this.s.done) break;
      this.s.expect('|', '| before the next command');
      commands.push(this.command());
    }
    return { sources, metadata, commands };
  }

  command(): EsqlCommand {
    if (this.kw('WHERE')) return { cmd: 'WHERE', e: this.bool() };
    if (this.kw('EVAL')) return { cmd: 'EVAL', assigns: this.assigns(true) as { name: string; e: EsqlExpr }[] };
    if (this.kw('STATS')) {
      const assigns = this.assigns(false);
      const by: EsqlExpr[] = [];
      if (this.kw('BY')) {
        do by.push(this.bool());
        while ((this.s.ws(), this.s.eat(',')) !== null);
      }
      return { cmd: 'STATS', assigns, by };
    }
    if (this.kw('LIMIT')) {
      this.s.ws();
      this.s.expect(/\d+/, 'a number');
      return { cmd: 'OTHER', name: 'LIMIT' };
    }
    for (const c of ['SORT', 'KEEP']) {
      if (this.kw(c)) {
        do {
          this.s.ws();
          this.field();
          if (!this.kw('ASC')) this.kw('DESC');
        } while ((this.s.ws(), this.s.eat(',')) !== null);
        return { cmd: 'OTHER', name: c };
      }
    }
    return this.s.fail('an unknown or unsupported command');
  }

  assigns(named: boolean): { name: string | null; e: EsqlExpr }[] {
    const out: { name: string | null; e: EsqlExpr }[] = [];
    do {
      this.s.ws();
      const at = this.s.pos;
      const name = this.s.look(/[A-Za-z_][A-Za-z0-9_.]*\s*=(?!=)/) ? this.field() : null;
      if (name !== null) {
        this.s.ws();
        this.s.expect('=');
      } else if (named) this.s.fail('EVAL needs name = expression', at);
      out.push({ name, e: this.bool() });
    } while ((this.s.ws(), this.s.eat(',')) !== null);
    return out;
  }

  bool(): EsqlExpr {
    const children = [this.and()];
    while (this.kw('OR')) children.push(this.and());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  and(): EsqlExpr {
    const children = [this.not()];
    while (this.kw('AND')) children.push(this.not());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  not(): EsqlExpr {
    if (this.kw('NOT')) return { k: 'not', e: this.not() };
    return this.predicate();
  }

  predicate(): EsqlExpr {
    const left = this.value();
    this.s.ws();
    const op = this.s.eat(/==|!=|<=|>=|<|>/);
    if (op !== null) {
      const right = this.value();
      this.lowerCheck(left, right);
      return { k: 'cmp', op: op as '==', left, right };
    }
    if (this.s.peek() === '=') this.s.fail('= is assignment in ES|QL (compare with ==)');
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
      const values: EsqlExpr[] = [];
      do values.push(this.value());
      while ((this.s.ws(), this.s.eat(',')) !== null);
      this.s.expect(')', 'a closing )');
      for (const v of values) this.lowerCheck(left, v);
      return { k: 'in', negated, left, values };
    }
    for (const lop of ['LIKE', 'RLIKE'] as const) {
      if (!this.kw(lop)) continue;
      this.s.ws();
      const pat = this.s.pos;
      if (this.s.peek() !== '"') this.s.fail(`${lop} takes a string`);
      const pattern = this.string();
      if (lop === 'LIKE') {
        for (let i = 0; i < pattern.length; i++) {
          if (pattern[i] !== '\\') continue;
          if (!'*?\\'.includes(pattern[i + 1] ?? '')) this.s.fail('a LIKE escape must precede *, ? or \\', pat);
          i++;
        }
        this.lowerCheck(left, { k: 'lit', value: pattern.replace(/\\(.)/g, '$1') });
      } else {
        try {
          parseLuceneRegexp(pattern, 'ES|QL RLIKE');
        } catch (e) {
          this.s.fail(`an invalid Lucene regexp: ${(e as Error).message}`, pat);
        }
      }
      return { k: 'like', op: lop, negated, left, pattern };
    }
    if (negated) this.s.fail('expected IN, LIKE or RLIKE after NOT', at);
    return left;
  }

  lowerCheck(left: EsqlExpr, right: EsqlExpr): void {
    if (left.k === 'call' && left.name === 'TO_LOWER' && right.k === 'lit' && typeof right.value === 'string' && right.value !== right.value.toLowerCase()) {
      this.s.fail(`TO_LOWER(…) compared with ${JSON.stringify(right.value)}, which has upper-case letters: never true`);
    }
  }

  string(): string {
    const at = this.s.pos;
    if (this.s.eat('"""') !== null) {
      const end = this.s.text.indexOf('"""', this.s.pos);
      if (end < 0) this.s.fail('an unterminated """ string', at);
      const v = this.s.text.slice(this.s.pos, end);
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
      const map: Record<string, string> = { t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\' };
      if (!(e in map)) this.s.fail(`the escape \\${e} is not ES|QL (escapes: \\t \\n \\r \\" \\\\)`, this.s.pos - 2);
      out += map[e];
    }
  }

  field(): string {
    const parts: string[] = [];
    do {
      if (this.s.peek() === '`') {
        const m = this.s.eat(/`(?:[^`]|``)*`/);
        if (m === null) this.s.fail('an unterminated `name`');
        parts.push(m.slice(1, -1).replace(/``/g, '`'));
      } else {
        const id = this.s.eat(/[A-Za-z_@][A-Za-z0-9_@]*/);
        if (id === null) this.s.fail('expected a field name');
        parts.push(id);
      }
    } while (this.s.eat('.') !== null);
    return parts.join('.');
  }

  value(): EsqlExpr {
    this.s.ws();
    const c = this.s.peek();
    if (c === '(') {
      this.s.pos++;
      const e = this.bool();
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return e;
    }
    if (c === '"') return { k: 'lit', value: this.string() };
    if (c === "'") this.s.fail("single quotes are not ES|QL strings");
    const num = this.s.eat(/-?\d+(\.\d+)?(?![A-Za-z_])/);
    if (num !== null) {
      const unit = this.s.look(/\s+([a-z]+)\b/);
      if (unit && UNITS.has(unit[1])) {
        this.s.pos += unit[0].length;
        return { k: 'span', n: Number(num), unit: unit[1] };
      }
      return { k: 'lit', value: Number(num) };
    }
    if (this.s.keyword('null', true)) return { k: 'lit', value: null };
    if (this.s.keyword('true', true)) return { k: 'lit', value: true };
    if (this.s.keyword('false', true)) return { k: 'lit', value: false };
    const at = this.s.pos;
    const fn = this.s.eat(/[A-Za-z_][A-Za-z0-9_]*(?=\s*\()/);
    if (fn !== null) {
      const name = fn.toUpperCase();
      if (!FUNCTIONS.has(name)) this.s.fail(`unknown function ${fn}`, at);
      this.s.ws();
      this.s.expect('(');
      const args: EsqlExpr[] = [];
      let star = false;
      this.s.ws();
      if (this.s.eat('*') !== null) star = true;
      else if (this.s.peek() !== ')') {
        do args.push(this.bool());
        while ((this.s.ws(), this.s.eat(',')) !== null);
      }
      this.s.ws();
      this.s.expect(')', 'a closing )');
      return { k: 'call', name, args, star };
    }
    const path = this.field();
    if (KEYWORDS.has(path.toUpperCase())) this.s.fail(`the keyword ${path} where a value was expected`, at);
    return { k: 'field', path };
  }
}

/** Parses an ES|QL query; throws GrammarError on a syntax or validity error. */
export function parseEsql(text: string): EsqlQuery {
  return new EsqlParser(text).query();
}
