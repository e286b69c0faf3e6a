/**
 * `mirrorwatch scan examples/` end to end, as `npm start` runs it: every attack in the bundled data set raises
 * exactly one alert with the right rule, severity and identifiers, and nothing else alerts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNdjson, runCli, hasStackTrace } from '../helpers/cli.js';

interface Expect {
  rule: string;
  severity: string;
  outcome: string;
  /** Identifiers the plain-words summary must name. */
  mentions: string[];
  evidence: number;
}

const EXPECTED: Expect[] = [
  { rule: 'AWS Traffic Mirroring Configuration Enumerated', severity: 'low', outcome: 'success', mentions: ['svc-backup'], evidence: 1 },
  { rule: 'AWS Traffic Mirroring Dry-Run Probe', severity: 'medium', outcome: 'failure', mentions: ['svc-backup', 'eni-0a4c1e7b93d2f5068'], evidence: 1 },
  // Another account owns the target's load balancer: critical.
  { rule: 'AWS Traffic Mirror Target Created', severity: 'critical', outcome: 'success', mentions: ['tmt-07d2f0a9c41e5b836', '444455556666'], evidence: 1 },
  { rule: 'AWS Traffic Mirror Filter or Filter Rule Created or Modified', severity: 'high', outcome: 'success', mentions: ['tmf-0c5e19a3b7d84f260'], evidence: 1 },
  { rule: 'AWS Traffic Mirror Filter or Filter Rule Created or Modified', severity: 'high', outcome: 'success', mentions: ['ingress', '0.0.0.0/0'], evidence: 1 },
  { rule: 'AWS Traffic Mirror Filter or Filter Rule Created or Modified', severity: 'high', outcome: 'success', mentions: ['egress', '0.0.0.0/0'], evidence: 1 },
  // The correlation: target, filter, two rules and the session by one principal within the hour.
  { rule: 'AWS Traffic Mirroring Pipeline Built by One Principal', severity: 'critical', outcome: 'success', mentions: ['svc-backup', 'tms-0e81b3c6f2a4d9157'], evidence: 5 },
  { rule: 'AWS Traffic Mirror Session Created', severity: 'critical', outcome: 'success', mentions: ['tms-0e81b3c6f2a4d9157', 'eni-0a4c1e7b93d2f5068', 'tmt-07d2f0a9c41e5b836'], evidence: 1 },
  { rule: 'AWS Traffic Mirroring Call Denied', severity: 'high', outcome: 'failure', mentions: ['developer-readonly'], evidence: 1 },
  { rule: 'Azure Virtual Network TAP Created or Updated', severity: 'critical', outcome: 'success', mentions: ['vtap-diag', '0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e'], evidence: 2 },
  { rule: 'Azure Virtual Network TAP Created and a NIC Attached to It', severity: 'critical', outcome: 'success', mentions: ['VTAP-DIAG'], evidence: 5 },
  { rule: 'Azure Network Interface TAP Configuration Created or Updated', severity: 'critical', outcome: 'success', mentions: ['fin-api-01-nic', 'vtap-diag'], evidence: 3 },
  { rule: 'GCP Packet Mirroring Policy Created', severity: 'critical', outcome: 'success', mentions: ['pm-diag', 'collector-ilb'], evidence: 2 },
  { rule: 'GCP Packet Mirroring Policy Modified', severity: 'critical', outcome: 'success', mentions: ['pm-diag'], evidence: 2 },
  { rule: 'GCP Packet Mirroring Policy Created and Then Its Filter Widened', severity: 'critical', outcome: 'success', mentions: ['pm-diag'], evidence: 3 },
  { rule: 'Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE)', severity: 'critical', outcome: 'unknown', mentions: ['sw-core-1', '203.0.113.66', 'TenGigabitEthernet1/1/3'], evidence: 7 },
  { rule: 'Juniper Junos Analyzer or Port Mirroring Configured', severity: 'high', outcome: 'unknown', mentions: ['ex4300-dc1', 'LEGAL-HOLD', 'ge-0/0/12.0'], evidence: 2 },
  { rule: 'Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE)', severity: 'high', outcome: 'unknown', mentions: ['SPAN-EDGE', 'HundredGigE0/0/0/4'], evidence: 3 },
  { rule: 'Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE)', severity: 'critical', outcome: 'unknown', mentions: ['S1', '192.0.2.200'], evidence: 2 },
  { rule: 'Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE)', severity: 'critical', outcome: 'success', mentions: ['n9k-leaf-7', '192.0.2.45'], evidence: 6 },
];

