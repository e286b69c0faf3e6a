/**
 * The condition language (spec v2.1, `sigma-rules-specification.md`, "Condition"): `and`, `or`, `not`, parentheses,
 * `1 of X*`, `any of X*` (pySigma's synonym, `sigma/conditions.py`), `all of X*`, `1 of them`, `all of them`.
 * Precedence from least to most binding: `or` < `and` < `not` < `x of` < `( )`. Keywords are case-insensitive.
 * `them` leaves out identifiers starting with `_`; so does a pattern, unless it starts with `_` itself (which can only
 * mean those identifiers). `*` in a pattern matches any characters anywhere.
 *
 * A recursive-descent parser: one function per precedence level, no backtracking.
 */
import type { Report } from '../core/diagnostic.js';
import { sigmaDiagnostic } from './diagnostic-codes.js';
import { compileGlob } from './glob.js';
import { suggestName } from './modifiers.js';
import { parseSigmaString } from './sigma-string.js';
import type { ConditionNode, SourceLocation } from './types.js';

/** Words of the condition language; a search identifier cannot be one of them. */
export const CONDITION_KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any']);

type Token =
  | { kind: 'lparen'; offset: number }
  | { kind: 'rparen'; offset: number }
  | { kind: 'word'; text: string; lower: string; offset: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(') {
      out.push({ kind: 'lparen', offset: i++ });
    } else if (c === ')') {
      out.push({ kind: 'rparen', offset: i++ });
    } else {
      const start = i;
      while (i < text.length && !' \t\n\r()'.includes(text[i])) i++;
      const word = text.slice(start, i);
      out.push({ kind: 'word', text: word, lower: word.toLowerCase(), offset: start });
    }
  }
  return out;
}

/** What the parser needs to know. */
export interface ConditionContext {
  /** Search identifiers (or, for correlations, rule references) in written order. */
  identifiers: readonly string[];
  /** Maps an offset inside the condition text to a location in the file. */
  locate: (offset: number) => SourceLocation;
  report: Report;
  /** False where `x of` makes no sense (correlation expressions). */
  allowOf?: boolean;
}

/** The identifiers a pattern (`sel*`) or `them` (null) selects. */
export function selectIdentifiers(pattern: string | null, identifiers: readonly string[]): string[] {
  if (pattern === null) return identifiers.filter((n) => !n.startsWith('_'));
  const test = compileGlob(parseSigmaString(pattern), false);
  const explicitUnderscore = pattern.startsWith('_');
  return identifiers.filter((n) => (explicitUnderscore || !n.startsWith('_')) && test(n));
}

class Parser {
  private pos = 0;
  private failed = false;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly ctx: ConditionContext,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private fail(d: Parameters<Report>[0]): null {
    if (!this.failed) this.ctx.report(d);
    this.failed = true;
    return null;
  }

  private describe(t: Token): string {
    return t.kind === 'word' ? t.text : t.kind === 'lparen' ? '(' : ')';
  }

  parse(): ConditionNode | null {
    const node = this.parseOr();
    if (node === null) return null;
    const t = this.peek();
    if (t !== undefined) {
      if (t.kind === 'rparen') {
        return this.fail(sigmaDiagnostic('MW1305', this.ctx.locate(t.offset), { detail: 'unexpected ")"' }));
      }
      return this.fail(
        sigmaDiagnostic('MW1306', this.ctx.locate(t.offset), { token: this.describe(t), expected: '"and", "or" or the end' }),
      );
    }
    return node;
  }

  private isWord(t: Token | undefined, lower: string): boolean {
    return t !== undefined && t.kind === 'word' && t.lower === lower;
  }

  private parseOr(): ConditionNode | null {
    const first = this.parseAnd();
    if (first === null) return null;
    const children = [first];
    while (this.isWord(this.peek(), 'or')) {
      this.pos++;
      const next = this.parseAnd();
      if (next === null) return null;
      children.push(next);
    }
    return children.length === 1 ? first : { kind: 'or', children: flatten('or', children) };
  }

  private parseAnd(): ConditionNode | null {
    const first = this.parseNot();
    if (first === null) return null;
    const children = [first];
    while (this.isWord(this.peek(), 'and')) {
      this.pos++;
      const next = this.parseNot();
      if (next === null) return null;
      children.push(next);
    }
    return children.length === 1 ? first : { kind: 'and', children: flatten('and', children) };
  }

