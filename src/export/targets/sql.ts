/**
 * SQL for Amazon Athena (Trino: the CloudTrail table of AWS's Athena DDL and the Security Lake OCSF table) and Google
 * BigQuery (the Cloud Logging audit-log export tables, `protopayload_auditlog.*` columns). Case-insensitive forms:
 * `lower(f) = 'v'`, `lower(f) IN (…)`, `lower(f) LIKE 'v%' ESCAPE '\'` (Trino), `STARTS_WITH`/`ENDS_WITH`/`STRPOS`
 * on `lower(f)` (BigQuery), and regexes with `(?i)` in `regexp_like` (Trino) / `REGEXP_CONTAINS` (BigQuery), both
 * unanchored RE2-style searches like Sigma's. BigQuery string literals give backslashes a meaning other SQL engines
 * do not, so BigQuery regexes are written without backslashes (`[.]`), and a value that needs one fails with a
 * reason. SQL has three-valued logic: predicates under a NOT are wrapped in `coalesce(…, false)`.
 * Correlations join the matches with themselves over a sliding window `[t - span, t]` ending at each match.
 * Every form here also runs on DuckDB (test/export/sql-duckdb.test.ts), with Trino/BigQuery function names
 * provided there as macros.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { COMPARE_SYMBOL, countedField, groupFieldsOf, ruleLabel, sourceFor, spanSeconds, thresholds, TextQueryBackend, RuleContext, type RuleParts, type StringMatch } from '../backend.js';
import { detectionExpression, type LeafValue } from '../expression.js';
import type { FieldSpec, SourceMap } from '../field-map.js';
import { ExportFailure, fail } from '../reasons.js';
import { parseRegex, toRe2 } from '../regex.js';
import { escapeRegexLiteral, globToRegex } from '../strings.js';
import type { Approximation, CompiledQuery, CompileResult, TargetName } from '../types.js';

/** The SQL dialects. */
export type SqlDialect = 'athena' | 'bigquery';

