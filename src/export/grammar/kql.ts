/**
 * Kibana Query Language, parsed after Kibana's own PEG grammar (elastic/kibana
 * packages/kbn-es-query/grammar/grammar.peggy), rule by rule:
 *
 * ```
 * start      ::= Space* OrQuery? Space*
 * OrQuery    ::= AndQuery (Or AndQuery)*            Or  ::= Space+ 'or'i Space+
 * AndQuery   ::= NotQuery (And NotQuery)*           And ::= Space+ 'and'i Space+
 * NotQuery   ::= Not SubQuery | SubQuery            Not ::= 'not'i Space+
 * SubQuery   ::= '(' Space* OrQuery Space* ')' | Expression
 * Expression ::= Field Space* RangeOp Space* Literal | Field Space* ':' Space* ListOfValues | Value
 * ListOfValues ::= '(' Space* OrList Space* ')' | Value     (OrList / AndList / NotList as for queries)
 * Value      ::= QuotedString | UnquotedLiteral
 * UnquotedCharacter ::= '\' [\\():<>"*{}] | '\' ('or'|'and'|'not') | '\t' | '\r' | '\n' | '\u' hex4 | '*'
 *                     | !SpecialCharacter !Keyword .
 * ```
 *
 * Nested queries (`f:{…}`) are outside the subset and rejected. Checks beyond the grammar: a value without a field
 * (a search across every field) is rejected, since mirrorwatch never emits one; and a value compared on a
 * `.caseless` field (a keyword with the `lowercase` normalizer) must itself be lower case.
 */
import { Scanner } from './scanner.js';

/** A KQL value: quoted (a phrase, wildcards literal) or unquoted (`*` a wildcard). */
export interface KqlValue {
  quoted: boolean;
  /** Unescaped text; for a wildcard value, the pieces between `*` wildcards. */
  text: string;
  wildcard: boolean;
  pieces: string[];
}

/** A KQL query. */
export type KqlNode =
  | { k: 'and' | 'or'; children: KqlNode[] }
  | { k: 'not'; e: KqlNode }
  | { k: 'is'; field: string; value: KqlValue }
  | { k: 'range'; field: string; op: '<' | '<=' | '>' | '>='; value: string };

type ValueTree = { k: 'and' | 'or'; children: ValueTree[] } | { k: 'not'; e: ValueTree } | { k: 'value'; v: KqlValue };

const SPECIAL = '\\():<>"*{}';

