/**
 * The Sigma v2 correlation engine (SigmaHQ sigma-specification `specification/sigma-correlation-rules-specification.md`,
 * v2.1 types value_sum / value_avg / value_percentile and pySigma's extended temporal conditions). It consumes
 * observations ("rule R matched something at time T", with an opaque payload) and produces hits ("correlation C is
 * satisfied for group G by these parts"). It knows nothing about log formats: the caller supplies `readField`.
 *
 * Semantics, chosen to avoid the bug classes other engines shipped (query-languages.md §4 and §8.3: Hayabusa's
 * window-edge over-count, group-by leakage, order not enforced; pySigma backends' fixed buckets):
 *
 * - **Groups.** Every correlation keeps separate state per group: the tuple of its `group-by` values, read from each
 *   event with `aliases` applied (an alias maps a group-by name to a different field per referenced rule). Values
 *   compare case-insensitively by default, like Sigma's own string matching (Azure writes the same resource id in
 *   upper, lower and mixed case); numbers compare by their text ("1" = 1); an array is compared as a set. An event
 *   without a value for some group-by field cannot be placed and is not correlated (counted as `ungrouped`), which
 *   is also why a `DeleteTrafficMirrorTarget` never joins a group keyed by the session id. `group-by` applies to every
 *   type, temporal ones included.
 * - **Sliding windows.** A window is `timespan` long and anchored at an event, never at fixed clock buckets, with both
 *   ends inclusive. An `eager` condition (see `correlation-plan.ts`) is checked on the window that ends at each
 *   event: counts fire at the event that completes them, sums, averages and percentiles describe the history up to
 *   each event. A `close` condition (an upper bound on a count, `eq`, `neq`, `not`) is checked on the window that
 *   starts at each event, once that window is complete ("no b within 10 minutes after a" needs the 10 minutes).
 * - **Exactly once.** When a window satisfies the condition the correlation fires once and the window's events are
 *   consumed: no later window may use them again. So overlapping windows never repeat an alert; ten sessions by one
 *   principal with `value_count gte 3` give three alerts of three distinct ENIs each (the tenth waits for two more).
 *   The parts of a hit are every event of the group inside the satisfied window.
 * - **Order.** temporal_ordered needs a chain of distinct events, one per listed rule, in the listed order (equal
 *   timestamps count as in order: the clock cannot tell them apart). One record matching two listed rules provides two
 *   events. With a count condition, the count is the longest such chain (steps may be skipped, never reordered).
 * - **Duplicates.** The same (rule, key) in a group is counted once: a record delivered twice, or the Start, Accept
 *   and Success records of one Azure operation when the caller keys them by action.
 * - **Late and out-of-order events.** Observations wait in a buffer sorted by (time, key, rule) until the watermark,
 *   `max event time seen − allowedLateness`, passes them, so within the lateness results do not depend on arrival
 *   order. An observation older than the watermark is late: it is counted, sampled for the report, and dropped.
 *   `flush()` processes the buffer at the end of an input; events arriving afterwards (a second scan) that are still
 *   within the lateness are inserted where they belong and the windows containing them are checked again.
 * - **Bounded memory.** At most `maxGroups` groups per correlation (the least recently active group is forgotten when
 *   a new one is needed) and `maxEntriesPerGroup` events per group (the oldest is forgotten); both are counted and
 *   reported. Events older than `watermark − timespan` can no longer be part of any window and are pruned.
 * - **Chaining.** A correlation may refer to another (spec: "Allowing the user to chain multiple correlations
 *   together"). An inner hit becomes an observation of the outer correlation at the time of its last part; group-by
 *   names of the inner correlation are readable from it, other fields come from its parts.
 */
import { createHash } from 'node:crypto';
import type { ConditionNode, CorrelationOp } from './types.js';
import type { CorrelationPlan, PlannedCorrelation } from './correlation-plan.js';

/** Default allowed lateness: CloudTrail delivers files about every 5 minutes, without a guarantee (events.md §1.7). */
export const DEFAULT_ALLOWED_LATENESS_MS = 15 * 60_000;
/** Default cap on groups per correlation. */
export const DEFAULT_MAX_GROUPS = 10_000;
/** Default cap on events kept per group. */
export const DEFAULT_MAX_ENTRIES_PER_GROUP = 500;
/** How many late observations are kept as samples for the report. */
const LATE_SAMPLES = 5;

/** Engine options. */
export interface CorrelationEngineOptions<P> {
  /** Reads a field of an observation's payload (undefined when missing). */
  readField(payload: P, path: string): unknown;
  /** How far behind the latest event time an event may arrive and still be correlated (default 15 minutes). */
  allowedLatenessMs?: number;
  maxGroups?: number;
  maxEntriesPerGroup?: number;
  /** Compare group-by values case-sensitively (default false, as Sigma string matching). */
  caseSensitiveGroups?: boolean;
}

