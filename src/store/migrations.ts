/**
 * The state file's schema and its history. The schema version lives in SQLite's `PRAGMA user_version` and the
 * file's owner in `PRAGMA application_id` (both integers in the database header, offsets 60 and 68: see
 * https://www.sqlite.org/fileformat2.html#database_header), so a version check reads the header, not a table.
 *
 * A new file runs every migration from version 0, so a fresh store and an upgraded one are built by the same
 * statements. Each run of migrations is one `BEGIN IMMEDIATE` transaction that also sets `user_version`: a crash
 * or a failure leaves the file at its old version, never half-migrated. A file whose version is higher than
 * `SCHEMA_VERSION` was written by a newer mirrorwatch and is refused before anything is written to it.
 *
 * History:
 * - 1: baselines, reported alert ids, suppression audit, correlation state, meta; rowid tables with UNIQUE
 *   constraints.
 * - 2: baselines and reported ids become WITHOUT ROWID tables keyed by their natural key, so `firstSeen` and
 *   `wasReported` are one B-tree search instead of an index search plus a table lookup
 *   (https://www.sqlite.org/withoutrowid.html); suppressions gain `ticket` and keep one row per (alert, exception);
 *   correlation state is keyed by engine name and records when it was saved.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** The database handle type of better-sqlite3. */
export type Db = BetterSqlite3.Database;

/** `PRAGMA application_id` of a mirrorwatch state file: the ASCII bytes "MWST". */
export const APPLICATION_ID = 0x4d575354;

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = 2;

/** The tables of the current schema, checked after opening. */
export const TABLES = ['meta', 'baselines', 'reported_alerts', 'suppressions', 'correlation_state'] as const;

/** The key under which the correlation engine's state is kept. */
export const CORRELATION_STATE_NAME = 'default';

/** One schema step: from `to - 1` to `to`. */
export interface Migration {
  to: number;
  summary: string;
  up(db: Db, nowMs: number): void;
}

/** Every schema step, in order. Never edit a released step: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    summary: 'create the state tables',
    up(db, nowMs) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE baselines (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL, subject TEXT NOT NULL, value TEXT NOT NULL,
          first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL,
          UNIQUE (kind, subject, value)
        );
        CREATE TABLE reported_alerts (alert_id TEXT PRIMARY KEY, reported_at_ms INTEGER NOT NULL);
        CREATE TABLE suppressions (
          id INTEGER PRIMARY KEY,
          alert_id TEXT NOT NULL, rule_id TEXT NOT NULL, exception_id TEXT NOT NULL,
          alert_time_ms INTEGER NOT NULL, suppressed_at_ms INTEGER NOT NULL, message TEXT NOT NULL
        );
        CREATE TABLE correlation_state (id INTEGER PRIMARY KEY CHECK (id = 1), state_json TEXT NOT NULL);
        PRAGMA application_id = ${APPLICATION_ID};
      `);
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('created_at_ms', String(nowMs));
    },
  },
  {
    to: 2,
    summary: 'key baselines and reported ids by their natural key; suppression tickets; named correlation state',
    up(db, nowMs) {
      // The table rebuild recipe of https://www.sqlite.org/lang_altertable.html#otheralter: create, copy, drop,
      // rename, inside the caller's transaction.
      db.exec(`
        CREATE TABLE baselines_v2 (
          kind TEXT NOT NULL, subject TEXT NOT NULL, value TEXT NOT NULL,
          first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL,
          PRIMARY KEY (kind, subject, value)
        ) WITHOUT ROWID;
        INSERT INTO baselines_v2 (kind, subject, value, first_seen_ms, last_seen_ms)
          SELECT kind, subject, value, first_seen_ms, last_seen_ms FROM baselines;
        DROP TABLE baselines;
        ALTER TABLE baselines_v2 RENAME TO baselines;

        CREATE TABLE reported_alerts_v2 (alert_id TEXT PRIMARY KEY, reported_at_ms INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO reported_alerts_v2 (alert_id, reported_at_ms) SELECT alert_id, reported_at_ms FROM reported_alerts;
        DROP TABLE reported_alerts;
        ALTER TABLE reported_alerts_v2 RENAME TO reported_alerts;

        CREATE TABLE suppressions_v2 (
          seq INTEGER PRIMARY KEY,
          alert_id TEXT NOT NULL, rule_id TEXT NOT NULL, exception_id TEXT NOT NULL, ticket TEXT,
          alert_time_ms INTEGER NOT NULL, suppressed_at_ms INTEGER NOT NULL, message TEXT NOT NULL,
          UNIQUE (alert_id, exception_id)
        );
        INSERT INTO suppressions_v2 (seq, alert_id, rule_id, exception_id, ticket, alert_time_ms, suppressed_at_ms, message)
          SELECT id, alert_id, rule_id, exception_id, NULL, alert_time_ms, suppressed_at_ms, message FROM suppressions
          WHERE id IN (SELECT min(id) FROM suppressions GROUP BY alert_id, exception_id);
        DROP TABLE suppressions;
        ALTER TABLE suppressions_v2 RENAME TO suppressions;
        CREATE INDEX suppressions_newest ON suppressions (suppressed_at_ms DESC, seq DESC);

        CREATE TABLE correlation_state_v2 (
          name TEXT PRIMARY KEY, state_json TEXT NOT NULL, saved_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO correlation_state_v2 (name, state_json, saved_at_ms)
          SELECT '${CORRELATION_STATE_NAME}', state_json, 0 FROM correlation_state;
        DROP TABLE correlation_state;
        ALTER TABLE correlation_state_v2 RENAME TO correlation_state;
      `);
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('schema_2_at_ms', String(nowMs));
    },
  },
];

/** What `migrate` did. */
export interface MigrationResult {
  from: number;
  to: number;
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Reads `PRAGMA application_id`. */
export function applicationId(db: Db): number {
  return db.pragma('application_id', { simple: true }) as number;
}

/**
 * Brings the schema to `SCHEMA_VERSION` in one write transaction; the version is read again inside it, so two
 * processes upgrading the same file at once migrate it once. The transaction is taken even when nothing needs
 * doing, which proves the file writable. SQLite errors (busy, read-only, corrupt) propagate for the caller to turn
 * into diagnostics; a version newer than this code's comes back as `from` for the caller to refuse.
 */
export function migrate(db: Db, nowMs: number): MigrationResult {
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = schemaVersion(db);
    for (const m of MIGRATIONS) {
      if (m.to <= from) continue;
      m.up(db, nowMs);
      db.pragma(`user_version = ${m.to}`);
    }
    db.exec('COMMIT');
    return { from, to: Math.max(from, SCHEMA_VERSION) };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}
