/**
 * The in-memory state store: used by `--no-state` (nothing survives the process) and by tests. It keeps committed
 * state and buffered writes apart exactly as the SQLite store does, so both pass one contract suite
 * (`test/store/contract.ts`) and `--no-state` behaves like a fresh state file that is thrown away at exit.
 */
import {
  FactTable,
  PendingWrites,
  checkLimit,
  checkString,
  checkTime,
  copySuppression,
  newestFirst,
  stateToJson,
  suppressionKey,
} from './pending-writes.js';
import type { BaselineKind, StateStore, SuppressionRecord } from './types.js';

/** A state store that lives in this process only. */
export class MemoryStateStore implements StateStore {
  readonly location = ':memory:';
  private readonly facts = new FactTable();
  private readonly reported = new Map<string, number>();
  /** Committed suppressions in recording order, and their keys. */
  private readonly suppressions: SuppressionRecord[] = [];
  private readonly suppressionKeys = new Set<string>();
  private newestCommitted: SuppressionRecord[] | undefined;
  private correlationJson: string | undefined;
  private readonly pending = new PendingWrites();
  private closed = false;

  /** See {@link StateStore.firstSeen}. */
  firstSeen(kind: BaselineKind, subject: string, value: string): number | undefined {
    this.assertOpen();
    const committed = this.facts.get(kind, subject, value)?.firstSeenMs;
    const buffered = this.pending.facts.get(kind, subject, value)?.firstSeenMs;
    if (committed === undefined) return buffered;
    if (buffered === undefined) return committed;
    return Math.min(committed, buffered);
  }

  /** See {@link StateStore.remember}. */
  remember(kind: BaselineKind, subject: string, value: string, timeMs: number): void {
    this.assertOpen();
    checkString('subject', subject);
    checkString('value', value);
    checkTime('timeMs', timeMs);
    this.pending.facts.merge(kind, subject, value, timeMs, timeMs);
  }

  /** See {@link StateStore.wasReported}. */
  wasReported(alertId: string): boolean {
    this.assertOpen();
    return this.reported.has(alertId) || this.pending.reported.has(alertId);
  }

  /** See {@link StateStore.markReported}. */
  markReported(alertIds: readonly string[], reportedAtMs: number): void {
    this.assertOpen();
    checkTime('reportedAtMs', reportedAtMs);
    for (const id of alertIds) {
      checkString('alert id', id);
      if (!this.pending.reported.has(id)) this.pending.reported.set(id, reportedAtMs);
    }
  }

  /** See {@link StateStore.recordSuppressions}. */
  recordSuppressions(records: readonly SuppressionRecord[]): void {
    this.assertOpen();
    for (const r of records) {
      const copy = copySuppression(r);
      if (this.suppressionKeys.has(suppressionKey(copy.alertId, copy.exceptionId))) continue;
      this.pending.addSuppression(copy);
    }
  }

  /** See {@link StateStore.listSuppressions}. */
  listSuppressions(limit?: number): SuppressionRecord[] {
    this.assertOpen();
    checkLimit(limit);
    // Sorted once per commit, as the SQLite store's index keeps them (newest first, then latest recorded).
    this.newestCommitted ??= this.suppressions
      .map((r, i) => ({ r, i }))
      .sort((a, b) => b.r.suppressedAtMs - a.r.suppressedAtMs || b.i - a.i)
      .map((x) => x.r);
    return newestFirst(this.newestCommitted, this.pending.suppressions, limit);
  }

  /** See {@link StateStore.loadCorrelationState}. */
  loadCorrelationState(): unknown {
    this.assertOpen();
    const slot = this.pending.correlation;
    const json = slot.kind === 'saved' ? slot.json : this.correlationJson;
    return json === undefined ? undefined : (JSON.parse(json) as unknown);
  }

  /** See {@link StateStore.saveCorrelationState}. */
  saveCorrelationState(state: unknown): void {
    this.assertOpen();
    this.pending.correlation = { kind: 'saved', json: stateToJson(state) };
  }

  /** See {@link StateStore.commit}; memory cannot fail to write. */
  commit(): boolean {
    this.assertOpen();
    for (const f of this.pending.facts.rows()) this.facts.merge(f.kind, f.subject, f.value, f.firstSeenMs, f.lastSeenMs);
    for (const [id, at] of this.pending.reported) if (!this.reported.has(id)) this.reported.set(id, at);
    for (const r of this.pending.suppressions) {
      const key = suppressionKey(r.alertId, r.exceptionId);
      if (this.suppressionKeys.has(key)) continue;
      this.suppressionKeys.add(key);
      this.suppressions.push(r);
      this.newestCommitted = undefined;
    }
    const slot = this.pending.correlation;
    if (slot.kind === 'saved') this.correlationJson = slot.json;
    this.pending.clear();
    return true;
  }

  /** See {@link StateStore.rollback}. */
  rollback(): void {
    this.assertOpen();
    this.pending.clear();
  }

  /** See {@link StateStore.close}. */
  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`state store ${this.location} is closed`);
  }
}
