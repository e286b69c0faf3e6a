/**
 * Running a scenario: build its plan from the seed, add background noise per platform, merge both in time order and
 * hand every record to a consumer: the layout writers (files and a manifest) or a sender (`--send`). Noise is
 * generated as it is consumed, so a corpus of any size is never held in memory.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsNoise } from './aws-noise.js';
import { azureLayout } from './azure-layout.js';
import { azureNoise } from './azure-noise.js';
import { writeCloudTrail } from './aws-hours.js';
import { DeviceLayout } from './device-layout.js';
import { deviceNoise } from './device-noise.js';
import { GcpSinkLayout } from './gcp-layout.js';
import { gcpNoise } from './gcp-noise.js';
import { buildManifest, manifestText, type Manifest } from './manifest.js';
import { OutputDir } from './output-dir.js';
import { Random } from './random.js';
import { PLATFORMS, platformOf, type AzureLayout, type Platform, type Scenario, type ScenarioContext, type ScenarioPlan, type SimRecord } from './types.js';

/** Identifiers used when the user gives none; fixed, so that output depends only on the seed and options. */
export const DEFAULTS = {
  /** 2026-11-20 14:00 UTC, the day of the bundled examples. */
  startMs: Date.parse('2026-11-20T14:00:00Z'),
  seed: '1',
  account: '111122223333',
  region: 'eu-west-1',
  subscription: '6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b',
  project: 'payments-prod-4821',
  gcpRegion: 'europe-west1',
} as const;

/** What the user chose. */
export interface GenerateOptions {
  seed: string;
  startMs: number;
  account: string;
  /** Background records per platform the scenario touches. */
  noise: number;
  /** Overrides the scenario's Azure layout. */
  azureLayout?: AzureLayout;
  /** `mirrorwatch <version>`, recorded in the manifest. */
  generator: string;
  /** Worker threads writing CloudTrail (default: automatic); the files are the same whatever it is. */
  threads?: number;
}

/** Background records per second per platform: sets how long a stretch of time `--noise N` covers. */
const NOISE_RATE: Record<Platform, number> = { aws: 5, azure: 1, gcp: 1, device: 0.5 };

/** The scenario's context for a seed and options. */
export function contextFor(scenario: Scenario, o: Pick<GenerateOptions, 'seed' | 'startMs' | 'account' | 'azureLayout'>): ScenarioContext {
  return {
    ...(o.azureLayout ? { azureLayout: o.azureLayout } : {}),
    rng: new Random(o.seed, `scenario:${scenario.name}`),
    startMs: o.startMs,
    account: o.account,
    region: DEFAULTS.region,
    subscription: DEFAULTS.subscription,
    project: DEFAULTS.project,
    gcpRegion: DEFAULTS.gcpRegion,
  };
}

/** The scenario's plan, its records in time order (stable for equal times). */
export function planFor(scenario: Scenario, ctx: ScenarioContext): ScenarioPlan {
  const plan = scenario.build(ctx);
  const refs = new Set<string>();
  for (const r of plan.records) {
    if (r.ref === undefined) continue;
    if (refs.has(r.ref)) throw new Error(`scenario ${scenario.name}: duplicate record ref ${r.ref}`);
    refs.add(r.ref);
  }
  plan.records = plan.records.map((r, i) => [r, i] as const).sort((a, b) => a[0].timeMs - b[0].timeMs || a[1] - b[1]).map(([r]) => r);
  return plan;
}

/** The platforms a run writes: those with scenario records, and, with noise, every platform the scenario names. */
export function platformsOf(scenario: Scenario, plan: ScenarioPlan, noise: number): Platform[] {
  return PLATFORMS.filter((p) => plan.records.some((r) => platformOf(r) === p) || (noise > 0 && scenario.platforms.includes(p)));
}

/** The window and count of one platform's background noise, centred on the scenario's start. */
export function noiseWindow(platform: Platform, ctx: ScenarioContext, o: GenerateOptions): { count: number; fromMs: number; toMs: number } {
  const count = o.noise;
  const span = Math.max(3 * 3_600_000, (count / NOISE_RATE[platform]) * 1000);
  return { count, fromMs: ctx.startMs - span / 2, toMs: ctx.startMs + span / 2 };
}

