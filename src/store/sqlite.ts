/**
 * The SQLite state store (better-sqlite3, synchronous). One file, WAL mode, `synchronous = FULL`, a busy timeout,
 * schema migrations by `PRAGMA user_version` (see `migrations.ts`).
 *
 * Durability: writes are buffered in memory and `commit()` writes them in one `BEGIN IMMEDIATE` transaction. In WAL
 * mode a transaction is durable once its commit record is in the WAL; with `synchronous = FULL` the WAL is synced at
 * every commit, so a committed batch survives a killed process and a power loss, and an interrupted one leaves no
 * trace (https://www.sqlite.org/wal.html, https://www.sqlite.org/pragma.html#pragma_synchronous).
 *
 * Failure: every SQLite error that comes from the file or its surroundings (corrupt, locked past the timeout,
 * read-only, disk full, I/O) becomes one numbered diagnostic naming the file; reads then answer as if the fact were
 * unknown (an alert may repeat, a principal may look new: the safe direction) and `commit()` returns false. Only
 * misuse (a non-finite time, a closed store) throws.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Report } from '../core/diagnostic.js';
import {
  APPLICATION_ID,
  CORRELATION_STATE_NAME,
  SCHEMA_VERSION,
  TABLES,
  applicationId,
  migrate,
  schemaVersion,
} from './migrations.js';
import type { Db } from './migrations.js';
import {
  PendingWrites,
  checkLimit,
  checkString,
  checkTime,
  copySuppression,
  newestFirst,
  stateToJson,
} from './pending-writes.js';
import { STATE_ADVICE, STORE } from './store-diagnostic-codes.js';
import type { BaselineKind, StateStore, SuppressionRecord } from './types.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file (created empty by the caller with user-only permissions), or `:memory:`. */
  file: string;
  /** The path as the user should see it in messages (default: `file`). */
  displayPath?: string;
  report: Report;
  /**
   * How long to wait for another process's write lock before giving up, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /** The clock, for `meta` timestamps. */
  now?: () => number;
}

/** The default busy timeout: long enough to wait out another scan's commit, short enough to be noticed. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

type DatabaseConstructor = typeof BetterSqlite3;
let driver: DatabaseConstructor | Error | undefined;

/**
 * Loads better-sqlite3 on first use: it is a native addon, so a machine where it failed to build still runs every
 * command with `--no-state`, and `--no-state` never loads it.
 */
function loadDriver(): DatabaseConstructor | Error {
  if (driver === undefined) {
    try {
      driver = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
    } catch (e) {
      driver = e instanceof Error ? e : new Error(String(e));
    }
  }
  return driver;
}

/** The SQLite result code name of an error (`SQLITE_BUSY`, `SQLITE_CORRUPT`, …), or undefined for other errors. */
export function sqliteCode(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** What went wrong with the file, from a SQLite result code (https://www.sqlite.org/rescode.html). */
type Failure = 'corrupt' | 'locked' | 'notWritable' | 'writeFailed';

function classify(code: string): Failure {
  // Extended codes keep their primary code as a prefix (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_SHORT_READ, …).
  // SQLITE_ERROR from our own statements means the file's schema is not what its version says (a table missing
  // or in the way of a migration): the file's content is at fault, as with corruption.
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'SQLITE_ERROR') return 'corrupt';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return 'notWritable';
  }
  return 'writeFailed';
}

/** Reports a SQLite failure on `path` as the matching numbered diagnostic. */
function reportFailure(report: Report, path: string, failure: Failure, detail: string, busyTimeoutMs: number): void {
  switch (failure) {
    case 'corrupt':
      report({
        code: STORE.corrupt.code,
        severity: 'error',
        file: path,
        message: `the state file is corrupt or not a database (${detail}); move it aside or delete it to start a fresh state, ${STATE_ADVICE}`,
      });
      return;
    case 'locked':
      report({
        code: STORE.locked.code,
        severity: 'error',
        file: path,
        message: `the state file is locked by another process (another mirrorwatch writing to it?) and stayed locked for ${busyTimeoutMs} ms (${detail}); try again when it has finished, ${STATE_ADVICE}`,
      });
      return;
    case 'notWritable':
      report({
        code: STORE.notWritable.code,
        severity: 'error',
        file: path,
        message: `the state file cannot be opened for writing (${detail}); check the permissions of the file and its directory, ${STATE_ADVICE}`,
      });
      return;
    case 'writeFailed':
      report({
        code: STORE.writeFailed.code,
        severity: 'error',
        file: path,
        message: `the state store could not write (${detail}); free disk space or fix the storage, ${STATE_ADVICE}`,
      });
      return;
    default: {
      const never: never = failure;
      throw new Error(`unhandled failure ${String(never)}`);
    }
  }
}

