/**
 * The shared compiler base, after pySigma's `TextQueryBackend` (sigma/conversion/base.py): a target fills in its
 * tokens (`and`, `or`, `not`, grouping, string quoting) and one method per kind of predicate (equality, prefix,
 * suffix, contains, wildcard pattern, value list, regex, exists, null, CIDR, comparison); the base walks the
 * expression, groups OR-ed values of one field into lists, resolves fields through the target's field map, scopes the
 * query to the rule's datasets, and turns every unsupported construct into a named failure.
 *
 * Null semantics: in SQL-like languages (ES|QL, AQL, SQL) a predicate on a missing field is NULL and `NOT NULL` is
 * still NULL, so `not (errorCode = 'x')` would drop every record without an errorCode (Elastic, "Working with NULL
 * values in ES|QL"). Predicates under a NOT are therefore compiled with `guard` set, and such targets make them
 * two-valued (`f IS NOT NULL AND …` or `coalesce(…, false)`).
 */
import { DATASET_LOGSOURCES, DATASETS, logSourceApplies, type Dataset, type LogSource } from '../core/event.js';
import type { CorrelationCondition, SigmaCorrelation, SigmaLogSource, SigmaRule } from '../sigma/types.js';
import { detectionExpression, type Expr, type LeafValue } from './expression.js';
import { resolveField, type FieldMap, type FieldSpec, type SourceMap } from './field-map.js';
import { ExportFailure, fail } from './reasons.js';
import { hasSingleWildcard, shapeOf, type StringShape } from './strings.js';
import type { Approximation, CompiledQuery, CompileResult, TargetName } from './types.js';

/** What a compiler knows while compiling one rule. */
export class RuleContext {
  readonly approximations: Approximation[] = [];
  constructor(
    readonly rule: SigmaRule,
    readonly source: SourceMap,
    readonly datasets: Dataset[],
  ) {}

  /** The target spec of a Sigma field, or a failure naming it. */
  field(name: string): FieldSpec {
    const spec = resolveField(this.source, name);
    if (!spec) return fail('unmapped-field', `${name} (source ${this.source.key})`);
    if (spec.approximation && !this.approximations.some((a) => a.message === spec.approximation)) {
      this.approximations.push({ code: 'device-context', message: spec.approximation });
    }
    return spec;
  }

  /** Records an approximation once. */
  approximate(a: Approximation): void {
    if (!this.approximations.some((x) => x.code === a.code && x.message === a.message)) this.approximations.push(a);
  }
}

/** A string predicate of one field. */
export interface StringMatch {
  shape: StringShape;
  cased: boolean;
}

/** A rule's compiled parts, reused by correlations. */
export interface RuleParts {
  ctx: RuleContext;
  /** The dataset scope as a target expression ('' when the source needs none). */
  scope: string;
  /** The detection as a target expression. */
  condition: string;
}

/** The datasets whose events a rule's log source applies to. */
export function datasetsFor(logsource: SigmaLogSource): Dataset[] {
  const ls: LogSource = {};
  if (logsource.category !== undefined) ls.category = logsource.category;
  if (logsource.product !== undefined) ls.product = logsource.product;
  if (logsource.service !== undefined) ls.service = logsource.service;
  return DATASETS.filter((d) => DATASET_LOGSOURCES[d].some((e) => logSourceApplies(ls, e)));
}

/** Picks the field-map source that covers every dataset of the rule. */
export function sourceFor(map: FieldMap, rule: SigmaRule): { source: SourceMap; datasets: Dataset[] } {
  const datasets = datasetsFor(rule.logsource);
  const ls = [rule.logsource.category, rule.logsource.product, rule.logsource.service].filter(Boolean).join('/');
  if (datasets.length === 0) return fail('unsupported-logsource', `no dataset has the log source ${ls}`);
  for (const source of map.sources) {
    if (datasets.every((d) => source.datasets.has(d))) return { source, datasets };
  }
  const partial = map.sources.find((s) => datasets.some((d) => s.datasets.has(d)));
  if (partial) {
    const missing = datasets.filter((d) => !partial.datasets.has(d));
    return fail('unsupported-logsource', `${ls}: source ${partial.key} lacks ${missing.join(', ')}`);
  }
  return fail('unsupported-logsource', `${ls} (${datasets.join(', ')}) has no source in mappings/${map.target}.yml`);
}

/** Numeric comparison operators as most languages write them. */
export const COMPARE_SYMBOL = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** The shared compiler. */
export abstract class TextQueryBackend {
  abstract readonly target: TargetName;
  protected andToken = ' and ';
  protected orToken = ' or ';
  protected notToken = 'not ';
  protected groupOpen = '(';
  protected groupClose = ')';

