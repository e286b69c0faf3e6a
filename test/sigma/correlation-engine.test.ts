/**
 * The correlation engine on hand-made observations, one test per pitfall the reference lists (query-languages.md
 * §4 and §8.3: Hayabusa's window-edge over-count, group-by leakage and order enforcement; fixed buckets), plus late
 * and out-of-order events, exactly-once firing, caps, chaining, every correlation type, and state between runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../src/core/diagnostic.js';
import { CorrelationEngine, type CorrelationEngineOptions, type EngineHit } from '../../src/sigma/correlation-engine.js';
import { planCorrelations, type CorrelationPlan } from '../../src/sigma/correlation-plan.js';
import { loadRuleText } from '../../src/sigma/load.js';
import { dedent } from './sigma-helpers.js';

/** An observation's payload: its fields. */
type Fields = Record<string, unknown>;

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number): number => T0 + minutes * MIN;

/** Plans correlation documents (YAML, `---` separated) over rules `a`, `b`, `c`, `d` (ids and names). */
function plan(yaml: string): CorrelationPlan {
  const loaded = loadRuleText(dedent(yaml), 'corr.yml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), []);
  const { plan: p, diagnostics } = planCorrelations(loaded.correlations, ['a', 'b', 'c', 'd'].map((x) => ({ id: `rule-${x}`, name: x })));
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  return p;
}

function engine(p: CorrelationPlan, options: Partial<CorrelationEngineOptions<Fields>> = {}): CorrelationEngine<Fields> {
  return new CorrelationEngine<Fields>(p, { readField: (f, path) => f[path], allowedLatenessMs: 0, ...options });
}

/** One observation: rule (a–d), minute, key, fields. */
interface Obs {
  rule: string;
  min: number;
  key: string;
  f?: Fields;
}

function run(p: CorrelationPlan, obs: readonly Obs[], options: Partial<CorrelationEngineOptions<Fields>> = {}): EngineHit<Fields>[] {
  const e = engine(p, options);
  for (const o of obs) e.push(`rule-${o.rule}`, at(o.min), o.key, o.f ?? {});
  e.flush(true);
  return e.takeHits().filter((h) => h.emit);
}

const keysOf = (h: EngineHit<Fields>): string[] => h.parts.map((p) => p.key);

test('windows slide: two events 2 minutes apart across an hour boundary fire (fixed hourly buckets would miss them)', () => {
  const p = plan(`
    title: two in 5m
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 5m
      condition: {gte: 2}
  `);
  const hits = run(p, [
    { rule: 'a', min: 59, key: 'k1', f: { user: 'alice' } },
    { rule: 'a', min: 61, key: 'k2', f: { user: 'alice' } },
  ]);
  assert.equal(hits.length, 1);
  assert.deepEqual(keysOf(hits[0]), ['k1', 'k2']);
});

test('window edges: value_count does not count a value that left the window (Hayabusa #1896), and both ends are inclusive', () => {
  const p = plan(`
    title: three hosts in 10m
    correlation:
      type: value_count
      rules: [a]
      group-by: [user]
      timespan: 10m
      condition: {field: host, gte: 3}
  `);
  // h1 at 0 is more than 10 minutes before h3 at 10.5: the window ending at h3 holds only two hosts. (With a lateness
  // of 30 minutes h1 is still held in memory, so the window bounds, not pruning, must leave it out.)
  const late30 = { allowedLatenessMs: 30 * MIN };
  const outside = run(p, [
    { rule: 'a', min: 0, key: 'k1', f: { user: 'u', host: 'h1' } },
    { rule: 'a', min: 6, key: 'k2', f: { user: 'u', host: 'h2' } },
    { rule: 'a', min: 10.5, key: 'k3', f: { user: 'u', host: 'h3' } },
  ], late30);
  assert.equal(outside.length, 0);
  // Exactly 10 minutes apart: inside.
  const edge = run(p, [
    { rule: 'a', min: 0, key: 'k1', f: { user: 'u', host: 'h1' } },
    { rule: 'a', min: 6, key: 'k2', f: { user: 'u', host: 'h2' } },
    { rule: 'a', min: 10, key: 'k3', f: { user: 'u', host: 'h3' } },
  ], late30);
  assert.equal(edge.length, 1);
  assert.equal(edge[0].value, 3);
  // Repeated values count once.
  const repeated = run(p, [
    { rule: 'a', min: 0, key: 'k1', f: { user: 'u', host: 'h1' } },
    { rule: 'a', min: 1, key: 'k2', f: { user: 'u', host: 'H1' } },
    { rule: 'a', min: 2, key: 'k3', f: { user: 'u', host: 'h2' } },
  ]);
  assert.equal(repeated.length, 0);
});

test('exactly once per satisfied window: overlapping windows never repeat an alert, parts are never reused', () => {
  const p = plan(`
    title: two in 30m
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 30m
      condition: {gte: 2}
  `);
  const obs = [0, 1, 2, 3, 4].map((m) => ({ rule: 'a', min: m, key: `k${m}`, f: { user: 'u' } }));
  const hits = run(p, obs);
  assert.deepEqual(hits.map(keysOf), [
    ['k0', 'k1'],
    ['k2', 'k3'],
  ]);
  const used = hits.flatMap(keysOf);
  assert.equal(new Set(used).size, used.length);
});

test('group-by is honoured by temporal: steps by different principals never join (Hayabusa #1841)', () => {
  const p = plan(`
    title: a and b by one user
    correlation:
      type: temporal
      rules: [a, b]
      group-by: [user]
      timespan: 10m
  `);
  assert.equal(run(p, [
    { rule: 'a', min: 0, key: 'k1', f: { user: 'alice' } },
    { rule: 'b', min: 1, key: 'k2', f: { user: 'bob' } },
  ]).length, 0);
  const same = run(p, [
    { rule: 'b', min: 0, key: 'k1', f: { user: 'alice' } },
    { rule: 'a', min: 1, key: 'k2', f: { user: 'ALICE' } },
  ]);
  assert.equal(same.length, 1, 'any order, values compared without case');
  assert.deepEqual(same[0].group, [{ name: 'user', value: 'alice' }]);
  // An event without the group-by field cannot be placed in a group.
  assert.equal(run(p, [
    { rule: 'a', min: 0, key: 'k1', f: { user: 'alice' } },
    { rule: 'b', min: 1, key: 'k2', f: {} },
  ]).length, 0);
});

test('temporal_ordered enforces the whole order, not only the first rule (Hayabusa #1841)', () => {
  const p = plan(`
    title: a then b then c
    correlation:
      type: temporal_ordered
      rules: [a, b, c]
      group-by: [user]
      timespan: 10m
  `);
  const u = { user: 'u' };
  assert.equal(run(p, [
    { rule: 'a', min: 0, key: 'k1', f: u },
    { rule: 'c', min: 1, key: 'k2', f: u },
    { rule: 'b', min: 2, key: 'k3', f: u },
  ]).length, 0, 'a, c, b is out of order');
  assert.equal(run(p, [
    { rule: 'b', min: 0, key: 'k1', f: u },
    { rule: 'a', min: 1, key: 'k2', f: u },
    { rule: 'c', min: 2, key: 'k3', f: u },
  ]).length, 0, 'b, a, c is out of order');
  const ok = run(p, [
    { rule: 'a', min: 0, key: 'k1', f: u },
    { rule: 'c', min: 1, key: 'k2', f: u },
    { rule: 'b', min: 2, key: 'k3', f: u },
    { rule: 'c', min: 3, key: 'k4', f: u },
  ]);
  assert.equal(ok.length, 1, 'a, b, c as a subsequence');
  // Equal timestamps cannot be ordered by the clock: they count as in order.
  assert.equal(run(p, [
    { rule: 'c', min: 0, key: 'k1', f: u },
    { rule: 'b', min: 0, key: 'k2', f: u },
    { rule: 'a', min: 0, key: 'k3', f: u },
  ]).length, 1);
});

test('temporal_ordered with a count condition: the longest chain in order counts', () => {
  const p = plan(`
    title: two of a, b, c in order
    correlation:
      type: temporal_ordered
      rules: [a, b, c]
      group-by: [user]
      timespan: 10m
      condition: {gte: 2}
  `);
  const u = { user: 'u' };
  assert.equal(run(p, [
    { rule: 'c', min: 0, key: 'k1', f: u },
    { rule: 'a', min: 1, key: 'k2', f: u },
  ]).length, 0, 'c before a is a chain of one');
  const hits = run(p, [
    { rule: 'a', min: 0, key: 'k1', f: u },
    { rule: 'c', min: 1, key: 'k2', f: u },
  ]);
  assert.equal(hits.length, 1);
  assert.equal(hits[0].value, 2);
});

test('results do not depend on arrival order within the allowed lateness (shuffled property test)', () => {
  const p = plan(`
    title: a then b per user
    correlation:
      type: temporal_ordered
      rules: [a, b]
      group-by: [user]
      timespan: 5m
    ---
    title: three per user
    correlation:
      type: event_count
      rules: [a, b]
      group-by: [user]
      timespan: 7m
      condition: {gte: 3}
    ---
    title: hosts per user
    correlation:
      type: value_count
      rules: [c]
      group-by: [user]
      timespan: 6m
      condition: {field: host, gte: 2}
  `);
  let seed = 7;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let total = 0;
  for (let round = 0; round < 40; round++) {
    const obs: Obs[] = [];
    for (let i = 0; i < 60; i++) {
      obs.push({ rule: ['a', 'b', 'c'][Math.floor(rnd() * 3)], min: Math.floor(rnd() * 240) / 2, key: `k${round}-${i}`, f: { user: `u${Math.floor(rnd() * 3)}`, host: `h${Math.floor(rnd() * 4)}` } });
    }
    const sorted = [...obs].sort((x, y) => x.min - y.min);
    const lateness = 20 * MIN;
    // Displace each observation by up to 20 minutes: everything stays within the allowed lateness.
    const shuffled = sorted.map((o) => ({ o, k: o.min + rnd() * 19.5 })).sort((x, y) => x.k - y.k).map((x) => x.o);
    const base = run(p, sorted, { allowedLatenessMs: lateness });
    const other = run(p, shuffled, { allowedLatenessMs: lateness });
    assert.deepEqual(other.map((h) => h.id), base.map((h) => h.id), `round ${round}`);
    total += base.length;
  }
  assert.ok(total > 100, `the sequences should fire often enough to mean something (${total} hits)`);
});

test('an event later than the watermark is counted, sampled and dropped; one within the lateness is correlated', () => {
  const p = plan(`
    title: a and b
    correlation:
      type: temporal
      rules: [a, b]
      group-by: [user]
      timespan: 30m
  `);
  const e = engine(p, { allowedLatenessMs: 10 * MIN });
  e.push('rule-a', at(100), 'k1', { user: 'u' });
  e.push('rule-b', at(92), 'k2', { user: 'u' }); // 8 minutes behind: within the lateness
  e.flush(true);
  assert.equal(e.takeHits().length, 1);
  const f = engine(p, { allowedLatenessMs: 10 * MIN });
  f.push('rule-a', at(100), 'k1', { user: 'u' });
  assert.equal(f.push('rule-b', at(85), 'k2', { user: 'u' }), 'late'); // 15 minutes behind
  f.flush(true);
  assert.equal(f.takeHits().length, 0);
  assert.equal(f.late.count, 1);
  assert.equal(f.late.samples[0].key, 'k2');
  assert.equal(f.late.samples[0].watermarkMs, at(90));
});

test('a record counted once per group: duplicates (the same key) do not inflate counts', () => {
  const p = plan(`
    title: three in 10m
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 10m
      condition: {gte: 3}
  `);
  const e = engine(p);
  for (const k of ['k1', 'k1', 'k2', 'k2']) e.push('rule-a', at(1), k, { user: 'u' });
  e.flush(true);
  assert.equal(e.takeHits().length, 0);
  assert.equal(e.counters().get(p.correlations[0].id)?.duplicates, 2);
});

test('memory is bounded: group and entry caps forget the least recent and are counted', () => {
  const p = plan(`
    title: two per user
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 60m
      condition: {gte: 2}
  `);
  const e = engine(p, { maxGroups: 2, maxEntriesPerGroup: 3 });
  e.push('rule-a', at(0), 'k1', { user: 'u1' });
  e.push('rule-a', at(1), 'k2', { user: 'u2' });
  e.push('rule-a', at(2), 'k3', { user: 'u3' }); // u1 is the least recently active group: forgotten
  e.push('rule-a', at(3), 'k4', { user: 'u1' }); // a new group for u1, forgetting u2
  e.flush(true);
  const c = e.counters().get(p.correlations[0].id);
  assert.equal(c?.evictedGroups, 2);
  assert.equal(e.takeHits().length, 0, 'u1 never has two events in one group');
  const q = plan(`
    title: five per user
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 60m
      condition: {gte: 5}
  `);
  const f = engine(q, { maxEntriesPerGroup: 3 });
  for (let i = 0; i < 6; i++) f.push('rule-a', at(i), `k${i}`, { user: 'u' });
  f.flush(true);
  assert.equal(f.takeHits().length, 0, 'a condition above the cap cannot be met');
  assert.equal(f.counters().get(q.correlations[0].id)?.evictedEntries, 3);
});

test('aliases join differently named fields; group values compare without case unless asked', () => {
  const p = plan(`
    title: created then deleted
    correlation:
      type: temporal_ordered
      rules: [a, b]
      group-by: [session]
      aliases:
        session:
          a: response.id
          b: request.Id
      timespan: 30m
  `);
  const obs: Obs[] = [
    { rule: 'a', min: 0, key: 'k1', f: { 'response.id': 'TMS-1' } },
    { rule: 'b', min: 5, key: 'k2', f: { 'request.Id': 'tms-1' } },
  ];
  assert.equal(run(p, obs).length, 1);
  assert.equal(run(p, obs, { caseSensitiveGroups: true }).length, 0);
  assert.equal(run(p, [obs[0], { rule: 'b', min: 5, key: 'k2', f: { 'request.Id': 'tms-2' } }]).length, 0);
});

test('chaining: the specification\'s "many failed logins followed by a success", with the inner correlation hidden', () => {
  const p = plan(`
    title: Multiple failed logins followed by a successful login
    correlation:
      type: temporal_ordered
      rules: [multiple_failed, b]
      group-by: [User]
      timespan: 10m
    ---
    title: Multiple failed logins
    name: multiple_failed
    correlation:
      type: event_count
      rules: [a]
      group-by: [User]
      timespan: 10m
      condition: {gte: 3}
  `);
  assert.deepEqual(p.correlations.map((c) => c.correlation.title), ['Multiple failed logins', 'Multiple failed logins followed by a successful login']);
  assert.ok(p.silenced.has('rule-a') && p.silenced.has(p.correlations[0].id), 'generate: false hides the referenced rules and the inner correlation');
  const u = { User: 'mallory' };
  const hits = run(p, [
    { rule: 'a', min: 0, key: 'f1', f: u },
    { rule: 'a', min: 1, key: 'f2', f: u },
    { rule: 'a', min: 2, key: 'f3', f: u },
    { rule: 'b', min: 3, key: 's1', f: u },
  ]);
  assert.equal(hits.length, 1);
  assert.equal(hits[0].parts[0].kind, 'hit');
  assert.equal(hits[0].parts[1].key, 's1');
  assert.equal(run(p, [
    { rule: 'b', min: 0, key: 's1', f: u },
    { rule: 'a', min: 1, key: 'f1', f: u },
    { rule: 'a', min: 2, key: 'f2', f: u },
    { rule: 'a', min: 3, key: 'f3', f: u },
  ]).length, 0, 'the success before the failures is out of order');
});

test('conditions that can turn false again are judged on complete windows: lt, eq, neq and `not`', () => {
  const lt = plan(`
    title: fewer than 3
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 10m
      condition: {lt: 3}
  `);
  assert.equal(lt.correlations[0].mode, 'close');
  // A burst of four within ten minutes: the windows starting at the first two events hold 3 and 4 events; the window
  // starting at the third holds two: it fires once, with those two.
  const hits = run(lt, [0, 1, 2, 3].map((m) => ({ rule: 'a', min: m, key: `k${m}`, f: { user: 'u' } })));
  assert.deepEqual(hits.map(keysOf), [['k2', 'k3']]);
  const eq = plan(`
    title: exactly two
    correlation:
      type: event_count
      rules: [a]
      group-by: [user]
      timespan: 10m
      condition: {eq: 2}
  `);
  assert.deepEqual(run(eq, [0, 1, 30].map((m) => ({ rule: 'a', min: m, key: `k${m}`, f: { user: 'u' } }))).map(keysOf), [['k0', 'k1']]);
  const not = plan(`
    title: a without b
    correlation:
      type: temporal
      rules: [a, b]
      group-by: [user]
      timespan: 10m
      condition: a and not b
  `);
  assert.equal(not.correlations[0].mode, 'close');
  assert.equal(run(not, [{ rule: 'a', min: 0, key: 'k1', f: { user: 'u' } }, { rule: 'b', min: 5, key: 'k2', f: { user: 'u' } }]).length, 0);
  assert.equal(run(not, [{ rule: 'a', min: 0, key: 'k1', f: { user: 'u' } }, { rule: 'b', min: 15, key: 'k2', f: { user: 'u' } }]).length, 1);
});

test('value_sum, value_avg and value_percentile aggregate the numbers of the window ending at each event', () => {
  const p = plan(`
    title: bytes
    correlation:
      type: value_sum
      rules: [a]
      group-by: [user]
      timespan: 10m
      condition: {field: bytes, gte: 1000}
    ---
    title: avg
    correlation:
      type: value_avg
      rules: [b]
      group-by: [user]
      timespan: 10m
      condition: {field: bytes, gt: 500}
    ---
    title: p90
    correlation:
      type: value_percentile
      rules: [c]
      group-by: [user]
      timespan: 10m
      condition: {field: bytes, percentile: 90, gte: 900}
  `);
  const obs: Obs[] = [];
  [400, '300', 400, 'n/a'].forEach((b, i) => obs.push({ rule: 'a', min: i, key: `a${i}`, f: { user: 'u', bytes: b } }));
  [100, 1000, 1000].forEach((b, i) => obs.push({ rule: 'b', min: i, key: `b${i}`, f: { user: 'u', bytes: b } }));
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 950].forEach((b, i) => obs.push({ rule: 'c', min: i / 2, key: `c${i}`, f: { user: 'u', bytes: b } }));
  const hits = run(p, obs.sort((x, y) => x.min - y.min));
  const values = (title: string): number[] => hits.filter((h) => p.correlations.find((c) => c.id === h.correlationId)?.correlation.title === title).map((h) => h.value);
  // Judged on the history up to each event: the sum reaches 1100 at the third value ("n/a" is not a number); the
  // average passes 500 at the second value (550), whose window is then consumed, so the third value (1000) is a window
  // of its own; no prefix of 1..9, 950 has a 90th percentile of 900 or more.
  assert.deepEqual(values('bytes'), [1100]);
  assert.deepEqual(values('avg'), [550, 1000]);
  assert.deepEqual(values('p90'), [], 'the 90th percentile of 1..9 and 950 is 9');
  const q = plan(`
    title: p90
    correlation:
      type: value_percentile
      rules: [c]
      group-by: [user]
      timespan: 10m
      condition: {field: bytes, percentile: 90, gte: 900}
  `);
  const h = run(q, [1, 950, 960].map((b, i) => ({ rule: 'c', min: i, key: `c${i}`, f: { user: 'u', bytes: b } })));
  // Nearest rank: the 90th percentile of 1 and 950 is 950; that window is consumed, and 960 alone is the next.
  assert.deepEqual(h.map((x) => x.value), [950, 960]);
  assert.deepEqual(keysOf(h[0]), ['c0', 'c1']);
});

