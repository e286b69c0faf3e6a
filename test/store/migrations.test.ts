/**
 * Schema migrations by `PRAGMA user_version`: a state file written with the version 1 schema (built here by hand,
 * as the first release wrote it) is upgraded on open with its data intact and ends with the same schema as a new
 * file; a failed migration leaves the file at its old version; a file from a newer mirrorwatch or from another
 * application is refused and left byte for byte as it was.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { APPLICATION_ID, SCHEMA_VERSION, TABLES } from '../../src/store/migrations.js';
import { suppression } from './contract.js';
import { mustOpen, openAt, removeDir, tempDir } from './store-helpers.js';

const root = tempDir();
after(() => removeDir(root));
const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

/** Writes a state file with the version 1 layout and some data, as mirrorwatch's first schema did. */
function writeV1(path: string, extraSql = ''): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE baselines (
      id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, value TEXT NOT NULL,
      first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL, UNIQUE (kind, subject, value));
    CREATE TABLE reported_alerts (alert_id TEXT PRIMARY KEY, reported_at_ms INTEGER NOT NULL);
    CREATE TABLE suppressions (
      id INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, rule_id TEXT NOT NULL, exception_id TEXT NOT NULL,
      alert_time_ms INTEGER NOT NULL, suppressed_at_ms INTEGER NOT NULL, message TEXT NOT NULL);
    CREATE TABLE correlation_state (id INTEGER PRIMARY KEY CHECK (id = 1), state_json TEXT NOT NULL);
    PRAGMA application_id = ${APPLICATION_ID};
    PRAGMA user_version = 1;
    INSERT INTO meta VALUES ('created_at_ms', '${T0 - 86_400_000}');
    INSERT INTO baselines (kind, subject, value, first_seen_ms, last_seen_ms) VALUES
      ('principal-mirroring', 'arn:aws:iam::111122223333:role/terraform-ci', 'aws', ${T0 - 5000}, ${T0}),
      ('principal-source-ip', 'arn:aws:iam::111122223333:role/terraform-ci', '10.20.0.15', ${T0 - 4000}, ${T0 - 100}),
      ('mirror-destination', 'tmt-07d2f0a9c41e5b836', 'aws', ${T0 - 3000}, ${T0 - 3000});
    INSERT INTO reported_alerts VALUES ('3b0c2f5e', ${T0}), ('77aa01d4', ${T0 + 1});
    INSERT INTO suppressions (alert_id, rule_id, exception_id, alert_time_ms, suppressed_at_ms, message) VALUES
      ('c0ffee01', 'aws-traffic-mirror-session-created', 'approved-ndr', ${T0}, ${T0 + 10}, 'first record'),
      ('c0ffee01', 'aws-traffic-mirror-session-created', 'approved-ndr', ${T0}, ${T0 + 20}, 'duplicate from a re-scan'),
      ('c0ffee02', 'aws-traffic-mirror-target-created', 'approved-ndr', ${T0}, ${T0 + 30}, 'second alert');
    INSERT INTO correlation_state VALUES (1, '{"windows":[{"group":["terraform-ci"],"first":${T0}}]}');
    ${extraSql}
  `);
  db.close();
  chmodSync(path, 0o600);
}

interface ColumnShape {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

/** The schema as SQLite describes it: columns, keys, rowid or not, indexes; independent of CREATE statement text. */
function schemaShape(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    const shape: Record<string, unknown> = {};
    for (const table of TABLES) {
      const list = db.prepare('SELECT wr FROM pragma_table_list WHERE name = ?').get(table) as { wr: number };
      const columns = (db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`).all(table) as ColumnShape[]).map((c) => ({ ...c }));
      const indexes = db
        .prepare('SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY name')
        .all(table)
        .map((i) => {
          const idx = i as { name: string; unique: number; origin: string };
          const cols = db.prepare('SELECT name, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno').all(idx.name);
          return { unique: idx.unique, origin: idx.origin, cols };
        });
      shape[table] = { withoutRowid: list.wr, columns, indexes };
    }
    return shape;
  } finally {
    db.close();
  }
}