  constructor(readonly map: FieldMap) {}

  // ----- tokens and predicates a target provides -----------------------------------------------------------------

  /** A string predicate (`shape` says equality, prefix, suffix, contains or pattern). */
  protected abstract str(f: FieldSpec, m: StringMatch, guard: boolean, ctx: RuleContext): string;

  /** An OR of string predicates on one field as one list expression, or null to write them one by one. */
  protected list(_f: FieldSpec, _ms: StringMatch[], _guard: boolean, _ctx: RuleContext): string | null {
    return null;
  }

  /** A regex search. */
  protected regex(_f: FieldSpec, v: LeafValue & { kind: 'regex' }, _guard: boolean, _ctx: RuleContext): string {
    return fail('regex-unsupported', `/${v.pattern}/`);
  }

  /** The field is present (or absent). */
  protected abstract exists(f: FieldSpec, exists: boolean): string;

  /** The field is missing or null. */
  protected abstract isNull(f: FieldSpec): string;

  /** A number written in the rule (Sigma compares its text; a numeric field compares its value). */
  protected number(f: FieldSpec, v: LeafValue & { kind: 'number' }, guard: boolean, ctx: RuleContext): string {
    return this.str(f, { shape: { kind: 'exact', text: v.text }, cased: false }, guard, ctx);
  }

  /** A boolean written in the rule. */
  protected boolean(f: FieldSpec, value: boolean, guard: boolean, ctx: RuleContext): string {
    return this.str(f, { shape: { kind: 'exact', text: value ? 'true' : 'false' }, cased: false }, guard, ctx);
  }

  /** A CIDR network. */
  protected cidr(_f: FieldSpec, cidr: string, _guard: boolean): string {
    return fail('modifier-unsupported', `cidr ${cidr}`);
  }

  /** A numeric comparison. */
  protected compare(_f: FieldSpec, op: string, value: number, _guard: boolean): string {
    return fail('modifier-unsupported', `${op} ${value}`);
  }

  /** A keyword search over the whole event. */
  protected keyword(_m: StringMatch): string {
    return fail('keyword-search-unsupported', 'keywords without a field');
  }

  /** The scope predicate of one dataset: AND of `field = value` conditions from the field map. */
  protected scopeEquals(field: string, values: string[]): string {
    const spec: FieldSpec = { name: field, kind: 'keyword' };
    const ms = values.map((v): StringMatch => ({ shape: { kind: 'exact', text: v }, cased: true }));
    return ms.length === 1 ? this.str(spec, ms[0], false, this.dummyContext()) : (this.list(spec, ms, false, this.dummyContext()) ?? ms.map((m) => this.str(spec, m, false, this.dummyContext())).join(this.orToken));
  }

  /** Wraps the scope and condition into the target's query text. */
  protected abstract query(parts: RuleParts): CompiledQuery[];

  // ----- the walk -----------------------------------------------------------------------------------------------

  private dummy: RuleContext | undefined;
  private dummyContext(): RuleContext {
    this.dummy ??= new RuleContext({} as SigmaRule, { key: '', from: '', settings: {}, datasets: new Map(), fields: new Map(), prefixes: [], lists: new Set() }, []);
    return this.dummy;
  }

  /** Puts a sub-expression in parentheses. */
  protected group(s: string): string {
    return `${this.groupOpen}${s}${this.groupClose}`;
  }

  /** Writes NOT over an already converted child. */
  protected negate(child: string): string {
    return `${this.notToken}${this.group(child)}`;
  }

  /** Joins AND-ed children (already converted). */
  protected joinAnd(children: string[]): string {
    return children.join(this.andToken);
  }

  /** Joins OR-ed children (already converted). */
  protected joinOr(children: string[]): string {
    return children.join(this.orToken);
  }

  /** Converts an expression; `guard` is true under a NOT. */
  convert(e: Expr, ctx: RuleContext, guard = false): string {
    switch (e.kind) {
      case 'leaf':
        return this.leaf(e.field, e.value, guard, ctx);
      case 'not':
        return this.negate(this.convert(e.child, ctx, true));
      case 'and':
        return this.joinAnd(e.children.map((c) => this.wrap(c, ctx, guard)));
      case 'or':
        return this.joinOr(this.orChildren(e.children, ctx, guard));
    }
  }

  private wrap(c: Expr, ctx: RuleContext, guard: boolean): string {
    const s = this.convert(c, ctx, guard);
    return c.kind === 'and' || c.kind === 'or' ? this.group(s) : s;
  }

