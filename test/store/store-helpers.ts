/** Helpers for the state store tests: temporary directories, opening stores with collected diagnostics. */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { openStateStore } from '../../src/store/open.js';
import type { OpenStateStoreOptions } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/types.js';

/** A fresh temporary directory; remove it with `removeDir`. */
export function tempDir(prefix = 'mw-store-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory tree, ignoring a missing one. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Opens a state store at `path`, collecting diagnostics. */
export function openAt(
  path: string,
  options: Partial<OpenStateStoreOptions> = {},
): { store: StateStore | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const store = openStateStore({ path, report: (d) => diagnostics.push(d), ...options });
  return { store, diagnostics };
}

/** Opens a state store that must open cleanly. */
export function mustOpen(path: string, options: Partial<OpenStateStoreOptions> = {}): StateStore {
  const { store, diagnostics } = openAt(path, options);
  if (!store || diagnostics.some((d) => d.severity !== 'info')) {
    throw new Error(`expected ${path} to open cleanly: ${JSON.stringify(diagnostics)}`);
  }
  return store;
}

/** The start of the event times the crash test writes. */
export const CRASH_T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
/** Baseline facts and alert ids in one batch of the crash test. */
export const CRASH_BATCH = { facts: 200, ids: 50 } as const;

/** Buffers batch `b` of the crash test: facts, reported ids, one suppression and the correlation state. */
export function writeCrashBatch(store: StateStore, b: number): void {
  for (let j = 0; j < CRASH_BATCH.facts; j++) store.remember('host-destination', `batch-${b}`, `v${j}`, CRASH_T0 + b * 1000 + j);
  store.markReported(
    Array.from({ length: CRASH_BATCH.ids }, (_, j) => `b${b}-a${j}`),
    CRASH_T0,
  );
  store.recordSuppressions([
    { alertId: `b${b}`, ruleId: 'crash-test', exceptionId: 'crash-test', alertTimeMs: CRASH_T0, suppressedAtMs: CRASH_T0 + b, message: `batch ${b}` },
  ]);
  store.saveCorrelationState({ lastBatch: b });
}

/** How much of batch `b` a store holds: 'all', 'none', or a description of the partial or wrong content. */
export function crashBatchPresence(store: StateStore, b: number): string {
  let facts = 0;
  for (let j = 0; j < CRASH_BATCH.facts; j++) {
    const t = store.firstSeen('host-destination', `batch-${b}`, `v${j}`);
    if (t === CRASH_T0 + b * 1000 + j) facts++;
    else if (t !== undefined) return `batch ${b} fact ${j} has time ${t}`;
  }
  let ids = 0;
  for (let j = 0; j < CRASH_BATCH.ids; j++) if (store.wasReported(`b${b}-a${j}`)) ids++;
  const suppressed = store.listSuppressions().some((r) => r.alertId === `b${b}`) ? 1 : 0;
  if (facts === CRASH_BATCH.facts && ids === CRASH_BATCH.ids && suppressed === 1) return 'all';
  if (facts === 0 && ids === 0 && suppressed === 0) return 'none';
  return `batch ${b} is partial: ${facts}/${CRASH_BATCH.facts} facts, ${ids}/${CRASH_BATCH.ids} ids, ${suppressed}/1 suppression`;
}

/** A running `store-child.ts` process, with its stdout as lines. */
export interface StoreChild {
  process: ChildProcessWithoutNullStreams;
  /** Resolves with the next stdout line, or undefined when the child has exited. */
  nextLine(): Promise<string | undefined>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts `store-child.ts` in a role (see that file), optionally as another user. */
export function startStoreChild(role: string, args: string[], ids: { uid?: number; gid?: number } = {}): StoreChild {
  const script = fileURLToPath(new URL('./store-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, MIRRORWATCH_STORE_CHILD: role },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...ids,
  });
  child.stdin.end();
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  const iterator = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    process: child,
    async nextLine() {
      const r = await iterator.next();
      return r.done ? undefined : (r.value as string);
    },
    exited,
  };
}
