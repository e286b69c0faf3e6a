/**
 * The simulator names the alerts it expects by rule id, title and level without loading the rule files: this test
 * holds those tables to the bundled pack (its rules and its correlation rules), so a renamed rule or a changed level
 * fails here rather than in a manifest. It also checks that the scenarios together exercise every rule and every
 * correlation of the pack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levelRank, type Level } from '../../src/core/alert.js';
import { loadCorrelations } from '../../src/detect/correlate.js';
import { CORRELATIONS, expectedRule, FAN_OUT_ENIS, RULES } from '../../src/simulate/expected-rules.js';
import { SCENARIOS } from '../../src/simulate/scenarios.js';
import { contextFor, DEFAULTS, planFor } from '../../src/simulate/generate.js';
import { bundled } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';

test('every rule the simulator names exists in the bundled pack with the same title and level', async () => {
  const { rules } = await bundled();
  for (const [key, r] of Object.entries(RULES)) {
    const found = rules.find((x) => x.id === r.id);
    assert.ok(found, `${key}: rule ${r.id} is not in the pack`);
    assert.equal(found.title, r.name, `${key}: title`);
    assert.equal(found.level, r.level, `${key}: level`);
  }
});

test('every correlation the simulator names exists in the bundled pack with the title and level its alerts carry', async () => {
  const { rules } = await bundled();
  const { correlations, ruleNames } = await loadCorrelations([repoPath('rules')]);
  for (const [key, c] of Object.entries(CORRELATIONS)) {
    const found = correlations.find((x) => x.id === c.id);
    assert.ok(found, `${key}: correlation ${c.id} is not in the pack`);
    assert.equal(found.title, c.name, `${key}: title`);
    // A correlation alert takes the correlation's level, else the highest level of the rules it links.
    const linked = found.rules.map((r) => rules.find((x) => x.id === (ruleNames.get(r) ?? r))?.level).filter((l): l is Level => l !== undefined);
    const level = found.level ?? linked.reduce<Level>((best, l) => (levelRank(l) > levelRank(best) ? l : best), linked[0]);
    assert.equal(level, c.level, `${key}: level`);
    assert.equal(found.generate, true, `${key}: the linked rules' alerts are expected beside the correlation's`);
  }
  const fanOut = correlations.find((x) => x.id === CORRELATIONS.awsFanOut.id);
  assert.ok(fanOut?.condition?.kind === 'threshold');
  assert.deepEqual(fanOut.condition.comparisons, [{ op: 'gte', value: FAN_OUT_ENIS }]);
});

test('the scenarios expect an alert of every rule and correlation of the pack, or of a rule that supersedes it', async () => {
  const { rules } = await bundled();
  const { correlations } = await loadCorrelations([repoPath('rules')]);
  const expected = new Set<string>();
  for (const s of SCENARIOS) {
    const plan = planFor(s, contextFor(s, { seed: '1', startMs: DEFAULTS.startMs, account: DEFAULTS.account }));
    for (const a of plan.expected) expected.add(expectedRule(a.rule).id);
  }
  const covered = (id: string) => expected.has(id) || rules.some((r) => expected.has(r.id) && r.supersedes.includes(id));
  const missing = rules.filter((r) => !covered(r.id)).map((r) => r.title);
  assert.deepEqual(missing, []);
  assert.deepEqual(correlations.filter((c) => !expected.has(String(c.id))).map((c) => c.title), []);
});
