/**
 * The buffer of writes a state store holds between commits, and the small value rules both implementations share
 * (time checks, suppression copies, newest-first ordering, JSON state). The in-memory store keeps its committed
 * state in the same structures, so the two implementations cannot drift apart on merging or ordering.
 */
import type { BaselineKind, SuppressionRecord } from './types.js';

/** First and last time (epoch ms) of one baseline fact. */
export interface SeenSpan {
  firstSeenMs: number;
  lastSeenMs: number;
}

/** One baseline fact with its key, as it is written at commit time. */
export interface FactRow extends SeenSpan {
  kind: BaselineKind;
  subject: string;
  value: string;
}

/** Baseline facts keyed exactly by (kind, subject, value); nested maps so no separator can make two keys collide. */
export class FactTable {
  private readonly byKind = new Map<BaselineKind, Map<string, Map<string, SeenSpan>>>();
  private count = 0;

  /** The span of one fact, or undefined. */
  get(kind: BaselineKind, subject: string, value: string): SeenSpan | undefined {
    return this.byKind.get(kind)?.get(subject)?.get(value);
  }

  /** Widens the fact's span to include `firstMs`..`lastMs`, creating it when new. */
  merge(kind: BaselineKind, subject: string, value: string, firstMs: number, lastMs: number): void {
    let subjects = this.byKind.get(kind);
    if (!subjects) this.byKind.set(kind, (subjects = new Map()));
    let values = subjects.get(subject);
    if (!values) subjects.set(subject, (values = new Map()));
    const span = values.get(value);
    if (span) {
      if (firstMs < span.firstSeenMs) span.firstSeenMs = firstMs;
      if (lastMs > span.lastSeenMs) span.lastSeenMs = lastMs;
    } else {
      values.set(value, { firstSeenMs: firstMs, lastSeenMs: lastMs });
      this.count++;
    }
  }

  /** Every fact, in insertion order per kind and subject. */
  *rows(): IterableIterator<FactRow> {
    for (const [kind, subjects] of this.byKind) {
      for (const [subject, values] of subjects) {
        for (const [value, span] of values) yield { kind, subject, value, ...span };
      }
    }
  }

  /** Number of distinct facts. */
  get size(): number {
    return this.count;
  }

  /** Forgets every fact. */
  clear(): void {
    this.byKind.clear();
    this.count = 0;
  }
}

/** The correlation state as it is buffered: untouched, or replaced by JSON text (undefined: cleared). */
export type StateSlot = { kind: 'untouched' } | { kind: 'saved'; json: string | undefined };

/** Writes buffered since the last commit. */
export class PendingWrites {
  readonly facts = new FactTable();
  /** Alert id → time it was marked reported (the first mark wins, as the store keeps the first). */
  readonly reported = new Map<string, number>();
  /** Suppressions in the order they were recorded, one per (alert id, exception id). */
  readonly suppressions: SuppressionRecord[] = [];
  private readonly suppressionKeys = new Set<string>();
  correlation: StateSlot = { kind: 'untouched' };

  /** Buffers a suppression unless this buffer already holds one for the same alert and exception. */
  addSuppression(record: SuppressionRecord): void {
    const key = suppressionKey(record.alertId, record.exceptionId);
    if (this.suppressionKeys.has(key)) return;
    this.suppressionKeys.add(key);
    this.suppressions.push(record);
  }

  /** True when nothing is buffered. */
  get isEmpty(): boolean {
    return (
      this.facts.size === 0 &&
      this.reported.size === 0 &&
      this.suppressions.length === 0 &&
      this.correlation.kind === 'untouched'
    );
  }

  /** Forgets everything buffered. */
  clear(): void {
    this.facts.clear();
    this.reported.clear();
    this.suppressions.length = 0;
    this.suppressionKeys.clear();
    this.correlation = { kind: 'untouched' };
  }
}

/** An exact, collision-free key for (alert id, exception id). */
export function suppressionKey(alertId: string, exceptionId: string): string {
  return JSON.stringify([alertId, exceptionId]);
}

/** Throws a RangeError (a caller's bug) unless `v` is a finite number of milliseconds. */
export function checkTime(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number of epoch milliseconds, got ${String(v)}`);
}

/** Throws a TypeError (a caller's bug) unless `v` is a string. */
export function checkString(name: string, v: string): void {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string, got ${typeof v}`);
}

/** Validates a suppression record and returns a copy with a fixed shape (no `ticket` key when it has none). */
export function copySuppression(r: SuppressionRecord): SuppressionRecord {
  checkString('alertId', r.alertId);
  checkString('ruleId', r.ruleId);
  checkString('exceptionId', r.exceptionId);
  checkString('message', r.message);
  if (r.ticket !== undefined) checkString('ticket', r.ticket);
  checkTime('alertTimeMs', r.alertTimeMs);
  checkTime('suppressedAtMs', r.suppressedAtMs);
  const out: SuppressionRecord = {
    alertId: r.alertId,
    ruleId: r.ruleId,
    exceptionId: r.exceptionId,
    alertTimeMs: r.alertTimeMs,
    suppressedAtMs: r.suppressedAtMs,
    message: r.message,
  };
  if (r.ticket !== undefined) out.ticket = r.ticket;
  return out;
}

/** Throws a RangeError unless `limit` is undefined or a non-negative integer. */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${String(limit)}`);
  }
}

/**
 * Newest first: by `suppressedAtMs` descending, ties by recording order, latest first. `committed` is already in
 * that order; `pending` is in recording order and was recorded after every committed entry.
 */
export function newestFirst(
  committed: readonly SuppressionRecord[],
  pending: readonly SuppressionRecord[],
  limit: number | undefined,
): SuppressionRecord[] {
  const fresh = pending
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.suppressedAtMs - a.r.suppressedAtMs || b.i - a.i)
    .map((x) => x.r);
  const out: SuppressionRecord[] = [];
  const max = limit ?? Number.POSITIVE_INFINITY;
  let c = 0;
  let p = 0;
  while (out.length < max && (c < committed.length || p < fresh.length)) {
    // On equal times the pending record is the later one, so it comes first.
    if (p < fresh.length && (c >= committed.length || fresh[p].suppressedAtMs >= committed[c].suppressedAtMs)) {
      out.push(copySuppression(fresh[p++]));
    } else {
      out.push(copySuppression(committed[c++]));
    }
  }
  return out;
}

/**
 * JSON text of a correlation state; undefined for `undefined` (cleared). Anything JSON cannot represent at the top
 * level (a function, a symbol) is a caller's bug; a cycle or a BigInt makes `JSON.stringify` throw its TypeError.
 */
export function stateToJson(state: unknown): string | undefined {
  if (state === undefined) return undefined;
  const json = JSON.stringify(state);
  if (json === undefined) throw new TypeError(`correlation state must be JSON-serializable, got ${typeof state}`);
  return json;
}
