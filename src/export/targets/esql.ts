/**
 * Elastic ES|QL (query-languages.md §3.2). `==`, `LIKE`, `RLIKE` and `IN` are case-sensitive on keyword fields
 * (SigmaHQ/pySigma-backend-elasticsearch#107), so every case-insensitive comparison lower-cases the field:
 * `TO_LOWER(f) == "v"`, `TO_LOWER(f) LIKE "v*"`, `TO_LOWER(f) IN (…)`, `TO_LOWER(f) RLIKE "<lower-cased regexp>"`
 * (recent stacks push `TO_LOWER(f) LIKE/RLIKE` down as case-insensitive queries, elastic/elasticsearch#127479).
 * `LIKE` takes `*`/`?` and `\\` escapes inside a double-quoted string. ES|QL has three-valued logic ("Working with
 * NULL values in ES|QL": `NOT NULL` is NULL), so predicates under a NOT are guarded with `f IS NOT NULL AND …`.
 * Correlations count per `DATE_TRUNC` bucket: tumbling windows, declared as an approximation; temporal_ordered fails.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { COMPARE_SYMBOL, countedField, groupFieldsOf, ruleLabel, spanSeconds, thresholds, TextQueryBackend, type RuleContext, type RuleParts, type StringMatch } from '../backend.js';
import type { LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toLucene } from '../regex.js';
import type { Approximation, CompiledQuery, TargetName } from '../types.js';

/** An ES|QL string literal. */
export function esqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** An ES|QL field name (back-quoted unless a plain dotted identifier). */
export function esqlField(name: string): string {
  return /^[A-Za-z_@][A-Za-z0-9_@]*(\.[A-Za-z_@][A-Za-z0-9_@]*)*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;
}

