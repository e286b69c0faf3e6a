/**
 * Worker threads (`--jobs`): scanning with several workers gives exactly what one thread gives — the same alerts in
 * the same order, the same diagnostics in the same order, the same counters — whichever file (or stretch of an NDJSON
 * file) finishes first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNdjson, runCli } from '../helpers/cli.js';

/** An alert without the fields that name the moment it was built (its creation time, the playbook's "now"). */
function stable(a: Record<string, unknown>): unknown {
  const ev = { ...(a.event as Record<string, unknown>) };
  delete ev.created;
  // The revoke-sessions command in AWS playbooks names the moment of the scan.
  return JSON.parse(JSON.stringify({ ...a, event: ev }).replace(/TokenIssueTime\\":\\"[0-9TZ:.-]+/g, 'TokenIssueTime:NOW')) as unknown;
}

test('--jobs 2 and --jobs 1 give the same alerts, diagnostics and summary', async () => {
  const inputs = ['examples/', 'test/fixtures/cloud', 'test/fixtures/devices', 'test/fixtures/reference-samples'];
  const one = await runCli(['scan', ...inputs, '--format', 'ndjson', '--ignore-unknown', '--no-state', '--jobs', '1']);
  const two = await runCli(['scan', ...inputs, '--format', 'ndjson', '--ignore-unknown', '--no-state', '--jobs', '2'], {
    // Every file goes to the workers, and NDJSON files are cut into stretches of about 2 KB.
    env: { MIRRORWATCH_PARALLEL_MIN_BYTES: '0', MIRRORWATCH_STRETCH_MIN_BYTES: '1', MIRRORWATCH_STRETCH_BYTES: '2048' },
  });
  assert.equal(two.code, one.code);
  const a1 = parseNdjson(one.stdout).map(stable);
  const a2 = parseNdjson(two.stdout).map(stable);
  assert.ok(a1.length > 40, `expected many alerts, got ${a1.length}`);
  assert.deepEqual(a2, a1);
  const diags = (s: string) => s.split('\n').filter((l) => /^MW\d{4} /.test(l));
  assert.deepEqual(diags(two.stderr), diags(one.stderr));
  const summary = (s: string) => s.split('\n').filter((l) => /^(Records|Alerts):/.test(l));
  assert.deepEqual(summary(two.stderr), summary(one.stderr));
});

test('--jobs rejects a value that is not a positive whole number', async () => {
  const r = await runCli(['scan', 'examples/', '--jobs', 'many']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /MW3002 --jobs: invalid number of jobs "many"/);
});
