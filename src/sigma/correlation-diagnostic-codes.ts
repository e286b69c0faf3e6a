/**
 * Diagnostic codes of the correlation engine (MW1420–MW1439): problems found when correlation rules are resolved
 * against the loaded rules, and notes about what the engine could not correlate (late events, caps, saved state).
 * The document-level checks of a correlation (type, timespan, condition) are MW1400–MW1413 in `diagnostic-codes.ts`.
 */
import type { CodeInfo } from '../core/diagnostic.js';

/** The catalogue, by meaning. */
export const CORRELATION_ENGINE = {
  unknownRule: { code: 'MW1420', severity: 'error', summary: 'a correlation refers to a rule or correlation that is not loaded; the correlation is not run' },
  cycle: { code: 'MW1421', severity: 'error', summary: 'correlations refer to each other in a loop; none of them is run' },
  brokenChain: { code: 'MW1422', severity: 'error', summary: 'a correlation refers to a correlation that cannot run; it is not run either' },
  expressionRule: { code: 'MW1423', severity: 'error', summary: 'a temporal condition names a rule the correlation does not list' },
  late: { code: 'MW1424', severity: 'info', summary: 'matches older than the watermark (latest event time minus the allowed lateness) were not correlated' },
  untimed: { code: 'MW1425', severity: 'info', summary: 'matches without a usable event time were not correlated' },
  groupCap: { code: 'MW1426', severity: 'warning', summary: 'a correlation held its maximum number of groups; the least recently active groups were forgotten' },
  entryCap: { code: 'MW1427', severity: 'warning', summary: 'a correlation group held its maximum number of events; the oldest were forgotten' },
  badState: { code: 'MW1428', severity: 'warning', summary: 'the correlation state saved by an earlier scan cannot be used; correlation starts afresh' },
  changedRule: { code: 'MW1429', severity: 'info', summary: 'a correlation rule changed since its state was saved; its open windows start afresh' },
  noPercentile: { code: 'MW1430', severity: 'error', summary: 'a value_percentile correlation names no percentile (0–100) in its condition; it is not run' },
} as const satisfies Record<string, CodeInfo>;

/** Codes of correlation examples (`<correlation>.tests.yml`), MW4200–MW4219, next to the rule examples' MW41xx. */
export const CORRELATION_EXAMPLES = {
  missing: { code: 'MW4201', severity: 'warning', summary: 'a correlation rule has no examples file' },
  malformed: { code: 'MW4202', severity: 'error', summary: 'a correlation examples file cannot be read' },
  wrongCorrelation: { code: 'MW4203', severity: 'error', summary: 'an examples file names another correlation than the one beside it' },
} as const satisfies Record<string, CodeInfo>;
