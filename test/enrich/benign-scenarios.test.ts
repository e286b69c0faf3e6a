/**
 * The benign scenarios of the seeds' false-positive lists, as realistic raw records
 * (`test/enrich/fixtures/benign/`), raise alerts without tuning and none under `examples/mirrorwatch.tuning.yml`;
 * every suppressed alert names the entry that suppressed it. The planted attacks of `examples/` still alert under the
 * same file, and when the incident window expires its alerts come back with a located warning.
 *
 *   approved NDR deployment by Terraform / pipelines under CI identities (AWS, GCP, Azure)  → approved_principals
 *   CSPM enumeration (Prisma Cloud on AWS, Wiz on GCP)                                      → exceptions
 *   a short-lived incident-response capture under ticket INC-20931                          → windows
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { loadTuningFile } from '../../src/enrich/tuning.js';
import { bundled } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';
import { filesUnder, NOW, scanAndEnrich } from './helpers.js';

const TUNING = 'examples/mirrorwatch.tuning.yml';

async function exampleTuning(now = NOW): Promise<{ tuning: Awaited<ReturnType<typeof loadTuningFile>>; diagnostics: Diagnostic[] }> {
  const { rules } = await bundled();
  const diagnostics: Diagnostic[] = [];
  const tuning = await loadTuningFile(TUNING, { report: (d) => diagnostics.push(d), now, knownRuleIds: new Set(rules.map((r) => r.id)) });
  return { tuning, diagnostics };
}

function fixture(name: string): { name: string; text: string } {
  const rel = `test/enrich/fixtures/benign/${name}`;
  return { name: rel, text: readFileSync(repoPath(rel), 'utf8') };
}

/** Which tuning entry suppressed how many alerts. */
function byEntry(suppressed: { mirrorwatch: { suppressed_by?: { id: string } } }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of suppressed) {
    const id = a.mirrorwatch.suppressed_by?.id ?? '?';
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

const SCENARIOS: { title: string; files: string[]; before: number; entries: Record<string, number> }[] = [
  {
    title: 'approved NDR deployment by Terraform under a CI role (AWS, with a teardown)',
    files: ['ndr-terraform-aws.ndjson'],
    before: 7,
    entries: { 'ci-terraform-netsec': 7 },
  },
  { title: 'approved NDR deployment by Terraform under a service account (GCP)', files: ['ndr-terraform-gcp.json'], before: 1, entries: { 'gcp-terraform-ndr': 1 } },
  { title: 'approved NDR deployment by a pipeline service principal (Azure)', files: ['ndr-pipeline-azure.json'], before: 2, entries: { 'azure-ndr-pipeline': 2 } },
  {
    title: 'CSPM enumeration (Prisma Cloud on AWS, Wiz on GCP)',
    files: ['cspm-enumeration-aws.ndjson', 'cspm-enumeration-gcp.json'],
    before: 6,
    entries: { 'cspm-readers': 6 },
  },
  { title: 'a short-lived incident-response capture under a ticket', files: ['ir-capture-aws.ndjson'], before: 6, entries: { 'ir-inc-20931-web-03': 6 } },
];

test('the example tuning file is valid against the bundled rules', async () => {
  const { diagnostics, tuning } = await exampleTuning();
  assert.deepEqual(diagnostics, []);
  assert.equal(tuning.principals.length, 3);
  assert.equal(tuning.collectors.length, 5);
  assert.equal(tuning.windows.length, 1);
  assert.equal(tuning.exceptions.length, 1);
});

for (const s of SCENARIOS) {
  test(`benign: ${s.title} alerts without tuning and not under ${TUNING}`, async () => {
    const files = s.files.map(fixture);
    const without = await scanAndEnrich(files);
    assert.equal(without.alerts.length, s.before, without.alerts.map((a) => a.message).join('\n'));
    const { tuning } = await exampleTuning();
    const withTuning = await scanAndEnrich(files, { tuning });
    assert.deepEqual(
      withTuning.alerts.map((a) => a.message),
      [],
      'no alert under the example tuning file',
    );
    assert.equal(withTuning.suppressed.length, s.before, 'every alert is kept for audit, none dropped');
    assert.deepEqual(byEntry(withTuning.suppressed), s.entries);
    for (const a of withTuning.suppressed) {
      const by = a.mirrorwatch.suppressed_by;
      assert.ok(by);
      assert.match(by.location, /^examples\/mirrorwatch\.tuning\.yml:\d+:\d+$/);
      assert.ok(by.reason.length > 10);
      assert.ok(a.mirrorwatch.playbook, 'suppressed alerts keep their playbook');
    }
  });
}

test('the incident window records its ticket and expiry, and the NDR session is not left with a strong factor', async () => {
  const { tuning } = await exampleTuning();
  const ir = await scanAndEnrich([fixture('ir-capture-aws.ndjson')], { tuning });
  for (const a of ir.suppressed) {
    assert.deepEqual(a.mirrorwatch.suppressed_by, {
      id: 'ir-inc-20931-web-03',
      kind: 'window',
      reason: 'SOC live capture of the compromised web-03 (eni-0d4c3b2a1f0e9d8c7) to the forensic sensor',
      ticket: 'INC-20931',
      expires: '2026-11-28T08:00:00.000Z',
      location: 'examples/mirrorwatch.tuning.yml:57:5',
    });
  }
  const ndr = await scanAndEnrich([fixture('ndr-terraform-aws.ndjson')], { tuning });
  const session = ndr.suppressed.find((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorSession');
  assert.ok(session);
  const cross = session.mirrorwatch.risk_factors.find((f) => f.name === 'cross-account-destination');
  assert.equal(cross?.weight, 0, 'the security account collector is approved: named, not weighed');
  assert.ok(session.mirrorwatch.risk_factors.some((f) => f.name === 'approved-destination'));
  assert.ok(session.mirrorwatch.risk_factors.some((f) => f.name === 'approved-iac-client'));
});

test('after the window expires its alerts come back, with a warning at the entry', async () => {
  const later = new Date('2026-11-29T00:00:00Z');
  const { tuning, diagnostics } = await exampleTuning(later);
  const warning = diagnostics.find((d) => d.code === 'MW4211');
  assert.ok(warning, JSON.stringify(diagnostics));
  assert.equal(`${warning.file}:${warning.line}:${warning.column}`, 'examples/mirrorwatch.tuning.yml:61:14');
  assert.match(warning.message, /window "ir-inc-20931-web-03" expired at 2026-11-28T08:00:00\.000Z \(ticket INC-20931\)/);
  const r = await scanAndEnrich([fixture('ir-capture-aws.ndjson')], { tuning, now: later });
  assert.equal(r.alerts.length, 6);
  assert.equal(r.suppressed.length, 0);
});

test('the planted attacks in examples/ still alert under the example tuning file; only the CSPM read is suppressed', async () => {
  const files = filesUnder('examples');
  const without = await scanAndEnrich(files);
  const { tuning } = await exampleTuning();
  const withTuning = await scanAndEnrich(files, { tuning });
  assert.equal(withTuning.suppressed.length, 1);
  assert.equal(withTuning.suppressed[0].mirrorwatch.suppressed_by?.id, 'cspm-readers');
  assert.match(withTuning.suppressed[0].message, /wiz-scanner/);
  assert.equal(withTuning.alerts.length, without.alerts.length - 1);
  // The remote ERSPAN destinations are not approved collectors.
  const erspan = withTuning.alerts.filter((a) => /ERSPAN/.test(a.message) && /203\.0\.113\.66|192\.0\.2\.45|192\.0\.2\.200/.test(a.message));
  assert.equal(erspan.length, 3);
  for (const a of erspan) assert.ok(a.mirrorwatch.risk_factors.some((f) => f.name === 'unapproved-destination'), a.message);
});
