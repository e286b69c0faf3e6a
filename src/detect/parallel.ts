/**
 * Scanning across worker threads. The work is cut into units: whole files, and stretches of large uncompressed
 * NDJSON files (cut at line ends, so that one 2 GB file keeps every core busy too). Each worker compiles the rules it
 * is sent (parsed, not as YAML) and runs `scan()` on one unit after another, with a second unit queued so it never
 * waits; until the first worker is ready, this thread scans units itself. Results are merged in input order, so
 * alerts, diagnostics and analytics see exactly what a single-threaded scan would, whatever finished first.
 *
 * Stretches: this thread reads the file in pieces of `STRETCH_BYTES`, cuts each after its last line end, counts its
 * lines (so a stretch's reader numbers lines as the file does) and hands the bytes over (transferred, not copied).
 * Only readers that say a file's shape allows it (`FormatReader.splitsAtLineEnds`: one record per line) are read in
 * stretches, and the result is only taken when every stretch but the last ended between records and no stretch
 * found invalid UTF-8 (reported once per file): otherwise this thread reads the file again, whole, so the answer is
 * always the single-threaded one.
 *
 * What crosses threads: the input (a path, or a stretch's bytes), and back the matched events (with the id of the
 * rule), the device context lines of the matched objects, the events analytics need (network datasets), the unit's
 * counters and its diagnostics. Events are plain data, copied by the structured clone algorithm.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../core/event.js';
import { INPUT } from '../readers/input-diagnostic-codes.js';
import { looksBinary, type InputFile } from '../readers/source.js';
import type { FormatReader } from '../readers/types.js';
import type { ActiveRule } from './active-rule.js';
import type { Analytic, AnalyticFinding } from './analytic.js';
import { ActionContext, scan, SNIFF_CHARS, sniffText, type Match, type ScanOptions, type ScanStats } from './scan.js';
import type { ParsedRuleFiles } from './rule-set.js';
import { scanUnit, type FileResult } from './scan-unit.js';
import type { FieldAliases } from './target.js';

/** What a worker needs: the rules as parsed data (it compiles them itself: compiled matchers are functions) and settings. */
export interface WorkerSetup {
  rules: ParsedRuleFiles;
  aliases: FieldAliases;
  readerOptions: ScanOptions['readerOptions'];
  prefilter: boolean;
  unknownFormatIsError: boolean;
  /** Datasets whose events are sent back for the analytics running in the main thread. */
  analyticDatasets: Dataset[];
}

export type { FileResult };

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
 * Files from this size on whose reader allows it are scanned in stretches side by side (the environment variables
 * `MIRRORWATCH_STRETCH_MIN_BYTES` and `MIRRORWATCH_STRETCH_BYTES` override the sizes; tests make them small).
 */
export const STRETCH_MIN_BYTES = Number(process.env.MIRRORWATCH_STRETCH_MIN_BYTES ?? 64 * 1024 * 1024);
/**
 * Bytes per stretch: each is cut at the last line end within this many bytes (or after, for a longer line). Measured
 * on a 2.24 GB NDJSON file with two threads: 8 MB stretches peaked at 390 MB RSS, 2 MB ones at 250 MB, and ran faster.
 */
export const STRETCH_BYTES = Number(process.env.MIRRORWATCH_STRETCH_BYTES ?? 2 * 1024 * 1024);

/**
 * The default number of scanning threads: half the machine's available parallelism. A thread scanning whole
 * compressed files keeps about one more core busy inflating (its read-ahead thread), so on two cores one thread is
 * faster than two. On one uncompressed NDJSON file two threads win only when it is large: on two cores, 2.9 s
 * against 3.3 s on 2.24 GB, but 1.25 s against 1.05 s on 560 MB, where starting a worker costs more than it saves
 * (measured: `bench/RESULTS.md`).
 */
export function defaultJobs(): number {
  return Math.max(1, Math.ceil(availableParallelism() / 2));
}

/** Adds one unit's counters to the totals (`files` is the caller's). */
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

function emptyStats(files: number): ScanStats {
  return { files, filesRead: 0, filesSkipped: 0, filesFailed: 0, bytesIn: 0, bytesOut: 0, records: 0, recordsPrefiltered: 0, events: 0, matches: 0, formats: {}, elapsedMs: 0 };
}

