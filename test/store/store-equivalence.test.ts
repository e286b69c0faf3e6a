/**
 * The in-memory and SQLite stores behave identically: the same seeded random sequence of operations (remember,
 * firstSeen, markReported, wasReported, suppressions with duplicate keys and equal times, correlation state,
 * commit, rollback, listing with limits) runs against both, and every answer must be equal.
 */
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MemoryStateStore } from '../../src/store/memory.js';
import { BASELINE_KINDS } from '../../src/store/types.js';
import type { StateStore } from '../../src/store/types.js';
import { suppression } from './contract.js';
import { mustOpen, removeDir, tempDir } from './store-helpers.js';
import { rng } from '../helpers/random.js';

const root = tempDir();
after(() => removeDir(root));

for (const seed of [1, 2, 3]) {
  it(`memory and sqlite give the same answers to the same operations (seed ${seed})`, () => {
    const random = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const subjects = ['alice', 'Alice', 'bob', 'arn:aws:iam::111122223333:role/ci', ''];
    const values = ['aws', 'azure', '198.51.100.9', '203.0.113.66'];
    const ids = Array.from({ length: 12 }, (_, i) => `alert-${i}`);
    const stores: StateStore[] = [new MemoryStateStore(), mustOpen(join(root, `eq-${seed}.db`))];
    const log: string[] = [];
    try {
      for (let step = 0; step < 1500; step++) {
        const r = random();
        let op: (s: StateStore) => unknown;
        if (r < 0.25) {
          const [k, s, v, t] = [pick(BASELINE_KINDS), pick(subjects), pick(values), Math.floor(random() * 1000)];
          op = (st) => st.remember(k, s, v, t);
        } else if (r < 0.45) {
          const [k, s, v] = [pick(BASELINE_KINDS), pick(subjects), pick(values)];
          op = (st) => st.firstSeen(k, s, v);
        } else if (r < 0.55) {
          const batch = [pick(ids), pick(ids)];
          op = (st) => st.markReported(batch, step);
        } else if (r < 0.65) {
          const id = pick(ids);
          op = (st) => st.wasReported(id);
        } else if (r < 0.73) {
          const recs = [suppression({ alertId: pick(ids), exceptionId: pick(['x', 'y']), suppressedAtMs: Math.floor(random() * 5), ticket: random() < 0.5 ? 'CHG-1' : undefined, message: `m${step}` })];
          op = (st) => st.recordSuppressions(recs);
        } else if (r < 0.8) {
          const limit = random() < 0.3 ? undefined : Math.floor(random() * 6);
          op = (st) => st.listSuppressions(limit);
        } else if (r < 0.85) {
          const state = random() < 0.2 ? undefined : { step, items: [step % 3, 'x'] };
          op = (st) => st.saveCorrelationState(state);
        } else if (r < 0.9) {
          op = (st) => st.loadCorrelationState();
        } else if (r < 0.97) {
          op = (st) => st.commit();
        } else {
          op = (st) => st.rollback();
        }
        const [a, b] = stores.map(op);
        log.push(`${step}: ${op.toString().slice(0, 60)}`);
        assert.deepEqual(b, a, `step ${step} differs (seed ${seed}); last operations:\n${log.slice(-5).join('\n')}`);
      }
    } finally {
      for (const s of stores) s.close();
    }
  });
}
