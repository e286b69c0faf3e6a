/**
 * The state store through `scan`: a re-scan of the same archive does not re-alert (and `--include-reported` shows
 * the alerts again); a corrupt state file is a clear error, not a crash; and killing a scan at any moment loses
 * nothing: every alert is either written by the killed scan or by the next one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStackTrace, parseNdjson, runCli } from '../helpers/cli.js';
import { repoPath } from '../helpers/paths.js';

const ids = (out: string) => parseNdjson(out).map((a) => String((a.event as { id: string }).id));

test('a second scan with the same state reports nothing new; --include-reported shows it all again', async () => {
  const state = join(mkdtempSync(join(tmpdir(), 'mw-state-')), 'state.db');
  const first = await runCli(['scan', 'examples/', '--format', 'ndjson', '--state', state]);
  assert.equal(first.code, 1, first.stderr);
  const reported = ids(first.stdout);
  assert.ok(reported.length >= 15);
  const second = await runCli(['scan', 'examples/', '--format', 'ndjson', '--state', state]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(ids(second.stdout), []);
  // Rule alerts come again and are recognised; correlation windows already used are not re-opened at all (their
  // matches are older than the saved watermark), so they never reach the checkpoint a second time.
  const ruleAlerts = parseNdjson(first.stdout).filter((a) => !(a.mirrorwatch as { correlation?: unknown }).correlation);
  assert.match(second.stderr, new RegExp(`${ruleAlerts.length} already reported by an earlier scan`));
  const again = await runCli(['scan', 'examples/', '--format', 'ndjson', '--state', state, '--include-reported']);
  assert.deepEqual(new Set(ids(again.stdout)), new Set(ruleAlerts.map((a) => String((a.event as { id: string }).id))));
});

test('a corrupt state file is one clear diagnostic and exit 2, never a stack trace', async () => {
  const state = join(mkdtempSync(join(tmpdir(), 'mw-state-')), 'state.db');
  writeFileSync(state, 'SQLite format 3\0'.padEnd(4096, 'x'));
  const r = await runCli(['scan', 'examples/', '--format', 'ndjson', '--state', state]);
  assert.equal(r.code, 2);
  assert.equal(hasStackTrace(r.stderr), false, r.stderr);
  assert.match(r.stderr, /MW43\d\d error .*state\.db/);
  assert.match(r.stderr, /--no-state/);
});

/** Runs a scan writing alerts to `out`, killed with SIGKILL after `delayMs`. */
function killedScan(state: string, out: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [repoPath('bin', 'mirrorwatch.js'), 'scan', 'examples/', '--format', 'ndjson', '--state', state, '--output', out, '--jobs', '1'], {
      cwd: repoPath(),
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test('killing a scan at any moment loses no alert: the next scan reports whatever the killed one did not', async () => {
  const reference = await runCli(['scan', 'examples/', '--format', 'ndjson', '--no-state']);
  const expected = new Set(ids(reference.stdout));
  for (const delayMs of [50, 250, 450, 650, 900, 1300, 2500]) {
    const dir = mkdtempSync(join(tmpdir(), 'mw-crash-'));
    const state = join(dir, 'state.db');
    const out = join(dir, 'alerts.ndjson');
    await killedScan(state, out, delayMs);
    // Only complete lines count as written.
    const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
    const written = ids(text.slice(0, text.lastIndexOf('\n') + 1));
    const next = await runCli(['scan', 'examples/', '--format', 'ndjson', '--state', state]);
    assert.ok(next.code === 0 || next.code === 1, `after a kill at ${delayMs} ms the state must still open: ${next.stderr}`);
    const union = new Set([...written, ...ids(next.stdout)]);
    for (const id of expected) assert.ok(union.has(id), `alert ${id} lost after a kill at ${delayMs} ms`);
  }
});

test('a reader that goes away (`scan | head`) ends the scan quietly with 141 and commits no state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-state-'));
  const state = join(dir, 'state.db');
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [repoPath('bin', 'mirrorwatch.js'), 'scan', 'examples/', '--format', 'ndjson', '--state', state, '--jobs', '1'], {
      cwd: repoPath(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `head -c 1`: read the first chunk, then close the pipe while the scan still has alerts to write.
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(result.code, 141, result.stderr);
  assert.equal(hasStackTrace(result.stderr), false, result.stderr);
  // Nothing was marked as reported: the next scan with the same state writes every alert.
  const next = await runCli(['scan', 'examples/', '--format', 'ndjson', '--state', state]);
  const reference = await runCli(['scan', 'examples/', '--format', 'ndjson', '--no-state']);
  assert.deepEqual(new Set(ids(next.stdout)), new Set(ids(reference.stdout)));
});

test('--allowed-lateness: a delivery that arrives after later ones is still correlated within it, and reported as late beyond it', async () => {
  const dir = 'examples/aws/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20';
  const [early, ...later] = ['20261120T1405Z_q8Jd2Lx0PzR4mTn1', '20261120T1415Z_B7vK3cWq9YhE5sAa', '20261120T1425Z_Hc6Wn0Tz2Lb8Qe4R'].map((d) => `${dir}/111122223333_CloudTrail_eu-west-1_${d}.json.gz`);
  const pipeline = 'AWS Traffic Mirroring Pipeline Built by One Principal';
  const names = (out: string) => parseNdjson(out).map((a) => (a.rule as { name: string }).name);
  for (const [lateness, correlated] of [[undefined, true], ['30s', false], ['1h', true]] as const) {
    const state = join(mkdtempSync(join(tmpdir(), 'mw-state-')), 'state.db');
    const first = await runCli(['scan', ...later, '--format', 'ndjson', '--state', state]);
    assert.ok(!names(first.stdout).includes(pipeline), 'the target is in the early delivery, not scanned yet');
    const second = await runCli(['scan', early, '--format', 'ndjson', '--state', state, ...(lateness ? ['--allowed-lateness', lateness] : [])]);
    assert.equal(names(second.stdout).includes(pipeline), correlated, `lateness ${lateness ?? 'default'}: ${second.stderr}`);
    assert.equal(/MW1424 info .*Target Created at 2026-11-20T14:03:05/.test(second.stderr), !correlated, second.stderr);
  }
  const bad = await runCli(['scan', early, '--no-state', '--allowed-lateness', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid duration "soon"/);
  assert.equal(hasStackTrace(bad.stderr), false);
});
