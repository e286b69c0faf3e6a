/**
 * Correlation over a scan's matches: rule matches become actions (the records of one rule and one action key, so the
 * Start/Accept/Success records of an Azure operation, the first/last entries of a GCP operation and a CloudTrail
 * record delivered twice each count once), the actions go through the correlation engine in event-time order, and
 * satisfied windows come back as `CorrelationHit`s that `correlation-alerts.ts` turns into alerts.
 *
 * Field values for `group-by`, `aliases` and condition fields are read from the canonical fields (`Event.fields`,
 * through `eventTarget` so `mappings/aliases.yml` names work too), on every record of the action in time order: the
 * first record that has the field wins (Azure's `properties.requestbody` is only on the Start record).
 *
 * Sorting the whole batch first makes a scan's result independent of the order its files were read. A correlation
 * can span scans: `exportState()` after a scan and `importState()` before the next (the state store's
 * `saveCorrelationState` / `loadCorrelationState`); events of the second scan up to `allowedLatenessMs` older than
 * the latest event of the first are still correlated, older ones are counted and reported (MW1424).
 */
import type { Report } from '../core/diagnostic.js';
import { DATASETS, type Event, type Origin } from '../core/event.js';
import { isObject } from '../core/json.js';
import type { SigmaCorrelation } from '../sigma/index.js';
import { loadRuleFilesOnce } from './rule-set.js';
import { CORRELATION_ENGINE } from '../sigma/correlation-diagnostic-codes.js';
import {
  CorrelationEngine,
  DEFAULT_ALLOWED_LATENESS_MS,
  type CorrelationCounters,
  type CorrelationEngineState,
  type CorrelationPart,
  type EngineHit,
} from '../sigma/correlation-engine.js';
import { planCorrelations, type CorrelationPlan, type RuleIdentity } from '../sigma/correlation-plan.js';
import type { ActiveRule } from './active-rule.js';
import type { Match } from './scan.js';
import { eventTarget, type FieldAliases } from './target.js';

/** The records of one rule's match on one action: what a correlation counts as one event. */
export interface CorrelationAction {
  ruleId: string;
  /** Distinct records in time order. */
  events: Event[];
  /** Further origins of records read more than once, by record key. */
  duplicates: Record<string, Origin[]>;
}

/** One part of a correlation hit: the records of one matched action, or the hit of an inner correlation. */
export interface CorrelationHitPart {
  /** The rule (or inner correlation) that matched. */
  ruleId: string;
  ruleTitle: string;
  timeMs: number;
  /** Event time as the source wrote it (the first record of the action). */
  time: string;
  /** The action key, or the inner hit's id. */
  key: string;
  events: Event[];
  duplicates: Record<string, Origin[]>;
  hit?: CorrelationHit;
}

/** A satisfied correlation window: what one correlation alert is built from. */
export interface CorrelationHit {
  /** Stable across scans for the same parts (used as the alert id). */
  id: string;
  correlation: SigmaCorrelation;
  /** The group-by names and the values the parts share (as the first part wrote them). */
  group: { name: string; value: unknown }[];
  windowStartMs: number;
  windowEndMs: number;
  firstMs: number;
  lastMs: number;
  /** The measured value: events, distinct values, rules in (order), sum, average or percentile. */
  value: number;
  parts: CorrelationHitPart[];
  /** False for an inner correlation that only feeds a `generate: false` outer one. */
  emit: boolean;
}

/** Options of a correlation run. */
export interface CorrelateOptions {
  /** Rule `name` → rule id, for correlations that refer to rules by name (see `loadCorrelations`). */
  ruleNames?: ReadonlyMap<string, string>;
  /** Field aliases per dataset (`mappings/aliases.yml`). */
  aliases?: FieldAliases;
  /** See `CorrelationEngineOptions`; default 15 minutes. */
  allowedLatenessMs?: number;
  maxGroups?: number;
  maxEntriesPerGroup?: number;
  caseSensitiveGroups?: boolean;
  /** Where diagnostics go (resolution problems at construction, late events and caps after `finish`). */
  report?: Report;
}

/** What `exportState` returns and `importState` accepts. */
export interface CorrelationState {
  engine: CorrelationEngineState;
}

