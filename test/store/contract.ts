/**
 * The state store contract: one suite every `StateStore` implementation must pass (the in-memory store and the
 * SQLite store), so `--no-state` and `--state FILE` answer the same questions the same way. Importing this module
 * registers nothing; `runStateStoreContract` does.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { StateStore, SuppressionRecord } from '../../src/store/types.js';

/** How the suite gets a fresh, empty store of one implementation. */
export interface StoreHarness {
  /** A new, empty store; diagnostics it reports go to `diagnostics`. */
  create(diagnostics: Diagnostic[]): StateStore;
  /** Removes whatever `create` made (temporary files). */
  cleanup?(): void;
}

/** A suppression record with defaults, for brevity. */
export function suppression(over: Partial<SuppressionRecord> & { alertId: string }): SuppressionRecord {
  return {
    ruleId: 'aws-traffic-mirror-session-created',
    exceptionId: 'approved-ndr',
    alertTimeMs: Date.UTC(2026, 10, 20, 14, 2, 40),
    suppressedAtMs: Date.UTC(2026, 10, 21, 9, 0, 0),
    message: 'IAMUser terraform-ci created traffic mirror session tms-0a1b2c3d4e5f60718',
    ...over,
  };
}

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

/** Registers the contract suite for one implementation. */
export function runStateStoreContract(name: string, harness: StoreHarness): void {
  describe(`state store contract: ${name}`, () => {
    let diagnostics: Diagnostic[] = [];
    const open: StateStore[] = [];
    const fresh = (): StateStore => {
      const s = harness.create(diagnostics);
      open.push(s);
      return s;
    };
    afterEach(() => {
      for (const s of open.splice(0)) s.close();
      harness.cleanup?.();
      assert.deepEqual(diagnostics, [], 'a healthy store reports nothing');
      diagnostics = [];
    });

    it('an empty store knows nothing', () => {
      const s = fresh();
      assert.equal(s.firstSeen('principal-mirroring', 'arn:aws:iam::111122223333:user/alice', 'aws'), undefined);
      assert.equal(s.wasReported('9f2c'), false);
      assert.deepEqual(s.listSuppressions(), []);
      assert.equal(s.loadCorrelationState(), undefined);
      assert.equal(s.commit(), true, 'committing nothing succeeds');
    });

    it('remembers the earliest time of a fact, before and after commit', () => {
      const s = fresh();
      s.remember('principal-source-ip', 'alice', '198.51.100.9', T0 + 5000);
      assert.equal(s.firstSeen('principal-source-ip', 'alice', '198.51.100.9'), T0 + 5000, 'a buffered fact is visible');
      s.remember('principal-source-ip', 'alice', '198.51.100.9', T0 + 1000);
      s.remember('principal-source-ip', 'alice', '198.51.100.9', T0 + 9000);
      assert.equal(s.firstSeen('principal-source-ip', 'alice', '198.51.100.9'), T0 + 1000);
      assert.equal(s.commit(), true);
      assert.equal(s.firstSeen('principal-source-ip', 'alice', '198.51.100.9'), T0 + 1000);
    });

    it('merges a buffered time with the committed one, whichever is earlier', () => {
      const s = fresh();
      s.remember('mirror-destination', 'tmt-07d2f0a9c41e5b836', 'aws', T0 + 1000);
      s.remember('mirror-destination', 'tmt-0ffff', 'aws', T0 + 3000);
      s.commit();
      s.remember('mirror-destination', 'tmt-07d2f0a9c41e5b836', 'aws', T0 + 2000);
      s.remember('mirror-destination', 'tmt-0ffff', 'aws', T0 + 500);
      assert.equal(s.firstSeen('mirror-destination', 'tmt-07d2f0a9c41e5b836', 'aws'), T0 + 1000, 'committed earlier wins');
      assert.equal(s.firstSeen('mirror-destination', 'tmt-0ffff', 'aws'), T0 + 500, 'buffered earlier wins');
      s.commit();
      assert.equal(s.firstSeen('mirror-destination', 'tmt-07d2f0a9c41e5b836', 'aws'), T0 + 1000);
      assert.equal(s.firstSeen('mirror-destination', 'tmt-0ffff', 'aws'), T0 + 500);
    });

    it('keys facts exactly by kind, subject and value', () => {
      const s = fresh();
      const awkward = ['Alice', 'alice', '', 'a\u0000b', '["a","b"]', 'ü-ñ-日本', 'a'.repeat(2000)];
      awkward.forEach((v, i) => s.remember('principal-mirroring', v, 'aws', T0 + i));
      s.remember('principal-source-ip', 'alice', 'aws', T0 + 100);
      s.remember('principal-mirroring', 'alice', 'azure', T0 + 200);
      for (const phase of ['buffered', 'committed']) {
        awkward.forEach((v, i) => assert.equal(s.firstSeen('principal-mirroring', v, 'aws'), T0 + i, `${phase} ${JSON.stringify(v)}`));
        assert.equal(s.firstSeen('principal-source-ip', 'alice', 'aws'), T0 + 100, phase);
        assert.equal(s.firstSeen('principal-mirroring', 'alice', 'azure'), T0 + 200, phase);
        assert.equal(s.firstSeen('host-destination', 'alice', 'aws'), undefined, phase);
        assert.equal(s.firstSeen('principal-mirroring', 'a', 'b'), undefined, `${phase}: no separator collision`);
        assert.equal(s.firstSeen('principal-mirroring', 'ALICE', 'aws'), undefined, `${phase}: case-sensitive`);
        s.commit();
      }
    });

    it('keeps fractional and negative times as given', () => {
      const s = fresh();
      s.remember('host-destination', '10.0.0.5', '203.0.113.66', 1.5);
      s.remember('host-destination', '10.0.0.6', '203.0.113.66', -86_400_000);
      s.commit();
      assert.equal(s.firstSeen('host-destination', '10.0.0.5', '203.0.113.66'), 1.5);
      assert.equal(s.firstSeen('host-destination', '10.0.0.6', '203.0.113.66'), -86_400_000);
    });

    it('reports alert ids once marked, before and after commit', () => {
      const s = fresh();
      s.markReported(['a1', 'a2', 'a1'], T0);
      s.markReported([], T0);
      assert.equal(s.wasReported('a1'), true);
      assert.equal(s.wasReported('a2'), true);
      assert.equal(s.wasReported('a3'), false);
      s.commit();
      s.markReported(['a2', 'a3'], T0 + 1);
      assert.deepEqual(['a1', 'a2', 'a3', 'A1'].map((id) => s.wasReported(id)), [true, true, true, false]);
    });

    it('rollback forgets every buffered write and keeps the committed ones', () => {
      const s = fresh();
      s.remember('principal-mirroring', 'alice', 'aws', T0 + 10);
      s.markReported(['kept'], T0);
      s.recordSuppressions([suppression({ alertId: 'kept' })]);
      s.saveCorrelationState({ version: 1 });
      s.commit();
      s.remember('principal-mirroring', 'alice', 'aws', T0);
      s.remember('principal-mirroring', 'bob', 'aws', T0);
      s.markReported(['dropped'], T0);
      s.recordSuppressions([suppression({ alertId: 'dropped' })]);
      s.saveCorrelationState({ version: 2 });
      s.rollback();
      assert.equal(s.firstSeen('principal-mirroring', 'alice', 'aws'), T0 + 10);
      assert.equal(s.firstSeen('principal-mirroring', 'bob', 'aws'), undefined);
      assert.equal(s.wasReported('kept'), true);
      assert.equal(s.wasReported('dropped'), false);
      assert.deepEqual(s.listSuppressions().map((r) => r.alertId), ['kept']);
      assert.deepEqual(s.loadCorrelationState(), { version: 1 });
      assert.equal(s.commit(), true);
      assert.equal(s.firstSeen('principal-mirroring', 'bob', 'aws'), undefined, 'a rolled-back write is not committed later');
    });

    it('lists suppressions newest first, ties in recording order latest first, with a limit', () => {
      const s = fresh();
      s.recordSuppressions([
        suppression({ alertId: 'old', suppressedAtMs: T0 }),
        suppression({ alertId: 'tie-1', suppressedAtMs: T0 + 50 }),
        suppression({ alertId: 'new', suppressedAtMs: T0 + 100 }),
      ]);
      s.commit();
      s.recordSuppressions([suppression({ alertId: 'tie-2', suppressedAtMs: T0 + 50 }), suppression({ alertId: 'older', suppressedAtMs: T0 - 1 })]);
      s.recordSuppressions([suppression({ alertId: 'tie-3', suppressedAtMs: T0 + 50 })]);
      const expected = ['new', 'tie-3', 'tie-2', 'tie-1', 'old', 'older'];
      assert.deepEqual(s.listSuppressions().map((r) => r.alertId), expected, 'buffered');
      assert.deepEqual(s.listSuppressions(3).map((r) => r.alertId), expected.slice(0, 3));
      assert.deepEqual(s.listSuppressions(0), []);
      s.commit();
      assert.deepEqual(s.listSuppressions().map((r) => r.alertId), expected, 'committed');
      assert.deepEqual(s.listSuppressions(4).map((r) => r.alertId), expected.slice(0, 4));
      assert.deepEqual(s.listSuppressions(100).map((r) => r.alertId), expected);
    });

    it('keeps one suppression per alert and exception: the first', () => {
      const s = fresh();
      s.recordSuppressions([
        suppression({ alertId: 'a', exceptionId: 'x', message: 'first' }),
        suppression({ alertId: 'a', exceptionId: 'x', message: 'same batch, dropped' }),
        suppression({ alertId: 'a', exceptionId: 'y', message: 'other exception, kept' }),
      ]);
      s.commit();
      s.recordSuppressions([suppression({ alertId: 'a', exceptionId: 'x', message: 're-scan, dropped', suppressedAtMs: T0 + 1e9 })]);
      const check = (phase: string) =>
        assert.deepEqual(s.listSuppressions().map((r) => [r.exceptionId, r.message]).sort(), [['x', 'first'], ['y', 'other exception, kept']], phase);
      check('buffered');
      s.commit();
      check('committed');
    });

    it('returns suppression records as recorded, with or without a ticket, as copies', () => {
      const s = fresh();
      const withTicket = suppression({ alertId: 'w', ticket: 'CHG-4711', suppressedAtMs: T0 + 2 });
      const without = suppression({ alertId: 'n', suppressedAtMs: T0 + 1 });
      s.recordSuppressions([withTicket, { ...without, ticket: undefined }]);
      withTicket.message = 'mutated by the caller after recording';
      for (const phase of ['buffered', 'committed']) {
        const [w, n] = s.listSuppressions();
        assert.deepEqual(w, { ...suppression({ alertId: 'w', suppressedAtMs: T0 + 2 }), ticket: 'CHG-4711' }, phase);
        assert.deepEqual(n, without, phase);
        assert.equal('ticket' in n, false, `${phase}: no ticket key when there is none`);
        w.message = 'mutated by the caller after listing';
        s.commit();
      }
      assert.equal(s.listSuppressions()[0].message, suppression({ alertId: 'w' }).message, 'the caller cannot change what is stored');
    });

    it('saves and loads the correlation state as JSON, a fresh copy each time', () => {
      const s = fresh();
      const state = { windows: [{ group: ['alice', 'eu-west-1'], events: [T0, T0 + 1] }], at: new Date(T0), n: null };
      s.saveCorrelationState(state);
      const expected = JSON.parse(JSON.stringify(state)) as unknown;
      for (const phase of ['buffered', 'committed']) {
        const a = s.loadCorrelationState() as { windows: unknown[] };
        assert.deepEqual(a, expected, phase);
        a.windows.length = 0;
        assert.deepEqual(s.loadCorrelationState(), expected, `${phase}: loading gives a copy`);
        s.commit();
      }
      s.saveCorrelationState([1, 'two']);
      assert.deepEqual(s.loadCorrelationState(), [1, 'two'], 'replaced');
      s.saveCorrelationState(0);
      assert.equal(s.loadCorrelationState(), 0, 'a falsy state is a state');
      s.commit();
      assert.equal(s.loadCorrelationState(), 0);
      s.saveCorrelationState(undefined);
      assert.equal(s.loadCorrelationState(), undefined, 'undefined clears, buffered');
      s.commit();
      assert.equal(s.loadCorrelationState(), undefined, 'undefined clears, committed');
    });

    it('treats misuse as a bug: it throws', () => {
      const s = fresh();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      assert.throws(() => s.saveCorrelationState(cyclic), TypeError);
      assert.throws(() => s.saveCorrelationState({ big: 1n }), TypeError);
      assert.throws(() => s.saveCorrelationState(() => 1), TypeError);
      assert.throws(() => s.remember('principal-mirroring', 'alice', 'aws', Number.NaN), RangeError);
      assert.throws(() => s.remember('principal-mirroring', 'alice', 'aws', Number.POSITIVE_INFINITY), RangeError);
      assert.throws(() => s.markReported(['a'], Number.NaN), RangeError);
      assert.throws(() => s.recordSuppressions([suppression({ alertId: 'a', suppressedAtMs: Number.NaN })]), RangeError);
      assert.throws(() => s.listSuppressions(-1), RangeError);
      assert.throws(() => s.listSuppressions(1.5), RangeError);
      assert.equal(s.loadCorrelationState(), undefined, 'a rejected save changes nothing');
      s.close();
      s.close();
      assert.throws(() => s.firstSeen('principal-mirroring', 'alice', 'aws'), /closed/);
      assert.throws(() => s.commit(), /closed/);
    });

    it('commits a large batch at once', () => {
      const s = fresh();
      for (let i = 0; i < 10_000; i++) s.remember('host-destination', `10.0.${i >> 8}.${i & 255}`, '203.0.113.66', T0 + i);
      s.markReported(Array.from({ length: 10_000 }, (_, i) => `alert-${i}`), T0);
      assert.equal(s.commit(), true);
      for (let i = 0; i < 10_000; i += 997) {
        assert.equal(s.firstSeen('host-destination', `10.0.${i >> 8}.${i & 255}`, '203.0.113.66'), T0 + i);
        assert.equal(s.wasReported(`alert-${i}`), true);
      }
    });
  });
}
