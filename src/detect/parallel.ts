/**
 * Scanning across worker threads: files are handed out one at a time to `jobs` workers (each loads the same rules
 * and runs `scan()` on its file), and their results are merged in input order, so alerts, diagnostics and analytics
 * see exactly what a single-threaded scan would, whatever finished first. One file, or `jobs` 1, runs in this thread.
 *
 * What crosses threads: the input (a path), and back the matched events (with the id of the rule), the device
 * context lines of the matched objects, the events analytics need (network datasets), the file's counters and its
 * diagnostics. Events are plain data, copied by the structured clone algorithm.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../core/diagnostic.js';
import type { Dataset, Event } from '../core/event.js';
import type { InputFile } from '../readers/source.js';
import type { ActiveRule } from './active-rule.js';
import type { AnalyticFinding } from './analytic.js';
import { ActionContext, scan, type Match, type ScanOptions, type ScanStats } from './scan.js';

/** Where a worker finds its rules and settings (it loads the rules itself: compiled matchers are functions). */
export interface WorkerSetup {
  ruleSources: string[];
  mappingsDir: string;
  readerOptions: ScanOptions['readerOptions'];
  prefilter: boolean;
  unknownFormatIsError: boolean;
  /** Datasets whose events are sent back for the analytics running in the main thread. */
  analyticDatasets: Dataset[];
}

/** What a worker sends back for one file. */
export interface FileResult {
  index: number;
  matches: { ruleId: string; event: Event }[];
  /** Device configuration lines of the matched objects (see `ActionContext`). */
  context: Event[];
  /** Events of the analytics' datasets, in file order. */
  analyticEvents: Event[];
  stats: ScanStats;
  diagnostics: Diagnostic[];
}

/** Messages between the main thread and a worker. */
export type ToWorker = { kind: 'setup'; setup: WorkerSetup } | { kind: 'file'; index: number; input: InputFile } | { kind: 'stop' };
/** Messages from a worker. */
export type FromWorker = { kind: 'ready'; error?: string } | { kind: 'result'; result: FileResult } | { kind: 'failed'; index: number; error: string };

/**
 * Inputs smaller than this in total are scanned in the main thread whatever `--jobs` says (the environment variable
 * `MIRRORWATCH_PARALLEL_MIN_BYTES` overrides it; tests set it to 0 to exercise the workers on small inputs).
 */
export const PARALLEL_MIN_BYTES = Number(process.env.MIRRORWATCH_PARALLEL_MIN_BYTES ?? 32 * 1024 * 1024);

/**
 * The default number of workers: half the machine's available parallelism. Each scanning thread keeps about one more
 * core busy decompressing (zlib runs on libuv's thread pool), so on two cores one thread is as fast as two and uses
 * half the CPU (measured: `bench/RESULTS.md`).
 */
export function defaultJobs(): number {
  return Math.max(1, Math.ceil(availableParallelism() / 2));
}

/** Adds one file's counters to the totals. */
function addStats(total: ScanStats, s: ScanStats): void {
  total.filesRead += s.filesRead;
  total.filesSkipped += s.filesSkipped;
  total.filesFailed += s.filesFailed;
  total.bytesIn += s.bytesIn;
  total.bytesOut += s.bytesOut;
  total.records += s.records;
  total.recordsPrefiltered += s.recordsPrefiltered;
  total.events += s.events;
  total.matches += s.matches;
  for (const [k, v] of Object.entries(s.formats)) total.formats[k] = (total.formats[k] ?? 0) + v;
}

/**
 * Scans `inputs` with `jobs` workers. `options` must be the main thread's view of the same rule set the workers
 * load from `setup.ruleSources` (matches are mapped back to its `ActiveRule`s by id). Diagnostics are reported file
 * by file, in input order.
 */
export async function scanParallel(
  inputs: readonly InputFile[],
  options: ScanOptions,
  setup: WorkerSetup,
  jobs: number,
): Promise<{ matches: Match[]; findings: AnalyticFinding[]; stats: ScanStats; context: ActionContext }> {
  const workers = Math.min(jobs, inputs.length);
  // Each worker loads and compiles the rules itself (tens of milliseconds for the bundled pack, seconds for a
  // thousand rules): below a few dozen megabytes of input that costs more than it saves.
  const bytes = inputs.reduce((sum, i) => sum + (i.size ?? 0), 0);
  if (workers <= 1 || bytes < PARALLEL_MIN_BYTES || inputs.some((i) => i.path === '-' || i.text !== undefined)) return scan(inputs, options);
  const started = performance.now();
  const rulesById = new Map<string, ActiveRule>(options.rules.map((r) => [r.id, r]));
  const stats: ScanStats = {
    files: inputs.length,
    filesRead: 0,
    filesSkipped: 0,
    filesFailed: 0,
    bytesIn: 0,
    bytesOut: 0,
    records: 0,
    recordsPrefiltered: 0,
    events: 0,
    matches: 0,
    formats: {},
    elapsedMs: 0,
  };
  const results = new Array<FileResult | undefined>(inputs.length);
  const matches: Match[] = [];
  const context = new ActionContext();
  const analytics = options.analytics ?? [];
  let delivered = 0;
  // Results are applied strictly in input order, so everything downstream is deterministic.
  const deliver = () => {
    while (delivered < results.length && results[delivered] !== undefined) {
      const r = results[delivered] as FileResult;
      results[delivered] = undefined;
      delivered++;
      for (const d of r.diagnostics) options.report(d);
      addStats(stats, r.stats);
      for (const e of r.context) context.add(e);
      for (const e of r.analyticEvents) for (const a of analytics) if (a.datasets.includes(e.dataset)) a.observe(e);
      for (const m of r.matches) {
        const rule = rulesById.get(m.ruleId);
        if (rule) matches.push({ rule, event: m.event });
      }
    }
    if (options.onProgress) {
      stats.elapsedMs = performance.now() - started;
      options.onProgress(stats);
    }
  };

  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    let failed = false;
    const pool: Worker[] = [];
    const finishIfDone = () => {
      if (running === 0 && delivered === inputs.length) {
        for (const w of pool) w.postMessage({ kind: 'stop' } satisfies ToWorker);
        resolve();
      }
    };
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    for (let k = 0; k < workers; k++) {
      const w = new Worker(new URL('../detect/scan-worker.js', import.meta.url));
      pool.push(w);
      const give = () => {
        if (next >= inputs.length) {
          running--;
          finishIfDone();
          return;
        }
        const index = next++;
        w.postMessage({ kind: 'file', index, input: inputs[index] } satisfies ToWorker);
      };
      w.on('message', (msg: FromWorker) => {
        switch (msg.kind) {
          case 'ready':
            if (msg.error !== undefined) {
              fail(new Error(`scan worker could not start: ${msg.error}`));
              return;
            }
            running++;
            give();
            return;
          case 'result':
            results[msg.result.index] = msg.result;
            deliver();
            give();
            return;
          case 'failed':
            fail(new Error(`scan worker failed on ${inputs[msg.index]?.path}: ${msg.error}`));
            return;
        }
      });
      w.on('error', fail);
      w.postMessage({ kind: 'setup', setup } satisfies ToWorker);
    }
  });
  const findings = analytics.flatMap((a) => a.finish());
  stats.elapsedMs = performance.now() - started;
  return { matches, findings, stats, context };
}