/** One part of a hit: an observation, or the hit of an inner correlation. */
export type CorrelationPart<P> = { ref: string; timeMs: number; key: string } & ({ kind: 'event'; payload: P } | { kind: 'hit'; hit: EngineHit<P> });

/** A satisfied window. */
export interface EngineHit<P> {
  /** Stable id: the correlation and the keys of its parts (the same parts give the same id in every scan). */
  id: string;
  correlationId: string;
  /** Normalized group key and the group-by values as the first part wrote them. */
  groupKey: string;
  group: { name: string; value: unknown }[];
  /** The window that was satisfied. */
  windowStartMs: number;
  windowEndMs: number;
  /** First and last part times. */
  firstMs: number;
  lastMs: number;
  /** What was measured: events, distinct values, rules in (order), sum, average or percentile. */
  value: number;
  parts: CorrelationPart<P>[];
  /** False when a `generate: false` correlation refers to this one: it only feeds the outer correlation. */
  emit: boolean;
}

/** Per-correlation counters. */
export interface CorrelationCounters {
  observations: number;
  ungrouped: number;
  duplicates: number;
  hits: number;
  evictedGroups: number;
  evictedEntries: number;
  groups: number;
}

/** A late observation, for the report. */
export interface LateSample<P> {
  ref: string;
  timeMs: number;
  key: string;
  payload: P;
  watermarkMs: number;
}

interface Entry<P> {
  part: CorrelationPart<P>;
  step: number;
  /** Normalized value tuple of the condition field(s), or undefined when missing. */
  value: string | undefined;
  /** Numeric value of the first condition field (value_sum / avg / percentile). */
  num: number | undefined;
}

interface Group<P> {
  key: string;
  values: unknown[];
  /** Sorted by (time, key, ref). */
  entries: Entry<P>[];
  /** step|key → time, for every event counted in this group (present or consumed), pruned with the window. */
  seen: Map<string, number>;
  /** Time of the oldest key in `seen` (insertion order), so pruning can skip the map when nothing is due. */
  seenHeadMs: number;
}

interface NodeState<P> {
  plan: PlannedCorrelation;
  emit: boolean;
  groups: Map<string, Group<P>>;
  counters: CorrelationCounters;
  /** close mode: deadlines of group heads (lazy heap; stale items are skipped). */
  timers: MinHeap;
}

interface Pending<P> {
  ref: string;
  timeMs: number;
  key: string;
  payload: P;
}

/** Orders observations deterministically: time, then key, then rule. */
function compareObs(a: { timeMs: number; key: string; ref: string }, b: { timeMs: number; key: string; ref: string }): number {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0;
}

function compareEntries<P>(a: Entry<P>, b: Entry<P>): number {
  return compareObs(a.part, b.part) || a.step - b.step;
}

/** A small binary min-heap of (deadline, group key). */
class MinHeap {
  private readonly items: { at: number; key: string }[] = [];
  get size(): number {
    return this.items.length;
  }
  push(at: number, key: string): void {
    const a = this.items;
    a.push({ at, key });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].at <= a[i].at) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  peek(): { at: number; key: string } | undefined {
    return this.items[0];
  }
  pop(): { at: number; key: string } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].at < a[m].at) m = l;
        if (r < a.length && a[r].at < a[m].at) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.items.length = 0;
  }
}

/** Normalizes one value for grouping; undefined when the value is missing or empty. */
export function normalizeGroupValue(v: unknown, caseSensitive: boolean): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    if (v === '') return undefined;
    return caseSensitive ? v : v.toLowerCase();
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    const parts = v.map((x) => normalizeGroupValue(x, caseSensitive)).filter((x): x is string => x !== undefined);
    if (parts.length === 0) return undefined;
    return JSON.stringify([...new Set(parts)].sort());
  }
  const text = JSON.stringify(v);
  return caseSensitive ? text : text.toLowerCase();
}

function toNumber(v: unknown): number | undefined {
  if (Array.isArray(v)) return v.length === 1 ? toNumber(v[0]) : undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function compare(op: CorrelationOp, value: number, bound: number): boolean {
  switch (op) {
    case 'gt':
      return value > bound;
    case 'gte':
      return value >= bound;
    case 'lt':
      return value < bound;
    case 'lte':
      return value <= bound;
    case 'eq':
      return value === bound;
    case 'neq':
      return value !== bound;
  }
}

function evalExpression(node: ConditionNode, present: (name: string) => boolean): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => evalExpression(c, present));
    case 'or':
      return node.children.some((c) => evalExpression(c, present));
    case 'not':
      return !evalExpression(node.child, present);
    case 'identifier':
      return present(node.name);
    case 'of': {
      // Not produced for correlation conditions (`allowOf: false`), but total: any/all of the named identifiers.
      const xs = node.identifiers.map(present);
      return node.quantifier === 'all' ? xs.every(Boolean) : xs.some(Boolean);
    }
  }
}

