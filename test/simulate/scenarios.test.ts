/**
 * Every scenario, simulated then scanned by the real engine (the path `scan` takes), raises exactly the alerts its
 * manifest lists: no alert missing, none extra, each with its rule, severity, message identifiers and evidence
 * records. The check itself is shown to fail when the manifest and the alerts disagree, and background noise alone
 * raises nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExpectedAlerts, type ExpectedAlert } from '../../src/detect/rule-examples.js';
import { ALL_READERS } from '../../src/readers/registry.js';
import { loadCorrelations } from '../../src/detect/correlate.js';
import { repoPath } from '../helpers/paths.js';

let correlations: Awaited<ReturnType<typeof loadCorrelations>> | undefined;
import { DEFAULTS, writeScenario, type GenerateOptions } from '../../src/simulate/generate.js';
import type { Manifest } from '../../src/simulate/manifest.js';
import { SCENARIOS, scenarioNamed } from '../../src/simulate/scenarios.js';
import type { Scenario } from '../../src/simulate/types.js';
import { bundled } from '../helpers/engine.js';

const OPTIONS: GenerateOptions = { seed: '1', startMs: DEFAULTS.startMs, account: DEFAULTS.account, noise: 0, generator: 'mirrorwatch test' };

async function simulated<T>(scenario: Scenario, o: Partial<GenerateOptions>, body: (dir: string, m: Manifest) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `mw-sim-${scenario.name}-`));
  try {
    const m = await writeScenario(scenario, dir, { ...OPTIONS, ...o });
    return await body(dir, m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function check(dir: string, expected: readonly ExpectedAlert[]) {
  const { rules, aliases } = await bundled();
  correlations ??= await loadCorrelations([repoPath('rules')]);
  return checkExpectedAlerts(dir, expected, { rules, readers: ALL_READERS, aliases, correlations });
}

function explain(r: Awaited<ReturnType<typeof check>>): string {
  return [
    ...r.problems.map((p) => `input: ${p}`),
    ...r.missing.map((m) => `missing ${m.alert.rule_name}: ${m.reason}`),
    ...r.extra.map((e) => `extra ${e.rule_name}: ${e.message}`),
  ].join('\n');
}

for (const scenario of SCENARIOS) {
  test(`scenario ${scenario.name}: simulate then scan raises exactly the manifest's alerts`, async () => {
    await simulated(scenario, {}, async (dir, m) => {
      assert.equal(m.scenario, scenario.name);
      assert.equal(m.benign, scenario.benign);
      assert.ok(m.expected_alerts.length > 0, 'every scenario expects alerts');
      const records = scenario.benign ? m.benign_records : m.attack_records;
      assert.ok(records.length > 0, 'the scenario records are listed by natural key');
      assert.deepEqual(scenario.benign ? m.attack_records : m.benign_records, []);
      for (const f of m.files) assert.equal((await stat(join(dir, f.path))).isFile(), true, f.path);
      for (const a of m.expected_alerts) assert.ok(a.evidence.length > 0 && a.message_mentions.length > 0, `${a.rule_name} names evidence and identifiers`);
      const r = await check(dir, m.expected_alerts);
      assert.equal(r.pass, true, explain(r));
      assert.equal(r.actual, m.expected_alerts.length);
    });
  });
}

test('background noise on every platform raises no alert, and scenarios still pass among it', async () => {
  const quiet: Scenario = { name: 'noise-only', title: 'noise', description: 'background only', platforms: ['aws', 'azure', 'gcp', 'device'], benign: true, build: () => ({ records: [], expected: [] }) };
  await simulated(quiet, { noise: 3000 }, async (dir, m) => {
    assert.equal(m.counts.noise_records, 12000);
    assert.equal(m.counts.scenario_records, 0);
    const r = await check(dir, []);
    assert.deepEqual(r.extra, [], explain(r));
    assert.equal(r.pass, true, explain(r));
  });
  for (const name of ['aws-session', 'azure-vtap-mixed-case', 'gcp-packet-mirroring-beta', 'cisco-span', 'ir-capture']) {
    await simulated(scenarioNamed(name) as Scenario, { noise: 1500 }, async (dir, m) => {
      const r = await check(dir, m.expected_alerts);
      assert.equal(r.pass, true, `${name} with noise\n${explain(r)}`);
    });
  }
});

test('the check fails when an expected alert is missing, when an alert is extra, and names why', async () => {
  await simulated(scenarioNamed('aws-session') as Scenario, {}, async (dir, m) => {
    const session = m.expected_alerts.find((a) => a.rule_name === 'AWS Traffic Mirror Session Created') as ExpectedAlert;
    const pipeline = m.expected_alerts.find((a) => a.rule_name === 'AWS Traffic Mirroring Pipeline Built by One Principal') as ExpectedAlert;
    assert.ok(session && pipeline, 'the session alert and the pipeline correlation alert are expected');
    // One expectation too many: a second session alert that nothing raises.
    const tooMany = await check(dir, [...m.expected_alerts, { ...session, message_mentions: ['tms-00000000000000000'] }]);
    assert.equal(tooMany.pass, false);
    assert.equal(tooMany.missing.length, 1);
    assert.match(tooMany.missing[0].reason, /each of the 1 alert\(s\) of this rule is paired with another expectation/);
    // One expectation too few: the session alert is extra.
    const tooFew = await check(dir, m.expected_alerts.filter((a) => a !== session));
    assert.equal(tooFew.pass, false);
    assert.equal(tooFew.extra.length, 1);
    assert.equal(tooFew.extra[0].rule_name, 'AWS Traffic Mirror Session Created');
    // Wrong severity and wrong evidence are both caught.
    const wrongSeverity = await check(dir, m.expected_alerts.map((a) => (a === session ? { ...a, severity: 'medium' } : a)));
    assert.equal(wrongSeverity.pass, false);
    assert.match(wrongSeverity.missing[0].reason, /severity high, expected medium/);
    const wrongEvidence = await check(dir, m.expected_alerts.map((a) => (a === session ? { ...a, evidence: ['00000000-0000-4000-8000-000000000000'] } : a)));
    assert.equal(wrongEvidence.pass, false);
    assert.match(wrongEvidence.missing[0].reason, /evidence lacks/);
    // Correlation alerts are held to the same: unlisted, it is extra (reported with the level to name); listed with
    // another level, or naming a session it does not link, it is missing.
    const noCorrelation = await check(dir, m.expected_alerts.filter((a) => a !== pipeline));
    assert.equal(noCorrelation.pass, false);
    assert.deepEqual(noCorrelation.extra.map((e) => [e.rule_name, e.severity]), [['AWS Traffic Mirroring Pipeline Built by One Principal', 'high']]);
    const correlationLevel = await check(dir, m.expected_alerts.map((a) => (a === pipeline ? { ...a, severity: 'critical' } : a)));
    assert.equal(correlationLevel.pass, false);
    assert.match(correlationLevel.missing[0].reason, /severity high, expected critical/);
    const otherSession = await check(dir, m.expected_alerts.map((a) => (a === pipeline ? { ...a, message_mentions: [...a.message_mentions, 'tms-00000000000000000'] } : a)));
    assert.equal(otherSession.pass, false);
    assert.match(otherSession.missing[0].reason, /message lacks "tms-00000000000000000"/);
  });
});

test('expectations name the level of a rule or correlation, not the severity risk scoring gives the alert', async () => {
  // The root user raises the risk score: the pipeline correlation (level high) is scored critical, and its
  // expectation names high.
  await simulated(scenarioNamed('aws-session-root') as Scenario, {}, async (dir, m) => {
    const pipeline = m.expected_alerts.find((a) => a.rule_name === 'AWS Traffic Mirroring Pipeline Built by One Principal') as ExpectedAlert;
    assert.equal(pipeline.severity, 'high');
    const r = await check(dir, m.expected_alerts.filter((a) => a !== pipeline));
    assert.deepEqual(r.extra.map((e) => [e.severity, e.final_severity]), [['high', 'critical']]);
    assert.equal((await check(dir, m.expected_alerts)).pass, true);
  });
});

test('the manifest names records by natural keys and where they were written; a redelivered record is listed once with its second file', async () => {
  await simulated(scenarioNamed('aws-session') as Scenario, {}, async (dir, m) => {
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    assert.ok(text.startsWith('{\n  "mirrorwatch_manifest": 1,'), 'the marker the readers skip manifests by comes first');
    assert.equal(m.seed, '1');
    assert.equal(m.seed_test, 'Test 1');
    assert.equal(m.options.account, DEFAULTS.account);
    assert.deepEqual(m.attack_records.map((r) => r.action), ['CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession']);
    for (const r of m.attack_records) {
      assert.match(String(r.key.eventID), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(r.file, /^aws\/AWSLogs\/111122223333\/CloudTrail\/eu-west-1\/\d{4}\/\d{2}\/\d{2}\/111122223333_CloudTrail_eu-west-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/);
      assert.equal(typeof r.record, 'number');
    }
    const session = m.attack_records[4];
    assert.ok(session.redelivered_in && session.redelivered_in !== session.file, 'the session record is delivered again in another file');
    assert.deepEqual(
      m.expected_alerts.map((a) => [a.rule_name, a.severity]),
      [
        ['AWS Traffic Mirror Target Created', 'medium'],
        ['AWS Traffic Mirror Filter or Filter Rule Created or Modified', 'medium'],
        ['AWS Traffic Mirror Filter or Filter Rule Created or Modified', 'medium'],
        ['AWS Traffic Mirror Filter or Filter Rule Created or Modified', 'medium'],
        ['AWS Traffic Mirror Session Created', 'high'],
        ['AWS Traffic Mirroring Pipeline Built by One Principal', 'high'],
      ],
    );
  });
  await simulated(scenarioNamed('cisco-span') as Scenario, {}, async (_dir, m) => {
    for (const r of m.attack_records) assert.match(String(r.key.at), /^devices\/(syslog|tacacs)\/[\w.-]+\.log:\d+$/);
    assert.ok(m.expected_alerts.every((a) => a.evidence.every((e) => /^devices\/.+:\d+$/.test(e))));
  });
  await simulated(scenarioNamed('azure-vtap') as Scenario, {}, async (_dir, m) => {
    const ids = new Set(m.attack_records.map((r) => r.key.correlationId));
    assert.equal(ids.size, 2, 'Start, Accept and Success of one operation share a correlationId');
    assert.deepEqual(m.attack_records.map((r) => r.key.resultType), ['Start', 'Accept', 'Success', 'Start', 'Success']);
  });
  await simulated(scenarioNamed('gcp-packet-mirroring') as Scenario, {}, async (_dir, m) => {
    assert.equal(m.attack_records.length, 2);
    assert.equal(m.attack_records[0].key.operationId, m.attack_records[1].key.operationId);
    assert.equal(m.attack_records[0].key.first, true);
    assert.equal(m.attack_records[1].key.last, true);
  });
});
