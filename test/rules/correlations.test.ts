/**
 * The T1020.001 correlation rules as content and end to end: each documents itself, each has sequences that must
 * and must not raise its alert and all of them pass through the real readers, rules and correlation engine (as
 * written and with the records reversed); on the bundled examples every planted multi-step attack raises its
 * correlated alert exactly once, whatever the file order; the alert has the rule alerts' output contract; and a
 * correlation spans two scans through saved state without alerting twice when the same archive is scanned again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertDocument } from '../../src/core/alert.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { formatDiagnostic } from '../../src/core/diagnostic.js';
import { Correlator, loadCorrelations, type CorrelationHit } from '../../src/detect/correlate.js';
import { buildCorrelationAlert } from '../../src/detect/correlation-alerts.js';
import { readCorrelationExamples, runCorrelationExamples } from '../../src/detect/correlation-examples.js';
import { scan, type Match } from '../../src/detect/scan.js';
import { expandInputs, type InputFile } from '../../src/readers/source.js';
import { READERS } from '../../src/readers/registry.js';
import { correlationId } from '../../src/sigma/correlation-plan.js';
import { bundled } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';

const PIPELINE = 'a5608969-99b1-4e0b-843e-d9eae69ddf74';
const AZURE = '435391f2-7700-4dd5-83de-9a10075cbaba';
const GCP = 'd4435b76-bfb3-4370-9777-0f1b5158eecc';

async function pack() {
  const { rules, aliases } = await bundled();
  const { correlations, ruleNames } = await loadCorrelations([repoPath('rules')]);
  return { rules, aliases, correlations, ruleNames, rulesById: new Map(rules.map((r) => [r.id, r])) };
}

async function scanInputs(inputs: InputFile[]): Promise<{ matches: Match[]; context: Awaited<ReturnType<typeof scan>>['context'] }> {
  const { rules, aliases } = await pack();
  const diagnostics: Diagnostic[] = [];
  const r = await scan(inputs, {
    rules,
    readers: READERS,
    readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
    prefilter: true,
    aliases,
    unknownFormatIsError: false,
    report: (d) => diagnostics.push(d),
  });
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), []);
  return r;
}

async function exampleInputs(): Promise<InputFile[]> {
  const inputs = await expandInputs([repoPath('examples')], () => undefined);
  assert.ok(inputs.length >= 8);
  return inputs;
}

/** Correlates one batch of matches with the bundled correlations; `final` judges open windows at the end. */
async function correlate(matches: readonly Match[], state?: unknown, final = true, allowedLatenessMs?: number): Promise<{ hits: CorrelationHit[]; state: unknown; notes: Diagnostic[] }> {
  const { correlations, rulesById, ruleNames, aliases } = await pack();
  const notes: Diagnostic[] = [];
  const c = new Correlator(correlations, rulesById, { ruleNames, aliases, allowedLatenessMs, report: (d) => notes.push(d) });
  c.importState(state);
  c.add(matches);
  const hits = c.finish(final);
  // Saved as the state store saves it: JSON text.
  return { hits, state: JSON.parse(JSON.stringify(c.exportState())), notes };
}

test('every correlation rule maps T1020.001, documents itself and is runnable', async () => {
  const { correlations, rulesById, ruleNames } = await pack();
  assert.equal(correlations.length, 5);
  const problems: string[] = [];
  for (const c of correlations) {
    const where = `${c.source.file}:${c.source.line}`;
    for (const tag of ['attack.exfiltration', 'attack.t1020', 'attack.t1020.001']) if (!c.tags.includes(tag)) problems.push(`${where}: tag ${tag}`);
    if (c.falsepositives.length === 0) problems.push(`${where}: falsepositives`);
    if (c.references.length === 0) problems.push(`${where}: references`);
    if ((c.description ?? '').length < 200) problems.push(`${where}: description`);
    if (c.level !== 'high') problems.push(`${where}: level ${String(c.level)}`);
    if (c.id === undefined) problems.push(`${where}: id`);
    if (!c.generate) problems.push(`${where}: generate must stay true so the base rules keep alerting on their own`);
  }
  assert.deepEqual(problems, []);
  const notes: Diagnostic[] = [];
  const corr = new Correlator(correlations, rulesById, { ruleNames, report: (d) => notes.push(d) });
  assert.deepEqual(notes.map(formatDiagnostic), []);
  assert.equal(corr.plan.correlations.length, 5);
  assert.equal(corr.silenced.size, 0);
});

