/**
 * A state file that cannot be used gets one numbered diagnostic naming the file and what to do (`--state`
 * elsewhere or `--no-state`), never an exception: garbage bytes, a truncated or overwritten database, a directory,
 * a path under a regular file, a directory or file this user cannot write, a database locked by another process
 * past the busy timeout. Files are created user-only; a file others can read is warned about.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { mustOpen, openAt, removeDir, startStoreChild, tempDir } from './store-helpers.js';

const root = tempDir();
after(() => removeDir(root));
const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

/** The one diagnostic of a failed open: its code, and a message that names the way out. */
function onlyError(diagnostics: Diagnostic[], path: string): Diagnostic {
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [d] = diagnostics;
  assert.equal(d.severity, 'error');
  assert.equal(d.file, path);
  assert.match(d.message, /--state PATH/);
  assert.match(d.message, /--no-state/);
  return d;
}

/** A state file with some content, closed, for damaging. */
function populatedStore(path: string): void {
  const s = mustOpen(path);
  for (let i = 0; i < 5000; i++) s.remember('host-destination', `10.1.${i >> 8}.${i & 255}`, '203.0.113.66', T0 + i);
  s.markReported(Array.from({ length: 2000 }, (_, i) => `alert-${i}`), T0);
  assert.equal(s.commit(), true);
  s.close();
}

describe('corrupt state files', () => {
  it('garbage bytes: MW4301, and the file is left as it was', () => {
    const path = join(root, 'garbage.db');
    writeFileSync(path, 'Records,eventName\n1,CreateTrafficMirrorSession\n'.repeat(200), { mode: 0o600 });
    const before = readFileSync(path);
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    const d = onlyError(diagnostics, path);
    assert.equal(d.code, 'MW4301');
    assert.match(d.message, /corrupt or not a database \(SQLITE_NOTADB: file is not a database\); move it aside or delete it/);
    assert.deepEqual(readFileSync(path), before);
    assert.equal(existsSync(`${path}-wal`), false);
  });

  it('a truncated database: MW4301', () => {
    const path = join(root, 'truncated.db');
    populatedStore(path);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    assert.equal(onlyError(diagnostics, path).code, 'MW4301');
  });

  it('pages overwritten inside an intact header: MW4301 from the integrity check', () => {
    const path = join(root, 'scribbled.db');
    populatedStore(path);
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Overwrite two pages in the middle, leaving the 100-byte header and the schema page intact.
    for (let i = pageSize * 4; i < pageSize * 6; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(path, bytes);
    const { store, diagnostics } = openAt(path);
    assert.equal(store, undefined);
    const d = onlyError(diagnostics, path);
    assert.equal(d.code, 'MW4301');
    assert.match(d.message, /malformed|integrity check/);
  });

  it('damage found while a store is open: one MW4301, reads answer "unknown", commits fail', () => {
    const path = join(root, 'damaged-later.db');
    mustOpen(path).close();
    const diagnostics: Diagnostic[] = [];
    const { store: s } = openAt(path, { report: (d) => diagnostics.push(d) });
    assert.ok(s);
    // Another writer fills the file and checkpoints it into the main database file; then pages of that file are
    // overwritten behind both connections' backs.
    populatedStore(path);
    const writer = new Database(path);
    writer.pragma('wal_checkpoint(TRUNCATE)');
    writer.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    for (let i = pageSize * 2; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(path, bytes);

    assert.equal(s.firstSeen('host-destination', '10.1.0.7', '203.0.113.66'), undefined, 'unknown, not a crash');
    assert.equal(s.wasReported('alert-7'), false);
    s.remember('principal-mirroring', 'alice', 'aws', T0);
    assert.equal(s.commit(), false);
    assert.equal(onlyError(diagnostics, path).code, 'MW4301', 'reported once');
    s.close();
  });

  it('an empty file is a new store', () => {
    const path = join(root, 'empty.db');
    writeFileSync(path, '', { mode: 0o600 });
    const s = mustOpen(path);
    s.markReported(['a'], T0);
    assert.equal(s.commit(), true);
    s.close();
  });
});

describe('state paths that cannot be written', () => {
  it('a directory given as the state file: MW4303', () => {
    const path = join(root, 'a-directory');
    mkdirSync(path);
    const d = onlyError(openAt(path).diagnostics, path);
    assert.equal(d.code, 'MW4303');
    assert.match(d.message, /is a directory/);
  });

  it('a directory that cannot be created because a file is in the way: MW4303', () => {
    writeFileSync(join(root, 'plain-file'), 'x');
    const path = join(root, 'plain-file', 'mirrorwatch', 'state.db');
    const d = onlyError(openAt(path).diagnostics, path);
    assert.equal(d.code, 'MW4303');
    assert.match(d.message, /cannot create the state directory .*ENOTDIR/);
  });

  // Root bypasses file permissions, so as root the checks run in a child process as the unprivileged user
  // "nobody" (uid 65534); as any other user they run in this process.
  const asRoot = process.getuid?.() === 0;
  const nobody = { uid: 65534, gid: 65534 };
  async function openAsUser(path: string): Promise<{ opened: boolean; committed: boolean; diagnostics: Diagnostic[] }> {
    if (!asRoot) {
      const { store, diagnostics } = openAt(path);
      const committed = store?.commit() ?? false;
      store?.close();
      return { opened: store !== undefined, committed, diagnostics };
    }
    const child = startStoreChild('open', [path], nobody);
    const line = await child.nextLine();
    const end = await child.exited;
    assert.ok(line, `the child printed nothing: ${end.stderr}`);
    return JSON.parse(line) as { opened: boolean; committed: boolean; diagnostics: Diagnostic[] };
  }
  const permissionDir = join(root, 'permissions');
  mkdirSync(permissionDir, { recursive: true });
  let skip: string | false = process.platform === 'win32' ? 'POSIX permissions' : false;
  if (!skip && asRoot) {
    chmodSync(root, 0o755);
    chmodSync(permissionDir, 0o755);
    // The child must be able to load the compiled store and better-sqlite3 as nobody; a checkout under a private
    // home directory may not allow that, and then these two tests are skipped (they run as any other user).
    const child = fileURLToPath(new URL('./store-child.js', import.meta.url));
    const probe = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(pathToFileURL(child).href)}).then(() => import('better-sqlite3'))`], {
      ...nobody,
      cwd: dirname(child),
      encoding: 'utf8',
    });
    if (probe.status !== 0) {
      const why = (probe.stderr || String(probe.error)).split('\n').find((l) => /Error/.test(l)) ?? `exit ${probe.status}`;
      skip = `cannot load the store as user nobody: ${why}`;
    }
  }

  it('a directory this user cannot create or write into: MW4303', { skip }, async (t) => {
    const locked = join(permissionDir, 'root-owned');
    mkdirSync(locked, { recursive: true, mode: 0o755 });
    chmodSync(locked, 0o555);
    t.after(() => chmodSync(locked, 0o755));
    const probe = await openAsUser(join(locked, 'sub', 'state.db'));
    assert.equal(probe.opened, false);
    assert.equal(probe.diagnostics.length, 1);
    assert.equal(probe.diagnostics[0].code, 'MW4303');
    assert.match(probe.diagnostics[0].message, /cannot create the state directory .*EACCES/);

    const direct = await openAsUser(join(locked, 'state.db'));
    assert.equal(direct.opened, false);
    assert.equal(direct.diagnostics[0].code, 'MW4303');
    assert.match(direct.diagnostics[0].message, /state directory .* is not writable .*EACCES/);
  });

  it('a state file this user can read but not write: MW4303', { skip }, async (t) => {
    const dir = join(permissionDir, 'shared');
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o777);
    const path = join(dir, 'state.db');
    mustOpen(path).close();
    chmodSync(path, 0o644);
    if (!asRoot) chmodSync(path, 0o444);
    t.after(() => chmodSync(path, 0o600));
    const r = await openAsUser(path);
    assert.equal(r.opened, false);
    assert.equal(r.diagnostics.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(r.diagnostics[0].code, 'MW4303');
    assert.match(r.diagnostics[0].message, /not readable and writable by this user/);
  });
});

describe('state file permissions', () => {
  it('creates the directory 0700 and the file, WAL and shared-memory files 0600', { skip: process.platform === 'win32' }, () => {
    const dir = join(root, 'fresh-data', 'mirrorwatch');
    const path = join(dir, 'state.db');
    const s = mustOpen(path);
    s.remember('principal-mirroring', 'alice', 'aws', T0);
    assert.equal(s.commit(), true);
    // While the store is open the WAL and the shared-memory index exist next to the database.
    for (const f of [path, `${path}-wal`, `${path}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(root, 'fresh-data')).mode & 0o777, 0o700, 'parents created on the way too');
    s.close();
  });

  it('warns about an existing file that others can read, and still opens it', { skip: process.platform === 'win32' }, () => {
    const path = join(root, 'loose.db');
    mustOpen(path).close();
    chmodSync(path, 0o644);
    const { store, diagnostics } = openAt(path);
    assert.ok(store);
    store.close();
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['MW4306', 'warning']]);
    assert.match(diagnostics[0].message, /mode 644 .* chmod 600 /);
  });
});