/** Bytes of a file's head decoded for sniffing: enough for the characters `scan()` sniffs, whatever they are. */
const HEAD_BYTES = 4 * SNIFF_CHARS;

/**
 * The reader that will read `input`, when the file is large, uncompressed, and of a shape its reader may read in
 * stretches; undefined otherwise (the file is scanned whole). The reader is chosen exactly as `scan()` chooses it:
 * the same readers in the same order, on the same decoded head.
 */
async function stretchReader(input: InputFile, options: ScanOptions): Promise<FormatReader | undefined> {
  if (input.path === '-' || input.text !== undefined || input.range !== undefined || (input.size ?? 0) < STRETCH_MIN_BYTES) return undefined;
  let head: Buffer;
  try {
    const fh = await open(input.path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined; // the scan reports what is wrong
  }
  // (Compressed and binary files fail the readers' own checks below: their heads are not JSON lines.)
  if (head.length === 0 || looksBinary(head)) return undefined;
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const text = head.subarray(bom).toString('utf8').slice(0, SNIFF_CHARS);
  const reader = sniffText(options.readers, text, input.path)?.reader;
  return reader?.splitsAtLineEnds?.(text) === true ? reader : undefined;
}

/**
 * The worker's script: the one-file bundle `npm run build` makes of `scan-worker.js` (a worker loading some eighty
 * modules one by one took 0.2 to 0.4 s to start), else the module itself.
 */
const SCAN_WORKER = ((bundle: URL) => (existsSync(bundle) ? bundle : new URL('../detect/scan-worker.js', import.meta.url)))(new URL('../detect/scan-worker.bundle.js', import.meta.url));

/** What a parallel scan found, and how it divided the work. */
export interface ParallelResult {
  matches: Match[];
  findings: AnalyticFinding[];
  stats: ScanStats;
  context: ActionContext;
  /** Units scanned by the threads, how many were stretches, and files read again whole (stretches not taken). */
  work: { units: number; stretches: number; rescanned: number };
}

/** One piece of work for a scan thread. */
interface Unit {
  /** The input it belongs to. */
  file: number;
  input: InputFile;
}

/** How each input was cut into units. */
interface FilePlan {
  units: number[];
  /** All its units are known. */
  complete: boolean;
  /** Reading it into stretches failed part way: it is read again, whole. */
  broken: boolean;
}

/**
 * Yields the units of `inputs` in order: a whole file, or the stretches of a file `stretchReader` allows, read here
 * piece by piece (so at most the pieces in flight are held).
 */
async function* unitsOf(inputs: readonly InputFile[], readers: readonly (FormatReader | undefined)[], plans: FilePlan[]): AsyncGenerator<Unit> {
  for (let file = 0; file < inputs.length; file++) {
    const input = inputs[file];
    const reader = readers[file];
    if (!reader) {
      yield { file, input };
      plans[file].complete = true;
      continue;
    }
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      fh = await open(input.path, 'r');
      let position = 0; // file offset of the next byte to read
      let start = 0; // file offset of the next stretch
      let line = 1;
      let carry: Buffer = Buffer.alloc(0);
      for (;;) {
        // Each stretch gets an ArrayBuffer of its own, handed over to the worker.
        const buf = Buffer.allocUnsafeSlow(carry.length + STRETCH_BYTES);
        carry.copy(buf, 0);
        let got = carry.length;
        while (got < buf.length) {
          const { bytesRead } = await fh.read(buf, got, buf.length - got, position);
          if (bytesRead === 0) break;
          got += bytesRead;
          position += bytesRead;
        }
        const atEnd = got < buf.length;
        if (got === 0) break;
        const cut = atEnd ? got : buf.lastIndexOf(0x0a, got - 1) + 1;
        if (cut === 0) {
          // A line longer than a stretch: read on until it ends.
          carry = Buffer.from(buf.subarray(0, got));
          continue;
        }
        // (Everything needed from `buf` is taken before it is handed over.)
        carry = Buffer.from(buf.subarray(cut, got));
        const firstLine = line;
        for (let i = buf.indexOf(0x0a); i !== -1 && i < cut; i = buf.indexOf(0x0a, i + 1)) line++;
        yield { file, input: { ...input, range: { start, end: start + cut, firstLine, format: reader.format }, bytes: new Uint8Array(buf.buffer, 0, cut) } };
        start += cut;
        if (atEnd) break;
      }
    } catch {
      plans[file].broken = true;
    } finally {
      await fh?.close().catch(() => undefined);
    }
    plans[file].complete = true;
  }
}

