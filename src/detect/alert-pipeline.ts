/**
 * From a scan's matches to the alerts a user sees: rule alerts (grouped by action), correlation alerts (Sigma v2
 * correlations, their windows continued from earlier scans through the state store), analytic findings, the
 * cross-alert link between a mirroring change and traffic to its destination, then enrichment (risk factors,
 * severity, playbook, tuning) and the checkpoint (alerts an earlier scan already reported are set aside).
 *
 * Nothing here writes durable state: the caller commits the store only after the alerts were written, so a crash
 * can repeat an alert but never lose one.
 */
import type { AlertDocument } from '../core/alert.js';
import type { Report } from '../core/diagnostic.js';
import { enrichAlerts } from '../enrich/enrich.js';
import type { Tuning } from '../enrich/tuning.js';
import type { SigmaCorrelation } from '../sigma/index.js';
import type { StateStore, SuppressionRecord } from '../store/types.js';
import type { ActiveRule } from './active-rule.js';
import { buildAlert, buildFindingAlert, compareAlerts, groupMatches } from './alerts.js';
import type { AnalyticFinding } from './analytic.js';
import { Correlator } from './correlate.js';
import { buildCorrelationAlert } from './correlation-alerts.js';
import type { ActionContext, Match } from './scan.js';
import type { FieldAliases } from './target.js';

/** What the pipeline needs. */
export interface AlertPipelineInput {
  matches: readonly Match[];
  findings: readonly AnalyticFinding[];
  context: ActionContext;
  rules: readonly ActiveRule[];
  aliases?: FieldAliases;
  correlations: { correlations: SigmaCorrelation[]; ruleNames: Map<string, string> };
  store: StateStore;
  /** True when the store persists between scans: open correlation windows stay open, reported alerts are skipped. */
  stateful: boolean;
  tuning?: Tuning;
  now: Date;
  report: Report;
  /** How far behind the latest correlated event a match may arrive and still be correlated (default 15 minutes). */
  allowedLatenessMs?: number;
  /** Runs over every alert before enrichment (the network analytics' control-plane link raises levels there). */
  beforeEnrich?: (alerts: AlertDocument[]) => void;
}

/** What the pipeline produces. */
export interface AlertPipelineResult {
  /** New alerts, enriched, in time order. */
  alerts: AlertDocument[];
  /** Alerts a tuning exception suppressed (each names it in `mirrorwatch.suppressed_by`). */
  suppressed: AlertDocument[];
  /** Alerts an earlier scan already reported (same alert id). */
  alreadyReported: AlertDocument[];
  /** The correlation state to save with the store. */
  correlationState: unknown;
}

/** Runs the pipeline (see the module comment). */
export function runAlertPipeline(input: AlertPipelineInput): AlertPipelineResult {
  const { aliases, context, now, store } = input;
  const rulesById = new Map(input.rules.map((r) => [r.id, r]));
  const correlator = new Correlator(input.correlations.correlations, rulesById, {
    ruleNames: input.correlations.ruleNames,
    aliases,
    report: input.report,
    allowedLatenessMs: input.allowedLatenessMs,
  });
  correlator.importState(store.loadCorrelationState());
  correlator.add(input.matches);
  // Without state, windows still open at the end are judged now; with state they continue in the next scan.
  const hits = correlator.finish(!input.stateful);
  const silenced = correlator.silenced;
  const ruleAlerts = groupMatches(input.matches, aliases)
    .filter((g) => !silenced.has(g.rule.id))
    .map((g) => buildAlert(g, aliases, context, now));
  const correlationAlerts = hits.filter((h) => h.emit).map((h) => buildCorrelationAlert(h, { rulesById, context, now }));
  const all = [...ruleAlerts, ...correlationAlerts, ...input.findings.map((f) => buildFindingAlert(f, now))];
  input.beforeEnrich?.(all);
  const { alerts: enriched, suppressed } = enrichAlerts(all, { tuning: input.tuning, baselines: store, now, report: input.report });
  const alerts: AlertDocument[] = [];
  const alreadyReported: AlertDocument[] = [];
  for (const a of enriched) {
    if (input.stateful && store.wasReported(alertId(a))) alreadyReported.push(a);
    else alerts.push(a);
  }
  alerts.sort(compareAlerts);
  suppressed.sort(compareAlerts);
  return { alerts, suppressed, alreadyReported, correlationState: correlator.exportState() };
}

/** The stable id of an alert (`event.id`). */
export function alertId(a: AlertDocument): string {
  return String((a.event as { id?: unknown }).id ?? '');
}

/** Audit records for suppressed alerts. */
export function suppressionRecords(suppressed: readonly AlertDocument[], now: Date): SuppressionRecord[] {
  return suppressed.map((a) => {
    const by = a.mirrorwatch.suppressed_by;
    return {
      alertId: alertId(a),
      ruleId: String((a.rule as { id?: unknown }).id ?? ''),
      exceptionId: by?.id ?? 'unknown',
      ...(by?.ticket !== undefined ? { ticket: by.ticket } : {}),
      alertTimeMs: Date.parse(a['@timestamp']) || 0,
      suppressedAtMs: now.getTime(),
      message: a.message,
    };
  });
}
