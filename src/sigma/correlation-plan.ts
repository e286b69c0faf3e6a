/**
 * Resolving correlation rules before they run: each `rules:` reference (a rule or correlation id or `name`, spec
 * "Related rules") becomes a concrete id, chains of correlations are ordered inner first and checked for loops,
 * `aliases` become one field per (group-by name, referenced rule), and each correlation gets its evaluation mode.
 *
 * Evaluation modes (see `correlation-engine.ts` for the window semantics):
 * - `eager`: checked on the window that ends at each arriving event. For conditions that can only become true as
 *   events are added (event_count and value_count with lower bounds only, temporal types without `not`) this fires at
 *   the event that completes the pattern. Sums, averages and percentiles are also judged this way, on the recent
 *   history at each event (as Splunk's `streamstats time_window` does), whatever their bounds.
 * - `close`: counts with an upper bound, `eq` or `neq`, and temporal conditions with `not`. They speak about what a
 *   whole window holds ("exactly two", "a without b"), so the window that starts at each event is judged once it is
 *   complete: when the watermark has passed its end, or at the end of the input.
 *
 * Output: pySigma disables the standalone output of every rule a correlation with `generate: false` refers to
 * (`SigmaCorrelationRule.resolve_rule_references`, "if not self.generate: rule.disable_output()"); `silenced`
 * lists those ids (rules and correlations) so the caller can do the same.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../core/diagnostic.js';
import { conditionIdentifiers } from './condition.js';
import { CORRELATION_ENGINE } from './correlation-diagnostic-codes.js';
import type { ConditionNode, CorrelationOp, CorrelationType, SigmaCorrelation } from './types.js';

/** A rule the correlations may refer to: its id and, when it has one, its `name`. */
export interface RuleIdentity {
  id: string;
  name?: string;
  title?: string;
}

/** A correlation condition after resolution. */
export type PlannedCondition =
  /** Comparisons AND-ed over the measured value (count, distinct count, sum, …); `percentile` for value_percentile. */
  | { kind: 'threshold'; comparisons: { op: CorrelationOp; value: number }[]; percentile?: number }
  /** Temporal default: every referenced rule must occur (spec "Temporal Proximity"). */
  | { kind: 'all' }
  /** pySigma's extended temporal condition; identifiers are step indices. */
  | { kind: 'expression'; text: string; ast: ConditionNode; steps: ReadonlyMap<string, number> };

/** One correlation, ready to run. */
export interface PlannedCorrelation {
  /** The correlation's id (its `id`, or `file:line` when it has none). */
  id: string;
  correlation: SigmaCorrelation;
  type: CorrelationType;
  /** Resolved references (rule or correlation ids) in written order; a step is an index into this list. */
  steps: string[];
  /** For each step, true when it refers to another correlation. */
  stepIsCorrelation: boolean[];
  /** Group-by names as written. */
  groupNames: string[];
  /** `groupFields[g][step]`: the field read for group-by name `g` from events of `step` (aliases applied). */
  groupFields: string[][];
  /** value_* types: `valueFields[f][step]`, the condition's field(s) per step (aliases applied). */
  valueFields: string[][];
  timespanMs: number;
  condition: PlannedCondition;
  mode: 'eager' | 'close';
  /** Changes whenever anything that decides matches changes; saved state of another fingerprint is dropped. */
  fingerprint: string;
}

/** The resolved set. */
export interface CorrelationPlan {
  /** Runnable correlations, inner ones before the correlations that refer to them. */
  correlations: PlannedCorrelation[];
  /** Ids (rules or correlations) whose standalone output is disabled by a `generate: false` referrer. */
  silenced: ReadonlySet<string>;
}

/** The id of a correlation (`id`, or its source location when it has none). */
export function correlationId(c: SigmaCorrelation): string {
  return c.id ?? `${c.source.file}:${c.source.line}`;
}

function locate(c: SigmaCorrelation): Pick<Diagnostic, 'file' | 'line' | 'column'> {
  return { file: c.source.file, line: c.source.line, column: c.source.column };
}

/** True when the comparisons only bound the value from below, so adding events can only make them true. */
function lowerBoundsOnly(comparisons: readonly { op: CorrelationOp }[]): boolean {
  return comparisons.every((c) => c.op === 'gt' || c.op === 'gte');
}