  private parseNot(): ConditionNode | null {
    if (this.isWord(this.peek(), 'not')) {
      this.pos++;
      const child = this.parseNot();
      if (child === null) return null;
      return { kind: 'not', child };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ConditionNode | null {
    const t = this.peek();
    if (t === undefined) {
      return this.fail(
        sigmaDiagnostic('MW1308', this.ctx.locate(this.text.length), { expected: 'a search identifier, "not", "(" or "1 of"' }),
      );
    }
    if (t.kind === 'lparen') {
      this.pos++;
      const inner = this.parseOr();
      if (inner === null) return null;
      const close = this.peek();
      if (close === undefined) {
        return this.fail(sigmaDiagnostic('MW1305', this.ctx.locate(t.offset), { detail: 'missing ")" for this "("' }));
      }
      if (close.kind !== 'rparen') {
        return this.fail(
          sigmaDiagnostic('MW1306', this.ctx.locate(close.offset), { token: this.describe(close), expected: '")", "and" or "or"' }),
        );
      }
      this.pos++;
      return inner;
    }
    if (t.kind === 'rparen') {
      return this.fail(sigmaDiagnostic('MW1305', this.ctx.locate(t.offset), { detail: 'unexpected ")"' }));
    }
    const next = this.tokens[this.pos + 1];
    if (this.isWord(next, 'of')) return this.parseOf(t);
    if (CONDITION_KEYWORDS.has(t.lower)) {
      return this.fail(
        sigmaDiagnostic('MW1306', this.ctx.locate(t.offset), { token: t.text, expected: 'a search identifier, "not", "(" or "1 of"' }),
      );
    }
    this.pos++;
    if (!this.ctx.identifiers.includes(t.text)) {
      return this.fail(
        sigmaDiagnostic('MW1303', this.ctx.locate(t.offset), { name: t.text, hint: suggestName(t.text, this.ctx.identifiers) }),
      );
    }
    return { kind: 'identifier', name: t.text };
  }

  private parseOf(quant: Token & { kind: 'word' }): ConditionNode | null {
    if (this.ctx.allowOf === false) {
      return this.fail(
        sigmaDiagnostic('MW1306', this.ctx.locate(quant.offset), { token: quant.text, expected: 'a rule name or id' }),
      );
    }
    let quantifier: 'any' | 'all';
    if (quant.lower === '1' || quant.lower === 'any') quantifier = 'any';
    else if (quant.lower === 'all') quantifier = 'all';
    else return this.fail(sigmaDiagnostic('MW1307', this.ctx.locate(quant.offset), { value: quant.text }));
    this.pos += 2; // quantifier and `of`
    const target = this.peek();
    if (target === undefined) {
      return this.fail(sigmaDiagnostic('MW1308', this.ctx.locate(this.text.length), { expected: 'a pattern or "them" after "of"' }));
    }
    if (target.kind !== 'word' || (CONDITION_KEYWORDS.has(target.lower) && target.lower !== 'them')) {
      return this.fail(
        sigmaDiagnostic('MW1306', this.ctx.locate(target.offset), {
          token: this.describe(target),
          expected: 'a pattern or "them" after "of"',
        }),
      );
    }
    this.pos++;
    const pattern = target.lower === 'them' ? null : target.text;
    const identifiers = selectIdentifiers(pattern, this.ctx.identifiers);
    if (identifiers.length === 0) {
      return this.fail(sigmaDiagnostic('MW1304', this.ctx.locate(target.offset), { pattern: pattern ?? 'them' }));
    }
    return { kind: 'of', quantifier, pattern, identifiers };
  }
}

function flatten(kind: 'and' | 'or', children: ConditionNode[]): ConditionNode[] {
  const out: ConditionNode[] = [];
  for (const c of children) {
    if (c.kind === kind) out.push(...c.children);
    else out.push(c);
  }
  return out;
}

/** Parses one condition text; reports the first problem with its location and returns null then. */
export function parseCondition(text: string, ctx: ConditionContext): ConditionNode | null {
  const tokens = tokenize(text);
  if (tokens.length === 0) {
    ctx.report(sigmaDiagnostic('MW1302', ctx.locate(0), {}));
    return null;
  }
  // Sigma 1 wrote aggregations after a pipe (`selection | count() by host > 5`); say so rather than "unexpected |".
  const pipe = text.indexOf('|');
  if (pipe >= 0) {
    ctx.report(sigmaDiagnostic('MW1309', ctx.locate(pipe), { text: text.slice(pipe).trim() }));
    return null;
  }
  return new Parser(text, tokens, ctx).parse();
}

/** The identifiers a condition refers to, directly or through `x of` (each once, in first-use order). */
export function conditionIdentifiers(node: ConditionNode, out: string[] = []): string[] {
  switch (node.kind) {
    case 'identifier':
      if (!out.includes(node.name)) out.push(node.name);
      break;
    case 'of':
      for (const n of node.identifiers) if (!out.includes(n)) out.push(n);
      break;
    case 'not':
      conditionIdentifiers(node.child, out);
      break;
    case 'and':
    case 'or':
      for (const c of node.children) conditionIdentifiers(c, out);
      break;
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
  return out;
}

/** Writes a condition back as text with explicit parentheses where precedence needs them. */
export function formatCondition(node: ConditionNode): string {
  const prec = (n: ConditionNode): number => (n.kind === 'or' ? 1 : n.kind === 'and' ? 2 : n.kind === 'not' ? 3 : 4);
  const wrap = (n: ConditionNode, min: number): string => (prec(n) < min ? `(${formatCondition(n)})` : formatCondition(n));
  switch (node.kind) {
    case 'identifier':
      return node.name;
    case 'of':
      return `${node.quantifier === 'all' ? 'all' : '1'} of ${node.pattern ?? 'them'}`;
    case 'not':
      return `not ${wrap(node.child, 3)}`;
    case 'and':
      return node.children.map((c) => wrap(c, 3)).join(' and ');
    case 'or':
      return node.children.map((c) => wrap(c, 2)).join(' or ');
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
}
