/**
 * The tuning file: every diagnostic (MW4200–MW4218) with its file:line:column, the pattern semantics (exact, `*`
 * wildcard, role ARN covering its sessions, CIDR, Azure ids case-insensitive with parents covering children, GCP URLs
 * in long and short form), expiry, windows, per-rule exceptions with field conditions, the destination safeguard of
 * approved principals, and the audit record of a suppressed alert.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { loadTuningFile, principalPattern, resourcePattern, TUNING_CODES } from '../../src/enrich/tuning.js';
import { alertFor, filesUnder, scanAndEnrich, tuningOf } from './helpers.js';

/** The one diagnostic with this code (fails when there is none or more than one). */
function one(ds: Diagnostic[], code: string): Diagnostic {
  const hits = ds.filter((d) => d.code === code);
  assert.equal(hits.length, 1, `${code} in ${JSON.stringify(ds)}`);
  return hits[0];
}

function where(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}`;
}

test('MW4200: an unreadable file is an error naming it, and nothing is approved', async () => {
  const ds: Diagnostic[] = [];
  const t = await loadTuningFile('/nonexistent/mirrorwatch.tuning.yml', { report: (d) => ds.push(d), now: new Date() });
  const d = one(ds, 'MW4200');
  assert.equal(d.severity, 'error');
  assert.equal(d.file, '/nonexistent/mirrorwatch.tuning.yml');
  assert.match(d.message, /no such file/);
  assert.equal(t.principals.length + t.collectors.length + t.windows.length + t.exceptions.length, 0);
});

test('MW4201: invalid YAML is located', () => {
  const { diagnostics } = tuningOf('approved_principals:\n  - id: a\n    reason: [unclosed\n');
  const d = diagnostics.find((x) => x.code === 'MW4201');
  assert.ok(d, JSON.stringify(diagnostics));
  assert.equal(d.file, 't.yml');
  assert.ok((d.line ?? 0) >= 3);
});

test('MW4202, MW4203, MW4217: wrong shapes, unknown sections and versions', () => {
  assert.equal(where(one(tuningOf('- a\n- b\n').diagnostics, 'MW4202')), 't.yml:1:1');
  assert.equal(where(one(tuningOf('approved_principals: yes\n').diagnostics, 'MW4202')), 't.yml:1:22');
  const unknown = one(tuningOf('version: 1\naproved_principals: []\n').diagnostics, 'MW4203');
  assert.equal(unknown.severity, 'warning');
  assert.equal(where(unknown), 't.yml:2:1');
  assert.match(unknown.message, /aproved_principals/);
  assert.equal(where(one(tuningOf('version: 2\n').diagnostics, 'MW4217')), 't.yml:1:10');
});

test('MW4204–MW4208: entries that are not maps, unknown keys, missing keys, duplicate ids, wrong types', () => {
  assert.equal(where(one(tuningOf('approved_principals:\n  - just-a-name\n').diagnostics, 'MW4204')), 't.yml:2:5');
  const typo = tuningOf('approved_principals:\n  - id: a\n    reason: r\n    principal: x\n    principle: y\n');
  const k = one(typo.diagnostics, 'MW4205');
  assert.equal(where(k), 't.yml:5:5');
  assert.match(k.message, /unknown key "principle"/);
  assert.equal(typo.tuning.principals.length, 0, 'an entry with a misspelt key is dropped, not widened');
  const missing = one(tuningOf('approved_collectors:\n  - id: c\n    collector: 10.0.0.0/8\n').diagnostics, 'MW4206');
  assert.equal(where(missing), 't.yml:2:5');
  assert.match(missing.message, /missing "reason"/);
  const dup = tuningOf('approved_collectors:\n  - {id: c, collector: 10.0.0.0/8, reason: a}\n  - {id: C, collector: 10.1.0.0/16, reason: b}\n');
  assert.equal(where(one(dup.diagnostics, 'MW4207')), 't.yml:3:5');
  assert.equal(dup.tuning.collectors.length, 1);
  const bool = one(tuningOf('approved_principals:\n  - id: a\n    reason: r\n    principal: x\n    any_destination: "yes"\n').diagnostics, 'MW4208');
  assert.equal(where(bool), 't.yml:5:22');
  assert.equal(where(one(tuningOf('approved_principals:\n  - id: a\n    reason: r\n    principal: {name: x}\n').diagnostics, 'MW4208')), 't.yml:4:16');
});

test('MW4209, MW4212, MW4213: times without a zone, impossible dates, reversed and unscoped windows', () => {
  const noZone = one(tuningOf('windows:\n  - id: w\n    reason: r\n    ticket: T-1\n    starts: 2026-11-20T08:00:00\n    expires: 2026-11-21\n    principals: [x]\n').diagnostics, 'MW4209');
  assert.equal(where(noZone), 't.yml:5:13');
  assert.match(noZone.message, /zone/);
  assert.equal(where(one(tuningOf('approved_principals:\n  - id: a\n    reason: r\n    principal: x\n    expires: 2026-13-01\n').diagnostics, 'MW4209')), 't.yml:5:14');
  const reversed = one(tuningOf('windows:\n  - id: w\n    reason: r\n    ticket: T-1\n    starts: 2026-11-21T08:00:00Z\n    expires: 2026-11-20T08:00:00Z\n    principals: [x]\n').diagnostics, 'MW4212');
  assert.equal(where(reversed), 't.yml:6:14');
  const blanket = tuningOf('windows:\n  - id: w\n    reason: maintenance\n    ticket: CHG-1\n    starts: 2026-11-20\n    expires: 2026-11-21\n');
  assert.equal(where(one(blanket.diagnostics, 'MW4213')), 't.yml:2:5');
  assert.equal(blanket.tuning.windows.length, 0);
  const noTicket = one(tuningOf('windows:\n  - id: w\n    reason: r\n    starts: 2026-11-20\n    expires: 2026-11-21\n    principals: [x]\n').diagnostics, 'MW4206');
  assert.match(noTicket.message, /missing "ticket"/);
});

test('MW4210: patterns that match everything or are broken CIDRs', () => {
  const star = one(tuningOf("approved_principals:\n  - id: a\n    reason: r\n    principal: '*'\n").diagnostics, 'MW4210');
  assert.equal(where(star), 't.yml:4:16');
  assert.match(star.message, /matches everything/);
  assert.equal(where(one(tuningOf('approved_collectors:\n  - id: c\n    reason: r\n    collector: [10.0.0.0/8, 10.0.0.0/33]\n').diagnostics, 'MW4210')), 't.yml:4:29');
});

test('MW4211: an expired entry is ignored and the warning points at its expires', () => {
  const text = 'approved_principals:\n  - id: old-vendor\n    reason: NDR trial\n    ticket: CHG-9\n    principal: x\n    expires: 2026-10-31\n';
  const live = tuningOf(text, new Date('2026-10-31T23:59:59Z'));
  assert.equal(live.diagnostics.length, 0, 'a date expires at the end of that day (UTC)');
  assert.equal(live.tuning.principals[0].expired, false);
  const late = tuningOf(text, new Date('2026-11-01T00:00:00Z'));
  const d = one(late.diagnostics, 'MW4211');
  assert.equal(d.severity, 'warning');
  assert.equal(where(d), 't.yml:6:14');
  assert.match(d.message, /approved principal "old-vendor" expired at 2026-11-01T00:00:00\.000Z \(ticket CHG-9\)/);
  assert.equal(late.tuning.principals[0].expired, true);
});

test('MW4214, MW4215, MW4216, MW4218: unconditional exceptions, unknown rules, bad field paths, duplicate keys', () => {
  const bare = one(tuningOf('exceptions:\n  - id: e\n    reason: r\n    rules: [abc]\n').diagnostics, 'MW4214');
  assert.equal(bare.severity, 'warning');
  assert.equal(where(bare), 't.yml:2:5');
  const unknown = one(tuningOf('exceptions:\n  - id: e\n    reason: r\n    rules: [abc, def]\n    principals: [x]\n', undefined, new Set(['abc'])).diagnostics, 'MW4215');
  assert.equal(where(unknown), 't.yml:4:18');
  const path = tuningOf('exceptions:\n  - id: e\n    reason: r\n    rules: [abc]\n    match:\n      user..name: x\n      source.ip|contains: y\n');
  const bad = path.diagnostics.filter((d) => d.code === 'MW4216');
  assert.deepEqual(bad.map(where), ['t.yml:6:7', 't.yml:7:7']);
  assert.equal(where(one(tuningOf('approved_collectors:\n  - id: c\n    id: d\n    collector: x\n    reason: r\n').diagnostics, 'MW4218')), 't.yml:3:5');
});

test('every diagnostic code of the catalogue is exercised by a test', () => {
  const tested = ['MW4200', 'MW4201', 'MW4202', 'MW4203', 'MW4204', 'MW4205', 'MW4206', 'MW4207', 'MW4208', 'MW4209', 'MW4210', 'MW4211', 'MW4212', 'MW4213', 'MW4214', 'MW4215', 'MW4216', 'MW4217', 'MW4218', 'MW4290'];
  assert.deepEqual(Object.values(TUNING_CODES).map((c) => c.code).sort(), tested);
});

test('principal patterns: exact, wildcard, case, and a role ARN (with its path) covering its sessions', () => {
  const role = principalPattern('arn:aws:iam::111122223333:role/ci/ci-terraform-netsec');
  assert.ok(role.test('arn:aws:sts::111122223333:assumed-role/ci-terraform-netsec/gha-run-7421987'));
  assert.ok(role.test('arn:aws:iam::111122223333:role/ci/ci-terraform-netsec'));
  assert.ok(!role.test('arn:aws:sts::111122223333:assumed-role/ci-terraform-netsec-old/gha'));
  assert.ok(!role.test('arn:aws:sts::999988887777:assumed-role/ci-terraform-netsec/gha'), 'another account');
  assert.ok(principalPattern('M.Keller@Contoso.com').test('m.keller@contoso.com'));
  const wild = principalPattern('*@security-tools-1150.iam.gserviceaccount.com');
  assert.ok(wild.test('wiz-scanner@security-tools-1150.iam.gserviceaccount.com'));
  assert.ok(!wild.test('wiz-scanner@payments-prod-4821.iam.gserviceaccount.com'));
  assert.ok(!principalPattern('svc-backup').test('svc-backup2'), 'exact means exact');
});

test('collector patterns: CIDR v4/v6, ids, globs, Azure ids ignoring case with children, GCP URLs long and short', () => {
  const v4 = resourcePattern('10.250.0.0/24');
  assert.ok(v4.test('10.250.0.7'));
  assert.ok(!v4.test('10.251.0.7'));
  assert.ok(resourcePattern('2001:db8::/32').test('2001:db8:0:1::5'));
  assert.ok(resourcePattern('tmt-0c0ee*').test('tmt-0c0ee11a9b8c7d6e5'));
  const lb = resourcePattern('/subscriptions/3c9d2e1f-0a4b-4c5d-8e6f-7a8b9c0d1e2f/resourceGroups/rg-ndr/providers/Microsoft.Network/loadBalancers/lb-darktrace');
  assert.ok(lb.test('/SUBSCRIPTIONS/3C9D2E1F-0A4B-4C5D-8E6F-7A8B9C0D1E2F/RESOURCEGROUPS/RG-NDR/PROVIDERS/MICROSOFT.NETWORK/LOADBALANCERS/LB-DARKTRACE/FRONTENDIPCONFIGURATIONS/FE-VXLAN'));
  assert.ok(!lb.test('/subscriptions/3c9d2e1f-0a4b-4c5d-8e6f-7a8b9c0d1e2f/resourceGroups/rg-ndr/providers/Microsoft.Network/loadBalancers/lb-darktrace-2'));
  const ilb = resourcePattern('projects/netsec-tooling-3310/regions/europe-west1/forwardingRules/extrahop-collector');
  assert.ok(ilb.test('https://www.googleapis.com/compute/v1/projects/netsec-tooling-3310/regions/europe-west1/forwardingRules/extrahop-collector'));
  assert.ok(resourcePattern('https://compute.googleapis.com/compute/beta/projects/p/regions/r/forwardingRules/c').test('projects/p/regions/r/forwardingRules/c'));
});

test('suppression record, precedence, exceptions with field conditions, and the destination safeguard', async () => {
  const files = filesUnder('examples/aws');
  const base = await scanAndEnrich(files);
  assert.ok(base.alerts.length >= 7);
  assert.equal(base.suppressed.length, 0);

  // svc-backup approved, but its target is an NLB in another account that is not approved: kept, with a note.
  const principal = 'approved_principals:\n  - id: backup-svc\n    principal: arn:aws:iam::111122223333:user/svc-*\n    reason: backup automation\n';
  const guarded = await scanAndEnrich(files, { tuning: tuningOf(principal).tuning });
  const target = alertFor(guarded.alerts, 'CreateTrafficMirrorTarget');
  assert.match(String((target.mirrorwatch.tuning_notes as string[])[0]), /approved principal "backup-svc" \(t\.yml:2:5\), but .*ext-collector.* is not an approved collector/);
  // Filters and the enumeration name no destination: suppressed by the principal.
  const filter = alertFor(guarded.suppressed, 'CreateTrafficMirrorFilter');
  assert.deepEqual(filter.mirrorwatch.suppressed_by, { id: 'backup-svc', kind: 'approved-principal', reason: 'backup automation', location: 't.yml:2:5' });
  // The session's target resolves to the same NLB: kept.
  assert.ok(guarded.alerts.some((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorSession' && (a.mirrorwatch.mirror as { outcome?: string }).outcome === 'success'));

  // any_destination lifts the safeguard; an exception for the session rule wins over the principal and records its ticket.
  const text = `${principal}    any_destination: true\nexceptions:\n  - id: session-exception\n    rules: [c07238ee-6b8a-47dd-b25e-73d1c83af516]\n    reason: test\n    ticket: CHG-77\n    expires: 2027-01-31\n    match:\n      source.ip|cidr: 198.51.100.0/24\n      mirrorwatch.mirror.objectType: sess*\n      mirrorwatch.mirror.vni|exists: true\n`;
  const { tuning, diagnostics } = tuningOf(text);
  assert.deepEqual(diagnostics, []);
  const all = await scanAndEnrich(files, { tuning });
  const session = alertFor(all.suppressed, 'CreateTrafficMirrorSession', 'success');
  assert.deepEqual(session.mirrorwatch.suppressed_by, {
    id: 'session-exception',
    kind: 'exception',
    reason: 'test',
    ticket: 'CHG-77',
    expires: '2027-02-01T00:00:00.000Z',
    location: 't.yml:7:5',
  });
  assert.equal(alertFor(all.suppressed, 'CreateTrafficMirrorTarget').mirrorwatch.suppressed_by?.id, 'backup-svc');
  // The other principal (developer-readonly, denied) is not approved.
  assert.ok(all.alerts.every((a) => /developer-readonly/.test(a.message)), all.alerts.map((a) => a.message).join('\n'));

  // A field condition that does not hold keeps the alert.
  const miss = tuningOf(text.replace('198.51.100.0/24', '203.0.113.0/24').replace('any_destination: true', 'any_destination: false')).tuning;
  const r = await scanAndEnrich(files, { tuning: miss });
  assert.ok(r.alerts.some((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorSession'));
});

test('windows cover events between starts and expires only, and only what their scope names', async () => {
  const files = filesUnder('examples/aws');
  const win = (starts: string, expires: string, scope: string) =>
    tuningOf(`windows:\n  - id: w\n    ticket: INC-1\n    reason: capture\n    starts: ${starts}\n    expires: ${expires}\n${scope}`, new Date('2026-11-20T12:00:00Z')).tuning;
  const covering = await scanAndEnrich(files, { tuning: win('2026-11-20T14:00:00Z', '2026-11-20T15:00:00Z', '    principals: [svc-backup]\n') });
  assert.ok(covering.suppressed.length >= 6);
  assert.ok(covering.suppressed.every((a) => a.mirrorwatch.suppressed_by?.id === 'w' && a.mirrorwatch.suppressed_by.ticket === 'INC-1'));
  const before = await scanAndEnrich(files, { tuning: win('2026-11-20T14:03:30Z', '2026-11-20T15:00:00Z', '    principals: [svc-backup]\n') });
  assert.ok(before.alerts.some((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorTarget'), 'the target was created before the window opened');
  // A sources condition: the session mirrors eni-0a4c1e7b93d2f5068, so a window for another ENI does not cover it.
  const other = await scanAndEnrich(files, { tuning: win('2026-11-20T14:00:00Z', '2026-11-20T15:00:00Z', '    principals: [svc-backup]\n    sources: [eni-0ffffffffffffffff]\n') });
  assert.ok(other.alerts.some((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorSession'));
});

test('a tuning file beside the logs is recognised and skipped by scan, a log is not', async () => {
  const { tuningFileReader } = await import('../../src/readers/tuning-file.js');
  const { readFileSync } = await import('node:fs');
  const { repoPath } = await import('../helpers/paths.js');
  const example = readFileSync(repoPath('examples/mirrorwatch.tuning.yml'), 'utf8');
  assert.equal(tuningFileReader.sniff(example, 'examples/mirrorwatch.tuning.yml').kind, 'skip');
  const syslog = readFileSync(repoPath('examples/devices/syslog/network-2026-11-20.log'), 'utf8');
  assert.equal(tuningFileReader.sniff(syslog, 'network.log').kind, 'no');
  assert.equal(tuningFileReader.sniff('{"Records": []}', 'x.json').kind, 'no');
});
