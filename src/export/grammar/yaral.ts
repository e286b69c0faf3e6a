/**
 * Google SecOps YARA-L 2.0, parsed after Google's "YARA-L 2.0 language syntax" reference
 * (cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax; query-languages.md §3.7):
 *
 * ```
 * rule      ::= 'rule' NAME '{' meta? events match? outcome? condition '}'
 * meta      ::= 'meta:' (key '=' string)*
 * events    ::= 'events:' expr+                      -- statements are AND-ed
 * match     ::= 'match:' '$'var (',' '$'var)* 'over' N ('m' | 'h' | 'd')
 * condition ::= 'condition:' cexpr                   cexpr ::= '$'e | '#'var cmp N | cexpr ('and' | 'or') cexpr
 * expr      ::= expr 'or' expr | expr 'and' expr | 'not' expr | '(' expr ')' | '$'ph '=' path
 *             | operand cmp operand 'nocase'? | fn '(' args ')'
 * operand   ::= '$'e '.' udm.path ('[' "key" ']')? | '$'ph | "string" | /regex/ | number
 * ```
 *
 * Checks beyond the syntax: `nocase` may not follow an enum field (UDM enums such as `metadata.event_type`,
 * `metadata.log_type`, `security_result.action`: the engine rejects it; UDM field list), regexes are RE2 (no
 * look-around or back-references), functions must exist, match windows are 1m … 48h, a `match` placeholder must be
 * assigned in `events`, and the condition may only name event variables and placeholders that `events` defines.
 */
import { Scanner } from './scanner.js';

/** UDM enum fields (cloud.google.com/chronicle/docs/reference/udm-field-list: "enum" types). */
export const UDM_ENUMS = new Set([
  'metadata.event_type',
  'metadata.log_type',
  'security_result.action',
  'security_result.severity',
  'security_result.category',
  'network.ip_protocol',
  'network.direction',
  'network.application_protocol',
  'principal.platform',
  'target.platform',
  'extensions.auth.type',
]);

const FUNCTIONS = new Set(['net.ip_in_range_cidr', 're.regex', 're.capture', 'strings.concat', 'strings.to_lower', 'strings.to_upper', 'timestamp.get_minute', 'timestamp.get_hour', 'arrays.length']);

/** An operand of a YARA-L comparison. */
export type YaralOperand =
  | { k: 'path'; variable: string; path: string }
  | { k: 'placeholder'; name: string }
  | { k: 'string'; value: string }
  | { k: 'regex'; pattern: string }
  | { k: 'number'; value: number }
  | { k: 'call'; name: string; args: YaralOperand[] };

/** A YARA-L events expression. */
export type YaralExpr =
  | { k: 'and' | 'or'; children: YaralExpr[] }
  | { k: 'not'; e: YaralExpr }
  | { k: 'cmp'; op: '=' | '!=' | '<' | '<=' | '>' | '>='; left: YaralOperand; right: YaralOperand; nocase: boolean }
  | { k: 'call'; call: YaralOperand & { k: 'call' } };

/** A parsed rule. */
export interface YaralRule {
  name: string;
  meta: Record<string, string>;
  events: YaralExpr[];
  match: { placeholders: string[]; seconds: number } | null;
  condition: string;
}

