/**
 * Tuning through `scan`: the benign scenarios from the seeds' false-positive lists (an approved NDR deployment by a
 * Terraform CI role on AWS, GCP and Azure; CSPM enumeration; a short-lived incident-response capture under a ticket)
 * raise alerts without a tuning file and none with `examples/mirrorwatch.tuning.yml`; every suppressed alert names
 * the exception that suppressed it, is counted in the summary, shown with `--show-suppressed`, and audited in the
 * state store. The attacks in `examples/` stay alerts under the same tuning file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../src/store/open.js';
import { parseNdjson, runCli } from '../helpers/cli.js';
import { repoPath } from '../helpers/paths.js';

const BENIGN = repoPath('test', 'enrich', 'fixtures', 'benign');
const TUNING = repoPath('examples', 'mirrorwatch.tuning.yml');

test('the benign scenarios alert without tuning and are all suppressed, each by a named exception, with it', async () => {
  const untuned = await runCli(['scan', BENIGN, '--format', 'ndjson', '--no-state', '--min-level', 'informational']);
  const before = parseNdjson(untuned.stdout).length;
  assert.ok(before >= 20, `benign scenarios raise alerts without tuning (got ${before})`);
  const state = join(mkdtempSync(join(tmpdir(), 'mw-tuning-')), 'state.db');
  const tuned = await runCli(['scan', BENIGN, '--format', 'ndjson', '--tuning', TUNING, '--state', state]);
  assert.equal(tuned.code, 0, tuned.stderr);
  assert.equal(parseNdjson(tuned.stdout).length, 0);
  assert.match(tuned.stderr, new RegExp(`Alerts: 0; ${before} suppressed by tuning`));
  const shown = await runCli(['scan', BENIGN, '--format', 'ndjson', '--tuning', TUNING, '--no-state', '--show-suppressed', '--min-level', 'informational']);
  const suppressed = parseNdjson(shown.stdout);
  assert.equal(suppressed.length, before);
  for (const a of suppressed) {
    const by = (a.mirrorwatch as { suppressed_by?: { id: string; location: string } }).suppressed_by;
    assert.ok(by?.id, `${String(a.message)} names no exception`);
    assert.match(by.location, /mirrorwatch\.tuning\.yml:\d+:\d+$/);
  }
  const store = openStateStore({ path: state, report: () => undefined });
  assert.ok(store);
  assert.equal(store.listSuppressions(1000).length, before, 'every suppression is in the audit');
  store.close();
});

test('the attacks in examples/ stay alerts under the same tuning file', async () => {
  const r = await runCli(['scan', 'examples/', '--format', 'ndjson', '--no-state', '--tuning', TUNING]);
  const names = parseNdjson(r.stdout).map((a) => String((a.rule as { name: string }).name));
  assert.ok(names.includes('AWS Traffic Mirror Session Created'));
  assert.ok(names.includes('AWS Traffic Mirroring Pipeline Built by One Principal'));
  assert.ok(names.includes('Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE)'));
});

test('a broken tuning file stops the scan with located diagnostics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-badtuning-'));
  const { writeFileSync } = await import('node:fs');
  const file = join(dir, 'tuning.yml');
  writeFileSync(file, 'approved_principals:\n  - id: x\n    principal: [unclosed\n');
  const r = await runCli(['scan', 'examples/', '--tuning', file, '--no-state']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /MW42\d\d error .*tuning\.yml:\d+/);
});