test('state between runs: a window opened in one run completes in the next, with the same hit id as one run', () => {
  const p = plan(`
    title: a, b and c
    correlation:
      type: temporal
      rules: [a, b, c]
      group-by: [user]
      timespan: 60m
  `);
  const u = { user: 'u' };
  const whole = run(p, [
    { rule: 'a', min: 0, key: 'k1', f: u },
    { rule: 'b', min: 10, key: 'k2', f: u },
    { rule: 'c', min: 20, key: 'k3', f: u },
  ]);
  const first = engine(p, { allowedLatenessMs: 5 * MIN });
  first.push('rule-a', at(0), 'k1', u);
  first.push('rule-b', at(10), 'k2', u);
  first.flush(false);
  assert.equal(first.takeHits().length, 0);
  const saved = JSON.parse(JSON.stringify(first.exportState((x) => x))) as unknown;
  const second = engine(p, { allowedLatenessMs: 5 * MIN });
  assert.deepEqual(second.importState(saved, (x) => x as Fields), { changed: [] });
  second.push('rule-a', at(0), 'k1', u); // a re-scan delivers k1 again: late, not counted twice
  second.push('rule-c', at(20), 'k3', u);
  second.flush(false);
  const hits = second.takeHits();
  assert.equal(hits.length, 1);
  assert.equal(hits[0].id, whole[0].id);
  assert.deepEqual(keysOf(hits[0]), ['k1', 'k2', 'k3']);
  assert.equal(second.late.count, 1);
});

