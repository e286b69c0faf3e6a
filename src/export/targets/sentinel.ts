/**
 * Microsoft Sentinel KQL over the `AWSCloudTrail`, `AzureActivity` and `GCPAuditLogs` tables
 * (learn.microsoft.com/kusto/query/datatypes-string-operators; query-languages.md §3.5). Case-insensitive forms:
 * `=~`, `in~`, `startswith`, `endswith`, `contains`, and `matches regex` with `(?i)` (RE2); `|cased` uses `==`,
 * `in`, `startswith_cs`, `endswith_cs`, `contains_cs`. Sigma's `?` and other inner wildcards become an anchored
 * regex. String literals are verbatim (`@"…"`, `""` for a quote) so regexes keep their backslashes. A missing string
 * column is the empty string in Kusto, so negations need no guard; dynamic JSON paths go through `tostring()`.
 * Correlations summarize per `bin(TimeGenerated, span)`: tumbling windows, declared.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { COMPARE_SYMBOL, countedField, groupFieldsOf, ruleLabel, thresholds, TextQueryBackend, type RuleContext, type RuleParts, type StringMatch } from '../backend.js';
import type { LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toRe2 } from '../regex.js';
import { globToRegex } from '../strings.js';
import type { Approximation, CompiledQuery, TargetName } from '../types.js';

/** A Kusto verbatim string literal. */
export function kustoString(s: string): string {
  if (/[\r\n]/.test(s)) fail('value-unrepresentable', 'a line break in a Kusto verbatim string');
  return `@"${s.replace(/"/g, '""')}"`;
}

/** A Kusto column reference: bracketed when it is not a plain identifier or a computed expression. */
export function kustoColumn(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /[()]/.test(name)) return name;
  return `['${name.replace(/'/g, "\\'")}']`;
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' } as const;

/** The Sentinel compiler. */
export class SentinelBackend extends TextQueryBackend {
  readonly target: TargetName = 'sentinel';

  protected str(f: FieldSpec, m: StringMatch): string {
    const c = kustoColumn(f.name);
    const cs = m.cased ? '_cs' : '';
    switch (m.shape.kind) {
      case 'exact':
        return `${c} ${m.cased ? '==' : '=~'} ${kustoString(m.shape.text)}`;
      case 'prefix':
        return `${c} startswith${cs} ${kustoString(m.shape.text)}`;
      case 'suffix':
        return `${c} endswith${cs} ${kustoString(m.shape.text)}`;
      case 'contains':
        return `${c} contains${cs} ${kustoString(m.shape.text)}`;
      case 'pattern':
        return `${c} matches regex ${kustoString((m.cased ? '' : '(?i)') + globToRegex(m.shape.parts))}`;
    }
  }

  protected override list(f: FieldSpec, ms: StringMatch[]): string | null {
    if (!ms.every((m) => m.shape.kind === 'exact')) return null;
    const values = ms.map((m) => kustoString(m.shape.kind === 'exact' ? m.shape.text : '')).join(', ');
    return `${kustoColumn(f.name)} ${ms[0].cased ? 'in' : 'in~'} (${values})`;
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }): string {
    return `${kustoColumn(f.name)} matches regex ${kustoString(toRe2(parseRegex(v.pattern), v))}`;
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return `${exists ? 'isnotnull' : 'isnull'}(${kustoColumn(f.name)})`;
  }

  protected isNull(f: FieldSpec): string {
    return f.kind === 'keyword' || f.kind === 'enum' || f.kind === 'text' ? `isempty(${kustoColumn(f.name)})` : `isnull(${kustoColumn(f.name)})`;
  }

  protected override number(f: FieldSpec, v: LeafValue & { kind: 'number' }, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'number') return `${kustoColumn(f.name)} == ${v.value}`;
    return super.number(f, v, guard, ctx);
  }

  protected override boolean(f: FieldSpec, value: boolean, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'boolean') return `${kustoColumn(f.name)} == ${value}`;
    return super.boolean(f, value, guard, ctx);
  }

  protected override cidr(f: FieldSpec, cidr: string): string {
    return cidr.includes(':') ? `ipv6_is_in_range(${kustoColumn(f.name)}, ${kustoString(cidr)})` : `ipv4_is_in_range(${kustoColumn(f.name)}, ${kustoString(cidr)})`;
  }

  protected override compare(f: FieldSpec, op: keyof typeof COMPARE_SYMBOL, value: number): string {
    return `todouble(${kustoColumn(f.name)}) ${COMPARE_SYMBOL[op]} ${value}`;
  }

  private where(p: RuleParts): string {
    return p.scope ? `${p.scope} and (${p.condition})` : p.condition;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: `${p.ctx.source.from}\n| where ${this.where(p)}` }];
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[], parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    if (corr.correlationType === 'temporal_ordered') return fail('correlation-unsupported', 'summarize over bins does not check the order of events');
    if (!['event_count', 'value_count', 'temporal'].includes(corr.correlationType)) return fail('correlation-unsupported', corr.correlationType);
    const groups = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => parts[i].ctx.field(g).name));
    const keyNames = corr.groupBy.map((g) => g.replace(/[^A-Za-z0-9_]/g, '_'));
    const span = `${Math.round(corr.timespan.ms / 1000)}s`;
    const counted = corr.correlationType === 'value_count' ? countedField(corr) : null;
    const branches = parts.map((p, i) => {
      const ext = [`mw_rule = "${ruleLabel(i)}"`, ...groups[i].map((g, k) => `${keyNames[k]} = tostring(${kustoColumn(g)})`)];
      if (counted !== null) ext.push(`mw_value = tostring(${kustoColumn(p.ctx.field(counted).name)})`);
      return `(${p.ctx.source.from}\n  | where ${this.where(p)}\n  | extend ${ext.join(', ')})`;
    });
    const input = branches.length === 1 ? branches[0].slice(1, -1) : `union\n  ${branches.join(',\n  ')}`;
    const by = [`mw_window = bin(TimeGenerated, ${span})`, ...keyNames].join(', ');
    let agg: string;
    let name: string;
    if (corr.correlationType === 'event_count') [agg, name] = ['mw_event_count = count()', 'mw_event_count'];
    else if (corr.correlationType === 'value_count') [agg, name] = ['mw_value_count = count_distinct(mw_value)', 'mw_value_count'];
    else [agg, name] = ['mw_rules = count_distinct(mw_rule)', 'mw_rules'];
    const cond = thresholds(corr)
      .map((c) => `${name} ${OPS[c.op]} ${c.value}`)
      .join(' and ');
    const text = `${input}\n| summarize ${agg}, mw_first = min(TimeGenerated), mw_last = max(TimeGenerated) by ${by}\n| where ${cond}`;
    return {
      queries: [{ on: [...new Set(parts.map((p) => p.ctx.source.from))].join(', '), text }],
      approximations: [{ code: 'tumbling-window', message: `windows are fixed ${corr.timespan.text} bins (bin(TimeGenerated)), not sliding: matches split across a bin edge are not counted together` }],
    };
  }
}
