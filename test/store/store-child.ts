/**
 * A child process for the state store tests, started with `MIRRORWATCH_STORE_CHILD=<role>`:
 * - `commit-loop FILE FIRST`: commits crash-test batches FIRST, FIRST+1, … forever, printing `committed N` after
 *   each commit returns (the parent kills it with SIGKILL at a random point);
 * - `hold-lock FILE MS`: holds a write transaction on FILE for MS milliseconds, printing `locked` and `released`;
 * - `open FILE`: opens a state store, commits one fact, prints `{opened, committed, diagnostics}` as JSON.
 * Without the variable it does nothing: `node --test` runs every file under `test/`, this one included.
 */
import { writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openStateStore } from '../../src/store/open.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { writeCrashBatch } from './store-helpers.js';

const role = process.env.MIRRORWATCH_STORE_CHILD;
if (role) run(role, process.argv.slice(2));

function say(line: string): void {
  // Synchronous, so the line is out before the next statement runs (a SIGKILL may follow at any moment).
  writeSync(1, `${line}\n`);
}

function run(which: string, args: string[]): void {
  switch (which) {
    case 'commit-loop':
      return commitLoop(args[0], Number(args[1]));
    case 'hold-lock':
      return holdLock(args[0], Number(args[1]));
    case 'open':
      return openOnce(args[0]);
    default:
      throw new Error(`unknown child role ${which}`);
  }
}

function commitLoop(file: string, first: number): void {
  const diagnostics: Diagnostic[] = [];
  const store = openStateStore({ path: file, report: (d) => diagnostics.push(d) });
  if (!store) {
    say(`failed ${JSON.stringify(diagnostics)}`);
    process.exit(3);
  }
  for (let b = first; ; b++) {
    writeCrashBatch(store, b);
    if (!store.commit()) {
      say(`failed ${JSON.stringify(diagnostics)}`);
      process.exit(3);
    }
    say(`committed ${b}`);
  }
}

function holdLock(file: string, ms: number): void {
  const db = new Database(file, { timeout: 0 });
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('lock-holder', ?)").run(String(process.pid));
  say('locked');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  db.exec('COMMIT');
  db.close();
  say('released');
}

function openOnce(file: string): void {
  const diagnostics: Diagnostic[] = [];
  const store = openStateStore({ path: file, report: (d) => diagnostics.push(d) });
  let committed = false;
  if (store) {
    store.remember('principal-mirroring', 'child', 'aws', 1);
    committed = store.commit();
    store.close();
  }
  say(JSON.stringify({ opened: store !== undefined, committed, diagnostics }));
}
