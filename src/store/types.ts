/**
 * The state store seam: what mirrorwatch remembers between scans. Baselines (which principals have mirrored
 * traffic before, from which source addresses), correlation state that spans scans, the audit of suppressed alerts,
 * and checkpoints (alerts already reported, so a re-scan of the same archive does not re-alert). One implementation
 * keeps it in memory (`--no-state`), the other in SQLite (`--state PATH`, default in the user's data directory).
 *
 * Writes are buffered and made durable by `commit()`; the CLI commits only after the alerts they describe were
 * written, so a crash can repeat an alert but never lose one.
 *
 * Reads see the store's own buffered writes (as a transaction sees its own changes): `firstSeen` after `remember`,
 * `wasReported` after `markReported`, `listSuppressions` after `recordSuppressions` and `loadCorrelationState`
 * after `saveCorrelationState` answer with them before `commit`. `rollback` forgets them; `close` without `commit`
 * drops them. Every implementation passes the same contract suite (`test/store/contract.ts`).
 */

/** Kinds of baseline facts. */
export type BaselineKind =
  /** `subject` (a principal) performed a mutating mirroring operation; `value` is the platform. */
  | 'principal-mirroring'
  /** `subject` (a principal) was seen calling from `value` (a source IP). */
  | 'principal-source-ip'
  /** `subject` (a host) was seen sending to `value` (a destination): network first-seen analytics. */
  | 'host-destination'
  /** `subject` (a mirror target or collector id) was seen as a mirroring destination. */
  | 'mirror-destination';

/** Every baseline kind, for validation and exhaustive iteration. */
export const BASELINE_KINDS: readonly BaselineKind[] = [
  'principal-mirroring',
  'principal-source-ip',
  'host-destination',
  'mirror-destination',
];

/** One fact in a baseline, with when it was first and last seen (epoch ms of the events, not of the scan). */
export interface BaselineFact {
  kind: BaselineKind;
  subject: string;
  value: string;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** Baselines: questions about the past, and facts to remember. */
export interface Baselines {
  /**
   * When the fact was first seen (the earliest event time remembered, committed or buffered), or undefined when
   * never. A fact remembered earlier in the same scan counts, so compare the answer with the event's own time to
   * decide novelty (`first === undefined || first >= eventTimeMs`), which holds whatever the order of the calls.
   */
  firstSeen(kind: BaselineKind, subject: string, value: string): number | undefined;
  /**
   * Remembers a fact seen at `timeMs` (buffered until `commit`); the stored first/last times widen to include it.
   * Subjects and values are compared exactly (case-sensitive): normalise them before asking and remembering.
   */
  remember(kind: BaselineKind, subject: string, value: string, timeMs: number): void;
}

/** A suppressed alert, kept for audit with the exception that suppressed it. */
export interface SuppressionRecord {
  alertId: string;
  ruleId: string;
  /** The tuning exception's id, and its ticket when it has one. */
  exceptionId: string;
  ticket?: string;
  /** Event time of the alert (epoch ms) and when it was suppressed. */
  alertTimeMs: number;
  suppressedAtMs: number;
  /** The alert's one-line message. */
  message: string;
}

/** The state store. */
export interface StateStore extends Baselines {
  /** Where the state lives (`:memory:` or a file path), for messages. */
  readonly location: string;
  /** True when this alert id was reported by an earlier scan (or marked in this one, before `commit`). */
  wasReported(alertId: string): boolean;
  /** Records alert ids as reported (buffered until `commit`). */
  markReported(alertIds: readonly string[], reportedAtMs: number): void;
  /**
   * Records suppressed alerts for audit (buffered until `commit`). One record per (alert id, exception id): the
   * first is kept, so re-scanning the same archive does not duplicate the audit.
   */
  recordSuppressions(records: readonly SuppressionRecord[]): void;
  /** Suppressions recorded so far, newest first (for `--show-suppressed` history and tests). */
  listSuppressions(limit?: number): SuppressionRecord[];
  /**
   * The correlation state last saved (engine-defined JSON: committed by an earlier scan, or saved in this one), if
   * any: a fresh copy each call, as `JSON.parse` returns it (a `Map` or a `Date` saved does not come back as one).
   */
  loadCorrelationState(): unknown;
  /**
   * Replaces the correlation state (buffered until `commit`); `undefined` clears it. The state must be
   * JSON-serializable: a cycle or a BigInt is a bug and throws a TypeError at once.
   */
  saveCorrelationState(state: unknown): void;
  /**
   * Makes every buffered write durable, atomically (all of them or none). Returns false when the store could not
   * write (locked past the busy timeout, disk full, I/O error): a numbered diagnostic was reported, nothing was
   * written and the buffered writes are kept, so a later `commit` may still succeed.
   */
  commit(): boolean;
  /** Forgets every buffered write since the last `commit`. */
  rollback(): void;
  /** Closes the store (uncommitted writes are dropped). Closing twice is harmless; any other call after it throws. */
  close(): void;
}