/** A LIKE pattern: `*` and `?` are wildcards, literal ones and backslashes are escaped with a backslash. */
function likePattern(m: StringMatch, lower: boolean): string {
  const lit = (t: string): string => (lower ? t.toLowerCase() : t).replace(/[\\*?]/g, (c) => `\\${c}`);
  switch (m.shape.kind) {
    case 'exact':
      return lit(m.shape.text);
    case 'prefix':
      return `${lit(m.shape.text)}*`;
    case 'suffix':
      return `*${lit(m.shape.text)}`;
    case 'contains':
      return `*${lit(m.shape.text)}*`;
    case 'pattern':
      return m.shape.parts.map((p) => (p.kind === 'multi' ? '*' : p.kind === 'single' ? '?' : p.kind === 'text' ? lit(p.text) : '')).join('');
  }
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' } as const;

/** The ES|QL compiler. */
export class EsqlBackend extends TextQueryBackend {
  readonly target: TargetName = 'esql';
  protected override andToken = ' AND ';
  protected override orToken = ' OR ';
  protected override notToken = 'NOT ';

  private guarded(f: FieldSpec, guard: boolean, pred: string): string {
    return guard ? `(${esqlField(f.name)} IS NOT NULL AND ${pred})` : pred;
  }

  protected str(f: FieldSpec, m: StringMatch, guard: boolean): string {
    const lhs = m.cased ? esqlField(f.name) : `TO_LOWER(${esqlField(f.name)})`;
    const pred =
      m.shape.kind === 'exact' ? `${lhs} == ${esqlString(m.cased ? m.shape.text : m.shape.text.toLowerCase())}` : `${lhs} LIKE ${esqlString(likePattern(m, !m.cased))}`;
    return this.guarded(f, guard, pred);
  }

  protected override list(f: FieldSpec, ms: StringMatch[], guard: boolean): string | null {
    if (!ms.every((m) => m.shape.kind === 'exact')) return null;
    const lhs = ms[0].cased ? esqlField(f.name) : `TO_LOWER(${esqlField(f.name)})`;
    const values = ms.map((m) => esqlString(m.shape.kind === 'exact' ? (m.cased ? m.shape.text : m.shape.text.toLowerCase()) : '')).join(', ');
    return this.guarded(f, guard, `${lhs} IN (${values})`);
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }, guard: boolean): string {
    if (v.multiline) fail('regex-untranslatable', 'the m flag (Lucene regexps have no line anchors)');
    const re = toLucene(parseRegex(v.pattern), { lower: v.ignoreCase });
    const lhs = v.ignoreCase ? `TO_LOWER(${esqlField(f.name)})` : esqlField(f.name);
    return this.guarded(f, guard, `${lhs} RLIKE ${esqlString(re)}`);
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return `${esqlField(f.name)} IS ${exists ? 'NOT ' : ''}NULL`;
  }

  protected isNull(f: FieldSpec): string {
    return `${esqlField(f.name)} IS NULL`;
  }

  protected override number(f: FieldSpec, v: LeafValue & { kind: 'number' }, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'number') return this.guarded(f, guard, `${esqlField(f.name)} == ${v.value}`);
    return super.number(f, v, guard, ctx);
  }

  protected override boolean(f: FieldSpec, value: boolean, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'boolean') return this.guarded(f, guard, `${esqlField(f.name)} == ${value}`);
    return super.boolean(f, value, guard, ctx);
  }

  protected override cidr(f: FieldSpec, cidr: string, guard: boolean): string {
    return this.guarded(f, guard, `CIDR_MATCH(${esqlField(f.name)}, ${esqlString(cidr)})`);
  }

  protected override compare(f: FieldSpec, op: keyof typeof COMPARE_SYMBOL, value: number, guard: boolean): string {
    return this.guarded(f, guard, `${esqlField(f.name)} ${COMPARE_SYMBOL[op]} ${value}`);
  }

  private where(p: RuleParts): string {
    return p.scope ? `${p.scope} AND (${p.condition})` : p.condition;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: `FROM ${p.ctx.source.from} METADATA _id, _index, _version\n| WHERE ${this.where(p)}` }];
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[], parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    if (corr.correlationType === 'temporal_ordered') return fail('correlation-unsupported', 'ES|QL STATS cannot check the order of events');
    if (!['event_count', 'value_count', 'temporal'].includes(corr.correlationType)) return fail('correlation-unsupported', corr.correlationType);
    const groups = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => esqlField(parts[i].ctx.field(g).name)));
    if (!groups.every((g) => g.join() === groups[0].join())) return fail('correlation-condition-unsupported', 'group-by fields differ between the rules (ES|QL aliases)');
    const from = [...new Set(parts.map((p) => p.ctx.source.from))].join(', ');
    const where = parts.map((p) => `(${this.where(p)})`).join(' OR ');
    const bucket = `DATE_TRUNC(${spanSeconds(corr)} seconds, @timestamp)`;
    const by = ['mw_window', ...groups[0]].join(', ');
    const cond = thresholds(corr)
      .map((c) => `${corr.correlationType === 'temporal' ? 'mw_rules' : corr.correlationType === 'value_count' ? 'mw_value_count' : 'mw_event_count'} ${OPS[c.op]} ${c.value}`)
      .join(' AND ');
    let stats: string;
    let evalRule = '';
    if (corr.correlationType === 'event_count') stats = `STATS mw_event_count = COUNT(*) BY ${by}`;
    else if (corr.correlationType === 'value_count') {
      const f = esqlField(parts[0].ctx.field(countedField(corr)).name);
      stats = `STATS mw_value_count = COUNT_DISTINCT(${f}) BY ${by}`;
    } else {
      evalRule = `\n| EVAL mw_rule = CASE(${parts.map((p, i) => `${this.where(p)}, "${ruleLabel(i)}"`).join(', ')}, null)`;
      stats = `STATS mw_rules = COUNT_DISTINCT(mw_rule) BY ${by}`;
    }
    const text = `FROM ${from} METADATA _id, _index, _version\n| WHERE ${where}${evalRule}\n| EVAL mw_window = ${bucket}\n| ${stats}\n| WHERE ${cond}`;
    return {
      queries: [{ on: from, text }],
      approximations: [{ code: 'tumbling-window', message: `windows are fixed ${corr.timespan.text} buckets (DATE_TRUNC), not sliding: matches split across a bucket edge are not counted together` }],
    };
  }
}
