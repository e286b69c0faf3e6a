/**
 * One unit of a parallel scan (`parallel.ts`), scanned by a worker thread or by the main thread itself: a whole
 * file or a stretch of one, turned into what the main thread needs to build alerts, in a form that can cross threads
 * (matches name their rule by id; analytics' events are collected, not observed).
 */
import type { Diagnostic } from '../core/diagnostic.js';
import type { Dataset, Event } from '../core/event.js';
import type { InputFile } from '../readers/source.js';
import type { Analytic } from './analytic.js';
import { scan, type ScanOptions, type ScanStats } from './scan.js';

/** What scanning one unit gives. */
export interface FileResult {
  /** The unit's number. */
  index: number;
  /** Whether the unit's reader ended between records (`ScanResult.endsBetweenRecords`). */
  endsBetweenRecords: boolean;
  matches: { ruleId: string; event: Event }[];
  /** Device configuration lines of the matched objects (see `ActionContext`). */
  context: Event[];
  /** Events of the analytics' datasets, in file order. */
  analyticEvents: Event[];
  stats: ScanStats;
  diagnostics: Diagnostic[];
}

/** Scans one unit with `options` (whose own `report` and analytics are not used: both are collected). */
export async function scanUnit(options: ScanOptions, analyticDatasets: readonly Dataset[], index: number, input: InputFile): Promise<FileResult> {
  const diagnostics: Diagnostic[] = [];
  const analyticEvents: Event[] = [];
  const collector: Analytic = {
    info: { id: 'collector', title: '', description: '', level: 'informational', tags: [], references: [], falsepositives: [] },
    datasets: [...analyticDatasets],
    observe: (e: Event) => analyticEvents.push(e),
    finish: () => [],
  };
  const r = await scan([input], { ...options, report: (d) => diagnostics.push(d), analytics: analyticDatasets.length > 0 ? [collector] : [], onProgress: undefined });
  // Only the context of matched device objects is needed by the alerts.
  const keys = new Set(r.matches.map((m) => m.event.actionKey));
  const context: Event[] = [];
  for (const key of keys) context.push(...r.context.get(key));
  return {
    index,
    endsBetweenRecords: r.endsBetweenRecords[0] ?? false,
    matches: r.matches.map((m) => ({ ruleId: m.rule.id, event: m.event })),
    context,
    analyticEvents,
    stats: r.stats,
    diagnostics,
  };
}