function containsNot(node: ConditionNode): boolean {
  switch (node.kind) {
    case 'not':
      return true;
    case 'and':
    case 'or':
      return node.children.some(containsNot);
    case 'identifier':
    case 'of':
      return false;
  }
}

/** Resolves correlations against the loaded rules; problems are diagnostics and the broken correlations are left out. */
export function planCorrelations(correlations: readonly SigmaCorrelation[], rules: readonly RuleIdentity[]): { plan: CorrelationPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const ruleIds = new Set(rules.map((r) => r.id));
  const ruleNames = new Map<string, string>();
  for (const r of rules) if (r.name !== undefined && !ruleNames.has(r.name)) ruleNames.set(r.name, r.id);
  const corrById = new Map<string, SigmaCorrelation>();
  const corrByName = new Map<string, SigmaCorrelation>();
  for (const c of correlations) {
    const id = correlationId(c);
    if (!corrById.has(id)) corrById.set(id, c);
    if (c.name !== undefined && !corrByName.has(c.name)) corrByName.set(c.name, c);
  }

  /** A reference as written → { id, isCorrelation }, or undefined. Correlations first: a chain names its inner one. */
  const resolveRef = (ref: string): { id: string; isCorrelation: boolean } | undefined => {
    const c = corrById.get(ref) ?? corrByName.get(ref);
    if (c !== undefined) return { id: correlationId(c), isCorrelation: true };
    if (ruleIds.has(ref)) return { id: ref, isCorrelation: false };
    const byName = ruleNames.get(ref);
    if (byName !== undefined) return { id: byName, isCorrelation: false };
    return undefined;
  };

  // Resolve every correlation's references.
  const resolved = new Map<string, { c: SigmaCorrelation; steps: string[]; isCorr: boolean[]; written: string[] }>();
  for (const c of corrById.values()) {
    const id = correlationId(c);
    const steps: string[] = [];
    const isCorr: boolean[] = [];
    const written: string[] = [];
    let ok = true;
    for (const ref of c.rules) {
      const r = resolveRef(ref);
      if (r === undefined) {
        diagnostics.push({ code: CORRELATION_ENGINE.unknownRule.code, severity: 'error', message: `correlation "${c.title}" refers to "${ref}", which is neither a loaded rule nor a correlation (by id or name); the correlation is not run`, ...locate(c) });
        ok = false;
        continue;
      }
      if (steps.includes(r.id)) continue; // the same rule listed twice is one step
      steps.push(r.id);
      isCorr.push(r.isCorrelation);
      written.push(ref);
    }
    if (ok) resolved.set(id, { c, steps, isCorr, written });
  }

  // Order inner correlations first; drop loops and correlations that depend on a dropped one.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done' | 'broken'>();
  const inLoop = new Set<string>();
  const visit = (id: string, path: string[]): boolean => {
    const s = state.get(id);
    if (s === 'done') return true;
    if (s === 'broken') return false;
    const entry = resolved.get(id);
    if (entry === undefined) return false;
    if (s === 'visiting') {
      const members = path.slice(path.indexOf(id));
      const loop = [...members, id].map((x) => corrById.get(x)?.title ?? x).join(' → ');
      diagnostics.push({ code: CORRELATION_ENGINE.cycle.code, severity: 'error', message: `correlations refer to each other in a loop (${loop}); none of them is run`, ...locate(entry.c) });
      for (const m of members) inLoop.add(m);
      state.set(id, 'broken');
      return false;
    }
    state.set(id, 'visiting');
    let ok = true;
    entry.steps.forEach((step, k) => {
      if (!entry.isCorr[k]) return;
      if (!visit(step, [...path, id])) {
        if (state.get(id) !== 'broken' && !inLoop.has(id)) {
          diagnostics.push({ code: CORRELATION_ENGINE.brokenChain.code, severity: 'error', message: `correlation "${entry.c.title}" refers to correlation "${entry.written[k]}", which cannot run; it is not run either`, ...locate(entry.c) });
        }
        ok = false;
      }
    });
    if (!ok) {
      state.set(id, 'broken');
      return false;
    }
    state.set(id, 'done');
    order.push(id);
    return true;
  };
  for (const id of resolved.keys()) visit(id, []);

  const planned: PlannedCorrelation[] = [];
  const silenced = new Set<string>();
  for (const id of order) {
    const entry = resolved.get(id);
    if (entry === undefined) continue;
    const p = planOne(id, entry.c, entry.steps, entry.isCorr, entry.written, resolveRef, diagnostics);
    if (p === undefined) continue;
    planned.push(p);
    if (!entry.c.generate) for (const s of p.steps) silenced.add(s);
  }
  return { plan: { correlations: planned, silenced }, diagnostics };
}

