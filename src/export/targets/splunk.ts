/**
 * Splunk SPL (query-languages.md §3.4). In `search`, field values compare case-insensitively and `*` is the only
 * wildcard, so plain rules stay in `search`: `f="v*"`, `f IN ("a", "b")`, `f=*`, `NOT …`. A rule that needs what
 * `search` cannot say — a regex, Sigma's `?`, a literal `*`, a `|cased` value — is compiled as a whole into
 * `| where`, whose eval expressions are case-sensitive: `lower(f)=="v"`, `match(f, "(?i)^…$")` (PCRE), field names
 * with dots single-quoted. Eval functions return NULL for a missing field and `NOT NULL` is not true, so predicates
 * under a NOT get `isnotnull(f) AND …` there. Field names are the raw JSON paths the Splunk add-ons extract
 * (sourcetypes in mappings/splunk.yml). Correlations use `streamstats time_window=…`, a sliding window.
 */
import type { SigmaCorrelation, SigmaRule } from '../../sigma/types.js';
import { countedField, groupFieldsOf, ruleLabel, RuleContext, sourceFor, spanSeconds, thresholds, TextQueryBackend, type RuleParts, type StringMatch } from '../backend.js';
import { detectionExpression, type Expr, type LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toRe2 } from '../regex.js';
import { escapeRegexLiteral, globToRegex, hasSingleWildcard } from '../strings.js';
import type { Approximation, CompiledQuery, TargetName } from '../types.js';

/** An SPL double-quoted string. */
export function splString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A field name in an eval expression (`where`): single-quoted unless a plain identifier. */
export function splEvalField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name.replace(/'/g, "\\'")}'`;
}

/** A field name in `search`: double-quoted when it has characters other than letters, digits, `_`, `.`. */
function splSearchField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.{}]*$/.test(name) ? name : splString(name);
}

/** True when an expression needs `| where` (something `search` cannot express with Sigma's meaning). */
function needsWhere(e: Expr): boolean {
  switch (e.kind) {
    case 'and':
    case 'or':
      return e.children.some(needsWhere);
    case 'not':
      return needsWhere(e.child);
    case 'leaf': {
      const v = e.value;
      if (v.kind === 'regex') return true;
      if (v.kind === 'string') return v.cased || hasSingleWildcard(v.parts) || v.parts.some((p) => p.kind === 'text' && p.text.includes('*'));
      return false;
    }
  }
}

/** The Splunk compiler. */
export class SplunkBackend extends TextQueryBackend {
  readonly target: TargetName = 'splunk';
  protected override andToken = ' ';
  protected override orToken = ' OR ';
  protected override notToken = 'NOT ';
  private mode: 'search' | 'where' = 'search';

  private shapeGlob(m: StringMatch): string {
    switch (m.shape.kind) {
      case 'exact':
        return m.shape.text;
      case 'prefix':
        return `${m.shape.text}*`;
      case 'suffix':
        return `*${m.shape.text}`;
      case 'contains':
        return `*${m.shape.text}*`;
      case 'pattern':
        return m.shape.parts.map((p) => (p.kind === 'multi' ? '*' : p.kind === 'text' ? p.text : '')).join('');
    }
  }

  private whereRegex(m: StringMatch): string {
    let body: string;
    switch (m.shape.kind) {
      case 'pattern':
        body = globToRegex(m.shape.parts);
        break;
      case 'prefix':
        body = `^${escapeRegexLiteral(m.shape.text)}`;
        break;
      case 'suffix':
        body = `${escapeRegexLiteral(m.shape.text)}$`;
        break;
      case 'contains':
        body = escapeRegexLiteral(m.shape.text);
        break;
      case 'exact':
        body = `^${escapeRegexLiteral(m.shape.text)}$`;
        break;
    }
    return (m.cased ? '' : '(?i)') + body;
  }

  private guarded(f: FieldSpec, guard: boolean, pred: string): string {
    return guard ? `(isnotnull(${splEvalField(f.name)}) AND ${pred})` : pred;
  }

  protected str(f: FieldSpec, m: StringMatch, guard: boolean): string {
    if (this.mode === 'search') return `${splSearchField(f.name)}=${splString(this.shapeGlob(m))}`;
    const name = splEvalField(f.name);
    if (m.shape.kind === 'exact') {
      return this.guarded(f, guard, m.cased ? `${name}==${splString(m.shape.text)}` : `lower(${name})==${splString(m.shape.text.toLowerCase())}`);
    }
    return this.guarded(f, guard, `match(${name}, ${splString(this.whereRegex(m))})`);
  }

