/**
 * IBM QRadar AQL (query-languages.md §3.6). `=`, `LIKE` and `MATCHES` are case-sensitive; `ILIKE` and `IMATCHES`
 * are not. Case-insensitive values compare the lower-cased property: `LOWER("eventName") = 'v'`, `… IN (…)`,
 * `… LIKE 'v%'` (IBM's backend prefers `LOWER()` to `ILIKE` for speed); a value holding a literal `%` or `_`, Sigma's
 * `?` and regexes use `IMATCHES` (Java regex) written so that it holds whether QRadar matches the whole value or
 * searches it (`(?s).*(?:…).*`). Properties are the custom event properties of mappings/qradar.yml (QRadar has no
 * built-in "EventName" column: events.md §8.2), scoped by `devicetype`. AQL has SQL's NULL logic, so predicates
 * under a NOT are guarded with `"p" IS NOT NULL AND …`. Correlations: counts per group over the search's own time
 * range (`LAST n MINUTES`), the window a scheduled search has.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { COMPARE_SYMBOL, countedField, groupFieldsOf, spanSeconds, thresholds, TextQueryBackend, type RuleParts, type StringMatch } from '../backend.js';
import type { LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toRe2 } from '../regex.js';
import { escapeRegexLiteral, globToRegex } from '../strings.js';
import type { Approximation, CompiledQuery, TargetName } from '../types.js';

/** An AQL string literal (single quotes; a quote inside is doubled). */
export function aqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** An AQL property reference: custom properties are double-quoted; function calls stay as written. */
export function aqlProperty(name: string): string {
  return /[()]/.test(name) ? name : `"${name.replace(/"/g, '')}"`;
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '<>' } as const;

/** The QRadar compiler. */
export class QradarBackend extends TextQueryBackend {
  readonly target: TargetName = 'qradar';
  protected override andToken = ' AND ';
  protected override orToken = ' OR ';
  protected override notToken = 'NOT ';

  private guarded(f: FieldSpec, guard: boolean, pred: string): string {
    return guard ? `(${aqlProperty(f.name)} IS NOT NULL AND ${pred})` : pred;
  }

  private imatches(f: FieldSpec, regex: string, cased: boolean): string {
    return `${aqlProperty(f.name)} ${cased ? 'MATCHES' : 'IMATCHES'} ${aqlString(`(?s).*(?:${regex}).*`)}`;
  }

  protected str(f: FieldSpec, m: StringMatch, guard: boolean): string {
    const p = aqlProperty(f.name);
    const lhs = m.cased ? p : `LOWER(${p})`;
    const t = (s: string): string => (m.cased ? s : s.toLowerCase());
    const likeSafe = (s: string): boolean => !/[%_]/.test(s);
    let pred: string;
    switch (m.shape.kind) {
      case 'exact':
        pred = `${lhs} = ${aqlString(t(m.shape.text))}`;
        break;
      case 'prefix':
      case 'suffix':
      case 'contains': {
        const text = m.shape.text;
        if (!likeSafe(text)) {
          const lit = escapeRegexLiteral(text);
          pred = this.imatches(f, m.shape.kind === 'prefix' ? `^${lit}` : m.shape.kind === 'suffix' ? `${lit}$` : lit, m.cased);
        } else {
          const pat = m.shape.kind === 'prefix' ? `${t(text)}%` : m.shape.kind === 'suffix' ? `%${t(text)}` : `%${t(text)}%`;
          pred = `${lhs} LIKE ${aqlString(pat)}`;
        }
        break;
      }
      case 'pattern':
        pred = this.imatches(f, globToRegex(m.shape.parts), m.cased);
        break;
    }
    return this.guarded(f, guard, pred);
  }

