/**
 * The severity formula (src/enrich/risk.ts, README "Severity, tuning and playbooks"): bounded, monotonic, an alert
 * without factors keeps its rule's level and score, weak factors alone never make an alert critical, informational
 * stays informational unless a strong factor applies. Properties are checked over thousands of random factor sets
 * from a seeded generator, so a failure is reproducible.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { LEVELS, SEVERITY_NUMBERS, levelRank, type Level } from '../../src/core/alert.js';
import { enrichAlerts } from '../../src/enrich/enrich.js';
import { FACTORS, MITIGATION_CAP, NO_STRONG_CEILING, scoreRisk, severityOfScore, WEAK_CAP, type FactorStrength } from '../../src/enrich/risk.js';
import { MemoryBaselines, NOW, scanAndEnrich } from './helpers.js';
import { readFileSync } from 'node:fs';
import { repoPath } from '../helpers/paths.js';
import { rng } from '../helpers/random.js';

type F = { weight: number; strength: FactorStrength };
const CATALOGUE: F[] = Object.values(FACTORS).map((f) => ({ weight: f.weight, strength: f.strength }));

function randomFactors(r: () => number): F[] {
  const n = Math.floor(r() * 8);
  return Array.from({ length: n }, () => CATALOGUE[Math.floor(r() * CATALOGUE.length)]);
}

test('no factors: every level keeps its score and severity', () => {
  for (const level of LEVELS) {
    const s = scoreRisk(level, []);
    assert.equal(s.score, SEVERITY_NUMBERS[level].risk, level);
    assert.equal(s.severity, level);
  }
});

test('bounded 0..100 and monotonic in every factor, over random sets', () => {
  const r = rng(20261123);
  for (let i = 0; i < 5000; i++) {
    const level = LEVELS[Math.floor(r() * LEVELS.length)] as Level;
    const base = randomFactors(r);
    const s0 = scoreRisk(level, base);
    assert.ok(s0.score >= 0 && s0.score <= 100, JSON.stringify({ level, base, s0 }));
    assert.equal(s0.severity, severityOfScore(s0.score));
    const extra = CATALOGUE[Math.floor(r() * CATALOGUE.length)];
    const s1 = scoreRisk(level, [...base, extra]);
    if (extra.weight > 0) {
      assert.ok(s1.score >= s0.score, `adding ${JSON.stringify(extra)} lowered ${s0.score} to ${s1.score}`);
      assert.ok(levelRank(s1.severity) >= levelRank(s0.severity));
    } else if (extra.weight < 0) {
      assert.ok(s1.score <= s0.score, `adding ${JSON.stringify(extra)} raised ${s0.score} to ${s1.score}`);
    } else {
      assert.equal(s1.score, s0.score);
    }
    // A higher rule level never yields a lower score for the same factors.
    const up = LEVELS[Math.min(LEVELS.length - 1, levelRank(level) + 1)] as Level;
    assert.ok(scoreRisk(up, base).score >= s0.score);
  }
});

test('weak factors alone never make an alert critical, and move it by at most the cap', () => {
  const weak: F[] = CATALOGUE.filter((f) => f.strength === 'weak' && f.weight > 0);
  const all = weak.concat(weak, weak);
  for (const level of ['low', 'medium', 'high'] as Level[]) {
    const s = scoreRisk(level, all);
    assert.notEqual(s.severity, 'critical', level);
    assert.ok(s.score - SEVERITY_NUMBERS[level].risk <= WEAK_CAP);
    assert.ok(s.score <= Math.max(NO_STRONG_CEILING, SEVERITY_NUMBERS[level].risk));
  }
  // Enough weak evidence lifts a medium rule one band.
  assert.equal(scoreRisk('medium', all).severity, 'high');
  // One strong factor on a high rule is critical.
  assert.equal(scoreRisk('high', [{ weight: FACTORS['cross-account-destination'].weight, strength: 'strong' }]).severity, 'critical');
  // A critical rule is not held below critical for lack of a strong factor.
  assert.equal(scoreRisk('critical', []).severity, 'critical');
  assert.equal(scoreRisk('critical', all).score, SEVERITY_NUMBERS.critical.risk, 'held at its own level without a strong factor');
});

test('informational stays informational unless a strong factor applies', () => {
  const weak: F[] = CATALOGUE.filter((f) => f.strength === 'weak');
  assert.equal(scoreRisk('informational', weak.concat(weak)).severity, 'informational');
  assert.equal(scoreRisk('informational', weak).score, 0);
  const strong = scoreRisk('informational', [{ weight: 30, strength: 'strong' }]);
  assert.equal(strong.severity, 'low');
});

test('mitigating factors lower by at most their cap; factors without a strength are not weighed', () => {
  const m = scoreRisk('high', [
    { weight: -15, strength: 'mitigating' },
    { weight: -10, strength: 'mitigating' },
    { weight: -15, strength: 'mitigating' },
  ]);
  assert.equal(m.score, SEVERITY_NUMBERS.high.risk - MITIGATION_CAP);
  assert.equal(m.severity, 'medium');
  const foreign = scoreRisk('medium', [{ weight: 40 } as unknown as F]);
  assert.equal(foreign.score, SEVERITY_NUMBERS.medium.risk);
});

test('enrichment writes the score into the alert, and running it twice changes nothing', async () => {
  const file = 'examples/gcp/cloudaudit.googleapis.com/activity/2026/11/20/14-00-00_14-59-59_S0.json';
  const { alerts, raw } = await scanAndEnrich([{ name: file, text: readFileSync(repoPath(file), 'utf8') }]);
  for (const a of alerts) {
    const scoring = a.mirrorwatch.scoring as { score: number; severity: string; base_level: string };
    assert.equal((a.event as { risk_score: number }).risk_score, scoring.score);
    assert.equal((a.event as { severity: number }).severity, SEVERITY_NUMBERS[a.mirrorwatch.severity].severity);
    assert.equal(a.mirrorwatch.severity, scoring.severity);
    const before = raw.find((x) => (x.event as { id: string }).id === (a.event as { id: string }).id);
    assert.equal(scoring.base_level, before?.mirrorwatch.severity, 'the base is the rule level');
  }
  const snapshot = JSON.stringify(alerts);
  const again = enrichAlerts(alerts, { baselines: new MemoryBaselines(), now: NOW, report: () => undefined });
  assert.equal(JSON.stringify(again.alerts), snapshot);
});