function firstValue(events: readonly Event[], path: string, aliases?: FieldAliases): unknown {
  for (const ev of events) {
    const v = eventTarget(ev, aliases).get(path);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function compareEvents(a: Event, b: Event): number {
  if (a.timeMs !== b.timeMs) return (Number.isNaN(a.timeMs) ? Infinity : a.timeMs) < (Number.isNaN(b.timeMs) ? Infinity : b.timeMs) ? -1 : 1;
  return a.recordKey < b.recordKey ? -1 : a.recordKey > b.recordKey ? 1 : 0;
}

/** Folds matches into actions: one per (rule, action key), records deduplicated by record key. */
export function matchesToActions(matches: readonly Match[], keep?: (ruleId: string) => boolean): CorrelationAction[] {
  const byKey = new Map<string, CorrelationAction>();
  for (const { rule, event } of matches) {
    if (keep !== undefined && !keep(rule.id)) continue;
    const k = `${rule.id}\u0000${event.actionKey}`;
    let action = byKey.get(k);
    if (action === undefined) {
      action = { ruleId: rule.id, events: [], duplicates: {} };
      byKey.set(k, action);
    }
    const seen = action.events.find((e) => e.recordKey === event.recordKey);
    if (seen !== undefined) {
      const o = event.origin;
      const same = seen.origin.file === o.file && seen.origin.line === o.line && seen.origin.record === o.record && seen.origin.column === o.column;
      if (!same) (action.duplicates[event.recordKey] ??= []).push(o);
      continue;
    }
    action.events.push(event);
  }
  const out = [...byKey.values()];
  for (const a of out) a.events.sort(compareEvents);
  return out;
}

/** The time of an action: its first record with a usable time. */
function actionTime(a: CorrelationAction): number {
  for (const e of a.events) if (Number.isFinite(e.timeMs)) return e.timeMs;
  return NaN;
}

/** Checks that a saved event has the shape of an `Event` (state written by another version is not trusted). */
function decodeEvent(x: unknown): Event | undefined {
  if (!isObject(x)) return undefined;
  if (typeof x.dataset !== 'string' || !(DATASETS as readonly string[]).includes(x.dataset)) return undefined;
  if (!isObject(x.logsource) || !isObject(x.fields) || typeof x.time !== 'string') return undefined;
  if (!isObject(x.origin) || typeof x.origin.file !== 'string' || typeof x.recordKey !== 'string' || typeof x.actionKey !== 'string') return undefined;
  // JSON writes NaN (a record without a usable time) as null.
  if (x.timeMs === null) return { ...(x as unknown as Event), timeMs: NaN };
  if (typeof x.timeMs !== 'number') return undefined;
  return x as unknown as Event;
}

function decodeAction(x: unknown): CorrelationAction | undefined {
  if (!isObject(x) || typeof x.ruleId !== 'string' || !Array.isArray(x.events) || !isObject(x.duplicates)) return undefined;
  const events: Event[] = [];
  for (const e of x.events) {
    const ev = decodeEvent(e);
    if (ev === undefined) return undefined;
    events.push(ev);
  }
  if (events.length === 0) return undefined;
  return { ruleId: x.ruleId, events, duplicates: x.duplicates as Record<string, Origin[]> };
}

/**
 * Runs correlation rules over rule matches, keeping state between batches and across scans. Construct it once per
 * scan, `importState` (optional), `add` the scan's matches, `finish`, then `exportState` to save.
 */
export class Correlator {
  readonly plan: CorrelationPlan;
  private readonly engine: CorrelationEngine<CorrelationAction>;
  private readonly report: Report;
  private readonly titles = new Map<string, string>();
  private readonly correlations = new Map<string, SigmaCorrelation>();

  constructor(
    correlations: readonly SigmaCorrelation[],
    rulesById: ReadonlyMap<string, ActiveRule>,
    private readonly options: CorrelateOptions = {},
  ) {
    this.report = options.report ?? (() => undefined);
    const namesById = new Map<string, string>();
    for (const [name, id] of options.ruleNames ?? []) if (!namesById.has(id)) namesById.set(id, name);
    const identities: RuleIdentity[] = [...rulesById.values()].map((r) => ({ id: r.id, title: r.title, name: namesById.get(r.id) }));
    const { plan, diagnostics } = planCorrelations(correlations, identities);
    for (const d of diagnostics) this.report(d);
    this.plan = plan;
    for (const r of rulesById.values()) this.titles.set(r.id, r.title);
    for (const p of plan.correlations) {
      this.titles.set(p.id, p.correlation.title);
      this.correlations.set(p.id, p.correlation);
    }
    this.engine = new CorrelationEngine<CorrelationAction>(plan, {
      readField: (action, path) => firstValue(action.events, path, options.aliases),
      allowedLatenessMs: options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS,
      maxGroups: options.maxGroups,
      maxEntriesPerGroup: options.maxEntriesPerGroup,
      caseSensitiveGroups: options.caseSensitiveGroups,
    });
  }

  /** Rule and correlation ids whose standalone alerts a `generate: false` correlation disables (pySigma semantics). */
  get silenced(): ReadonlySet<string> {
    return this.plan.silenced;
  }

  /** Restores the state a previous scan saved; a state that cannot be used is reported (MW1428) and ignored. */
  importState(state: unknown): void {
    if (state === undefined || state === null) return;
    const engineState = isObject(state) ? state.engine : undefined;
    const { rejected, changed } = this.engine.importState(engineState, decodeAction);
    if (rejected !== undefined) {
      this.report({ code: CORRELATION_ENGINE.badState.code, severity: 'warning', message: `the correlation state saved by an earlier scan cannot be used (${rejected}); correlation starts afresh` });
    }
    for (const title of changed) {
      this.report({ code: CORRELATION_ENGINE.changedRule.code, severity: 'info', message: `correlation "${title}" changed since the last scan; its open windows start afresh` });
    }
  }

  /** Adds a batch of matches (a whole scan's, so Start and Success records of one operation fold together). */
  add(matches: readonly Match[]): void {
    const actions = matchesToActions(matches, (id) => this.engine.consumes(id))
      .map((a) => ({ a, t: actionTime(a), key: a.events[0].actionKey }))
      .sort((x, y) => {
        const tx = Number.isNaN(x.t) ? Infinity : x.t;
        const ty = Number.isNaN(y.t) ? Infinity : y.t;
        if (tx !== ty) return tx < ty ? -1 : 1;
        if (x.key !== y.key) return x.key < y.key ? -1 : 1;
        return x.a.ruleId < y.a.ruleId ? -1 : x.a.ruleId > y.a.ruleId ? 1 : 0;
      });
    for (const { a, t, key } of actions) this.engine.push(a.ruleId, t, key, a);
  }

  /**
   * Processes what is buffered and returns the hits since the last call (those to be shown: `emit`), in time order.
   * `final` judges windows that are still open (no more input will come; use it without a state store); without it
   * they wait in the state for the next scan.
   */
  finish(final: boolean): CorrelationHit[] {
    this.engine.flush(final);
    this.reportNotes();
    return this.engine
      .takeHits()
      .filter((h) => h.emit)
      .map((h) => this.toHit(h))
      .sort((a, b) => a.lastMs - b.lastMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The state to save for the next scan (after `finish(false)`). */
  exportState(): CorrelationState {
    return { engine: this.engine.exportState((a) => a) };
  }

  /** Counters per correlation id. */
  counters(): Map<string, CorrelationCounters> {
    return this.engine.counters();
  }

  /** Late observations so far. */
  get late(): { count: number } {
    return { count: this.engine.late.count };
  }

  private reported = { late: 0, untimed: 0, groups: new Map<string, number>(), entries: new Map<string, number>() };

  private reportNotes(): void {
    const late = this.engine.late;
    if (late.count > this.reported.late) {
      const s = late.samples[0];
      const ev = s?.payload.events[0];
      const where = ev === undefined ? {} : { file: ev.origin.file, line: ev.origin.line, column: ev.origin.column, record: ev.origin.record };
      const n = late.count - this.reported.late;
      this.report({
        code: CORRELATION_ENGINE.late.code,
        severity: 'info',
        message: `${n} match(es) older than the correlation watermark were not correlated (they arrived more than the allowed lateness behind the latest event already correlated; a re-scan of files scanned before causes this)${s ? `: first ${this.titles.get(s.ref) ?? s.ref} at ${new Date(s.timeMs).toISOString()}, watermark ${new Date(s.watermarkMs).toISOString()}` : ''}`,
        ...where,
      });
      this.reported.late = late.count;
    }
    if (this.engine.untimed > this.reported.untimed) {
      this.report({ code: CORRELATION_ENGINE.untimed.code, severity: 'info', message: `${this.engine.untimed - this.reported.untimed} match(es) without a usable event time were not correlated` });
      this.reported.untimed = this.engine.untimed;
    }
    for (const [id, c] of this.engine.counters()) {
      const corr = this.correlations.get(id);
      const where = corr === undefined ? {} : { file: corr.source.file, line: corr.source.line };
      const g = c.evictedGroups - (this.reported.groups.get(id) ?? 0);
      if (g > 0) {
        this.report({ code: CORRELATION_ENGINE.groupCap.code, severity: 'warning', message: `correlation "${this.titles.get(id)}" reached its limit of groups: ${g} least recently active group(s) were forgotten (raise maxGroups if they matter)`, ...where });
        this.reported.groups.set(id, c.evictedGroups);
      }
      const e = c.evictedEntries - (this.reported.entries.get(id) ?? 0);
      if (e > 0) {
        this.report({ code: CORRELATION_ENGINE.entryCap.code, severity: 'warning', message: `correlation "${this.titles.get(id)}" reached its limit of events per group: ${e} oldest event(s) were forgotten (raise maxEntriesPerGroup if they matter)`, ...where });
        this.reported.entries.set(id, c.evictedEntries);
      }
    }
  }

  private toHit(h: EngineHit<CorrelationAction>): CorrelationHit {
    const correlation = this.correlations.get(h.correlationId);
    if (correlation === undefined) throw new Error(`hit of unknown correlation ${h.correlationId}`);
    return {
      id: h.id,
      correlation,
      group: h.group,
      windowStartMs: h.windowStartMs,
      windowEndMs: h.windowEndMs,
      firstMs: h.firstMs,
      lastMs: h.lastMs,
      value: h.value,
      parts: h.parts.map((p) => this.toPart(p)),
      emit: h.emit,
    };
  }

  private toPart(p: CorrelationPart<CorrelationAction>): CorrelationHitPart {
    if (p.kind === 'event') {
      return {
        ruleId: p.ref,
        ruleTitle: this.titles.get(p.ref) ?? p.ref,
        timeMs: p.timeMs,
        time: p.payload.events.find((e) => e.timeMs === p.timeMs)?.time ?? new Date(p.timeMs).toISOString(),
        key: p.key,
        events: p.payload.events,
        duplicates: p.payload.duplicates,
      };
    }
    const inner = this.toHit(p.hit);
    const events = inner.parts.flatMap((x) => x.events);
    const duplicates: Record<string, Origin[]> = {};
    for (const x of inner.parts) Object.assign(duplicates, x.duplicates);
    return { ruleId: p.ref, ruleTitle: this.titles.get(p.ref) ?? p.ref, timeMs: p.timeMs, time: new Date(p.timeMs).toISOString(), key: p.key, events, duplicates, hit: inner };
  }
}

/**
 * One-shot correlation of one scan's matches: with `state`, the windows of an earlier scan continue; with `final`
 * (default true when there is no state to save) open windows are judged at the end. Returns the hits to show.
 */
export function correlateMatches(
  matches: readonly Match[],
  correlations: readonly SigmaCorrelation[],
  rulesById: ReadonlyMap<string, ActiveRule>,
  options: CorrelateOptions & { state?: unknown; final?: boolean } = {},
): CorrelationHit[] {
  const c = new Correlator(correlations, rulesById, options);
  c.importState(options.state);
  c.add(matches);
  return c.finish(options.final ?? true);
}

/**
 * Loads the correlation documents under `paths` and the rule names they may refer to. Use it next to `loadRuleSet`
 * on the same paths: loading problems of the files are reported there, so they are not repeated here.
 */
export async function loadCorrelations(paths: readonly string[]): Promise<{ correlations: SigmaCorrelation[]; ruleNames: Map<string, string> }> {
  const loaded = await loadRuleFilesOnce(paths);
  const ruleNames = new Map<string, string>();
  for (const r of loaded.rules) if (r.name !== undefined && r.id !== undefined && !ruleNames.has(r.name)) ruleNames.set(r.name, r.id);
  const seen = new Set<string>();
  const correlations = loaded.correlations.filter((c) => {
    const id = c.id ?? `${c.source.file}:${c.source.line}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { correlations, ruleNames };
}
