/**
 * A scan worker (see `parallel.ts`): compiles the rules it is sent once, then scans the units (files, stretches of
 * files) the main thread hands it, one at a time, and sends back what the main thread needs to build alerts.
 */
import { parentPort } from 'node:worker_threads';
import { ALL_READERS } from '../readers/registry.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel.js';
import { activateRules } from './rule-set.js';
import type { ScanOptions } from './scan.js';
import { scanUnit } from './scan-unit.js';

const port = parentPort;
if (!port) throw new Error('scan-worker.js runs as a worker thread');

let options: ScanOptions | undefined;
let setup: WorkerSetup | undefined;
/** The units handed to this worker, scanned in turn. */
let queue: Promise<void> = Promise.resolve();

function start(s: WorkerSetup): void {
  setup = s;
  // Rule problems were reported by the main thread, which parsed the same rules.
  const quiet = () => undefined;
  options = {
    rules: activateRules(s.rules, quiet),
    readers: ALL_READERS,
    readerOptions: s.readerOptions,
    prefilter: s.prefilter,
    aliases: s.aliases,
    unknownFormatIsError: s.unknownFormatIsError,
    report: quiet,
    // Each worker keeps one core busy on its own files: read and inflate them here, with no thread of their own.
    readAhead: 'inline',
  };
}

port.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'setup':
      try {
        start(msg.setup);
        port.postMessage({ kind: 'ready' } satisfies FromWorker);
      } catch (err) {
        port.postMessage({ kind: 'ready', error: String((err as Error)?.stack ?? err) } satisfies FromWorker);
      }
      return;
    case 'file':
      // The main thread keeps a second file queued here, so this thread never waits for the next one; files are
      // scanned one after another, in the order given.
      queue = queue.then(() =>
        scanUnit(options as ScanOptions, (setup as WorkerSetup).analyticDatasets, msg.index, msg.input).then(
          (result) => port.postMessage({ kind: 'result', result } satisfies FromWorker),
          (err: unknown) => port.postMessage({ kind: 'failed', index: msg.index, error: String((err as Error)?.stack ?? err) } satisfies FromWorker),
        ),
      );
      return;
    case 'stop':
      void queue.then(() => port.close());
      return;
  }
});