  /** OR children, with string predicates on one field grouped into list expressions where the target has them. */
  private orChildren(children: Expr[], ctx: RuleContext, guard: boolean): string[] {
    const out: string[] = [];
    const byField = new Map<string, { index: number; ms: StringMatch[] }>();
    const slots: (string | { field: string })[] = [];
    for (const c of children) {
      if (c.kind === 'leaf' && c.field !== null && c.value.kind === 'string') {
        const key = `${c.field}\u0000${c.value.cased}`;
        const g = byField.get(key);
        const m: StringMatch = { shape: shapeOf(c.value.parts), cased: c.value.cased };
        if (g) g.ms.push(m);
        else {
          byField.set(key, { index: slots.length, ms: [m] });
          slots.push({ field: key });
        }
      } else slots.push(this.wrap(c, ctx, guard));
    }
    for (const s of slots) {
      if (typeof s === 'string') {
        out.push(s);
        continue;
      }
      const field = s.field.split('\u0000')[0];
      const g = byField.get(s.field) as { ms: StringMatch[] };
      const spec = ctx.field(field);
      const listed = g.ms.length > 1 ? this.list(spec, g.ms, guard, ctx) : null;
      if (listed !== null) {
        out.push(listed);
        continue;
      }
      // A target whose lists take exact values only: list the exact ones, write the others one by one.
      const exact = g.ms.filter((m) => m.shape.kind === 'exact');
      const exactList = exact.length > 1 && exact.length < g.ms.length ? this.list(spec, exact, guard, ctx) : null;
      if (exactList !== null) out.push(exactList);
      for (const m of g.ms) if (exactList === null || m.shape.kind !== 'exact') out.push(this.str(spec, m, guard, ctx));
    }
    return out;
  }

