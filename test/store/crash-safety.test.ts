/**
 * Crash safety ("killing the process mid-scan loses nothing that was reported as written"): a child process commits
 * batches in a loop (baseline facts, reported alert ids, a suppression and the correlation state in each) and
 * prints after every commit; it is killed with SIGKILL at a random point, several times over the same file. After
 * each kill the file opens cleanly, passes SQLite's integrity check, holds every batch the child reported as
 * committed, and holds every batch either whole or not at all (the one being committed at the kill may be either).
 */
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { crashBatchPresence, mustOpen, removeDir, startStoreChild, tempDir } from './store-helpers.js';

const root = tempDir();
after(() => removeDir(root));

const ROUNDS = 6;

it(`loses no committed batch and keeps none partial when killed with SIGKILL (${ROUNDS} kills)`, async () => {
  const file = join(root, 'crash', 'state.db');
  let next = 0;
  const kills: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const child = startStoreChild('commit-loop', [file, String(next)]);
    // Kill after a random number of reported commits plus a random delay, so the kill lands anywhere in the loop:
    // while buffering, inside the transaction, during the WAL sync, or between commit and print.
    const target = 1 + Math.floor(Math.random() * 8);
    const delayMs = Math.floor(Math.random() * 12);
    let lastReported: number;
    for (;;) {
      const line = await child.nextLine();
      if (line === undefined) assert.fail(`the child exited early: ${(await child.exited).stderr}`);
      const m = /^committed (\d+)$/.exec(line);
      assert.ok(m, `unexpected child output: ${line}`);
      lastReported = Number(m[1]);
      if (lastReported - next + 1 >= target) break;
    }
    await new Promise((r) => setTimeout(r, delayMs));
    child.process.kill('SIGKILL');
    // Every line the child printed before it died counts as reported: read them all, up to the end of its output.
    for (let line = await child.nextLine(); line !== undefined; line = await child.nextLine()) {
      const m = /^committed (\d+)$/.exec(line);
      assert.ok(m, `unexpected child output: ${line}`);
      lastReported = Number(m[1]);
    }
    const end = await child.exited;
    assert.equal(end.signal, 'SIGKILL', `round ${round}: the child ended on its own (${end.code}): ${end.stderr}`);

    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity check`);
    raw.close();

    const store = mustOpen(file);
    try {
      let highest = -1;
      for (let b = 0; b <= lastReported + 3; b++) {
        const presence = crashBatchPresence(store, b);
        assert.ok(presence === 'all' || presence === 'none', `round ${round}: ${presence}`);
        if (b <= lastReported) assert.equal(presence, 'all', `round ${round}: batch ${b} was reported committed`);
        if (presence === 'all') highest = b;
      }
      assert.ok(highest <= lastReported + 1, `round ${round}: at most the batch being committed at the kill is extra`);
      assert.deepEqual(store.loadCorrelationState(), { lastBatch: highest }, `round ${round}: correlation state of the last whole batch`);
      kills.push(`${lastReported - next + 1} commits reported, ${highest === lastReported ? 'none' : 'one'} more found`);
      next = highest + 1;
    } finally {
      store.close();
    }
  }
  assert.ok(next >= ROUNDS, `every round committed something (${kills.join('; ')})`);
});