describe('locked state files', () => {
  it('waits for another process to finish its write transaction, then commits', async () => {
    const path = join(root, 'wait.db');
    mustOpen(path).close();
    const holder = startStoreChild('hold-lock', [path, '400']);
    assert.equal(await holder.nextLine(), 'locked');
    const s = mustOpen(path);
    s.remember('principal-mirroring', 'alice', 'aws', T0);
    // Blocks (in SQLite's busy handler) until the holder commits, well inside the default 5 s timeout.
    assert.equal(s.commit(), true);
    assert.equal(await holder.nextLine(), 'released');
    assert.equal((await holder.exited).code, 0);
    s.close();
    const again = mustOpen(path);
    assert.equal(again.firstSeen('principal-mirroring', 'alice', 'aws'), T0);
    again.close();
  });

  it('gives MW4302 at commit when the lock is held past the timeout, keeps the writes, and commits later', () => {
    const path = join(root, 'busy.db');
    const diagnostics: Diagnostic[] = [];
    const { store: s } = openAt(path, { busyTimeoutMs: 100, report: (d) => diagnostics.push(d) });
    assert.ok(s);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    s.remember('principal-mirroring', 'alice', 'aws', T0);
    s.markReported(['a1'], T0);
    assert.equal(s.commit(), false);
    const d = onlyError(diagnostics, path);
    assert.equal(d.code, 'MW4302');
    assert.match(d.message, /locked by another process .* stayed locked for 100 ms \(SQLITE_BUSY/);
    assert.equal(s.firstSeen('principal-mirroring', 'alice', 'aws'), T0, 'buffered writes survive a failed commit');
    assert.equal(s.wasReported('a1'), true);
    other.exec('COMMIT');
    other.close();
    assert.equal(s.commit(), true, 'a later commit succeeds');
    s.close();
    const again = mustOpen(path);
    assert.equal(again.wasReported('a1'), true);
    again.close();
  });

  it('gives MW4302 at open when a lock is held past the timeout', () => {
    const path = join(root, 'busy-open.db');
    mustOpen(path).close();
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const { store, diagnostics } = openAt(path, { busyTimeoutMs: 100 });
      assert.equal(store, undefined);
      assert.equal(onlyError(diagnostics, path).code, 'MW4302');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});