test('every correlation has at least two sequences that must alert and two that must not', async () => {
  const { correlations } = await pack();
  const thin: string[] = [];
  for (const c of correlations) {
    const { examples, diagnostics } = await readCorrelationExamples(c);
    assert.deepEqual(diagnostics.map(formatDiagnostic), []);
    const match = examples.filter((e) => e.kind === 'match').length;
    const noMatch = examples.filter((e) => e.kind === 'no_match').length;
    if (match < 2 || noMatch < 2) thin.push(`${c.title}: ${match} match, ${noMatch} no_match`);
  }
  assert.deepEqual(thin, []);
});

test('every correlation example passes through the real readers, rules and engine, also with records reversed', async () => {
  const { rules, aliases, correlations, ruleNames } = await pack();
  const { results, untested, diagnostics } = await runCorrelationExamples({ rules, correlations, ruleNames, readers: READERS, aliases });
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  assert.equal(untested.length, 0);
  const failed = results.filter((r) => !r.pass).map((r) => `${r.location} ${r.rule.title} / ${r.example}: ${r.problems.join('; ')}`);
  assert.deepEqual(failed, []);
  assert.ok(results.length >= 30, `expected many examples, got ${results.length}`);
  // The negative sequences the issue names are there: wrong order, too far apart, another principal.
  const names = results.filter((r) => r.kind === 'no_match').map((r) => r.example).join('\n');
  for (const kind of ['wrong order', 'too far apart', 'different principal']) assert.match(names, new RegExp(kind));
});

test('the bundled examples raise each planted multi-step attack exactly once, whatever the file order', async () => {
  const inputs = await exampleInputs();
  const { matches } = await scanInputs(inputs);
  const { hits } = await correlate(matches);
  const got = hits.map((h) => `${correlationId(h.correlation)} ${h.group.map((g) => String(g.value)).join(' ')}`);
  assert.deepEqual(got, [
    `${PIPELINE} arn:aws:iam::111122223333:user/svc-backup`,
    `${AZURE} /SUBSCRIPTIONS/6F2A8C4E-1B3D-4E5F-9A7B-0C1D2E3F4A5B/RESOURCEGROUPS/RG-NETMON/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/VTAP-DIAG`,
    `${GCP} projects/payments-prod-4821/regions/europe-west1/packetMirrorings/pm-diag`,
  ]);
  const reversed = await scanInputs([...inputs].reverse());
  const again = await correlate(reversed.matches);
  assert.deepEqual(again.hits.map((h) => h.id), hits.map((h) => h.id));
});

