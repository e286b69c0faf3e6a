/**
 * The Elastic Security package (`export --target eql --out DIR` → `elastic-security-rules.ndjson`) against what the
 * Kibana rule import API and elastic/detection-rules' schema require (reference formats.md §2.2, "Kibana import API"
 * and "Validation": `detection_rules/schemas/definitions.py`, `tests/test_all_rules.py`): one rule per line with a
 * trailing newline; `rule_id`, `name`, `description`, `risk_score`, `severity`, `type`, `language`, `query`, `index`,
 * `version`, `from`, `interval`, `threat`; allowed values for severity, type, language and interval; risk scores in
 * their severity's band; ATT&CK URLs with the trailing slash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { packageFiles, type PackagedRule } from '../../src/export/packages.js';
import { loadRuleFiles } from '../../src/sigma/index.js';
import { repoPath } from '../helpers/paths.js';

const BANDS: Record<string, [number, number]> = { low: [0, 21], medium: [22, 47], high: [48, 73], critical: [74, 100] };
const RULE_TYPES = ['query', 'saved_query', 'machine_learning', 'eql', 'esql', 'threshold', 'threat_match', 'new_terms'];
const LANGUAGES = ['eql', 'esql', 'kuery', 'lucene'];

test('the Elastic import NDJSON carries every field the import API and the detection-rules schema require', async () => {
  const loaded = await loadRuleFiles([repoPath('rules')]);
  const map = await fieldMapFor(repoPath('mappings'), 'eql', () => undefined);
  const exports = compileAll('eql', map, loaded.rules, loaded.correlations);
  const docs = new Map([...loaded.rules, ...loaded.correlations].map((d) => [d.id ?? d.title, d]));
  const rules: PackagedRule[] = exports.map((e) => ({ doc: docs.get(e.ruleId)!, export: e }));
  const text = packageFiles('eql', rules, map).get('elastic-security-rules.ndjson') ?? '';
  assert.ok(text.endsWith('\n'), 'a trailing newline');
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, exports.filter((e) => e.result.status === 'compiled').length, 'one line per compiled rule');
  const ids = new Set<string>();
  for (const line of lines) {
    const r = JSON.parse(line) as Record<string, unknown>;
    const what = String(r.name);
    assert.match(String(r.rule_id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, what);
    assert.ok(!ids.has(String(r.rule_id)), `${what}: rule_id unique`);
    ids.add(String(r.rule_id));
    for (const key of ['name', 'description', 'query']) assert.ok(typeof r[key] === 'string' && (r[key] as string).trim().length > 0, `${what}: ${key}`);
    assert.ok(['low', 'medium', 'high', 'critical'].includes(String(r.severity)), `${what}: severity ${String(r.severity)}`);
    const [lo, hi] = BANDS[String(r.severity)];
    assert.ok(Number.isInteger(r.risk_score) && (r.risk_score as number) >= lo && (r.risk_score as number) <= hi, `${what}: risk_score ${String(r.risk_score)} in the ${String(r.severity)} band`);
    assert.ok(RULE_TYPES.includes(String(r.type)) && LANGUAGES.includes(String(r.language)), what);
    assert.equal(r.type, 'eql');
    assert.equal(r.language, 'eql');
    assert.ok(Array.isArray(r.index) && r.index.length > 0 && r.index.every((i) => typeof i === 'string' && i.length > 0), `${what}: index`);
    assert.ok(Number.isInteger(r.version) && (r.version as number) >= 1, `${what}: version`);
    assert.match(String(r.interval), /^\d+[mshd]$/, what);
    assert.match(String(r.from), /^now-\d+[mshd]$/, what);
    assert.ok(Array.isArray(r.author) && Array.isArray(r.references) && Array.isArray(r.false_positives) && Array.isArray(r.tags), what);
    assert.match(String(r.note), /^## Triage and analysis/, what);
    const threat = r.threat as { framework: string; tactic: { id: string; reference: string }; technique: { id: string; reference: string; subtechnique: { id: string; reference: string }[] }[] }[];
    assert.equal(threat.length, 1);
    assert.equal(threat[0].framework, 'MITRE ATT&CK');
    assert.equal(threat[0].tactic.id, 'TA0010');
    assert.match(threat[0].tactic.reference, /^https:\/\/attack\.mitre\.org\/tactics\/TA[0-9]+\/$/);
    assert.equal(threat[0].technique[0].id, 'T1020');
    assert.match(threat[0].technique[0].reference, /^https:\/\/attack\.mitre\.org\/techniques\/T1020\/$/);
    assert.equal(threat[0].technique[0].subtechnique[0].id, 'T1020.001');
    assert.match(threat[0].technique[0].subtechnique[0].reference, /^https:\/\/attack\.mitre\.org\/techniques\/T1020\/001\/$/);
  }
  // The 27 rules of the pack and the EQL-expressible correlations.
  assert.ok(lines.length >= 27, `${lines.length} rules packaged`);
});
