/**
 * A scan worker (see `parallel.ts`): loads the rules once, then scans the files the main thread hands it, one at a
 * time, and sends back what the main thread needs to build alerts.
 */
import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from '../core/diagnostic.js';
import type { Event } from '../core/event.js';
import { ALL_READERS } from '../readers/registry.js';
import type { FileResult, FromWorker, ToWorker, WorkerSetup } from './parallel.js';
import { loadAliases, loadRuleSet } from './rule-set.js';
import { scan, type ScanOptions } from './scan.js';

const port = parentPort;
if (!port) throw new Error('scan-worker.js runs as a worker thread');

let options: ScanOptions | undefined;
let setup: WorkerSetup | undefined;

async function start(s: WorkerSetup): Promise<void> {
  setup = s;
  // Rule problems were reported by the main thread, which loaded the same files.
  const quiet = () => undefined;
  const rules = await loadRuleSet(s.ruleSources, quiet);
  const aliases = await loadAliases(s.mappingsDir, quiet);
  options = {
    rules,
    readers: ALL_READERS,
    readerOptions: s.readerOptions,
    prefilter: s.prefilter,
    aliases,
    unknownFormatIsError: s.unknownFormatIsError,
    report: quiet,
  };
}

async function scanOne(index: number, input: Parameters<typeof scan>[0][number]): Promise<FileResult> {
  const o = options as ScanOptions;
  const diagnostics: Diagnostic[] = [];
  const analyticEvents: Event[] = [];
  const wanted = new Set((setup as WorkerSetup).analyticDatasets);
  const collector = {
    info: { id: 'collector', title: '', description: '', level: 'informational' as const, tags: [], references: [], falsepositives: [] },
    datasets: [...wanted],
    observe: (e: Event) => analyticEvents.push(e),
    finish: () => [],
  };
  const r = await scan([input], { ...o, report: (d) => diagnostics.push(d), analytics: wanted.size > 0 ? [collector] : [] });
  // Only the context of matched device objects is needed by the alerts.
  const keys = new Set(r.matches.map((m) => m.event.actionKey));
  const context: Event[] = [];
  for (const key of keys) context.push(...r.context.get(key));
  return {
    index,
    matches: r.matches.map((m) => ({ ruleId: m.rule.id, event: m.event })),
    context,
    analyticEvents,
    stats: r.stats,
    diagnostics,
  };
}

port.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'setup':
      start(msg.setup).then(
        () => port.postMessage({ kind: 'ready' } satisfies FromWorker),
        (err: unknown) => port.postMessage({ kind: 'ready', error: String((err as Error)?.stack ?? err) } satisfies FromWorker),
      );
      return;
    case 'file':
      scanOne(msg.index, msg.input).then(
        (result) => port.postMessage({ kind: 'result', result } satisfies FromWorker),
        (err: unknown) => port.postMessage({ kind: 'failed', index: msg.index, error: String((err as Error)?.stack ?? err) } satisfies FromWorker),
      );
      return;
    case 'stop':
      port.close();
      return;
  }
});
