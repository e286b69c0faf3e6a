/**
 * Elastic EQL (elastic/elasticsearch docs/reference/query-languages/eql/eql-syntax.md; query-languages.md §3.1).
 * Case-insensitive forms: `:` (= `like~`, with `*`/`?` wildcards and lists), `regex~`; `|cased` uses `==`, `like`,
 * `in`, `regex`. Strings are double-quoted with `\"` and `\\` escapes. Regexes are Lucene regexps matched against the
 * whole value (see regex.ts). Where clauses are executed as Elasticsearch queries, where a NOT is a `must_not`
 * that keeps documents lacking the field, so no null guard is needed. Correlations: `temporal_ordered` is a
 * `sequence … with maxspan`; EQL cannot count, so the other types fail.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { COMPARE_SYMBOL, groupFieldsOf, thresholds, TextQueryBackend, type RuleContext, type RuleParts, type StringMatch } from '../backend.js';
import type { LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toLucene } from '../regex.js';
import type { Approximation, CompiledQuery, TargetName } from '../types.js';

/** An EQL string literal. */
export function eqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** An EQL field name, back-quoted when it is not a plain dotted identifier. */
export function eqlField(name: string): string {
  return /^[A-Za-z_@][A-Za-z0-9_@]*(\.[A-Za-z_@][A-Za-z0-9_@]*)*$/.test(name) ? name : `\`${name}\``;
}

/** A Sigma string as an EQL wildcard pattern (literal `*` and `?` cannot be escaped in EQL wildcard patterns). */
function glob(m: StringMatch): string {
  const text = (t: string): string => {
    if (/[*?]/.test(t)) fail('value-unrepresentable', `a literal * or ? in "${t}" (EQL wildcards have no escape)`);
    return t;
  };
  switch (m.shape.kind) {
    case 'exact':
      return text(m.shape.text);
    case 'prefix':
      return `${text(m.shape.text)}*`;
    case 'suffix':
      return `*${text(m.shape.text)}`;
    case 'contains':
      return `*${text(m.shape.text)}*`;
    case 'pattern':
      return m.shape.parts.map((p) => (p.kind === 'multi' ? '*' : p.kind === 'single' ? '?' : p.kind === 'text' ? text(p.text) : '')).join('');
  }
}

/** The EQL compiler. */
export class EqlBackend extends TextQueryBackend {
  readonly target: TargetName = 'eql';
  // Elasticsearch indexes every element of a JSON list as a value of the field.
  protected override listValues = 'multi-value' as const;

  protected str(f: FieldSpec, m: StringMatch): string {
    const name = eqlField(f.name);
    if (!m.cased) return `${name} : ${eqlString(glob(m))}`;
    if (m.shape.kind === 'exact') return `${name} == ${eqlString(m.shape.text)}`;
    return `${name} like ${eqlString(glob(m))}`;
  }

  protected override list(f: FieldSpec, ms: StringMatch[]): string | null {
    const name = eqlField(f.name);
    const values = ms.map((m) => eqlString(glob(m))).join(', ');
    if (!ms[0].cased) return `${name} : (${values})`;
    return ms.every((m) => m.shape.kind === 'exact') ? `${name} in (${values})` : `${name} like (${values})`;
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }): string {
    if (v.multiline) fail('regex-untranslatable', 'the m flag (Lucene regexps have no line anchors)');
    const re = toLucene(parseRegex(v.pattern));
    return `${eqlField(f.name)} ${v.ignoreCase ? 'regex~' : 'regex'} ${eqlString(re)}`;
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return `?${eqlField(f.name)} ${exists ? '!=' : '=='} null`;
  }

  protected isNull(f: FieldSpec): string {
    return `?${eqlField(f.name)} == null`;
  }

  protected override number(f: FieldSpec, v: LeafValue & { kind: 'number' }, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'number') return `${eqlField(f.name)} == ${v.value}`;
    return super.number(f, v, guard, ctx);
  }

  protected override boolean(f: FieldSpec, value: boolean, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'boolean') return `${eqlField(f.name)} == ${value}`;
    return super.boolean(f, value, guard, ctx);
  }

  protected override cidr(f: FieldSpec, cidr: string): string {
    return `cidrMatch(${eqlField(f.name)}, ${eqlString(cidr)})`;
  }

  protected override compare(f: FieldSpec, op: keyof typeof COMPARE_SYMBOL, value: number): string {
    return `${eqlField(f.name)} ${COMPARE_SYMBOL[op]} ${value}`;
  }

  /** `any where <scope> and (<condition>)`. */
  private where(p: RuleParts): string {
    return `any where ${p.scope ? `${p.scope} and ` : ''}(${p.condition})`;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: this.where(p) }];
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[], parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    if (corr.correlationType !== 'temporal_ordered') return fail('correlation-unsupported', `${corr.correlationType}: EQL sequences order events but count nothing`);
    const t = thresholds(corr);
    if (!(t.length === 1 && t[0].op === 'gte' && t[0].value === rules.length)) {
      return fail('correlation-condition-unsupported', 'an EQL sequence needs every referenced rule');
    }
    const byPerRule = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => eqlField(parts[i].ctx.field(g).name)));
    const same = byPerRule.every((b) => b.join() === byPerRule[0].join());
    const head = `sequence${same && byPerRule[0].length ? ` by ${byPerRule[0].join(', ')}` : ''} with maxspan=${Math.round(corr.timespan.ms / 1000)}s`;
    const steps = parts.map((p, i) => `  [${this.where(p)}]${!same && byPerRule[i].length ? ` by ${byPerRule[i].join(', ')}` : ''}`);
    const from = [...new Set(parts.map((p) => p.ctx.source.from))].join(', ');
    return { queries: [{ on: from, text: `${head}\n${steps.join('\n')}` }], approximations: [] };
  }
}