  protected override list(f: FieldSpec, ms: StringMatch[], guard: boolean): string | null {
    if (this.mode === 'search') return `${splSearchField(f.name)} IN (${ms.map((m) => splString(this.shapeGlob(m))).join(', ')})`;
    if (!ms.every((m) => m.shape.kind === 'exact')) return null;
    const name = ms[0].cased ? splEvalField(f.name) : `lower(${splEvalField(f.name)})`;
    const values = ms.map((m) => splString(m.shape.kind === 'exact' ? (m.cased ? m.shape.text : m.shape.text.toLowerCase()) : ''));
    return this.guarded(f, guard, `in(${name}, ${values.join(', ')})`);
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }, guard: boolean): string {
    const re = toRe2(parseRegex(v.pattern), v);
    return this.guarded(f, guard, `match(${splEvalField(f.name)}, ${splString(re)})`);
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    if (this.mode === 'search') return exists ? `${splSearchField(f.name)}=*` : `NOT ${splSearchField(f.name)}=*`;
    return exists ? `isnotnull(${splEvalField(f.name)})` : `isnull(${splEvalField(f.name)})`;
  }

  protected isNull(f: FieldSpec): string {
    return this.exists(f, false);
  }

  protected override cidr(f: FieldSpec, cidr: string, guard: boolean): string {
    if (this.mode === 'search') return `${splSearchField(f.name)}=${splString(cidr)}`;
    return this.guarded(f, guard, `cidrmatch(${splString(cidr)}, ${splEvalField(f.name)})`);
  }

  protected override compare(f: FieldSpec, op: 'lt' | 'lte' | 'gt' | 'gte', value: number, guard: boolean): string {
    const sym = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[op];
    if (this.mode === 'search') return `${splSearchField(f.name)}${sym}${value}`;
    return this.guarded(f, guard, `tonumber(${splEvalField(f.name)})${sym}${value}`);
  }

  protected override joinAnd(children: string[]): string {
    return children.join(this.mode === 'search' ? ' ' : ' AND ');
  }

  /** Compiles a rule in a given mode. */
  private partsIn(rule: SigmaRule, mode: 'search' | 'where'): RuleParts {
    const { source, datasets } = sourceFor(this.map, rule);
    const ctx = new RuleContext(rule, source, datasets);
    const expr = detectionExpression(rule.detection);
    this.mode = 'search';
    const scope = this.scope(ctx);
    this.mode = mode === 'where' || needsWhere(expr) ? 'where' : 'search';
    const condition = this.convert(expr, ctx);
    const parts: RuleParts & { mode?: string } = { ctx, scope, condition };
    parts.mode = this.mode;
    this.mode = 'search';
    return parts;
  }

  override parts(rule: SigmaRule): RuleParts {
    return this.partsIn(rule, 'search');
  }

  private searchHead(p: RuleParts): string {
    const index = typeof p.ctx.source.settings.index === 'string' ? `index=${p.ctx.source.settings.index} ` : '';
    return `${index}${p.scope}`;
  }

  protected query(p: RuleParts & { mode?: string }): CompiledQuery[] {
    const text = p.mode === 'where' ? `search ${this.searchHead(p)}\n| where ${p.condition}` : `search ${this.searchHead(p)} ${p.condition}`;
    return [{ on: p.ctx.source.from, text }];
  }

  protected override correlation(corr: SigmaCorrelation, rules: SigmaRule[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    if (corr.correlationType === 'temporal_ordered') return fail('correlation-unsupported', 'streamstats counts but does not order rules');
    if (!['event_count', 'value_count', 'temporal'].includes(corr.correlationType)) return fail('correlation-unsupported', corr.correlationType);
    const t = thresholds(corr);
    if (!t.every((c) => c.op === 'gt' || c.op === 'gte')) {
      return fail('correlation-condition-unsupported', 'a sliding streamstats window can only test lower bounds (gt, gte)');
    }
    const parts = rules.map((r) => this.partsIn(r, 'where'));
    const groups = rules.map((r, i) => groupFieldsOf(corr, r).map((g) => parts[i].ctx.field(g).name));
    if (!groups.every((g) => g.join() === groups[0].join())) return fail('correlation-condition-unsupported', 'group-by fields differ between the rules');
    const heads = [...new Set(parts.map((p) => this.searchHead(p)))];
    const search = heads.length === 1 ? heads[0] : heads.map((h) => `(${h})`).join(' OR ');
    const cases = parts.map((p, i) => `${p.condition}, "${ruleLabel(i)}"`).join(', ');
    const by = groups[0].map(splSearchField).join(' ');
    const span = spanSeconds(corr);
    let stat: string;
    let name: string;
    if (corr.correlationType === 'event_count') [stat, name] = ['count', 'mw_event_count'];
    else if (corr.correlationType === 'value_count') [stat, name] = [`dc(${splSearchField(parts[0].ctx.field(countedField(corr)).name)})`, 'mw_value_count'];
    else [stat, name] = ['dc(mw_rule)', 'mw_rules'];
    const cond = t.map((c) => `${name}${c.op === 'gt' ? '>' : '>='}${c.value}`).join(' AND ');
    const text = [
      `search ${search}`,
      `| eval mw_rule=case(${cases}, true(), null())`,
      '| where isnotnull(mw_rule)',
      '| sort 0 _time',
      `| streamstats time_window=${span}s ${stat} as ${name}${by ? ` by ${by}` : ''}`,
      `| where ${cond}`,
    ].join('\n');
    return { queries: [{ on: [...new Set(parts.map((p) => p.ctx.source.from))].join(', '), text }], approximations: [] };
  }
}