function planOne(
  id: string,
  c: SigmaCorrelation,
  steps: string[],
  isCorr: boolean[],
  written: string[],
  resolveRef: (ref: string) => { id: string } | undefined,
  diagnostics: Diagnostic[],
): PlannedCorrelation | undefined {
  // aliases: alias name → step → field. Alias keys name rules by id or name; resolve them like references.
  const aliasFields = new Map<string, Map<number, string>>();
  for (const [alias, byRule] of Object.entries(c.aliases)) {
    const m = new Map<number, string>();
    for (const [ref, field] of Object.entries(byRule)) {
      const r = resolveRef(ref);
      const step = r === undefined ? -1 : steps.indexOf(r.id);
      if (step >= 0) m.set(step, field);
    }
    aliasFields.set(alias, m);
  }
  const fieldsFor = (name: string): string[] => steps.map((_, k) => aliasFields.get(name)?.get(k) ?? name);

  let condition: PlannedCondition;
  let mode: 'eager' | 'close';
  const cond = c.condition;
  const temporal = c.correlationType === 'temporal' || c.correlationType === 'temporal_ordered';
  if (cond === undefined) {
    condition = { kind: 'all' };
    mode = 'eager';
  } else if (cond.kind === 'expression') {
    const map = new Map<string, number>();
    for (const name of conditionIdentifiers(cond.ast)) {
      const k = written.indexOf(name);
      const r = k >= 0 ? undefined : resolveRef(name);
      const step = k >= 0 ? k : r === undefined ? -1 : steps.indexOf(r.id);
      if (step < 0) {
        diagnostics.push({ code: CORRELATION_ENGINE.expressionRule.code, severity: 'error', message: `the condition of correlation "${c.title}" names "${name}", which the correlation does not list under rules; the correlation is not run`, file: c.source.file, line: c.source.line, column: c.source.column });
        return undefined;
      }
      map.set(name, step);
    }
    condition = { kind: 'expression', text: cond.text, ast: cond.ast, steps: map };
    mode = containsNot(cond.ast) ? 'close' : 'eager';
  } else {
    if (c.correlationType === 'value_percentile' && cond.percentile === undefined) {
      // pySigma loads it (`percentile` is optional in SigmaCorrelationCondition), but which percentile is meant is unknown.
      diagnostics.push({ code: CORRELATION_ENGINE.noPercentile.code, severity: 'error', message: `correlation "${c.title}" is value_percentile but its condition names no percentile (0–100); it is not run`, file: c.source.file, line: c.source.line, column: c.source.column });
      return undefined;
    }
    condition = { kind: 'threshold', comparisons: cond.comparisons, ...(cond.percentile !== undefined ? { percentile: cond.percentile } : {}) };
    const counts = c.correlationType === 'event_count' || c.correlationType === 'value_count' || temporal;
    mode = counts && !lowerBoundsOnly(cond.comparisons) ? 'close' : 'eager';
  }
  const valueNames = cond?.kind === 'threshold' ? cond.field : [];
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({
        type: c.correlationType,
        steps,
        groupBy: c.groupBy,
        aliases: c.aliases,
        timespan: c.timespan.ms,
        condition: cond ?? null,
      }),
    )
    .digest('hex')
    .slice(0, 16);
  return {
    id,
    correlation: c,
    type: c.correlationType,
    steps,
    stepIsCorrelation: isCorr,
    groupNames: [...c.groupBy],
    groupFields: c.groupBy.map(fieldsFor),
    valueFields: valueNames.map(fieldsFor),
    timespanMs: c.timespan.ms,
    condition,
    mode,
    fingerprint,
  };
}