class YaralParser {
  readonly s: Scanner;
  readonly eventVars = new Set<string>();
  readonly placeholders = new Set<string>();
  constructor(text: string) {
    this.s = new Scanner(text, 'YARA-L');
  }

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
    return this.s.keyword(word);
  }

  atSection(): boolean {
    this.ws();
    return this.s.look(/(meta|events|match|outcome|condition|options)\s*:/) !== null || this.s.peek() === '}';
  }

  section(name: string): boolean {
    this.ws();
    const m = this.s.look(new RegExp(`${name}\\s*:`));
    if (!m) return false;
    this.s.pos += m[0].length;
    return true;
  }

  rule(): YaralRule {
    if (!this.kw('rule')) this.s.fail('expected rule');
    this.ws();
    const name = this.s.expect(/[A-Za-z_][A-Za-z0-9_]*/, 'a rule name');
    this.ws();
    this.s.expect('{', '{');
    const meta: Record<string, string> = {};
    if (this.section('meta')) {
      while (!this.atSection()) {
        const key = this.s.expect(/[A-Za-z_][A-Za-z0-9_]*/, 'a meta key');
        this.ws();
        this.s.expect('=', '= in meta');
        this.ws();
        meta[key] = this.string();
      }
    }
    if (!this.section('events')) this.s.fail('expected events:');
    const events: YaralExpr[] = [];
    while (!this.atSection()) events.push(this.expr());
    if (events.length === 0) this.s.fail('an empty events section');
    let match: YaralRule['match'] = null;
    if (this.section('match')) {
      const placeholders: string[] = [];
      do {
        this.ws();
        const at = this.s.pos;
        const v = this.s.expect(/\$[A-Za-z_][A-Za-z0-9_]*/, 'a $placeholder');
        if (!this.placeholders.has(v.slice(1))) this.s.fail(`the match variable ${v} is not assigned in events`, at);
        placeholders.push(v);
      } while ((this.ws(), this.s.eat(',')) !== null);
      if (!this.kw('over')) this.s.fail('expected over');
      this.ws();
      const at = this.s.pos;
      const w = this.s.expect(/(\d+)([mhd])\b/, 'a window such as 15m');
      const [, n, unit] = /(\d+)([mhd])/.exec(w) as RegExpExecArray;
      const seconds = Number(n) * { m: 60, h: 3600, d: 86400 }[unit as 'm'];
      if (seconds < 60 || seconds > 48 * 3600) this.s.fail('a match window must be between 1m and 48h', at);
      match = { placeholders, seconds };
    }
    if (this.section('outcome')) {
      while (!this.atSection()) {
        this.s.expect(/\$[A-Za-z_][A-Za-z0-9_]*\s*=\s*[^\n]+/, 'an outcome assignment');
      }
    }
    if (!this.section('condition')) this.s.fail('expected condition:');
    const condStart = this.s.pos;
    this.conditionExpr();
    const condition = this.s.text.slice(condStart, this.s.pos).trim();
    this.ws();
    this.s.expect('}', 'a closing } of the rule');
    this.ws();
    if (!this.s.done) this.s.fail('unexpected text after the rule');
    return { name, meta, events, match, condition };
  }

  conditionExpr(): void {
    const term = (): void => {
      this.ws();
      if (this.s.eat('(') !== null) {
        this.conditionExpr();
        this.ws();
        this.s.expect(')', 'a closing )');
        return;
      }
      if (this.kw('not')) return term();
      const at = this.s.pos;
      const count = this.s.eat(/#[A-Za-z_][A-Za-z0-9_]*/);
      if (count !== null) {
        const v = count.slice(1);
        if (!this.eventVars.has(v) && !this.placeholders.has(v)) this.s.fail(`#${v} counts no event variable or placeholder of events`, at);
        this.ws();
        this.s.expect(/>=|<=|!=|=|>|</, 'a comparison after a count');
        this.ws();
        this.s.expect(/\d+/, 'a number');
        return;
      }
      const v = this.s.expect(/\$[A-Za-z_][A-Za-z0-9_]*/, 'an event variable or #count');
      if (!this.eventVars.has(v.slice(1))) this.s.fail(`${v} is not an event variable of events`, at);
    };
    term();
    while (this.kw('and') || this.kw('or')) term();
    // Every event variable must appear in the condition.
    const text = this.s.text.slice(0, this.s.pos);
    const condition = text.slice(text.lastIndexOf('condition:'));
    for (const e of this.eventVars) if (!new RegExp(`[$#]${e}\\b`).test(condition)) this.s.fail(`the event variable $${e} is not used in the condition`);
  }

  expr(): YaralExpr {
    const children = [this.and()];
    while (this.kw('or')) children.push(this.and());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  and(): YaralExpr {
    const children = [this.not()];
    while (this.kw('and')) children.push(this.not());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  not(): YaralExpr {
    if (this.kw('not')) return { k: 'not', e: this.not() };
    this.ws();
    if (this.s.peek() === '(') {
      this.s.pos++;
      const e = this.expr();
      this.ws();
      this.s.expect(')', 'a closing )');
      return e;
    }
    return this.comparison();
  }

  comparison(): YaralExpr {
    const at = this.s.pos;
    const left = this.operand();
    this.ws();
    const op = this.s.eat(/!=|<=|>=|=|<|>/);
    if (op === null) {
      if (left.k === 'call') return { k: 'call', call: left };
      return this.s.fail('expected a comparison', at);
    }
    const right = this.operand();
    if (left.k === 'regex' || (right.k === 'regex' && op !== '=' && op !== '!=')) this.s.fail('a regex goes on the right of = or !=', at);
    if (left.k === 'placeholder' && op === '=' && right.k === 'path') this.placeholders.add(left.name);
    const nocase = this.kw('nocase');
    if (nocase) {
      if (right.k !== 'string' && right.k !== 'regex') this.s.fail('nocase follows a string or regex comparison', at);
      if (left.k === 'path' && UDM_ENUMS.has(left.path)) this.s.fail(`nocase on the enum field ${left.path}`, at);
    }
    if (left.k === 'path' && UDM_ENUMS.has(left.path) && right.k === 'regex') this.s.fail(`a regex on the enum field ${left.path}`, at);
    return { k: 'cmp', op: op as '=', left, right, nocase };
  }

  string(): string {
    const at = this.s.pos;
    const m = this.s.eat(/"((?:[^"\\\n]|\\.)*)"/);
    if (m === null) return this.s.fail('expected a "string"', at);
    const body = m.slice(1, -1);
    const bad = /\\([^"\\])/.exec(body);
    if (bad) this.s.fail(`the escape \\${bad[1]} in a YARA-L string (escape only \\" and \\\\)`, at);
    return body.replace(/\\(.)/g, '$1');
  }

  operand(): YaralOperand {
    this.ws();
    const c = this.s.peek();
    const at = this.s.pos;
    if (c === '"') return { k: 'string', value: this.string() };
    if (c === '/') {
      const m = this.s.eat(/\/((?:[^/\\\n]|\\.)*)\//);
      if (m === null) return this.s.fail('an unterminated /regex/');
      const pattern = m.slice(1, -1).replace(/\\\//g, '/');
      if (/\(\?[=!<]|\\[1-9]/.test(pattern)) this.s.fail('look-around or back-references are not RE2', at);
      try {
        const flags = /^\(\?([ims]+)\)/.exec(pattern);
        new RegExp(flags ? pattern.slice(flags[0].length) : pattern, flags ? flags[1] : '');
      } catch (e) {
        this.s.fail(`an invalid regex: ${(e as Error).message}`, at);
      }
      return { k: 'regex', pattern };
    }
    const num = this.s.eat(/-?\d+(\.\d+)?(?![A-Za-z_])/);
    if (num !== null) return { k: 'number', value: Number(num) };
    if (c === '$') {
      const v = this.s.expect(/\$[A-Za-z_][A-Za-z0-9_]*/, 'a variable');
      if (this.s.peek() !== '.') return { k: 'placeholder', name: v.slice(1) };
      this.s.pos++;
      let path = this.s.expect(/[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*/, 'a UDM path');
      if (this.s.peek() === '[') {
        const key = this.s.expect(/\[\s*"(?:[^"\\]|\\.)*"\s*\]/, 'a ["key"] map access');
        path += key.replace(/\s/g, '');
      }
      this.eventVars.add(v.slice(1));
      return { k: 'path', variable: v.slice(1), path };
    }
    const fn = this.s.eat(/[a-z_]+\.[a-z_]+(?=\()/);
    if (fn !== null) {
      if (!FUNCTIONS.has(fn)) this.s.fail(`unknown function ${fn}`, at);
      this.s.expect('(');
      const args: YaralOperand[] = [];
      do args.push(this.operand());
      while ((this.ws(), this.s.eat(',')) !== null);
      this.ws();
      this.s.expect(')', 'a closing )');
      return { k: 'call', name: fn, args };
    }
    return this.s.fail('expected a field, placeholder, string, regex, number or function');
  }
}

/** Parses a YARA-L 2.0 rule; throws GrammarError on a syntax or validity error. */
export function parseYaral(text: string): YaralRule {
  return new YaralParser(text).rule();
}