/**
 * Scans `inputs` with worker threads. `options` must be the main thread's view of the rules the workers compile
 * from `setup.rules` (matches are mapped back to its `ActiveRule`s by id). Diagnostics are reported file by file, in
 * input order. `jobs`: the number of workers; 1 means scanning in this thread.
 */
export async function scanParallel(
  inputs: readonly InputFile[],
  options: ScanOptions,
  setup: WorkerSetup,
  jobs: number,
): Promise<ParallelResult> {
  const inThisThread = async (): Promise<ParallelResult> => ({ ...(await scan(inputs, options)), work: { units: 0, stretches: 0, rescanned: 0 } });
  if (inputs.some((i) => i.path === '-' || i.text !== undefined) || jobs <= 1) return inThisThread();
  const readers = await Promise.all(inputs.map((i) => stretchReader(i, options)));
  const stretched = readers.some((r) => r !== undefined);
  // A worker takes a tenth of a second or more to start and compile the rules: below a few dozen megabytes of input
  // that costs more than it saves.
  const bytes = inputs.reduce((sum, i) => sum + (i.size ?? 0), 0);
  if (!stretched && (inputs.length <= 1 || bytes < PARALLEL_MIN_BYTES)) return inThisThread();
  const work = { units: 0, stretches: 0, rescanned: 0 };

  const started = performance.now();
  const rulesById = new Map<string, ActiveRule>(options.rules.map((r) => [r.id, r]));
  const stats = emptyStats(inputs.length);
  const matches: Match[] = [];
  const context = new ActionContext();
  const analytics = options.analytics ?? [];
  const plans: FilePlan[] = inputs.map(() => ({ units: [], complete: false, broken: false }));
  const results: (FileResult | undefined)[] = [];

  const apply = (r: FileResult, into: ScanStats) => {
    for (const d of r.diagnostics) options.report(d);
    addStats(into, r.stats);
    for (const e of r.context) context.add(e);
    for (const e of r.analyticEvents) for (const a of analytics) if (a.datasets.includes(e.dataset)) a.observe(e);
    for (const m of r.matches) {
      const rule = rulesById.get(m.ruleId);
      if (rule) matches.push({ rule, event: m.event });
    }
  };
  /** Reads a file again in this thread, whole (its stretches could not be taken). */
  const rescan = async (input: InputFile) => {
    // The analytics observe its events in order here, and finish once, at the end of the whole scan.
    const forward: Analytic[] = analytics.map((a) => ({ info: a.info, datasets: a.datasets, observe: (e) => a.observe(e), finish: () => [] }));
    const r = await scan([input], { ...options, analytics: forward, onProgress: undefined });
    addStats(stats, r.stats);
    for (const e of r.context.all()) context.add(e);
    matches.push(...r.matches);
  };
  /** Takes the results of every input whose units are all in, in input order. */
  let nextFile = 0;
  const drain = async () => {
    while (nextFile < inputs.length) {
      const plan = plans[nextFile];
      if (!plan.complete || plan.units.some((u) => results[u] === undefined)) return;
      const rs = plan.units.map((u) => results[u] as FileResult);
      for (const u of plan.units) results[u] = undefined;
      // A whole file is taken as it is; stretches only when each (but the last) ended between records and none found
      // invalid UTF-8 (reported once per file). No unit at all: the file emptied since it was listed.
      const taken =
        !plan.broken &&
        (rs.length === 1 || (rs.length > 1 && rs.every((r, k) => k === rs.length - 1 || r.endsBetweenRecords) && !rs.some((r) => r.diagnostics.some((d) => d.code === INPUT.invalidUtf8.code))));
      if (taken) {
        // The stretches of one file count as that file once.
        const file = emptyStats(0);
        for (const r of rs) apply(r, file);
        file.filesFailed = Math.min(file.filesFailed, 1);
        addStats(stats, file);
      } else {
        work.rescanned++;
        await rescan(inputs[nextFile]);
      }
      nextFile++;
    }
  };
  /**
   * The progress line counts units as their results arrive (a file in stretches is taken only once all are in, which
   * for one large file would be the end), at most five times a second.
   */
  const seen = emptyStats(inputs.length);
  let shownAt = 0;
  const arrived = (r: FileResult) => {
    if (!options.onProgress) return;
    addStats(seen, r.stats);
    const now = performance.now();
    if (now - shownAt < 200) return;
    shownAt = now;
    seen.elapsedMs = now - started;
    options.onProgress(seen);
  };

  const units = unitsOf(inputs, readers, plans);
  let unitCount = 0;
  let exhausted = false;
  // Units are made one at a time (a stretch is read from the file when a worker needs it).
  let making: Promise<unknown> = Promise.resolve();
  const nextUnit = (): Promise<{ index: number; unit: Unit } | undefined> => {
    const p = making.then(async () => {
      if (exhausted) return undefined;
      const r = await units.next();
      if (r.done) {
        exhausted = true;
        return undefined;
      }
      const index = unitCount++;
      plans[r.value.file].units.push(index);
      work.units++;
      if (r.value.input.range !== undefined) work.stretches++;
      return { index, unit: r.value };
    });
    making = p.catch(() => undefined);
    return p;
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    let finished = false;
    const pool: Worker[] = [];
    let draining: Promise<void> = Promise.resolve();
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const deliver = () => {
      draining = draining
        .then(drain)
        .then(() => {
          if (exhausted && nextFile === inputs.length && !failed && !finished) {
            finished = true;
            for (const w of pool) w.postMessage({ kind: 'stop' } satisfies ToWorker);
            resolve();
          }
        })
        .catch((err: unknown) => fail(err as Error));
    };
    // Until the first worker is ready, this thread scans units itself (a worker takes a tenth of a second or more to
    // start); from then on it only hands out units and takes results, so that the workers never wait for it.
    let ready = 0;
    const local = async () => {
      const own: ScanOptions = { ...options, readAhead: 'inline' };
      const datasets = setup.analyticDatasets;
      while (!failed && ready === 0) {
        const next = await nextUnit();
        if (next === undefined) break;
        const result = await scanUnit(own, datasets, next.index, next.unit.input);
        results[next.index] = result;
        arrived(result);
        deliver();
        // Let the workers' messages in between units (a unit is scanned without yielding to the event loop).
        await new Promise((r) => setImmediate(r));
      }
      deliver();
    };
    void local().catch((err: unknown) => fail(err as Error));
    for (let k = 0; k < jobs; k++) {
      const w = new Worker(SCAN_WORKER);
      pool.push(w);
      let inHand = 0;
      // Two units in hand: the worker starts the second while its first result is on the way here.
      const pump = async () => {
        while (inHand < 2 && !exhausted && !failed) {
          inHand++;
          const next = await nextUnit();
          if (next === undefined) {
            inHand--;
            deliver(); // the last unit may have been the one that completed a plan
            return;
          }
          const { input } = next.unit;
          w.postMessage({ kind: 'file', index: next.index, input } satisfies ToWorker, input.bytes ? [input.bytes.buffer as ArrayBuffer] : []);
        }
      };
      const run = () => void pump().catch((err: unknown) => fail(err as Error));
      w.on('message', (msg: FromWorker) => {
        switch (msg.kind) {
          case 'ready':
            if (msg.error !== undefined) {
              fail(new Error(`scan worker could not start: ${msg.error}`));
              return;
            }
            ready++;
            run();
            return;
          case 'result':
            inHand--;
            results[msg.result.index] = msg.result;
            arrived(msg.result);
            deliver();
            run();
            return;
          case 'failed':
            fail(new Error(`scan worker failed on ${msg.index}: ${msg.error}`));
            return;
        }
      });
      w.on('error', fail);
      w.postMessage({ kind: 'setup', setup } satisfies ToWorker);
    }
  });
  const findings = analytics.flatMap((a) => a.finish());
  stats.elapsedMs = performance.now() - started;
  return { matches, findings, stats, context, work };
}