/**
 * Longest chain of distinct entries whose steps increase in the listed order, with non-decreasing times (equal times
 * may be taken in any order). Entries are sorted by time; a run of equal times is taken in step order.
 */
function longestOrderedChain<P>(window: readonly Entry<P>[], stepCount: number, allowed?: ReadonlySet<number>): number {
  const best = new Array<number>(stepCount).fill(0);
  let i = 0;
  while (i < window.length) {
    let j = i;
    while (j < window.length && window[j].part.timeMs === window[i].part.timeMs) j++;
    const run = window.slice(i, j).sort((a, b) => a.step - b.step);
    for (const e of run) {
      if (allowed !== undefined && !allowed.has(e.step)) continue;
      let prev = 0;
      for (let s = 0; s < e.step; s++) if (best[s] > prev) prev = best[s];
      if (prev + 1 > best[e.step]) best[e.step] = prev + 1;
    }
    i = j;
  }
  return Math.max(0, ...best);
}

/** Nearest-rank percentile (p in 0–100) of sorted values. */
function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Runs a plan over observations. One engine per input stream; state can be exported and imported between runs. */
export class CorrelationEngine<P> {
  private readonly nodes: NodeState<P>[];
  private readonly byId = new Map<string, NodeState<P>>();
  /** Observation ref → the correlations that consume it. */
  private readonly consumers = new Map<string, NodeState<P>[]>();
  private readonly lateness: number;
  private readonly maxGroups: number;
  private readonly maxEntries: number;
  private readonly caseSensitive: boolean;
  /** Observations not yet released, sorted by `compareObs` from `head` on (released ones before `head`). */
  private pending: Pending<P>[] = [];
  private head = 0;
  private maxSeen = -Infinity;
  private hits: EngineHit<P>[] = [];
  private releasedSincePrune = 0;
  /** Time of the latest observation released to the correlations (windows still to be checked end at or after it). */
  private releasedUpTo = -Infinity;
  /** Late observations, counted; the first few kept as samples. */
  readonly late: { count: number; samples: LateSample<P>[] } = { count: 0, samples: [] };
  /** Observations without a usable time. */
  untimed = 0;

  constructor(
    readonly plan: CorrelationPlan,
    private readonly options: CorrelationEngineOptions<P>,
  ) {
    this.lateness = Math.max(0, options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS);
    this.maxGroups = Math.max(1, options.maxGroups ?? DEFAULT_MAX_GROUPS);
    this.maxEntries = Math.max(1, options.maxEntriesPerGroup ?? DEFAULT_MAX_ENTRIES_PER_GROUP);
    this.caseSensitive = options.caseSensitiveGroups ?? false;
    this.nodes = plan.correlations.map((p) => ({
      plan: p,
      emit: !plan.silenced.has(p.id),
      groups: new Map(),
      counters: { observations: 0, ungrouped: 0, duplicates: 0, hits: 0, evictedGroups: 0, evictedEntries: 0, groups: 0 },
      timers: new MinHeap(),
    }));
    for (const n of this.nodes) {
      this.byId.set(n.plan.id, n);
      for (const step of n.plan.steps) {
        const list = this.consumers.get(step) ?? [];
        if (!list.includes(n)) list.push(n);
        this.consumers.set(step, list);
      }
    }
  }

  /** The watermark: the latest event time seen minus the allowed lateness. */
  get watermarkMs(): number {
    return this.maxSeen - this.lateness;
  }

  /** The latest event time seen. */
  get maxSeenMs(): number {
    return this.maxSeen;
  }

  /** True when some correlation consumes observations of `ref` (a rule id). */
  consumes(ref: string): boolean {
    return this.consumers.has(ref);
  }

  /** Counters per correlation id. */
  counters(): Map<string, CorrelationCounters> {
    return new Map(this.nodes.map((n) => [n.plan.id, { ...n.counters, groups: n.groups.size }]));
  }

  /**
   * Adds an observation: rule `ref` matched at `timeMs`; `key` identifies what matched (a record or action key, used
   * to count it once per group). Returns 'late' when it is older than the watermark and was dropped.
   */
  push(ref: string, timeMs: number, key: string, payload: P): 'accepted' | 'late' | 'untimed' | 'ignored' {
    if (!this.consumers.has(ref)) return 'ignored';
    if (!Number.isFinite(timeMs)) {
      this.untimed++;
      return 'untimed';
    }
    if (timeMs < this.watermarkMs) {
      this.late.count++;
      if (this.late.samples.length < LATE_SAMPLES) this.late.samples.push({ ref, timeMs, key, payload, watermarkMs: this.watermarkMs });
      return 'late';
    }
    this.enqueue({ ref, timeMs, key, payload });
    if (timeMs > this.maxSeen) this.maxSeen = timeMs;
    this.drain(this.watermarkMs, this.watermarkMs);
    return 'accepted';
  }