/** Background noise of one platform, in time order. */
export function noiseFor(platform: Platform, ctx: ScenarioContext, plan: ScenarioPlan, o: GenerateOptions, azure: AzureLayout): Iterable<SimRecord> {
  const w = noiseWindow(platform, ctx, o);
  const rng = new Random(o.seed, `noise:${platform}`);
  switch (platform) {
    case 'aws':
      return awsNoise(o.seed, { account: ctx.account, region: ctx.region, ...w });
    case 'azure':
      return azureNoise(rng, { subscription: ctx.subscription, upperResourceId: azure === 'storage', ...w });
    case 'gcp':
      return gcpNoise(rng, { project: ctx.project, region: ctx.gcpRegion, ...w });
    case 'device':
      return deviceNoise(rng, { devices: plan.devices ?? [], ...w });
  }
}

/**
 * The base time that puts a run's last record at `nowMs`, keeping every relative spacing (`simulate --send` replays
 * "now"): the scenario's own span from a trial plan, or half the noise window when noise reaches further.
 */
export function replayStart(scenario: Scenario, o: GenerateOptions, nowMs: number): number {
  const trial = planFor(scenario, contextFor(scenario, o));
  const last = trial.records.reduce((m, r) => Math.max(m, r.timeMs), o.startMs) - o.startMs;
  const platforms = platformsOf(scenario, trial, o.noise);
  // Noise starts at exponential gaps that sum to the window on average; 5% and five minutes of margin cover the
  // spread and operations that end after they start (the sender still holds back anything that would be future).
  const noiseReach = o.noise > 0 ? Math.max(0, ...platforms.map((p) => Math.max(3 * 3_600_000, (o.noise / NOISE_RATE[p]) * 1000) * 0.55)) : 0;
  return nowMs - Math.max(last, noiseReach) - 300_000;
}

/** Scenario records and noise merged in time order (scenario records first on equal times). */
export function* mergeByTime(scenario: readonly SimRecord[], noise: Iterable<SimRecord>): Generator<SimRecord> {
  let i = 0;
  for (const n of noise) {
    while (i < scenario.length && scenario[i].timeMs <= n.timeMs) yield scenario[i++];
    yield n;
  }
  while (i < scenario.length) yield scenario[i++];
}

/** A consumer of a run's records, per platform. */
export interface RecordConsumer {
  add(rec: SimRecord): Promise<void> | undefined;
  finish(): Promise<void>;
}

/** Feeds one platform's records (the scenario's and the noise, merged) to a consumer; returns the noise count. */
export async function runPlatform(scenario: Scenario, ctx: ScenarioContext, plan: ScenarioPlan, o: GenerateOptions, platform: Platform, consumer: RecordConsumer): Promise<number> {
  const azure = o.azureLayout ?? plan.azureLayout ?? 'storage';
  const own = plan.records.filter((r) => platformOf(r) === platform);
  const noise = o.noise > 0 && scenario.platforms.includes(platform) ? noiseFor(platform, ctx, plan, o, azure) : [];
  const ownSet = new Set(own);
  let noiseRecords = 0;
  for (const rec of mergeByTime(own, noise)) {
    if (!ownSet.has(rec)) noiseRecords++;
    const wait = consumer.add(rec);
    if (wait) await wait;
  }
  await consumer.finish();
  return noiseRecords;
}

/** Feeds every record of a run to consumers made per platform; returns how many noise records were produced. */
export async function runScenario(
  scenario: Scenario,
  ctx: ScenarioContext,
  plan: ScenarioPlan,
  o: GenerateOptions,
  consumerFor: (platform: Platform, azure: AzureLayout) => RecordConsumer,
): Promise<number> {
  const azure = o.azureLayout ?? plan.azureLayout ?? 'storage';
  let noiseRecords = 0;
  for (const platform of platformsOf(scenario, plan, o.noise)) noiseRecords += await runPlatform(scenario, ctx, plan, o, platform, consumerFor(platform, azure));
  return noiseRecords;
}