/** A SQL string literal for the dialect. */
export function sqlString(s: string, dialect: SqlDialect): string {
  if (dialect === 'bigquery' && /[\\'\n\r]/.test(s)) {
    // BigQuery reads '\…' as an escape where Trino and DuckDB read a backslash: refuse rather than change meaning.
    fail('value-unrepresentable', `the value ${JSON.stringify(s)} needs a backslash escape in BigQuery`);
  }
  return `'${s.replace(/'/g, "''")}'`;
}

/** Escapes a literal for LIKE … ESCAPE '\'. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The SQL compiler for one dialect. */
export class SqlBackend extends TextQueryBackend {
  protected override andToken = ' AND ';
  protected override orToken = ' OR ';
  protected override notToken = 'NOT ';

  constructor(
    map: ConstructorParameters<typeof TextQueryBackend>[0],
    readonly target: TargetName & SqlDialect,
  ) {
    super(map);
  }

  private s(text: string): string {
    return sqlString(text, this.target);
  }

  private guarded(guard: boolean, pred: string): string {
    return guard ? `coalesce(${pred}, false)` : pred;
  }

  private regexCall(f: FieldSpec, re: string): string {
    return this.target === 'athena' ? `regexp_like(${f.name}, ${this.s(re)})` : `REGEXP_CONTAINS(${f.name}, ${this.s(re)})`;
  }

  protected str(f: FieldSpec, m: StringMatch, guard: boolean): string {
    const lhs = m.cased ? f.name : `lower(${f.name})`;
    const t = (s: string): string => (m.cased ? s : s.toLowerCase());
    const bq = this.target === 'bigquery';
    let pred: string;
    switch (m.shape.kind) {
      case 'exact':
        pred = `${lhs} = ${this.s(t(m.shape.text))}`;
        break;
      case 'prefix':
        pred = bq ? `STARTS_WITH(${lhs}, ${this.s(t(m.shape.text))})` : `${lhs} LIKE ${this.s(`${likeLiteral(t(m.shape.text))}%`)} ESCAPE '\\'`;
        break;
      case 'suffix':
        pred = bq ? `ENDS_WITH(${lhs}, ${this.s(t(m.shape.text))})` : `${lhs} LIKE ${this.s(`%${likeLiteral(t(m.shape.text))}`)} ESCAPE '\\'`;
        break;
      case 'contains':
        pred = `strpos(${lhs}, ${this.s(t(m.shape.text))}) > 0`;
        break;
      case 'pattern':
        if (bq) pred = this.regexCall(f, (m.cased ? '' : '(?i)') + globToRegex(m.shape.parts, true));
        else {
          const pat = m.shape.parts.map((p) => (p.kind === 'multi' ? '%' : p.kind === 'single' ? '_' : p.kind === 'text' ? likeLiteral(t(p.text)) : '')).join('');
          pred = `${lhs} LIKE ${this.s(pat)} ESCAPE '\\'`;
        }
        break;
    }
    return this.guarded(guard, pred);
  }

  protected override list(f: FieldSpec, ms: StringMatch[], guard: boolean): string | null {
    if (!ms.every((m) => m.shape.kind === 'exact')) return null;
    const lhs = ms[0].cased ? f.name : `lower(${f.name})`;
    const values = ms.map((m) => this.s(m.shape.kind === 'exact' ? (m.cased ? m.shape.text : m.shape.text.toLowerCase()) : ''));
    return this.guarded(guard, `${lhs} IN (${values.join(', ')})`);
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }, guard: boolean): string {
    const re = toRe2(parseRegex(v.pattern), v, { noBackslash: this.target === 'bigquery' });
    return this.guarded(guard, this.regexCall(f, re));
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return `${f.name} IS ${exists ? 'NOT ' : ''}NULL`;
  }

  protected isNull(f: FieldSpec): string {
    return `${f.name} IS NULL`;
  }

  protected override boolean(f: FieldSpec, value: boolean, guard: boolean, ctx: RuleContext): string {
    if (f.kind === 'boolean') return this.guarded(guard, `${f.name} = ${value}`);
    return super.boolean(f, value, guard, ctx);
  }

  protected override compare(f: FieldSpec, op: keyof typeof COMPARE_SYMBOL, value: number, guard: boolean): string {
    const cast = this.target === 'athena' ? `try_cast(${f.name} AS double)` : `SAFE_CAST(${f.name} AS FLOAT64)`;
    return this.guarded(guard, `${cast} ${COMPARE_SYMBOL[op]} ${value}`);
  }

  private where(p: RuleParts): string {
    return p.scope ? `${p.scope} AND (${p.condition})` : p.condition;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: `SELECT *\nFROM ${p.ctx.source.from}\nWHERE ${this.where(p)}` }];
  }

  /** Every source of the map that covers the rule's datasets (Athena: the CloudTrail table and the OCSF table). */
  private sourcesFor(rule: SigmaRule): SourceMap[] {
    const { datasets } = sourceFor(this.map, rule);
    return this.map.sources.filter((s) => datasets.every((d) => s.datasets.has(d)));
  }

  override compileRule(rule: SigmaRule): CompileResult {
    try {
      const { datasets } = sourceFor(this.map, rule);
      const expr = detectionExpression(rule.detection);
      const queries: CompiledQuery[] = [];
      const approximations: Approximation[] = [];
      for (const source of this.sourcesFor(rule)) {
        const ctx = new RuleContext(rule, source, datasets);
        try {
          const condition = this.convert(expr, ctx);
          queries.push(...this.query({ ctx, scope: this.scope(ctx), condition }));
          approximations.push(...ctx.approximations);
        } catch (e) {
          if (e instanceof ExportFailure) return { status: 'failed', reason: e.reason, detail: `${source.from}: ${e.detail}` };
          throw e;
        }
      }
      return { status: 'compiled', queries, approximations, requirements: this.map.requirements };
    } catch (e) {
      if (e instanceof ExportFailure) return { status: 'failed', reason: e.reason, detail: e.detail };
      throw e;
    }
  }

  private interval(seconds: number): string {
    return this.target === 'athena' ? `INTERVAL '${seconds}' SECOND` : `INTERVAL ${seconds} SECOND`;
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[], parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    const t = thresholds(corr);
    const span = spanSeconds(corr);
    const groups = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => parts[i].ctx.field(g).name));
    const counted = corr.correlationType === 'value_count' ? countedField(corr) : null;
    const setting = (p: RuleParts, key: string): string => {
      const v = p.ctx.source.settings[key];
      return typeof v === 'string' ? v : fail('unmapped-field', `the source ${p.ctx.source.key} names no ${key} column`);
    };
    const selects = parts.map((p, i) => {
      const cols = [`${this.s(ruleLabel(i))} AS mw_rule`, `${setting(p, 'time')} AS mw_time`, `${setting(p, 'id')} AS mw_id`];
      groups[i].forEach((g, k) => cols.push(`${g} AS mw_g${k + 1}`));
      if (counted !== null) cols.push(`${p.ctx.field(counted).name} AS mw_value`);
      return `  SELECT ${cols.join(', ')}\n  FROM ${p.ctx.source.from}\n  WHERE ${this.where(p)}`;
    });
    const cte = `WITH mw_matches AS (\n${selects.join('\n  UNION ALL\n')}\n)`;
    const same = (a: string, b: string): string =>
      corr.groupBy.map((_, k) => `${b}.mw_g${k + 1} IS NOT DISTINCT FROM ${a}.mw_g${k + 1}`).join(' AND ');
    const keys = ['mw_end.mw_id', 'mw_end.mw_time', ...corr.groupBy.map((_, k) => `mw_end.mw_g${k + 1}`)];
    let text: string;
    if (corr.correlationType === 'temporal_ordered') {
      if (!(t.length === 1 && t[0].op === 'gte' && t[0].value === rules.length)) return fail('correlation-condition-unsupported', 'an ordered join needs every referenced rule');
      const joins = parts.slice(1).map((_, k) => {
        const i = k + 2;
        const on = [`m${i}.mw_rule = ${this.s(ruleLabel(i - 1))}`, same('m1', `m${i}`), `m${i}.mw_time > m${i - 1}.mw_time`, `m${i}.mw_time <= m1.mw_time + ${this.interval(span)}`].filter(Boolean);
        return `JOIN mw_matches AS m${i} ON ${on.join(' AND ')}`;
      });
      const n = parts.length;
      text = `${cte}\nSELECT DISTINCT m1.mw_id AS mw_first_id, m1.mw_time AS mw_first_time, m${n}.mw_id AS mw_last_id, m${n}.mw_time AS mw_last_time${corr.groupBy.map((_, k) => `, m1.mw_g${k + 1}`).join('')}\nFROM mw_matches AS m1\n${joins.join('\n')}\nWHERE m1.mw_rule = ${this.s(ruleLabel(0))}`;
    } else {
      if (!t.every((c) => c.op === 'gt' || c.op === 'gte')) {
        return fail('correlation-condition-unsupported', 'a sliding window ending at each match can only test lower bounds (gt, gte)');
      }
      const agg =
        corr.correlationType === 'event_count'
          ? 'count(*)'
          : corr.correlationType === 'value_count'
            ? 'count(DISTINCT mw_in.mw_value)'
            : corr.correlationType === 'temporal'
              ? 'count(DISTINCT mw_in.mw_rule)'
              : fail('correlation-unsupported', corr.correlationType);
      const on = [same('mw_end', 'mw_in'), `mw_in.mw_time BETWEEN mw_end.mw_time - ${this.interval(span)} AND mw_end.mw_time`].filter(Boolean).join(' AND ');
      const having = t.map((c) => `${agg} ${c.op === 'gt' ? '>' : '>='} ${c.value}`).join(' AND ');
      text = `${cte}\nSELECT ${keys.join(', ')}, ${agg} AS mw_count\nFROM mw_matches AS mw_end\nJOIN mw_matches AS mw_in ON ${on}\nGROUP BY ${keys.join(', ')}\nHAVING ${having}`;
    }
    return { queries: [{ on: [...new Set(parts.map((p) => p.ctx.source.from))].join(', '), text }], approximations: [] };
  }
}

/** Escaped literal helper re-exported for tests. */
export { escapeRegexLiteral };
