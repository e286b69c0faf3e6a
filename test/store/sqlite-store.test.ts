/**
 * The SQLite state store: it passes the shared contract (as a file and as `:memory:`), keeps what was committed
 * across processes and reopenings and drops what was not, answers `firstSeen`/`wasReported` with one primary-key
 * search, runs in WAL mode, and merges the commits of two stores on one file.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { STATEMENTS } from '../../src/store/sqlite.js';
import { runStateStoreContract, suppression } from './contract.js';
import { mustOpen, openAt, removeDir, tempDir } from './store-helpers.js';

const root = tempDir();
after(() => removeDir(root));
let n = 0;

runStateStoreContract('sqlite file', {
  create(diagnostics) {
    const path = join(root, `contract-${n++}`, 'state.db');
    const { store, diagnostics: d } = openAt(path, { report: (x) => diagnostics.push(x) });
    assert.deepEqual(d, []);
    assert.ok(store);
    return store;
  },
});

runStateStoreContract('sqlite :memory:', {
  create(diagnostics) {
    const { store } = openAt(':memory:', { report: (x) => diagnostics.push(x) });
    assert.ok(store);
    return store;
  },
});

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

describe('sqlite state store on disk', () => {
  it('keeps committed writes across reopening and drops uncommitted ones at close', () => {
    const path = join(root, 'persist', 'state.db');
    let s = mustOpen(path);
    assert.equal(s.location, path);
    s.remember('principal-mirroring', 'arn:aws:iam::111122223333:user/svc-backup', 'aws', T0);
    s.markReported(['alert-1'], T0);
    s.recordSuppressions([suppression({ alertId: 'alert-2', ticket: 'CHG-1' })]);
    s.saveCorrelationState({ open: [{ rule: 'aws-mirroring-pipeline', group: ['svc-backup'], first: T0 }] });
    assert.equal(s.commit(), true);
    s.remember('principal-mirroring', 'arn:aws:iam::111122223333:user/mallory', 'aws', T0);
    s.markReported(['alert-3'], T0);
    s.saveCorrelationState({ open: [] });
    s.close();

    s = mustOpen(path);
    assert.equal(s.firstSeen('principal-mirroring', 'arn:aws:iam::111122223333:user/svc-backup', 'aws'), T0);
    assert.equal(s.firstSeen('principal-mirroring', 'arn:aws:iam::111122223333:user/mallory', 'aws'), undefined);
    assert.equal(s.wasReported('alert-1'), true);
    assert.equal(s.wasReported('alert-3'), false);
    assert.deepEqual(s.listSuppressions(), [suppression({ alertId: 'alert-2', ticket: 'CHG-1' })]);
    assert.deepEqual(s.loadCorrelationState(), { open: [{ rule: 'aws-mirroring-pipeline', group: ['svc-backup'], first: T0 }] });
    s.close();
  });

  it('writes WAL mode, the schema version and the application id into the file, and records commits in meta', () => {
    const path = join(root, 'pragmas', 'state.db');
    const s = mustOpen(path, { now: () => T0 + 42 });
    s.markReported(['x'], T0);
    s.commit();
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(raw.pragma('application_id', { simple: true }), 0x4d575354);
      const meta = Object.fromEntries(raw.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
      assert.equal(meta.created_at_ms, String(T0 + 42));
      assert.equal(meta.last_commit_at_ms, String(T0 + 42));
    } finally {
      raw.close();
      s.close();
    }
  });

  it('answers firstSeen and wasReported with one primary-key search', () => {
    const path = join(root, 'plans', 'state.db');
    mustOpen(path).close();
    const raw = new Database(path, { readonly: true });
    try {
      const plan = (sql: string) =>
        (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...sql.split('?').slice(1).map(() => 'x')) as { detail: string }[]).map((r) => r.detail);
      assert.deepEqual(plan(STATEMENTS.firstSeen), ['SEARCH baselines USING PRIMARY KEY (kind=? AND subject=? AND value=?)']);
      assert.deepEqual(plan(STATEMENTS.wasReported), ['SEARCH reported_alerts USING PRIMARY KEY (alert_id=?)']);
      assert.match(plan(STATEMENTS.suppressionExists).join(), /SEARCH suppressions USING COVERING INDEX sqlite_autoindex_suppressions_1 \(alert_id=\? AND exception_id=\?\)/);
      assert.deepEqual(plan(STATEMENTS.listSuppressions), ['SCAN suppressions USING INDEX suppressions_newest']);
    } finally {
      raw.close();
    }
  });

  it('merges the commits of two stores open on the same file', () => {
    const path = join(root, 'two', 'state.db');
    const a = mustOpen(path);
    const b = mustOpen(path);
    a.remember('principal-source-ip', 'alice', '198.51.100.9', T0 + 1000);
    b.remember('principal-source-ip', 'alice', '198.51.100.9', T0 + 500);
    b.remember('principal-source-ip', 'alice', '203.0.113.7', T0 + 700);
    a.markReported(['from-a'], T0);
    b.markReported(['from-b'], T0);
    assert.equal(a.commit(), true);
    assert.equal(b.wasReported('from-a'), true, 'a commit is visible to the other connection at once');
    assert.equal(b.commit(), true);
    assert.equal(a.firstSeen('principal-source-ip', 'alice', '198.51.100.9'), T0 + 500, 'the earliest time of both wins');
    assert.equal(a.firstSeen('principal-source-ip', 'alice', '203.0.113.7'), T0 + 700);
    assert.equal(a.wasReported('from-b'), true);
    a.close();
    b.close();
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare("SELECT first_seen_ms, last_seen_ms FROM baselines WHERE value = '198.51.100.9'").get();
    raw.close();
    assert.deepEqual(row, { first_seen_ms: T0 + 500, last_seen_ms: T0 + 1000 }, 'last seen is the latest of both');
  });

  it('does not write to the file when nothing is buffered', () => {
    const path = join(root, 'idle', 'state.db');
    const s = mustOpen(path, { now: () => T0 });
    s.markReported(['a'], T0);
    s.commit();
    const s2 = mustOpen(path, { now: () => T0 + 999 });
    assert.equal(s2.commit(), true);
    s2.close();
    s.close();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.prepare("SELECT value FROM meta WHERE key = 'last_commit_at_ms'").pluck().get(), String(T0));
    raw.close();
  });
});