  /**
   * Processes everything buffered (end of an input). With `final`, windows still open are judged with what is known
   * (nothing more will come); without it they stay open in the state for the next input.
   */
  flush(final: boolean): void {
    if (final) {
      this.drain(Infinity, Infinity);
    } else {
      this.drain(Infinity, this.watermarkMs);
    }
    this.pruneAll();
  }

  /** Hits produced since the last call, in the order they fired. */
  takeHits(): EngineHit<P>[] {
    const out = this.hits;
    this.hits = [];
    return out;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Processing
  // -------------------------------------------------------------------------------------------------------------

  /** Inserts an observation into the sorted buffer (arrivals are nearly sorted: most land at the end). */
  private enqueue(obs: Pending<P>): void {
    const a = this.pending;
    if (a.length === this.head || compareObs(a[a.length - 1], obs) <= 0) {
      a.push(obs);
      return;
    }
    let lo = this.head;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareObs(a[mid], obs) <= 0) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, obs);
  }

  /** Processes buffered observations with time ≤ `obsUpTo` and close-mode deadlines < `timersBefore`, in time order. */
  private drain(obsUpTo: number, timersBefore: number): void {
    const closeNodes = this.nodes.some((n) => n.plan.mode === 'close');
    for (;;) {
      const next = this.head < this.pending.length ? this.pending[this.head] : undefined;
      const obs = next !== undefined && next.timeMs <= obsUpTo ? next : undefined;
      const timer = closeNodes ? this.nextTimer(timersBefore) : undefined;
      if (obs === undefined && timer === undefined) break;
      if (timer !== undefined && (obs === undefined || timer.at < obs.timeMs)) {
        this.fireTimer(timer.node, timer.key);
        continue;
      }
      if (obs === undefined) break;
      this.head++;
      this.release(obs);
    }
    // Drop released observations now and then, not on every call.
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    } else if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    }
  }

  private nextTimer(before: number): { node: NodeState<P>; at: number; key: string } | undefined {
    let best: { node: NodeState<P>; at: number; key: string } | undefined;
    for (const node of this.nodes) {
      if (node.plan.mode !== 'close') continue;
      // Drop stale heap items (the group's head changed since they were pushed).
      for (;;) {
        const top = node.timers.peek();
        if (top === undefined) break;
        const g = node.groups.get(top.key);
        if (g !== undefined && g.entries.length > 0 && g.entries[0].part.timeMs + node.plan.timespanMs === top.at) break;
        node.timers.pop();
      }
      const top = node.timers.peek();
      if (top !== undefined && top.at < before && (best === undefined || top.at < best.at)) best = { node, at: top.at, key: top.key };
    }
    return best;
  }

  private release(obs: Pending<P>): void {
    if (obs.timeMs > this.releasedUpTo) this.releasedUpTo = obs.timeMs;
    const part: CorrelationPart<P> = { ref: obs.ref, timeMs: obs.timeMs, key: obs.key, kind: 'event', payload: obs.payload };
    this.deliver(part);
    if (++this.releasedSincePrune >= 1024) this.pruneAll();
  }

  /** Hands a part to every correlation that consumes its ref. */
  private deliver(part: CorrelationPart<P>): void {
    for (const node of this.consumers.get(part.ref) ?? []) {
      node.plan.steps.forEach((step, k) => {
        if (step === part.ref) this.add(node, k, part);
      });
    }
  }

  /** Reads a field from a part (an observation's payload, or an inner hit's group values and parts). */
  private readPart(part: CorrelationPart<P>, path: string): unknown {
    if (part.kind === 'event') return this.options.readField(part.payload, path);
    const named = part.hit.group.find((g) => g.name === path);
    if (named !== undefined) return named.value;
    for (const p of part.hit.parts) {
      const v = this.readPart(p, path);
      if (v !== undefined && v !== null) return v;
    }
    return undefined;
  }

  private add(node: NodeState<P>, step: number, part: CorrelationPart<P>): void {
    const plan = node.plan;
    node.counters.observations++;
    const values: unknown[] = [];
    const norm: string[] = [];
    for (const fields of plan.groupFields) {
      const v = this.readPart(part, fields[step]);
      const n = normalizeGroupValue(v, this.caseSensitive);
      if (n === undefined) {
        node.counters.ungrouped++;
        return;
      }
      values.push(v);
      norm.push(n);
    }
    // One group-by field (the common case) needs no JSON: the value cannot be confused with another group's.
    const gkey = norm.length === 1 ? norm[0] : JSON.stringify(norm);
    let group = node.groups.get(gkey);
    if (group === undefined) {
      if (node.groups.size >= this.maxGroups) {
        const oldest = node.groups.keys().next().value as string;
        node.groups.delete(oldest);
        node.counters.evictedGroups++;
      }
      group = { key: gkey, values, entries: [], seen: new Map(), seenHeadMs: Infinity };
      node.groups.set(gkey, group);
    } else {
      // Least recently active last: re-insert (Map keeps insertion order), so eviction takes the idlest group.
      node.groups.delete(gkey);
      node.groups.set(gkey, group);
    }
    this.prune(node, group);
    const seenKey = `${step}|${part.key}`;
    if (group.seen.has(seenKey)) {
      node.counters.duplicates++;
      return;
    }
    if (group.seen.size === 0) group.seenHeadMs = part.timeMs;
    group.seen.set(seenKey, part.timeMs);
    if (group.seen.size > this.maxEntries * 4) {
      // Bounded like the entries: forget the oldest keys (insertion order is close to time order).
      const k = group.seen.keys().next().value as string;
      group.seen.delete(k);
      group.seenHeadMs = -Infinity; // unknown: the next prune looks
    }
    let value: string | undefined;
    let num: number | undefined;
    if (plan.valueFields.length > 0) {
      const raw = plan.valueFields.map((f) => this.readPart(part, f[step]));
      const ns = raw.map((v) => normalizeGroupValue(v, this.caseSensitive));
      value = ns.some((x) => x === undefined) ? undefined : JSON.stringify(ns);
      num = toNumber(raw[0]);
    }
    const entry: Entry<P> = { part, step, value, num };
    const oldHead: Entry<P> | undefined = group.entries[0];
    // Insert in order (binary search: arrivals are nearly sorted, most land at the end).
    let lo = 0;
    let hi = group.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEntries(group.entries[mid], entry) <= 0) lo = mid + 1;
      else hi = mid;
    }
    group.entries.splice(lo, 0, entry);
    if (group.entries.length > this.maxEntries) {
      group.entries.shift();
      node.counters.evictedEntries++;
    }
    if (plan.mode === 'eager') this.checkEager(node, group, part.timeMs);
    else if (group.entries[0] !== oldHead) this.schedule(node, group);
  }

  /**
   * Eager check after inserting an event at `fromMs`: the windows that can contain it end at events in
   * [fromMs, fromMs + timespan]; the first satisfied one fires. In time order that is the window ending at the new
   * event; after an out-of-order insertion the later windows are checked too.
   */
  private checkEager(node: NodeState<P>, group: Group<P>, fromMs: number): void {
    const span = node.plan.timespanMs;
    const es = group.entries;
    let lo = 0;
    for (let i = 0; i < es.length; i++) {
      const end = es[i].part.timeMs;
      if (end < fromMs) continue;
      if (end > fromMs + span) break;
      if (i + 1 < es.length && es[i + 1].part.timeMs === end) continue; // a window by time includes all equal times
      while (es[lo].part.timeMs < end - span) lo++;
      const window = es.slice(lo, i + 1);
      const measured = this.measure(node.plan, window);
      if (measured !== undefined) {
        this.fire(node, group, lo, i + 1, end - span, end, measured);
        return;
      }
    }
  }

  /** A close-mode deadline: judge the window starting at the group's oldest event. */
  private fireTimer(node: NodeState<P>, key: string): void {
    node.timers.pop();
    const group = node.groups.get(key);
    if (group === undefined || group.entries.length === 0) return;
    const start = group.entries[0].part.timeMs;
    const end = start + node.plan.timespanMs;
    let k = 0;
    while (k < group.entries.length && group.entries[k].part.timeMs <= end) k++;
    const window = group.entries.slice(0, k);
    const measured = this.measure(node.plan, window);
    if (measured !== undefined) {
      this.fire(node, group, 0, k, start, end, measured);
    } else {
      // Every window anchored at this time has been judged: drop the events at the anchor time.
      let d = 0;
      while (d < group.entries.length && group.entries[d].part.timeMs === start) d++;
      group.entries.splice(0, d);
      this.schedule(node, group);
    }
  }

  /** close mode: the group's next deadline is the end of the window starting at its oldest event. */
  private schedule(node: NodeState<P>, group: Group<P>): void {
    if (node.plan.mode === 'close' && group.entries.length > 0) node.timers.push(group.entries[0].part.timeMs + node.plan.timespanMs, group.key);
  }

  /** The measured value when the window satisfies the condition, else undefined. */
  private measure(plan: PlannedCorrelation, window: readonly Entry<P>[]): number | undefined {
    const cond = plan.condition;
    const threshold = (v: number): number | undefined => {
      if (cond.kind !== 'threshold') return undefined;
      return cond.comparisons.every((c) => compare(c.op, v, c.value)) ? v : undefined;
    };
    switch (plan.type) {
      case 'event_count':
        return threshold(window.length);
      case 'value_count': {
        const distinct = new Set<string>();
        for (const e of window) if (e.value !== undefined) distinct.add(e.value);
        return threshold(distinct.size);
      }
      case 'value_sum':
      case 'value_avg':
      case 'value_percentile': {
        const nums = window.map((e) => e.num).filter((n): n is number => n !== undefined);
        if (nums.length === 0) return undefined;
        let v: number;
        if (plan.type === 'value_sum') v = nums.reduce((a, b) => a + b, 0);
        else if (plan.type === 'value_avg') v = nums.reduce((a, b) => a + b, 0) / nums.length;
        else v = percentileOf([...nums].sort((a, b) => a - b), cond.kind === 'threshold' ? (cond.percentile ?? 50) : 50);
        return threshold(v);
      }
      case 'temporal': {
        const present = new Set(window.map((e) => e.step));
        if (cond.kind === 'all') return present.size === plan.steps.length ? present.size : undefined;
        if (cond.kind === 'threshold') return threshold(present.size);
        const ok = evalExpression(cond.ast, (name) => present.has(cond.steps.get(name) ?? -1));
        return ok ? present.size : undefined;
      }
      case 'temporal_ordered': {
        if (cond.kind === 'expression') {
          // The expression decides which rules must (not) occur; those that occur must occur in the listed order.
          const present = new Set(window.map((e) => e.step));
          if (!evalExpression(cond.ast, (name) => present.has(cond.steps.get(name) ?? -1))) return undefined;
          const chain = longestOrderedChain(window, plan.steps.length, present);
          return chain === present.size ? chain : undefined;
        }
        const chain = longestOrderedChain(window, plan.steps.length);
        if (cond.kind === 'all') return chain === plan.steps.length ? chain : undefined;
        return threshold(chain);
      }
    }
  }

  private fire(node: NodeState<P>, group: Group<P>, from: number, to: number, windowStartMs: number, windowEndMs: number, value: number): void {
    const taken = group.entries.splice(from, to - from);
    const parts = taken.map((e) => e.part);
    const id = createHash('sha256')
      .update(`${node.plan.id}\n${group.key}\n${parts.map((p) => `${p.ref}|${p.key}`).join('\n')}`)
      .digest('hex')
      .slice(0, 24);
    const hit: EngineHit<P> = {
      id,
      correlationId: node.plan.id,
      groupKey: group.key,
      group: node.plan.groupNames.map((name, g) => ({ name, value: group.values[g] })),
      windowStartMs,
      windowEndMs,
      firstMs: parts[0].timeMs,
      lastMs: parts[parts.length - 1].timeMs,
      value,
      parts,
      emit: node.emit,
    };
    node.counters.hits++;
    this.hits.push(hit);
    this.schedule(node, group);
    // Chaining: the hit is an observation of the correlations that refer to this one.
    if (this.consumers.has(node.plan.id)) {
      this.deliver({ ref: node.plan.id, timeMs: hit.lastMs, key: hit.id, kind: 'hit', hit });
    }
  }

  /**
   * Forgets what no future window can use. Windows still to be checked end at an event not yet released (at or after
   * the latest released one) or at a late-but-accepted one (at or after the watermark), so events before the earlier
   * of the two, minus the timespan, are dead.
   */
  private prune(node: NodeState<P>, group: Group<P>): void {
    const horizon = Math.min(this.watermarkMs, this.releasedUpTo) - node.plan.timespanMs;
    if (!Number.isFinite(horizon)) return;
    if (node.plan.mode === 'eager') {
      let d = 0;
      while (d < group.entries.length && group.entries[d].part.timeMs < horizon) d++;
      if (d > 0) group.entries.splice(0, d);
    }
    // Keys are inserted in (nearly) time order: stop at the first one still needed. A key left behind by an
    // out-of-order insertion goes on a later pass; the map is capped anyway.
    if (group.seenHeadMs >= horizon) return;
    group.seenHeadMs = Infinity;
    for (const [k, t] of group.seen) {
      if (t >= horizon) {
        group.seenHeadMs = t;
        break;
      }
      group.seen.delete(k);
    }
  }

  private pruneAll(): void {
    this.releasedSincePrune = 0;
    for (const node of this.nodes) {
      for (const group of [...node.groups.values()]) {
        this.prune(node, group);
        if (group.entries.length === 0 && group.seen.size === 0) node.groups.delete(group.key);
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // State between runs
  // -------------------------------------------------------------------------------------------------------------

  /** The engine's state as JSON; `encode` turns a payload into JSON. Call after `flush`. */
  exportState(encode: (payload: P) => unknown): CorrelationEngineState {
    const parts: SavedPart[] = [];
    const index = new Map<CorrelationPart<P>, number>();
    const savePart = (p: CorrelationPart<P>): number => {
      const known = index.get(p);
      if (known !== undefined) return known;
      let saved: SavedPart;
      if (p.kind === 'event') {
        saved = { ref: p.ref, t: p.timeMs, key: p.key, payload: encode(p.payload) };
      } else {
        const h = p.hit;
        const hitParts = h.parts.map(savePart);
        saved = {
          ref: p.ref,
          t: p.timeMs,
          key: p.key,
          hit: { id: h.id, correlationId: h.correlationId, groupKey: h.groupKey, group: h.group, windowStartMs: h.windowStartMs, windowEndMs: h.windowEndMs, value: h.value, emit: h.emit, parts: hitParts },
        };
      }
      parts.push(saved);
      index.set(p, parts.length - 1);
      return parts.length - 1;
    };
    const nodes = this.nodes.map((n) => ({
      id: n.plan.id,
      fingerprint: n.plan.fingerprint,
      groups: [...n.groups.values()].map((g) => ({
        key: g.key,
        values: g.values,
        entries: g.entries.map((e) => [savePart(e.part), e.step, e.value ?? null, e.num ?? null] as SavedEntry),
        seen: [...g.seen.entries()],
      })),
    }));
    const pending = this.pending.slice(this.head).map((o) => savePart({ ref: o.ref, timeMs: o.timeMs, key: o.key, kind: 'event', payload: o.payload }));
    return { format: STATE_FORMAT, version: STATE_VERSION, maxSeenMs: Number.isFinite(this.maxSeen) ? this.maxSeen : null, parts, nodes, pending };
  }

  /**
   * Restores state saved by `exportState`. Correlations whose definition changed (fingerprint) or that are no longer
   * loaded start afresh. Returns problems as text (the caller turns them into diagnostics); a malformed state is
   * rejected whole and the engine stays empty.
   */
  importState(state: unknown, decode: (json: unknown) => P | undefined): { rejected?: string; changed: string[] } {
    const problem = validateState(state);
    if (problem !== undefined) return { rejected: problem, changed: [] };
    const s = state as CorrelationEngineState;
    const decoded: (CorrelationPart<P> | undefined)[] = new Array(s.parts.length);
    const loadPart = (i: number, depth: number): CorrelationPart<P> | undefined => {
      if (decoded[i] !== undefined) return decoded[i];
      const sp = s.parts[i];
      if (sp === undefined || depth > 32) return undefined;
      let part: CorrelationPart<P> | undefined;
      if (sp.hit !== undefined) {
        const hp = sp.hit.parts.map((k) => loadPart(k, depth + 1));
        if (hp.some((x) => x === undefined)) return undefined;
        const hitParts = hp as CorrelationPart<P>[];
        part = {
          ref: sp.ref,
          timeMs: sp.t,
          key: sp.key,
          kind: 'hit',
          hit: { ...sp.hit, parts: hitParts, firstMs: hitParts[0]?.timeMs ?? sp.t, lastMs: hitParts[hitParts.length - 1]?.timeMs ?? sp.t },
        };
      } else {
        const payload = decode(sp.payload);
        if (payload === undefined) return undefined;
        part = { ref: sp.ref, timeMs: sp.t, key: sp.key, kind: 'event', payload };
      }
      decoded[i] = part;
      return part;
    };
    const changed: string[] = [];
    for (const saved of s.nodes) {
      const node = this.byId.get(saved.id);
      if (node === undefined) continue;
      if (node.plan.fingerprint !== saved.fingerprint) {
        changed.push(node.plan.correlation.title);
        continue;
      }
      for (const g of saved.groups) {
        const entries: Entry<P>[] = [];
        for (const [pi, step, value, num] of g.entries) {
          const part = loadPart(pi, 0);
          if (part === undefined || step < 0 || step >= node.plan.steps.length) continue;
          entries.push({ part, step, value: value ?? undefined, num: num ?? undefined });
        }
        entries.sort(compareEntries);
        const group: Group<P> = { key: g.key, values: g.values, entries, seen: new Map(g.seen), seenHeadMs: -Infinity };
        node.groups.set(g.key, group);
        this.schedule(node, group);
      }
    }
    for (const pi of s.pending) {
      const part = loadPart(pi, 0);
      if (part !== undefined && part.kind === 'event') this.enqueue({ ref: part.ref, timeMs: part.timeMs, key: part.key, payload: part.payload });
    }
    if (s.maxSeenMs !== null && s.maxSeenMs > this.maxSeen) this.maxSeen = s.maxSeenMs;
    // Everything up to the saved latest time was released before the state was saved.
    if (s.maxSeenMs !== null && s.maxSeenMs > this.releasedUpTo) this.releasedUpTo = s.maxSeenMs;
    return { changed };
  }
}

/** The `format` tag of saved state. */
export const STATE_FORMAT = 'mirrorwatch.correlation-state';
/** Bumped when the saved shape changes; state of another version is rejected (and correlation starts afresh). */
export const STATE_VERSION = 1;

interface SavedHit {
  id: string;
  correlationId: string;
  groupKey: string;
  group: { name: string; value: unknown }[];
  windowStartMs: number;
  windowEndMs: number;
  value: number;
  emit: boolean;
  parts: number[];
}

interface SavedPart {
  ref: string;
  t: number;
  key: string;
  payload?: unknown;
  hit?: SavedHit;
}

/** [part index, step, normalized value, number]. */
type SavedEntry = [number, number, string | null, number | null];

/** The engine's saved state (JSON). */
export interface CorrelationEngineState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  maxSeenMs: number | null;
  parts: SavedPart[];
  nodes: { id: string; fingerprint: string; groups: { key: string; values: unknown[]; entries: SavedEntry[]; seen: [string, number][] }[] }[];
  pending: number[];
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown): x is string => typeof x === 'string';

/** Checks the shape of saved state; returns why it cannot be used, or undefined. */
function validateState(s: unknown): string | undefined {
  if (typeof s !== 'object' || s === null) return 'it is not an object';
  const o = s as Record<string, unknown>;
  if (o.format !== STATE_FORMAT) return `unknown format ${JSON.stringify(o.format)}`;
  if (o.version !== STATE_VERSION) return `version ${JSON.stringify(o.version)}, this engine reads version ${STATE_VERSION}`;
  if (!(o.maxSeenMs === null || isNum(o.maxSeenMs))) return 'maxSeenMs is not a number';
  if (!Array.isArray(o.parts) || !Array.isArray(o.nodes) || !Array.isArray(o.pending)) return 'parts, nodes or pending is not a list';
  const n = o.parts.length;
  for (const p of o.parts as unknown[]) {
    if (typeof p !== 'object' || p === null) return 'a part is not an object';
    const q = p as Record<string, unknown>;
    if (!isStr(q.ref) || !isNum(q.t) || !isStr(q.key)) return 'a part lacks ref, t or key';
    if (q.hit !== undefined) {
      const h = q.hit as Record<string, unknown>;
      if (typeof h !== 'object' || h === null || !isStr(h.id) || !isStr(h.correlationId) || !isStr(h.groupKey) || !Array.isArray(h.group)) return 'a saved hit is malformed';
      if (!isNum(h.windowStartMs) || !isNum(h.windowEndMs) || !isNum(h.value) || typeof h.emit !== 'boolean') return 'a saved hit is malformed';
      if (!Array.isArray(h.parts) || !h.parts.every((k) => Number.isInteger(k) && (k as number) >= 0 && (k as number) < n)) return 'a saved hit refers to unknown parts';
    }
  }
  for (const node of o.nodes as unknown[]) {
    if (typeof node !== 'object' || node === null) return 'a node is not an object';
    const x = node as Record<string, unknown>;
    if (!isStr(x.id) || !isStr(x.fingerprint) || !Array.isArray(x.groups)) return 'a node lacks id, fingerprint or groups';
    for (const g of x.groups as unknown[]) {
      const y = g as Record<string, unknown>;
      if (typeof g !== 'object' || g === null || !isStr(y.key) || !Array.isArray(y.values) || !Array.isArray(y.entries) || !Array.isArray(y.seen)) return 'a group is malformed';
      for (const e of y.entries as unknown[]) {
        if (!Array.isArray(e) || e.length !== 4 || !Number.isInteger(e[0]) || e[0] < 0 || e[0] >= n || !Number.isInteger(e[1])) return 'an entry is malformed';
        if (!(e[2] === null || isStr(e[2])) || !(e[3] === null || isNum(e[3]))) return 'an entry is malformed';
      }
      for (const k of y.seen as unknown[]) if (!Array.isArray(k) || k.length !== 2 || !isStr(k[0]) || !isNum(k[1])) return 'a seen key is malformed';
    }
  }
  if (!(o.pending as unknown[]).every((k) => Number.isInteger(k) && (k as number) >= 0 && (k as number) < n)) return 'pending refers to unknown parts';
  return undefined;
}