/**
 * Opens (creating or upgrading as needed) a SQLite state store. Returns undefined after reporting a numbered
 * diagnostic when the file cannot be used: corrupt or not a database, another application's database, a newer
 * schema, locked past the busy timeout, not writable, or the driver missing. Never leaves a half-migrated file.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStateStore | undefined {
  const { file, report } = options;
  const path = options.displayPath ?? file;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const Database = loadDriver();
  if (Database instanceof Error) {
    report({
      code: STORE.driverUnavailable.code,
      severity: 'error',
      file: path,
      message: `SQLite support is unavailable: better-sqlite3 could not be loaded (${Database.message}); reinstall with \`npm ci\` (it builds the addon with python3, make and a C++ compiler), ${STATE_ADVICE}`,
    });
    return undefined;
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { timeout: busyTimeoutMs });
    if (!checkOwnership(db, path, report)) {
      db.close();
      return undefined;
    }
    // WAL lets scans read while another process commits, and makes a commit one append to the WAL. `:memory:`
    // answers "memory", which is fine: nothing survives it anyway.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const problems = db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
    const verdict = problems.map((p) => p.quick_check).join('; ');
    if (verdict !== 'ok') {
      reportFailure(report, path, 'corrupt', `integrity check: ${verdict}`, busyTimeoutMs);
      db.close();
      return undefined;
    }
    // `migrate` takes the write lock even when there is nothing to upgrade, so a read-only file or a lock held past
    // the timeout is reported now, before a scan, rather than when its results are committed.
    const { from, to } = migrate(db, now());
    if (from > SCHEMA_VERSION) {
      // Another, newer mirrorwatch upgraded the file between our check and our transaction.
      reportNewer(report, path, from);
      db.close();
      return undefined;
    }
    if (from > 0 && to > from) {
      report({
        code: STORE.migrated.code,
        severity: 'info',
        file: path,
        message: `upgraded the state file from schema version ${from} to ${to}`,
      });
    }
    const missing = missingTables(db);
    if (missing.length > 0) {
      reportFailure(report, path, 'corrupt', `schema version ${to} but no table ${missing.join(', ')}`, busyTimeoutMs);
      db.close();
      return undefined;
    }
    return new SqliteStateStore(db, path, report, busyTimeoutMs, now);
  } catch (e) {
    closeQuietly(db);
    const code = sqliteCode(e);
    if (code === undefined) {
      // better-sqlite3 throws a TypeError for a missing directory; anything else is a bug.
      if (e instanceof TypeError && /directory does not exist/.test(e.message)) {
        reportFailure(report, path, 'notWritable', e.message, busyTimeoutMs);
        return undefined;
      }
      throw e;
    }
    reportFailure(report, path, classify(code), `${code}: ${(e as Error).message}`, busyTimeoutMs);
    return undefined;
  }
}

/** Closes a connection after a failure; a second failure while closing adds nothing to the first one's report. */
function closeQuietly(db: Db | undefined): void {
  if (!db?.open) return;
  try {
    if (db.inTransaction) db.exec('ROLLBACK');
  } catch {
    // Closing rolls back an open transaction anyway (https://www.sqlite.org/c3ref/close.html).
  }
  try {
    db.close();
  } catch {
    // Nothing more can be done with this handle; the failure that brought us here is reported.
  }
}

function reportNewer(report: Report, path: string, version: number): void {
  report({
    code: STORE.newerSchema.code,
    severity: 'error',
    file: path,
    message: `the state file has schema version ${version}, written by a newer mirrorwatch; this version knows versions up to ${SCHEMA_VERSION} and leaves the file untouched; upgrade mirrorwatch, ${STATE_ADVICE}`,
  });
}

