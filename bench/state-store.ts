/**
 * State store benchmark: the cost of 10,000 operations of each kind on the SQLite store (a file in a temporary
 * directory, WAL, synchronous = FULL) and on the in-memory store, and the cost of opening a large state file (the
 * open runs SQLite's quick_check). Run: `node dist/bench/state-store.js [reportedIds]` (default 1,000,000).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStateStore } from '../src/store/memory.js';
import { openStateStore } from '../src/store/open.js';
import type { StateStore } from '../src/store/types.js';

const N = 10_000;
const T0 = Date.UTC(2026, 10, 20);

/**
 * Prints wall-clock and CPU time (user + system) of `fn`: on a busy machine CPU time is the steadier figure, while
 * a commit's wall time also includes waiting for fsync.
 */
function time(label: string, fn: () => void): void {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(`${label.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms wall ${cpuMs.toFixed(1).padStart(8)} ms cpu`);
}

function mustOpen(path: string): StateStore {
  const store = openStateStore({ path, report: (d) => console.error(d) });
  if (!store) throw new Error(`cannot open ${path}`);
  return store;
}

function operations(name: string, store: StateStore): void {
  console.log(`\n${name}: ${N.toLocaleString('en')} operations each`);
  time('remember (buffered)', () => {
    for (let i = 0; i < N; i++) store.remember('principal-source-ip', `arn:aws:iam::111122223333:user/u${i % 500}`, `198.51.${i >> 8}.${i & 255}`, T0 + i);
  });
  time('commit of those facts (one transaction)', () => store.commit());
  time('firstSeen, known facts', () => {
    for (let i = 0; i < N; i++) store.firstSeen('principal-source-ip', `arn:aws:iam::111122223333:user/u${i % 500}`, `198.51.${i >> 8}.${i & 255}`);
  });
  time('firstSeen, unknown facts', () => {
    for (let i = 0; i < N; i++) store.firstSeen('principal-source-ip', `arn:aws:iam::111122223333:user/x${i}`, '203.0.113.1');
  });
  const ids = Array.from({ length: N }, (_, i) => `alert-${i.toString(16).padStart(16, '0')}`);
  time('markReported (buffered)', () => store.markReported(ids, T0));
  time('commit of those ids (one transaction)', () => store.commit());
  time('wasReported, reported ids', () => {
    for (const id of ids) store.wasReported(id);
  });
  time('wasReported, new ids', () => {
    for (let i = 0; i < N; i++) store.wasReported(`new-${i}`);
  });
  time('recordSuppressions (one lookup each)', () => {
    store.recordSuppressions(
      ids.map((alertId) => ({ alertId, ruleId: 'r', exceptionId: 'approved-ndr', alertTimeMs: T0, suppressedAtMs: T0, message: 'm' })),
    );
  });
  time('commit of those suppressions', () => store.commit());
  time('listSuppressions(100) x 100', () => {
    for (let i = 0; i < 100; i++) store.listSuppressions(100);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'mw-bench-store-'));
try {
  operations('memory', new MemoryStateStore());
  const small = mustOpen(join(dir, 'small.db'));
  operations('sqlite', small);
  small.close();

  const big = Number(process.argv[2] ?? 1_000_000);
  const path = join(dir, 'big.db');
  const s = mustOpen(path);
  console.log(`\nlarge file: ${big.toLocaleString('en')} reported ids, 100,000 baseline facts`);
  time('fill (buffered writes and one commit)', () => {
    for (let i = 0; i < big; i++) s.markReported([`alert-${i.toString(16).padStart(16, '0')}`], T0);
    for (let i = 0; i < 100_000; i++) s.remember('host-destination', `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, '203.0.113.66', T0 + i);
    s.commit();
  });
  s.close();
  console.log(`file size: ${(statSync(path).size / 1e6).toFixed(1)} MB`);
  time('open (header checks, quick_check, migration check)', () => mustOpen(path).close());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
