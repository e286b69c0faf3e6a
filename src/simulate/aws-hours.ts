/**
 * Writing CloudTrail hour by hour: an hour's background records (drawn from the hour's own random stream), merged
 * with the scenario's records of that hour, into the S3 layout. Hours are independent, so a large corpus is written by
 * several worker threads at once (`aws-worker.ts`) and the files are the same whichever worker wrote them.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { awsNoiseHour, hourCounts, type AwsNoiseOptions } from './aws-noise.js';
import { CloudTrailLayout } from './cloudtrail-layout.js';
import { OutputDir, type RecordLocation, type WrittenFile } from './output-dir.js';
import type { SimRecord } from './types.js';

const HOUR = 3_600_000;

/** A CloudTrail record of the scenario. */
type CloudTrailRecord = SimRecord & { kind: 'cloudtrail' };

/** Hours to write, with their records. */
export interface AwsHoursJob {
  root: string;
  seed: string;
  noise: AwsNoiseOptions;
  /** Hours in time order, each with its number of background records. */
  hours: { hour: number; count: number }[];
  /** The scenario's records in these hours, in time order. */
  records: CloudTrailRecord[];
  redeliver: string[];
}

/** What a job wrote. */
export interface AwsHoursResult {
  files: WrittenFile[];
  locations: [string, RecordLocation][];
  noiseRecords: number;
}

/** Writes the hours of a job (in this thread). */
export async function writeAwsHours(job: AwsHoursJob): Promise<AwsHoursResult> {
  const out = new OutputDir(job.root);
  const layout = new CloudTrailLayout(out, job.seed, new Set(job.redeliver));
  let i = 0;
  let noiseRecords = 0;
  for (const { hour, count } of job.hours) {
    for (const n of awsNoiseHour(job.seed, job.noise, hour, count)) {
      while (i < job.records.length && job.records[i].timeMs <= n.timeMs) {
        const w = layout.add(job.records[i++]);
        if (w) await w;
      }
      noiseRecords++;
      const w = layout.add(n);
      if (w) await w;
    }
    const end = (hour + 1) * HOUR;
    while (i < job.records.length && job.records[i].timeMs < end) {
      const w = layout.add(job.records[i++]);
      if (w) await w;
    }
  }
  while (i < job.records.length) {
    const w = layout.add(job.records[i++]);
    if (w) await w;
  }
  await layout.finish();
  await out.finish();
  return { files: out.files, locations: [...out.locations.entries()], noiseRecords };
}

/** Background records above which the hours are split between worker threads. */
const PARALLEL_FROM = 40_000;

/** The hours a run covers: the noise window's and those holding scenario records. */
export function hourPlan(noise: AwsNoiseOptions, records: readonly CloudTrailRecord[]): { hour: number; count: number }[] {
  const hours = new Map(hourCounts(noise).map((h) => [h.hour, h.count]));
  for (const r of records) {
    const h = Math.floor(r.timeMs / HOUR);
    if (!hours.has(h)) hours.set(h, 0);
  }
  return [...hours.entries()].sort((a, b) => a[0] - b[0]).map(([hour, count]) => ({ hour, count }));
}

function runWorker(job: AwsHoursJob): Promise<AwsHoursResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../simulate/aws-worker.js', import.meta.url), { workerData: job });
    worker.once('message', (r: AwsHoursResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`CloudTrail worker stopped with exit code ${code}`));
    });
  });
}

/**
 * Writes a run's CloudTrail files into `out`: in this thread for small runs, else split into contiguous groups of
 * hours of similar size, one per worker thread. Returns the number of background records written.
 */
export async function writeCloudTrail(
  out: OutputDir,
  seed: string,
  noise: AwsNoiseOptions,
  records: readonly CloudTrailRecord[],
  redeliver: readonly string[],
  /** Worker threads; default: one per CPU (at most 8) for large corpora. The files do not depend on it. */
  threads?: number,
): Promise<number> {
  const hours = hourPlan(noise, records);
  const auto = noise.count >= PARALLEL_FROM ? availableParallelism() : 1;
  const workers = Math.max(1, Math.min(threads ?? auto, 8, hours.length));
  const jobs: AwsHoursJob[] = [];
  const share = Math.ceil(noise.count / workers);
  let group: { hour: number; count: number }[] = [];
  let filled = 0;
  const close = () => {
    if (group.length === 0) return;
    jobs.push({ root: out.root, seed, noise, hours: group, records: [], redeliver: [...redeliver] });
    group = [];
    filled = 0;
  };
  for (const h of hours) {
    group.push(h);
    filled += h.count;
    if (filled >= share && jobs.length < workers - 1) close();
  }
  close();
  // Each scenario record goes to the job whose hours hold it (records before the first hour to the first job).
  for (const r of records) {
    const h = Math.floor(r.timeMs / HOUR);
    const job = jobs.find((j) => j.hours[j.hours.length - 1].hour >= h) ?? jobs[jobs.length - 1];
    job.records.push(r);
  }
  const results = jobs.length === 1 ? [await writeAwsHours(jobs[0])] : await Promise.all(jobs.map(runWorker));
  let noiseRecords = 0;
  for (const r of results) {
    for (const f of r.files) out.addFile(f);
    for (const [ref, loc] of r.locations) out.locate(ref, loc);
    noiseRecords += r.noiseRecords;
  }
  return noiseRecords;
}