  protected override list(f: FieldSpec, ms: StringMatch[], guard: boolean): string | null {
    if (!ms.every((m) => m.shape.kind === 'exact')) return null;
    const lhs = ms[0].cased ? aqlProperty(f.name) : `LOWER(${aqlProperty(f.name)})`;
    const values = ms.map((m) => aqlString(m.shape.kind === 'exact' ? (m.cased ? m.shape.text : m.shape.text.toLowerCase()) : ''));
    return this.guarded(f, guard, `${lhs} IN (${values.join(', ')})`);
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }, guard: boolean): string {
    const re = toRe2(parseRegex(v.pattern), { multiline: v.multiline });
    return this.guarded(f, guard, `${aqlProperty(f.name)} ${v.ignoreCase ? 'IMATCHES' : 'MATCHES'} ${aqlString(`(?s${v.multiline ? 'm' : ''}).*(?:${re.replace(/^\(\?m\)/, '')}).*`)}`);
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return `${aqlProperty(f.name)} IS ${exists ? 'NOT ' : ''}NULL`;
  }

  protected isNull(f: FieldSpec): string {
    return `${aqlProperty(f.name)} IS NULL`;
  }

  protected override cidr(f: FieldSpec, cidr: string, guard: boolean): string {
    return this.guarded(f, guard, `INCIDR(${aqlString(cidr)}, ${aqlProperty(f.name)})`);
  }

  protected override compare(f: FieldSpec, op: keyof typeof COMPARE_SYMBOL, value: number, guard: boolean): string {
    return this.guarded(f, guard, `${aqlProperty(f.name)} ${COMPARE_SYMBOL[op]} ${value}`);
  }

  /** `devicetype = 347` etc. from the source's settings. */
  protected override scope(ctx: RuleParts['ctx']): string {
    const ids = ctx.datasets.map((d) => ctx.source.datasets.get(d)?.devicetype).filter((x): x is string => x !== undefined);
    const unique = [...new Set(ids)];
    if (unique.length === 0) return '';
    return unique.length === 1 ? `devicetype = ${unique[0]}` : `devicetype IN (${unique.join(', ')})`;
  }

  private columns(p: RuleParts): string {
    const extra = Array.isArray(p.ctx.source.settings.columns) ? (p.ctx.source.settings.columns as unknown[]).map(String) : [];
    return ['DATEFORMAT(starttime, \'yyyy-MM-dd HH:mm:ss\') AS event_time', 'LOGSOURCENAME(logsourceid) AS log_source', 'username', 'sourceip', ...extra].join(', ');
  }

  private where(p: RuleParts): string {
    return p.scope ? `${p.scope} AND (${p.condition})` : p.condition;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: `SELECT ${this.columns(p)}\nFROM events\nWHERE ${this.where(p)}\nORDER BY starttime DESC\nLAST 24 HOURS` }];
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[], parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    if (corr.correlationType !== 'event_count' && corr.correlationType !== 'value_count') {
      return fail('correlation-unsupported', `${corr.correlationType}: an AQL search cannot tell which rule matched inside one GROUP BY`);
    }
    const groups = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => aqlProperty(parts[i].ctx.field(g).name)));
    if (!groups.every((g) => g.join() === groups[0].join())) return fail('correlation-condition-unsupported', 'group-by properties differ between the rules');
    const agg = corr.correlationType === 'event_count' ? 'COUNT(*)' : `UNIQUECOUNT(${aqlProperty(parts[0].ctx.field(countedField(corr)).name)})`;
    const having = thresholds(corr)
      .map((c) => `${agg} ${OPS[c.op]} ${c.value}`)
      .join(' AND ');
    const minutes = Math.max(1, Math.round(spanSeconds(corr) / 60));
    const by = groups[0].join(', ');
    const text = [
      `SELECT ${by ? `${by}, ` : ''}${agg} AS mw_count, MIN(starttime) AS mw_first, MAX(starttime) AS mw_last`,
      'FROM events',
      `WHERE ${parts.map((p) => `(${this.where(p)})`).join(' OR ')}`,
      by ? `GROUP BY ${by}` : '',
      `HAVING ${having}`,
      `LAST ${minutes} MINUTES`,
    ]
      .filter(Boolean)
      .join('\n');
    return {
      queries: [{ on: 'events', text }],
      approximations: [{ code: 'query-range-window', message: `the window is the search's own range (LAST ${minutes} MINUTES): run it every ${minutes} minutes; matches across two runs are not counted together` }],
    };
  }
}
