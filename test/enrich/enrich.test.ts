/**
 * `enrichAlerts` as a whole: correlation alerts inherit their parts' factors and playbook steps and follow their
 * parts' suppression; alerts from other producers (no mirror details, factors without a strength) get a playbook and
 * keep their factors unweighted. The correlation alert here is assembled the way `buildCorrelationAlert` shapes one
 * (primary part's mirror, every part's evidence, `mirrorwatch.correlation`), so this test does not depend on the
 * correlation engine's rules.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { AlertDocument } from '../../src/core/alert.js';
import { enrichAlerts } from '../../src/enrich/enrich.js';
import type { Playbook } from '../../src/enrich/playbook.js';
import { scanTexts } from '../helpers/engine.js';
import { filesUnder, MemoryBaselines, NOW, tuningOf } from './helpers.js';

const CORRELATION_ID = '5d7f1e2a-9c3b-4e6d-8a0f-1b2c3d4e5f60';

/** The examples' AWS alerts plus a correlation alert linking target, filter rules and session. */
async function withCorrelation(): Promise<AlertDocument[]> {
  const { alerts } = await scanTexts(filesUnder('examples/aws'));
  const act = (a: AlertDocument) => String((a.event as { action?: string }).action);
  const parts = alerts.filter(
    (a) => ['CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilterRule'].includes(act(a)) || (act(a) === 'CreateTrafficMirrorSession' && (a.mirrorwatch.mirror as { outcome: string }).outcome === 'success'),
  );
  assert.equal(parts.length, 4);
  const session = parts[parts.length - 1];
  const corr: AlertDocument = structuredClone(session);
  corr.rule = { ...corr.rule, id: CORRELATION_ID, name: 'AWS Traffic Mirroring Pipeline Built by One Principal' };
  corr.message = `IAMUser svc-backup built a complete traffic mirroring pipeline: ${parts.map((p) => String(p.message).split(' in account')[0]).join('; ')}`;
  corr.mirrorwatch.evidence = parts.flatMap((p) => structuredClone(p.mirrorwatch.evidence));
  corr.mirrorwatch.evidence_count = corr.mirrorwatch.evidence.length;
  corr.mirrorwatch.correlation = { type: 'temporal_ordered', group: { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/svc-backup' }, timespan: '15m', parts: [] };
  return [...alerts, corr];
}

function correlationOf(alerts: AlertDocument[]): AlertDocument {
  const c = alerts.find((a) => (a.rule as { id: string }).id === CORRELATION_ID);
  assert.ok(c);
  return c;
}

test('a correlation alert carries its parts\' factors and the containment steps of every part', async () => {
  const r = enrichAlerts(await withCorrelation(), { baselines: new MemoryBaselines(), now: NOW, report: () => undefined });
  const c = correlationOf(r.alerts);
  const names = c.mirrorwatch.risk_factors.map((f) => f.name);
  for (const n of ['cross-account-destination', 'filter-accepts-all-traffic', 'filter-both-directions', 'attempts-before-success', 'long-lived-access-key']) {
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  }
  assert.equal(c.mirrorwatch.severity, 'critical');
  const p = c.mirrorwatch.playbook as Playbook;
  assert.match(p.what_happened, /It links 4 actions: CreateTrafficMirrorTarget, CreateTrafficMirrorFilterRule, CreateTrafficMirrorFilterRule, CreateTrafficMirrorSession/);
  const commands = p.contain.flatMap((x) => x.commands.map((y) => y.command));
  assert.ok(commands.includes('aws ec2 delete-traffic-mirror-session --region eu-west-1 --traffic-mirror-session-id tms-0e81b3c6f2a4d9157'));
  assert.ok(commands.includes('aws ec2 delete-traffic-mirror-filter-rule --region eu-west-1 --traffic-mirror-filter-rule-id tmfr-0a4a7c987177422ee'));
  assert.equal(new Set(commands).size, commands.length, 'steps shared by parts appear once');
});

test('a correlation alert is suppressed when all its parts are, or by an exception for its own rule', async () => {
  const window = 'windows:\n  - id: w\n    ticket: CHG-1\n    reason: planned test\n    starts: 2026-11-20T14:00:00Z\n    expires: 2026-11-20T15:00:00Z\n    principals: [svc-backup]\n';
  const byParts = enrichAlerts(await withCorrelation(), { tuning: tuningOf(window, new Date('2026-11-20T12:00:00Z')).tuning, baselines: new MemoryBaselines(), now: NOW, report: () => undefined });
  const c = correlationOf(byParts.suppressed);
  assert.equal(c.mirrorwatch.suppressed_by?.id, 'w');
  assert.match(c.mirrorwatch.suppressed_by?.reason ?? '', /every linked alert was suppressed/);
  const exception = `exceptions:\n  - id: corr-off\n    rules: [${CORRELATION_ID}]\n    principals: [arn:aws:iam::111122223333:user/svc-backup]\n    reason: lab account\n`;
  const byRule = enrichAlerts(await withCorrelation(), { tuning: tuningOf(exception).tuning, baselines: new MemoryBaselines(), now: NOW, report: () => undefined });
  assert.equal(correlationOf(byRule.suppressed).mirrorwatch.suppressed_by?.id, 'corr-off');
  assert.ok(byRule.alerts.some((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorSession'), 'the parts themselves stay');
});

test('an alert from another producer gets a playbook and keeps its factors unweighted', () => {
  const doc: AlertDocument = {
    '@timestamp': '2026-11-20T15:30:00Z',
    message: 'VXLAN (UDP 4789) flow from 10.0.4.17 to 198.51.100.200 outside the approved collectors',
    event: { kind: 'alert', dataset: 'network.flow', action: 'vxlan-to-unapproved', outcome: 'unknown', severity: 3, risk_score: 73 },
    rule: { id: 'analytic-mirror-egress', name: 'Mirrored Traffic Leaving' },
    threat: {},
    user: {},
    mirrorwatch: { severity: 'high', risk_factors: [{ name: 'beacon-score', weight: 40, evidence: 'regular 1 s intervals' }], evidence: [], evidence_count: 0 },
  };
  const r = enrichAlerts([doc], { baselines: new MemoryBaselines(), now: NOW, report: () => undefined });
  const a = r.alerts[0];
  assert.equal(a.mirrorwatch.severity, 'high');
  assert.equal((a.event as { risk_score: number }).risk_score, 73);
  assert.deepEqual(a.mirrorwatch.risk_factors, [{ name: 'beacon-score', weight: 40, evidence: 'regular 1 s intervals' }]);
  const p = a.mirrorwatch.playbook as Playbook;
  assert.ok(p.contain.length === 1 && /Nothing to remove was identified/.test(p.contain[0].action));
  assert.deepEqual(p.mitigations.map((m) => m.id), ['M1041', 'M1018', 'M1057']);
});
