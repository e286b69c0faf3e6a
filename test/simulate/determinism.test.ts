/**
 * The same seed and options give byte-identical files (manifest included), whether CloudTrail is written in this
 * thread or by worker threads; another seed gives other identifiers; --start moves every time and keeps the spacing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULTS, writeScenario, type GenerateOptions } from '../../src/simulate/generate.js';
import type { Manifest } from '../../src/simulate/manifest.js';
import { scenarioNamed } from '../../src/simulate/scenarios.js';
import type { Scenario } from '../../src/simulate/types.js';

const BASE: GenerateOptions = { seed: '7', startMs: DEFAULTS.startMs, account: DEFAULTS.account, noise: 2500, generator: 'mirrorwatch test' };

async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  await walk(dir);
  return out;
}

async function run(names: string[], o: Partial<GenerateOptions>): Promise<{ files: Map<string, string>; manifests: Manifest[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'mw-det-'));
  try {
    const manifests: Manifest[] = [];
    for (const n of names) manifests.push(await writeScenario(scenarioNamed(n) as Scenario, join(dir, n), { ...BASE, ...o }));
    return { files: await hashes(dir), manifests };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const NAMES = ['aws-session', 'ndr-pipeline', 'cisco-span', 'azure-vtap-mixed-case'];

test('same seed and options: byte-identical files, with CloudTrail written by one thread or by three workers', async () => {
  const a = await run(NAMES, { threads: 1 });
  const b = await run(NAMES, { threads: 3 });
  assert.ok(a.files.size > 20);
  assert.deepEqual([...b.files.entries()].sort(), [...a.files.entries()].sort());
});

test('another seed draws other identifiers and times', async () => {
  const a = await run(['aws-session'], {});
  const b = await run(['aws-session'], { seed: '8' });
  const ids = (m: Manifest) => m.attack_records.map((r) => r.key.eventID);
  assert.notDeepEqual(ids(b.manifests[0]), ids(a.manifests[0]));
  assert.notDeepEqual([...b.files.keys()].sort(), [...a.files.keys()].sort());
});

test('--start moves the scenario and keeps the spacing between its records', async () => {
  const a = await run(['aws-session'], { noise: 0 });
  const later = DEFAULTS.startMs + 41 * 86_400_000 + 3_600_000;
  const b = await run(['aws-session'], { noise: 0, startMs: later });
  const times = (m: Manifest) => m.attack_records.map((r) => Date.parse(r.time));
  const ta = times(a.manifests[0]);
  const tb = times(b.manifests[0]);
  assert.deepEqual(tb.map((t, i) => t - ta[i]), ta.map(() => later - DEFAULTS.startMs));
  assert.equal(b.manifests[0].start, new Date(later).toISOString());
});
