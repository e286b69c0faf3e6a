/**
 * `mirrorwatch simulate` and `mirrorwatch test --scenarios` as a user runs them: the catalogue, a scenario written and
 * then scanned by `mirrorwatch scan` (the manifest is skipped quietly and the alerts are the manifest's), an earlier
 * simulation replaced only with --force, and option mistakes as numbered diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStackTrace, parseNdjson, runCli } from '../helpers/cli.js';

test('simulate --list shows every scenario with its kind and platforms', async () => {
  const r = await runCli(['simulate', '--list']);
  assert.equal(r.code, 0, r.stderr);
  for (const s of ['aws-session', 'aws-session-assumed-role', 'aws-session-root', 'azure-vtap', 'gcp-packet-mirroring', 'cisco-span', 'ndr-pipeline', 'cspm-enumeration', 'ir-capture']) {
    assert.match(r.stdout, new RegExp(`^${s} `, 'm'), s);
  }
  assert.match(r.stdout, /^ndr-pipeline +benign +aws,gcp,azure/m);
  assert.match(r.stdout, /^aws-session +attack +aws +Test 1/m);
});

test('simulate writes the layouts and a manifest; scan of the directory raises exactly the manifest\'s alerts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mw-cli-'));
  try {
    const out = join(dir, 'sim');
    const w = await runCli(['simulate', 'cisco-span', 'gcp-packet-mirroring', '--out', out, '--noise', '300', '--seed', '42']);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /^cisco-span → .*cisco-span: \d+ file\(s\)/m);
    for (const name of ['cisco-span', 'gcp-packet-mirroring']) {
      const manifest = JSON.parse(await readFile(join(out, name, 'manifest.json'), 'utf8')) as { seed: string; expected_alerts: { rule_name: string; severity: string; message_mentions: string[] }[] };
      assert.equal(manifest.seed, '42');
      const s = await runCli(['scan', join(out, name), '--format', 'ndjson', '--min-level', 'informational']);
      assert.equal(s.code, 1, s.stderr);
      assert.match(s.stderr, /MW2009 info .*manifest\.json: mirrorwatch simulation manifest/);
      assert.doesNotMatch(s.stderr, / error /);
      const alerts = parseNdjson(s.stdout);
      assert.equal(alerts.length, manifest.expected_alerts.length);
      const names = (xs: string[]) => [...xs].sort();
      assert.deepEqual(names(alerts.map((a) => String((a.rule as { name: string }).name))), names(manifest.expected_alerts.map((a) => a.rule_name)));
      // The manifest names each rule's level; risk scoring may move the alert's severity and keeps the level.
      const level = (a: Record<string, unknown>) => (a.mirrorwatch as { scoring?: { base_level?: string }; severity: string }).scoring?.base_level ?? (a.mirrorwatch as { severity: string }).severity;
      for (const want of manifest.expected_alerts) {
        assert.ok(
          alerts.some((a) => level(a) === want.severity && want.message_mentions.every((m) => String(a.message).includes(m))),
          `an alert ${want.rule_name} naming ${want.message_mentions.join(', ')}`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an earlier simulation is replaced only with --force; a directory of other files is never touched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mw-cli-'));
  try {
    assert.equal((await runCli(['simulate', 'aws-dry-run', '--out', dir])).code, 0);
    const again = await runCli(['simulate', 'aws-dry-run', '--out', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^MW3108 error --out: .* holds an earlier simulation; add --force to replace it/m);
    assert.equal((await runCli(['simulate', 'aws-dry-run', '--out', dir, '--force'])).code, 0);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const foreign = await runCli(['simulate', 'aws-dry-run', '--out', dir, '--force']);
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr, /MW3108 error --out: .* is not empty and does not hold only an earlier simulation \(notes\.txt\)/);
    assert.equal(await readFile(join(dir, 'notes.txt'), 'utf8'), 'mine');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('option mistakes are numbered diagnostics naming the option, never a stack trace', async () => {
  const r = await runCli(['simulate', 'aws-sesion', '--out', '/tmp/x', '--seed', 'abc', '--start', 'yesterday', '--account', '1234', '--noise', '-5', '--azure-layout', 'blob']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^MW3101 error <input>: no scenario "aws-sesion"/m);
  assert.match(r.stderr, /^MW3103 error --seed: "abc" is not a whole number/m);
  assert.match(r.stderr, /^MW3104 error --start: "yesterday" is not an ISO 8601 time/m);
  assert.match(r.stderr, /^MW3105 error --account: "1234" is not an AWS account id \(12 digits\)/m);
  assert.match(r.stderr, /^MW3106 error --noise: "-5"/m);
  assert.match(r.stderr, /^MW3109 error --azure-layout: "blob" is not storage or eventhub/m);
  assert.equal(hasStackTrace(r.stderr), false);
  const none = await runCli(['simulate', 'aws-session']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /MW3107 error <input>: give --out DIR to write files, or --send URL/);
});

test('test --scenarios prints the examples and the scenarios in one table and exits 0; an unknown scenario exits 2', async () => {
  const r = await runCli(['test', '--scenarios', 'aws-session', 'azure-vtap-mixed-case', 'nxos-erspan', 'cspm-enumeration']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Scenarios \(generated, scanned, alerts compared with manifest\.json\)$/m);
  assert.match(r.stdout, /^ {2}pass {2}aws-session +attack {2}6 alert\(s\), 6 expected/m);
  assert.match(r.stdout, /^ {2}pass {2}azure-vtap-mixed-case +attack {2}3 alert\(s\), 3 expected/m, 'the vTAP, its tap configuration and the correlation of the two');
  assert.match(r.stdout, /^ {2}pass {2}cspm-enumeration +benign {2}6 alert\(s\), 6 expected/m);
  assert.match(r.stdout, /^ {2}pass {2}match /m, 'the rule examples are in the same table');
  assert.match(r.stdout, /scenarios: 4 passed, 0 failed$/m);
  const unknown = await runCli(['test', '--scenarios', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /MW3101 error --scenarios: no scenario "nope"/);
  const json = await runCli(['test', '--scenarios', 'aws-dry-run', '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { scenarios: { scenario: string; pass: boolean; expected: number }[] };
  assert.deepEqual(doc.scenarios.map((s) => [s.scenario, s.pass, s.expected]), [['aws-dry-run', true, 3]]);
});
