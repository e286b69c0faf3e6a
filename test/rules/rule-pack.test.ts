/**
 * The bundled T1020.001 rule pack as content: every rule lints clean, carries its ATT&CK mapping and its
 * documentation, and has at least two examples that must match and two that must not, all of which pass through
 * the real readers and engine (what `mirrorwatch test` runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRuleExamples, readExamples } from '../../src/detect/rule-examples.js';
import { READERS } from '../../src/readers/registry.js';
import { lintRuleFiles } from '../../src/sigma/index.js';
import { bundled } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';
import { formatDiagnostic } from '../../src/core/diagnostic.js';

test('the rule pack lints without errors or warnings', async () => {
  const diags = await lintRuleFiles([repoPath('rules')]);
  const problems = diags.filter((d) => d.severity !== 'info');
  assert.deepEqual(problems.map(formatDiagnostic), []);
});

test('every rule maps T1020 and T1020.001 under exfiltration and documents itself', async () => {
  const { rules } = await bundled();
  assert.ok(rules.length >= 26, `expected the full pack, got ${rules.length} rules`);
  const missing: string[] = [];
  for (const r of rules) {
    for (const tag of ['attack.exfiltration', 'attack.t1020', 'attack.t1020.001']) if (!r.tags.includes(tag)) missing.push(`${r.source}: tag ${tag}`);
    if (r.falsepositives.length === 0) missing.push(`${r.source}: falsepositives`);
    if (r.references.length === 0) missing.push(`${r.source}: references`);
    if (r.description.length < 80) missing.push(`${r.source}: description`);
  }
  assert.deepEqual(missing, []);
});

test('every rule has at least two matching and two non-matching examples', async () => {
  const { rules } = await bundled();
  const thin: string[] = [];
  for (const rule of rules) {
    const { examples, diagnostics } = await readExamples(rule);
    assert.deepEqual(diagnostics.map(formatDiagnostic), []);
    const match = examples.filter((e) => e.kind === 'match').length;
    const noMatch = examples.filter((e) => e.kind === 'no_match').length;
    if (match < 2 || noMatch < 2) thin.push(`${rule.title}: ${match} match, ${noMatch} no_match`);
  }
  assert.deepEqual(thin, []);
});

test('every example passes through the real readers and engine', async () => {
  const { rules, aliases } = await bundled();
  const { results, untested, diagnostics } = await runRuleExamples(rules, READERS, aliases);
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  assert.equal(untested.length, 0);
  const failed = results.filter((r) => !r.pass).map((r) => `${r.location} ${r.rule.title} / ${r.example}: ${r.problems.join('; ')}`);
  assert.deepEqual(failed, []);
  assert.ok(results.length >= 150, `expected many examples, got ${results.length}`);
});

test('no rule rates a read-only call above low', async () => {
  const { rules } = await bundled();
  for (const rule of rules) {
    const { examples } = await readExamples(rule);
    const reads = examples.filter((e) => e.kind === 'match' && /"eventName":"Describe|\.(get|list|aggregatedList|testIamPermissions)"/.test(e.text));
    if (reads.length > 0) assert.ok(['informational', 'low'].includes(rule.level), `${rule.title} matches reads at ${rule.level}`);
  }
});