/** Refs of the scenario's records CloudTrail delivers twice. */
function redeliveries(plan: ScenarioPlan): Set<string> {
  const refs = new Set<string>();
  for (const r of plan.records) if (r.kind === 'cloudtrail' && r.redeliver && r.ref !== undefined) refs.add(r.ref);
  return refs;
}

/** Problems with the output directory, reported by the command as diagnostics. */
export class OutputDirError extends Error {}

/** Files and folders a simulation owns inside its output directory. */
const OWNED = ['aws', 'azure', 'gcp', 'devices', 'manifest.json'];

/**
 * Makes sure `dir` can take a simulation: created when missing; an earlier simulation's output is replaced only with
 * `force`; any other non-empty directory is refused (nothing of the user's is ever deleted).
 */
export async function prepareOutputDir(dir: string, force: boolean): Promise<void> {
  let entries: string[] = [];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new OutputDirError(`${dir} exists and is not a directory`);
    entries = await readdir(dir);
  } catch (err) {
    if (err instanceof OutputDirError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputDirError(`cannot use ${dir}: ${(err as Error).message}`);
  }
  if (entries.length > 0) {
    let previous: boolean;
    try {
      const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { mirrorwatch_manifest?: unknown };
      previous = typeof m.mirrorwatch_manifest === 'number';
    } catch {
      previous = false;
    }
    const foreign = entries.filter((e) => !OWNED.includes(e));
    if (!previous || foreign.length > 0) {
      throw new OutputDirError(`${dir} is not empty and does not hold only an earlier simulation (${[...foreign, ...(previous ? [] : ['no mirrorwatch manifest.json'])].slice(0, 3).join(', ')}); choose an empty or new directory`);
    }
    if (!force) throw new OutputDirError(`${dir} holds an earlier simulation; add --force to replace it`);
    for (const e of entries) await rm(join(dir, e), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
}

/** Generates a scenario into `dir` (which `prepareOutputDir` has checked) and writes its manifest. */
export async function writeScenario(scenario: Scenario, dir: string, o: GenerateOptions): Promise<Manifest> {
  const ctx = contextFor(scenario, o);
  const plan = planFor(scenario, ctx);
  const out = new OutputDir(dir);
  const azure = o.azureLayout ?? plan.azureLayout ?? 'storage';
  let noiseRecords = 0;
  for (const platform of platformsOf(scenario, plan, o.noise)) {
    switch (platform) {
      case 'aws': {
        // Hour by hour, in worker threads for large corpora (aws-hours.ts).
        const own = plan.records.filter((r): r is SimRecord & { kind: 'cloudtrail' } => r.kind === 'cloudtrail');
        const count = scenario.platforms.includes('aws') ? o.noise : 0;
        const w = noiseWindow('aws', ctx, { ...o, noise: count });
        noiseRecords += await writeCloudTrail(out, o.seed, { account: ctx.account, region: ctx.region, ...w }, own, [...redeliveries(plan)], o.threads);
        break;
      }
      case 'azure':
        noiseRecords += await runPlatform(scenario, ctx, plan, o, platform, azureLayout(azure, out, new Random(o.seed, `layout:azure:${scenario.name}`)));
        break;
      case 'gcp':
        noiseRecords += await runPlatform(scenario, ctx, plan, o, platform, new GcpSinkLayout(out));
        break;
      case 'device':
        noiseRecords += await runPlatform(scenario, ctx, plan, o, platform, new DeviceLayout(out, new Random(o.seed, `layout:device:${scenario.name}`)));
        break;
    }
  }
  await out.finish();
  const manifest = buildManifest(
    scenario,
    {
      seed: o.seed,
      startMs: o.startMs,
      generator: o.generator,
      options: {
        account: ctx.account,
        region: ctx.region,
        subscription: ctx.subscription,
        project: ctx.project,
        gcp_region: ctx.gcpRegion,
        noise: o.noise,
        azure_layout: o.azureLayout ?? plan.azureLayout ?? 'storage',
      },
      noiseRecords,
    },
    plan.records,
    plan.expected,
    out,
  );
  await writeFile(join(dir, 'manifest.json'), manifestText(manifest));
  return manifest;
}