class KqlParser {
  readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text, 'Kibana KQL');
  }

  space(): boolean {
    return this.s.eat(/[ \t\r\n\u00a0]+/) !== null;
  }

  /** Or / And per the grammar: Space+ word Space+ (without consuming on failure). */
  conj(word: 'or' | 'and'): boolean {
    const m = this.s.look(new RegExp(`[ \\t\\r\\n\\u00a0]+${word}[ \\t\\r\\n\\u00a0]+`, 'i'));
    if (!m) return false;
    this.s.pos += m[0].length;
    return true;
  }

  notKw(): boolean {
    const m = this.s.look(/not[ \t\r\n\u00a0]+/i);
    if (!m) return false;
    this.s.pos += m[0].length;
    return true;
  }

  /** True where the Keyword rule (Or / And / Not) matches. */
  atKeyword(): boolean {
    return this.s.look(/[ \t\r\n\u00a0]+(or|and)[ \t\r\n\u00a0]+|not[ \t\r\n\u00a0]+/i) !== null;
  }

  start(): KqlNode {
    this.space();
    const q = this.or();
    this.space();
    if (!this.s.done) this.s.fail(this.s.peek() === ')' ? 'an unbalanced )' : 'unexpected text (an operator or value out of place)');
    return q;
  }

  or(): KqlNode {
    const children = [this.and()];
    while (this.conj('or')) children.push(this.and());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  and(): KqlNode {
    const children = [this.not()];
    while (this.conj('and')) children.push(this.not());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  not(): KqlNode {
    if (this.notKw()) return { k: 'not', e: this.sub() };
    return this.sub();
  }

  sub(): KqlNode {
    if (this.s.eat('(') !== null) {
      this.space();
      const q = this.or();
      this.space();
      this.s.expect(')', 'a closing )');
      return q;
    }
    return this.expression();
  }

  expression(): KqlNode {
    const at = this.s.pos;
    const field = this.literal();
    if (field === null) return this.s.fail('expected a field or value');
    this.space();
    const range = this.s.eat(/<=|>=|<|>/);
    if (range !== null) {
      this.space();
      const v = this.literal();
      if (v === null) return this.s.fail('expected a value after the range operator');
      return { k: 'range', field: field.text, op: range as '<', value: v.text };
    }
    if (this.s.eat(':') === null) return this.s.fail('a value without a field (a search across every field)', at);
    if (field.quoted || field.wildcard) this.s.fail('a field name must be a plain name', at);
    this.space();
    if (this.s.peek() === '{') this.s.fail('nested queries are outside the emitted subset');
    const tree = this.listOfValues();
    return this.apply(field.text, tree);
  }

  apply(field: string, t: ValueTree): KqlNode {
    switch (t.k) {
      case 'and':
      case 'or':
        return { k: t.k, children: t.children.map((c) => this.apply(field, c)) };
      case 'not':
        return { k: 'not', e: this.apply(field, t.e) };
      case 'value':
        if (field.endsWith('.caseless') && t.v.text !== t.v.text.toLowerCase()) {
          this.s.fail(`${JSON.stringify(t.v.text)} on the lower-case-normalised field ${field} must be lower case`);
        }
        return { k: 'is', field, value: t.v };
    }
  }

  listOfValues(): ValueTree {
    if (this.s.eat('(') !== null) {
      this.space();
      const t = this.orList();
      this.space();
      this.s.expect(')', 'a closing ) of the value list');
      return t;
    }
    const v = this.literal();
    if (v === null) return this.s.fail('expected a value');
    return { k: 'value', v };
  }

  orList(): ValueTree {
    const children = [this.andList()];
    while (this.conj('or')) children.push(this.andList());
    return children.length === 1 ? children[0] : { k: 'or', children };
  }

  andList(): ValueTree {
    const children = [this.notList()];
    while (this.conj('and')) children.push(this.notList());
    return children.length === 1 ? children[0] : { k: 'and', children };
  }

  notList(): ValueTree {
    if (this.notKw()) return { k: 'not', e: this.listOfValues() };
    return this.listOfValues();
  }

  /** Literal ::= QuotedString | UnquotedLiteral; null when neither starts here. */
  literal(): KqlValue | null {
    if (this.s.peek() === '"') return this.quoted();
    let text = '';
    const pieces: string[] = [''];
    let wildcard = false;
    let any = false;
    for (;;) {
      const c = this.s.peek();
      if (c === '') break;
      if (c === '\\') {
        const e = this.s.peek(1);
        const esc: Record<string, string> = { t: '\t', r: '\r', n: '\n' };
        let v: string;
        if (e in esc) v = esc[e];
        else if (e === 'u' && this.s.look(/\\u[0-9A-Fa-f]{4}/)) {
          v = String.fromCharCode(parseInt(this.s.text.slice(this.s.pos + 2, this.s.pos + 6), 16));
          this.s.pos += 4;
        } else if (SPECIAL.includes(e) && e !== '') v = e;
        else if (this.s.look(/\\(or|and|not)/i)) {
          const kw = (this.s.look(/\\(or|and|not)/i) as RegExpExecArray)[1];
          v = kw;
          this.s.pos += kw.length - 1;
        } else return this.s.fail(`the escape \\${e} is not KQL (escape only \\ ( ) : < > " * { }, keywords, \\t \\r \\n, \\uXXXX)`);
        this.s.pos += 2;
        text += v;
        pieces[pieces.length - 1] += v;
        any = true;
        continue;
      }
      if (c === '*') {
        this.s.pos++;
        wildcard = true;
        text += '*';
        pieces.push('');
        any = true;
        continue;
      }
      if (SPECIAL.includes(c) || this.atKeyword()) break;
      this.s.pos++;
      text += c;
      pieces[pieces.length - 1] += c;
      any = true;
    }
    if (!any) return null;
    // The grammar trims an unquoted literal.
    const trimmed = text.trim();
    if (trimmed !== text) {
      this.s.pos -= text.length - text.trimEnd().length;
      text = trimmed;
      pieces[0] = pieces[0].trimStart();
      pieces[pieces.length - 1] = pieces[pieces.length - 1].trimEnd();
    }
    if (text === '') return null;
    return { quoted: false, text, wildcard, pieces };
  }

  quoted(): KqlValue {
    const at = this.s.pos;
    this.s.expect('"');
    let text = '';
    for (;;) {
      const c = this.s.peek();
      if (c === '') return this.s.fail('an unterminated quoted string', at);
      this.s.pos++;
      if (c === '"') return { quoted: true, text, wildcard: false, pieces: [text] };
      if (c === '\\') {
        const e = this.s.peek();
        const esc: Record<string, string> = { t: '\t', r: '\r', n: '\n', '\\': '\\', '"': '"' };
        if (e in esc) {
          this.s.pos++;
          text += esc[e];
        } else if (e === 'u' && this.s.look(/u[0-9A-Fa-f]{4}/)) {
          text += String.fromCharCode(parseInt(this.s.text.slice(this.s.pos + 1, this.s.pos + 5), 16));
          this.s.pos += 5;
        } else return this.s.fail(`the escape \\${e} inside a quoted KQL value (only \\\\ and \\" and whitespace escapes)`);
        continue;
      }
      text += c;
    }
  }
}

/** Parses a Kibana KQL query; throws GrammarError on a syntax or validity error. */
export function parseKql(text: string): KqlNode {
  return new KqlParser(text).start();
}