test('scanning the bundled examples raises exactly the planted attacks, in time order', async () => {
  const r = await runCli(['scan', 'examples/', '--format', 'ndjson']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(hasStackTrace(r.stderr), false);
  const alerts = parseNdjson(r.stdout);
  assert.equal(alerts.length, EXPECTED.length, alerts.map((a) => (a.rule as { name: string }).name).join('\n'));
  alerts.forEach((a, i) => {
    const want = EXPECTED[i];
    const mw = a.mirrorwatch as { severity: string; evidence: unknown[] };
    assert.equal((a.rule as { name: string }).name, want.rule, `alert ${i}`);
    assert.equal(mw.severity, want.severity, `alert ${i} severity`);
    assert.equal((a.event as { outcome: string }).outcome, want.outcome, `alert ${i} outcome`);
    for (const m of want.mentions) assert.ok(String(a.message).includes(m), `alert ${i} message "${String(a.message)}" should mention ${m}`);
    assert.equal(mw.evidence.length, want.evidence, `alert ${i} evidence`);
  });
  const times = alerts.map((a) => Date.parse(String(a['@timestamp'])));
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
  // The digest file is recognised and skipped quietly: an info line, not an error.
  assert.match(r.stderr, /MW2009 info .*CloudTrail-Digest.*digest/);
  assert.doesNotMatch(r.stderr, / error /);
});

test('the session record delivered twice is one alert whose evidence names both files', async () => {
  const r = await runCli(['scan', 'examples/aws', '--format', 'ndjson']);
  const sessions = parseNdjson(r.stdout).filter((a) => (a.rule as { name: string }).name === 'AWS Traffic Mirror Session Created');
  assert.equal(sessions.length, 1);
  const ev = (sessions[0].mirrorwatch as { evidence: { origin: string; duplicates: string[] }[] }).evidence;
  assert.equal(ev.length, 1);
  assert.match(ev[0].origin, /20261120T1415Z_B7vK3cWq9YhE5sAa\.json\.gz:1:\d+ \(record \d+\)/);
  assert.equal(ev[0].duplicates.length, 1);
  assert.match(ev[0].duplicates[0], /20261120T1425Z_Hc6Wn0Tz2Lb8Qe4R\.json\.gz/);
});

test('every alert carries the output contract of DESIGN.md §6', async () => {
  const r = await runCli(['scan', 'examples/', '--format', 'ndjson', '--min-level', 'informational']);
  for (const a of parseNdjson(r.stdout)) {
    const ev = a.event as Record<string, unknown>;
    assert.equal(ev.kind, 'alert');
    assert.equal(typeof ev.action, 'string');
    assert.match(String(ev.dataset), /^(aws\.cloudtrail|azure\.activitylogs|gcp\.audit|cisco_ios\.log|cisco_nxos\.log|cisco_iosxr\.log|juniper\.log|arista_eos\.log|tacacs\.accounting)$/);
    assert.ok(['success', 'failure', 'unknown'].includes(String(ev.outcome)));
    assert.equal(typeof ev.severity, 'number');
    assert.equal(typeof ev.risk_score, 'number');
    assert.match(String((a.rule as { id: string }).id), /^[0-9a-f-]{36}$/);
    const threat = a.threat as { framework: string; tactic: { id: string[] }; technique: { id: string[]; subtechnique: { id: string[] } } };
    assert.equal(threat.framework, 'MITRE ATT&CK');
    assert.deepEqual(threat.tactic.id, ['TA0010']);
    assert.deepEqual(threat.technique.id, ['T1020']);
    assert.deepEqual(threat.technique.subtechnique.id, ['T1020.001']);
    const mw = a.mirrorwatch as { severity: string; risk_factors: unknown[]; evidence: { record: unknown; origin: string }[] };
    assert.ok(['informational', 'low', 'medium', 'high', 'critical'].includes(mw.severity));
    assert.ok(Array.isArray(mw.risk_factors));
    for (const e of mw.evidence) {
      assert.ok(e.record !== undefined && e.record !== null);
      assert.match(e.origin, /^examples\/.+:\d+/);
    }
    const cloud = a.cloud as { provider?: string } | undefined;
    const observer = a.observer as { hostname?: string; ip?: string } | undefined;
    assert.ok(cloud?.provider || observer?.hostname || observer?.ip, 'cloud.* or observer.* must say where it happened');
  }
});

test('the table format is what a person sees: rules, summaries and a scan summary', async () => {
  const r = await runCli(['scan', 'examples/', '--format', 'table', '--exit-zero']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^TIME \(UTC\)\s+SEVERITY\s+PLATFORM\s+RULE/m);
  assert.match(r.stdout, /IAMUser svc-backup created traffic mirror session tms-0e81b3c6f2a4d9157/);
  assert.match(r.stdout, /Alerts: 20 \(12 critical, 6 high, 1 medium, 1 low\); 1 below --min-level low not shown\./);
  assert.ok(!r.stdout.includes('\u001b['), 'no colour when NO_COLOR is set and stdout is not a terminal');
});