describe('state file migrations', () => {
  it('upgrades a version 1 file on open and keeps its data', () => {
    const path = join(root, 'v1.db');
    writeV1(path);
    const { store, diagnostics } = openAt(path);
    assert.ok(store, JSON.stringify(diagnostics));
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.file, d.message]),
      [['MW4310', 'info', path, `upgraded the state file from schema version 1 to ${SCHEMA_VERSION}`]],
    );
    assert.equal(store.firstSeen('principal-mirroring', 'arn:aws:iam::111122223333:role/terraform-ci', 'aws'), T0 - 5000);
    assert.equal(store.firstSeen('principal-source-ip', 'arn:aws:iam::111122223333:role/terraform-ci', '10.20.0.15'), T0 - 4000);
    assert.equal(store.firstSeen('mirror-destination', 'tmt-07d2f0a9c41e5b836', 'aws'), T0 - 3000);
    assert.equal(store.wasReported('3b0c2f5e'), true);
    assert.equal(store.wasReported('77aa01d4'), true);
    assert.equal(store.wasReported('other'), false);
    assert.deepEqual(
      store.listSuppressions().map((r) => [r.alertId, r.exceptionId, r.message, r.ticket]),
      [
        ['c0ffee02', 'approved-ndr', 'second alert', undefined],
        ['c0ffee01', 'approved-ndr', 'first record', undefined],
      ],
      'one row per (alert, exception), the first kept',
    );
    assert.deepEqual(store.loadCorrelationState(), { windows: [{ group: ['terraform-ci'], first: T0 }] });

    // The upgraded file takes new writes like a new one.
    store.remember('principal-mirroring', 'arn:aws:iam::111122223333:role/terraform-ci', 'aws', T0 - 9000);
    store.recordSuppressions([suppression({ alertId: 'c0ffee01', exceptionId: 'approved-ndr' }), suppression({ alertId: 'c0ffee03', ticket: 'CHG-9' })]);
    assert.equal(store.commit(), true);
    store.close();

    const again = openAt(path);
    assert.deepEqual(again.diagnostics, [], 'a second open has nothing to migrate');
    assert.ok(again.store);
    assert.equal(again.store.firstSeen('principal-mirroring', 'arn:aws:iam::111122223333:role/terraform-ci', 'aws'), T0 - 9000);
    assert.deepEqual(again.store.listSuppressions().map((r) => r.alertId), ['c0ffee03', 'c0ffee02', 'c0ffee01']);
    again.store.close();

    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.prepare("SELECT value FROM meta WHERE key = 'created_at_ms'").pluck().get(), String(T0 - 86_400_000), 'meta survives');
    raw.close();

    const freshPath = join(root, 'fresh.db');
    mustOpen(freshPath).close();
    assert.deepEqual(schemaShape(path), schemaShape(freshPath), 'an upgraded file has the schema of a new one');
  });

  it('leaves the file at its old version when a migration fails', () => {
    const path = join(root, 'v1-blocked.db');
    // A table in the way of the version 2 rebuild makes the migration fail half-way.
    writeV1(path, "CREATE TABLE suppressions_v2 (x); INSERT INTO suppressions_v2 VALUES ('in the way');");
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].code, 'MW4301');
    assert.match(diagnostics[0].message, /suppressions_v2 already exists/);
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('user_version', { simple: true }), 1, 'still version 1');
      assert.equal(raw.prepare('SELECT count(*) FROM baselines').pluck().get(), 3, 'version 1 data untouched');
      assert.ok(
        (raw.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get('baselines') as string).includes('id INTEGER PRIMARY KEY'),
        'the baselines table was not rebuilt',
      );
      assert.equal(raw.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'baselines_v2'").pluck().get(), 0);
    } finally {
      raw.close();
    }
  });

  it('refuses a file from a newer mirrorwatch and leaves it untouched', () => {
    const path = join(root, 'newer.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE future (x); PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
    db.close();
    const before = readFileSync(path);
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.file]), [['MW4304', 'error', path]]);
    assert.match(diagnostics[0].message, new RegExp(`schema version ${SCHEMA_VERSION + 1}, written by a newer mirrorwatch; this version knows versions up to ${SCHEMA_VERSION}`));
    assert.match(diagnostics[0].message, /--no-state/);
    assert.deepEqual(readFileSync(path), before, 'not a byte changed');
    assert.equal(existsSync(`${path}-wal`), false, 'no WAL was created');
  });

  it('refuses a current-version file with a table missing: MW4301', () => {
    const path = join(root, 'missing-table.db');
    mustOpen(path).close();
    const db = new Database(path);
    db.exec('DROP TABLE suppressions');
    db.close();
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    assert.deepEqual(diagnostics.map((d) => d.code), ['MW4301']);
    assert.match(diagnostics[0].message, new RegExp(`schema version ${SCHEMA_VERSION} but no table suppressions`));
  });

  it("refuses another application's SQLite database and leaves it untouched", () => {
    const path = join(root, 'places.sqlite');
    const db = new Database(path);
    db.exec("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places (url) VALUES ('https://example.com/');");
    db.close();
    const before = readFileSync(path);
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['MW4305', 'error']]);
    assert.match(diagnostics[0].message, /not a mirrorwatch state store; it was left untouched; run with --state PATH \(another file\) or --no-state/);
    assert.deepEqual(readFileSync(path), before);
  });
});