test('saved state of a changed correlation is dropped; malformed state is rejected whole', () => {
  const p = plan(`
    title: a and b
    correlation:
      type: temporal
      rules: [a, b]
      group-by: [user]
      timespan: 60m
  `);
  const e = engine(p);
  e.push('rule-a', at(0), 'k1', { user: 'u' });
  e.flush(false);
  const saved = JSON.parse(JSON.stringify(e.exportState((x) => x))) as unknown;
  const changed = plan(`
    title: a and b
    correlation:
      type: temporal
      rules: [a, b]
      group-by: [user]
      timespan: 30m
  `);
  const f = engine(changed);
  assert.deepEqual(f.importState(saved, (x) => x as Fields), { changed: ['a and b'] });
  f.push('rule-b', at(1), 'k2', { user: 'u' });
  f.flush(true);
  assert.equal(f.takeHits().length, 0, 'the old window was not kept');
  for (const bad of [null, 42, { format: 'other' }, { ...(saved as object), version: 99 }, { ...(saved as object), parts: [{ ref: 1 }] }]) {
    const g = engine(p);
    const r = g.importState(bad, (x) => x as Fields);
    assert.equal(typeof r.rejected, 'string', JSON.stringify(bad));
  }
});

test('planning reports unknown references, loops and broken chains with their location', () => {
  const loaded = loadRuleText(
    dedent(`
      title: unknown
      correlation:
        type: temporal
        rules: [a, nope]
        group-by: [user]
        timespan: 5m
      ---
      title: loop one
      name: one
      correlation:
        type: temporal
        rules: [two, a]
        group-by: [user]
        timespan: 5m
      ---
      title: loop two
      name: two
      correlation:
        type: temporal
        rules: [one, b]
        group-by: [user]
        timespan: 5m
      ---
      title: uses unknown
      correlation:
        type: event_count
        rules: [one]
        group-by: [user]
        timespan: 5m
        condition: {gte: 1}
      ---
      title: which percentile
      correlation:
        type: value_percentile
        rules: [a]
        group-by: [user]
        timespan: 5m
        condition: {field: bytes, gte: 1}
    `),
    'corr.yml',
  );
  const { plan: p, diagnostics } = planCorrelations(loaded.correlations, [{ id: 'rule-a', name: 'a' }, { id: 'rule-b', name: 'b' }]);
  assert.deepEqual(p.correlations, []);
  const codes = diagnostics.map((d) => d.code).sort();
  assert.deepEqual(codes, ['MW1420', 'MW1421', 'MW1422', 'MW1430']);
  assert.ok(diagnostics.every((d) => d.file === 'corr.yml' && typeof d.line === 'number'));
});