/** True when the file is empty, or a mirrorwatch store of a version this code knows; reports otherwise. */
function checkOwnership(db: Db, path: string, report: Report): boolean {
  const app = applicationId(db);
  const version = schemaVersion(db);
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number;
  const empty = app === 0 && version === 0 && tables === 0;
  if (!empty && app !== APPLICATION_ID) {
    report({
      code: STORE.foreign.code,
      severity: 'error',
      file: path,
      message: `the file is an SQLite database (application id ${app}, ${tables} table(s)) but not a mirrorwatch state store; it was left untouched; ${STATE_ADVICE.replace(/^or /, '')}`,
    });
    return false;
  }
  if (version > SCHEMA_VERSION) {
    reportNewer(report, path, version);
    return false;
  }
  return true;
}

function missingTables(db: Db): string[] {
  const have = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]);
  return TABLES.filter((t) => !have.has(t));
}

/** A state store in one SQLite file; create it with {@link openSqliteStore}. */
export class SqliteStateStore implements StateStore {
  private readonly pending = new PendingWrites();
  private closed = false;
  /** Set after the file was found corrupt mid-run: nothing more is read or written. */
  private broken = false;
  private readonly reported = new Set<string>();
  private readonly q: ReturnType<typeof prepareStatements>;
  private readonly writeAll: () => void;

  constructor(
    private readonly db: Db,
    readonly location: string,
    private readonly report: Report,
    private readonly busyTimeoutMs: number,
    private readonly now: () => number,
  ) {
    this.q = prepareStatements(db);
    this.writeAll = db.transaction(() => this.writePending()).immediate;
  }

  /** See {@link StateStore.firstSeen}: one primary-key search, plus the buffer. */
  firstSeen(kind: BaselineKind, subject: string, value: string): number | undefined {
    this.assertOpen();
    const committed = this.read(() => this.q.firstSeen.get(kind, subject, value) as number | undefined, undefined);
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

  /** See {@link StateStore.wasReported}: one primary-key search, plus the buffer. */
  wasReported(alertId: string): boolean {
    this.assertOpen();
    if (this.pending.reported.has(alertId)) return true;
    return this.read(() => this.q.wasReported.get(alertId) !== undefined, false);
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
      const exists = this.read(() => this.q.suppressionExists.get(copy.alertId, copy.exceptionId) !== undefined, false);
      if (!exists) this.pending.addSuppression(copy);
    }
  }

  /** See {@link StateStore.listSuppressions}. */
  listSuppressions(limit?: number): SuppressionRecord[] {
    this.assertOpen();
    checkLimit(limit);
    const rows = this.read(() => this.q.listSuppressions.all(limit ?? -1) as SuppressionRow[], []);
    return newestFirst(rows.map(fromRow), this.pending.suppressions, limit);
  }

  /** See {@link StateStore.loadCorrelationState}. */
  loadCorrelationState(): unknown {
    this.assertOpen();
    const slot = this.pending.correlation;
    const json =
      slot.kind === 'saved'
        ? slot.json
        : this.read(() => this.q.loadState.get(CORRELATION_STATE_NAME) as string | undefined, undefined);
    if (json === undefined) return undefined;
    try {
      return JSON.parse(json) as unknown;
    } catch (e) {
      this.report({
        code: STORE.badCorrelationState.code,
        severity: 'warning',
        file: this.location,
        message: `the saved correlation state is not valid JSON (${(e as Error).message}); correlations start afresh and the next commit replaces it`,
      });
      return undefined;
    }
  }

  /** See {@link StateStore.saveCorrelationState}. */
  saveCorrelationState(state: unknown): void {
    this.assertOpen();
    this.pending.correlation = { kind: 'saved', json: stateToJson(state) };
  }

  /** See {@link StateStore.commit}: one `BEGIN IMMEDIATE` transaction, synced to disk before it returns. */
  commit(): boolean {
    this.assertOpen();
    if (this.broken) return false;
    if (this.pending.isEmpty) return true;
    try {
      this.writeAll();
    } catch (e) {
      const code = sqliteCode(e);
      if (code === undefined) throw e;
      this.fail(code, (e as Error).message);
      return false;
    }
    this.pending.clear();
    return true;
  }

  /** See {@link StateStore.rollback}. */
  rollback(): void {
    this.assertOpen();
    this.pending.clear();
  }