  private leaf(field: string | null, v: LeafValue, guard: boolean, ctx: RuleContext): string {
    if (field === null) {
      if (v.kind === 'string') return this.keyword({ shape: shapeOf(v.parts), cased: v.cased });
      return fail('keyword-search-unsupported', `a ${v.kind} keyword`);
    }
    const f = ctx.field(field);
    if (f.list) this.listField(f, v.kind === 'exists' || v.kind === 'null', ctx);
    switch (v.kind) {
      case 'string':
        return this.str(f, { shape: shapeOf(v.parts), cased: v.cased }, guard, ctx);
      case 'number':
        return this.number(f, v, guard, ctx);
      case 'boolean':
        return this.boolean(f, v.value, guard, ctx);
      case 'null':
        return this.isNull(f);
      case 'exists':
        return this.exists(f, v.exists);
      case 'regex':
        return this.regex(f, v, guard, ctx);
      case 'cidr':
        return this.cidr(f, v.cidr, guard);
      case 'compare':
        return this.compare(f, v.op, v.value, guard);
      case 'fieldref':
        return fail('modifier-unsupported', `fieldref ${v.field}`);
      case 'timepart':
        return fail('modifier-unsupported', `time part ${v.part}`);
      default: {
        const never: never = v;
        throw new Error(`unexpected value ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * How the target stores a JSON list: `multi-value` (Elasticsearch: every element is a value, and a predicate holds
   * when any element satisfies it, as in Sigma) or `none` (the field map reaches it as one JSON text or scalar, so
   * an element test cannot be written: the rule fails rather than silently testing the list's text).
   */
  protected listValues: 'multi-value' | 'none' = 'none';

  /** Checks a predicate on a list field; presence tests on stores that drop empty lists are approximations. */
  protected listField(f: FieldSpec, presence: boolean, ctx: RuleContext): void {
    if (this.listValues === 'none') fail('list-field-unsupported', `${f.name} holds a list and ${this.target} reaches it as one value`);
    if (presence) {
      ctx.approximate({
        code: 'empty-value',
        message: `${f.name} holds a list, and Elasticsearch indexes no value for an empty list ([]): a field sent as [] reads as absent, so exists: true misses it (ES "exists query")`,
      });
    }
  }

  // ----- rules --------------------------------------------------------------------------------------------------

  /** The scope of a rule's datasets as a target expression ('' when the source's datasets need no condition). */
  protected scope(ctx: RuleContext): string {
    const conds = ctx.datasets.map((d) => ctx.source.datasets.get(d) ?? {});
    if (conds.every((c) => Object.keys(c).length === 0)) return '';
    // The common case: one field whose value differs per dataset → one list.
    const keys = [...new Set(conds.flatMap((c) => Object.keys(c)))];
    if (keys.length === 1 && conds.every((c) => Object.keys(c).length === 1)) {
      const values = [...new Set(conds.map((c) => c[keys[0]]))];
      return this.scopeEquals(keys[0], values);
    }
    const each = conds.map((c) => this.joinAnd(Object.entries(c).map(([f, v]) => this.scopeEquals(f, [v]))));
    return each.length === 1 ? each[0] : this.joinOr(each.map((s) => this.group(s)));
  }

  /** Compiles a rule's scope and condition (throws ExportFailure). */
  parts(rule: SigmaRule): RuleParts {
    const { source, datasets } = sourceFor(this.map, rule);
    const ctx = new RuleContext(rule, source, datasets);
    const expr = detectionExpression(rule.detection);
    const condition = this.convert(expr, ctx);
    return { ctx, scope: this.scope(ctx), condition };
  }

  /** Compiles one rule; failures become results with their reason. */
  compileRule(rule: SigmaRule): CompileResult {
    try {
      const parts = this.parts(rule);
      return { status: 'compiled', queries: this.query(parts), approximations: parts.ctx.approximations, requirements: this.map.requirements };
    } catch (e) {
      if (e instanceof ExportFailure) return { status: 'failed', reason: e.reason, detail: e.detail };
      throw e;
    }
  }

  /** Compiles a correlation over already loaded rules (ids and names resolve). Default: the target has none. */
  compileCorrelation(corr: SigmaCorrelation, rules: ReadonlyMap<string, SigmaRule>): CompileResult {
    try {
      const referenced = corr.rules.map((r) => rules.get(r) ?? fail('correlation-rule-missing', r));
      const parts = referenced.map((r) => {
        try {
          return this.parts(r);
        } catch (e) {
          if (e instanceof ExportFailure) return fail('correlation-rule-failed', `${r.title}: ${e.reason} (${e.detail})`);
          throw e;
        }
      });
      const c = this.correlation(corr, referenced, parts);
      const approximations = parts.flatMap((p) => p.ctx.approximations).concat(c.approximations);
      return { status: 'compiled', queries: c.queries, approximations, requirements: this.map.requirements };
    } catch (e) {
      if (e instanceof ExportFailure) return { status: 'failed', reason: e.reason, detail: e.detail };
      throw e;
    }
  }

  /** Writes a correlation from its rules' parts; targets that can express correlations override this. */
  protected correlation(corr: SigmaCorrelation, _rules: SigmaRule[], _parts: RuleParts[]): { queries: CompiledQuery[]; approximations: Approximation[] } {
    return fail('correlation-unsupported', `${corr.correlationType} on ${this.target}`);
  }
}

/** The threshold comparisons of a correlation (temporal ones default to "all referenced rules"). */
export function thresholds(corr: SigmaCorrelation): { op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number }[] {
  const c: CorrelationCondition | undefined = corr.condition;
  if (c === undefined) {
    if (corr.correlationType === 'temporal' || corr.correlationType === 'temporal_ordered') return [{ op: 'gte', value: corr.rules.length }];
    return fail('correlation-condition-unsupported', 'no condition');
  }
  if (c.kind === 'expression') return fail('correlation-condition-unsupported', `the extended temporal condition "${c.text}"`);
  return c.comparisons;
}

/** The one field a value_count (or value_sum …) correlation counts. */
export function countedField(corr: SigmaCorrelation): string {
  const c = corr.condition;
  if (c?.kind === 'threshold' && c.field.length === 1) return c.field[0];
  return fail('correlation-condition-unsupported', 'value_count needs exactly one field');
}

/** A short, safe identifier for a rule inside a correlation query (r1, r2 …), by position. */
export function ruleLabel(i: number): string {
  return `r${i + 1}`;
}

/** Throws the failure for a `?` wildcard on targets that have no single-character wildcard. */
export function rejectSingleWildcard(m: StringMatch): void {
  if (m.shape.kind === 'pattern' && hasSingleWildcard(m.shape.parts)) fail('single-wildcard-unsupported', 'the `?` wildcard');
}

/** The timespan of a correlation in whole seconds. */
export function spanSeconds(corr: SigmaCorrelation): number {
  return Math.round(corr.timespan.ms / 1000);
}

/** The group-by fields of a correlation as one referenced rule names them (aliases resolve per rule name or id). */
export function groupFieldsOf(corr: SigmaCorrelation, rule: SigmaRule): string[] {
  return corr.groupBy.map((g) => {
    const alias = corr.aliases[g];
    if (!alias) return g;
    return (rule.name !== undefined ? alias[rule.name] : undefined) ?? (rule.id !== undefined ? alias[rule.id] : undefined) ?? g;
  });
}