test('the pipeline alert links its parts with their identifiers and keeps the rule alerts\' output contract', async () => {
  const { rulesById } = await pack();
  const { matches, context } = await scanInputs(await exampleInputs());
  const { hits } = await correlate(matches);
  const hit = hits.find((h) => correlationId(h.correlation) === PIPELINE);
  assert.ok(hit);
  const a: AlertDocument = buildCorrelationAlert(hit, { rulesById, context, now: new Date('2026-11-24T00:00:00Z') });
  assert.equal(a['@timestamp'], '2026-11-20T14:04:02Z', 'the time the pipeline was complete');
  assert.equal((a.event as { kind: string }).kind, 'alert');
  assert.equal((a.event as { start: string }).start, '2026-11-20T14:03:05Z');
  assert.equal((a.event as { severity: number }).severity, 3);
  assert.equal((a.event as { id: string }).id, hit.id);
  assert.equal((a.rule as { id: string }).id, PIPELINE);
  assert.equal((a.rule as { category: string }).category, 'correlation');
  assert.equal(a.mirrorwatch.severity, 'high');
  assert.deepEqual((a.threat as { technique: { subtechnique: { id: string[] } } }).technique.subtechnique.id, ['T1020.001']);
  for (const id of ['svc-backup', 'tmt-07d2f0a9c41e5b836', '444455556666', 'tmf-0c5e19a3b7d84f260', 'tms-0e81b3c6f2a4d9157', 'eni-0a4c1e7b93d2f5068', 'ingress', 'egress']) {
    assert.ok(a.message.includes(id), `message should name ${id}: ${a.message}`);
  }
  const corr = a.mirrorwatch.correlation as { type: string; group: Record<string, unknown>; timespan: string; parts: { rule: { title: string }; time: string; record_key: string }[] };
  assert.equal(corr.type, 'temporal');
  assert.deepEqual(corr.group, { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/svc-backup' });
  assert.equal(corr.timespan, '1h');
  assert.deepEqual(
    corr.parts.map((p) => [p.time, p.rule.title]),
    [
      ['2026-11-20T14:03:05Z', 'AWS Traffic Mirror Target Created'],
      ['2026-11-20T14:03:19Z', 'AWS Traffic Mirror Filter or Filter Rule Created or Modified'],
      ['2026-11-20T14:03:31Z', 'AWS Traffic Mirror Filter or Filter Rule Created or Modified'],
      ['2026-11-20T14:03:40Z', 'AWS Traffic Mirror Filter or Filter Rule Created or Modified'],
      ['2026-11-20T14:04:02Z', 'AWS Traffic Mirror Session Created'],
    ],
  );
  assert.ok(corr.parts.every((p) => p.record_key.startsWith('cloudtrail:') || p.record_key.length > 10));
  // Evidence: each part's record once, where it was read; the session record delivered twice names both files.
  assert.equal(a.mirrorwatch.evidence.length, 5);
  const session = a.mirrorwatch.evidence[4];
  assert.match(session.origin, /CloudTrail_eu-west-1_20261120T14(15|25)Z/);
  assert.equal(session.duplicates.length, 1);
  assert.ok(a.mirrorwatch.evidence.every((e) => e.matched && typeof e.record === 'object'));
  assert.equal((a.mirrorwatch.mirror as { objectType: string }).objectType, 'session');
  assert.equal((a.cloud as { account: { id: string } }).account.id, '111122223333');
  assert.ok((a.related as { user: string[] }).user.includes('svc-backup'));
});

test('a correlation spans two scans through saved state, and scanning the same archive again does not alert twice', async () => {
  const inputs = await exampleInputs();
  const aws = inputs.filter((f) => f.path.includes('/CloudTrail/')).sort((x, y) => (x.path < y.path ? -1 : 1));
  assert.equal(aws.length, 3);
  // Scan 1: the file with the target (14:03:05) and the dry run; the filter and session come in the next delivery.
  const first = await correlate((await scanInputs([aws[0]])).matches, undefined, false);
  assert.deepEqual(first.hits, []);
  // Scan 2: the later deliveries, continuing from the saved state.
  const second = await correlate((await scanInputs([aws[1], aws[2]])).matches, first.state, false);
  assert.deepEqual(second.hits.map((h) => correlationId(h.correlation)), [PIPELINE]);
  assert.deepEqual(second.hits[0].parts.map((p) => p.time), ['2026-11-20T14:03:05Z', '2026-11-20T14:03:19Z', '2026-11-20T14:03:31Z', '2026-11-20T14:03:40Z', '2026-11-20T14:04:02Z']);
  // Scan 3: the whole archive again with the state of scan 2: every record is within the allowed lateness (15
  // minutes) and was counted before, so nothing alerts again.
  const third = await correlate((await scanInputs(aws)).matches, second.state, false);
  assert.deepEqual(third.hits, []);
  // With no lateness allowed, the records older than the latest one correlated are late: reported once, not counted.
  const strict = await correlate((await scanInputs(aws)).matches, second.state, false, 0);
  assert.deepEqual(strict.hits, []);
  const late = strict.notes.filter((d) => d.code === 'MW1424');
  assert.equal(late.length, 1, strict.notes.map(formatDiagnostic).join('\n'));
  assert.equal(late[0].severity, 'info');
  assert.match(late[0].message, /^4 match\(es\) older than the correlation watermark/);
  assert.match(String(late[0].file), /CloudTrail_eu-west-1_20261120T1405Z/);
  // A state that cannot be read is a warning, and correlation starts afresh.
  const broken = await correlate((await scanInputs(aws)).matches, { engine: { format: 'mirrorwatch.correlation-state', version: 0 } });
  assert.ok(broken.notes.some((d) => d.code === 'MW1428' && d.severity === 'warning'));
  assert.equal(broken.hits.length, 1);
});