  /** See {@link StateStore.close}; the last connection to close checkpoints the WAL into the database file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    try {
      this.db.close();
    } catch (e) {
      const code = sqliteCode(e);
      if (code === undefined) throw e;
      this.fail(code, (e as Error).message);
    }
  }

  private writePending(): void {
    const { q, pending } = this;
    for (const f of pending.facts.rows()) q.upsertFact.run(f.kind, f.subject, f.value, f.firstSeenMs, f.lastSeenMs);
    for (const [id, at] of pending.reported) q.insertReported.run(id, at);
    for (const r of pending.suppressions) {
      q.insertSuppression.run(r.alertId, r.ruleId, r.exceptionId, r.ticket ?? null, r.alertTimeMs, r.suppressedAtMs, r.message);
    }
    const slot = pending.correlation;
    const at = this.now();
    if (slot.kind === 'saved') {
      if (slot.json === undefined) q.deleteState.run(CORRELATION_STATE_NAME);
      else q.saveState.run(CORRELATION_STATE_NAME, slot.json, at);
    }
    q.setMeta.run('last_commit_at_ms', String(at));
  }

  /** Runs a read; a SQLite failure is reported (once per kind) and answered with `fallback`. */
  private read<T>(fn: () => T, fallback: T): T {
    if (this.broken) return fallback;
    try {
      return fn();
    } catch (e) {
      const code = sqliteCode(e);
      if (code === undefined) throw e;
      this.fail(code, (e as Error).message);
      return fallback;
    }
  }

  private fail(code: string, message: string): void {
    const failure = classify(code);
    if (failure === 'corrupt') this.broken = true;
    if (this.reported.has(failure)) return;
    this.reported.add(failure);
    reportFailure(this.report, this.location, failure, `${code}: ${message}`, this.busyTimeoutMs);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`state store ${this.location} is closed`);
  }
}

interface SuppressionRow {
  alert_id: string;
  rule_id: string;
  exception_id: string;
  ticket: string | null;
  alert_time_ms: number;
  suppressed_at_ms: number;
  message: string;
}

function fromRow(r: SuppressionRow): SuppressionRecord {
  const out: SuppressionRecord = {
    alertId: r.alert_id,
    ruleId: r.rule_id,
    exceptionId: r.exception_id,
    alertTimeMs: r.alert_time_ms,
    suppressedAtMs: r.suppressed_at_ms,
    message: r.message,
  };
  if (r.ticket !== null) out.ticket = r.ticket;
  return out;
}

/** The SQL of every statement the store runs (exported so a test can check their query plans). */
export const STATEMENTS = {
  firstSeen: 'SELECT first_seen_ms FROM baselines WHERE kind = ? AND subject = ? AND value = ?',
  upsertFact: `INSERT INTO baselines (kind, subject, value, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (kind, subject, value) DO UPDATE SET
      first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
      last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`,
  wasReported: 'SELECT 1 FROM reported_alerts WHERE alert_id = ?',
  insertReported: 'INSERT INTO reported_alerts (alert_id, reported_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING',
  suppressionExists: 'SELECT 1 FROM suppressions WHERE alert_id = ? AND exception_id = ?',
  insertSuppression: `INSERT INTO suppressions (alert_id, rule_id, exception_id, ticket, alert_time_ms, suppressed_at_ms, message)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, exception_id) DO NOTHING`,
  listSuppressions: `SELECT alert_id, rule_id, exception_id, ticket, alert_time_ms, suppressed_at_ms, message FROM suppressions
    ORDER BY suppressed_at_ms DESC, seq DESC LIMIT ?`,
  loadState: 'SELECT state_json FROM correlation_state WHERE name = ?',
  saveState: `INSERT INTO correlation_state (name, state_json, saved_at_ms) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET state_json = excluded.state_json, saved_at_ms = excluded.saved_at_ms`,
  deleteState: 'DELETE FROM correlation_state WHERE name = ?',
  setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const;

/**
 * Every statement, prepared once per connection; single-value lookups are plucked
 * (https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md#pluckstate---this).
 */
function prepareStatements(db: Db) {
  const S = STATEMENTS;
  return {
    firstSeen: db.prepare(S.firstSeen).pluck(),
    upsertFact: db.prepare(S.upsertFact),
    wasReported: db.prepare(S.wasReported).pluck(),
    insertReported: db.prepare(S.insertReported),
    suppressionExists: db.prepare(S.suppressionExists).pluck(),
    insertSuppression: db.prepare(S.insertSuppression),
    listSuppressions: db.prepare(S.listSuppressions),
    loadState: db.prepare(S.loadState).pluck(),
    saveState: db.prepare(S.saveState),
    deleteState: db.prepare(S.deleteState),
    setMeta: db.prepare(S.setMeta),
  };
}
