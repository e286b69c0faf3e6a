/**
 * The analytic seam: detection logic that is not a field match (DESIGN.md §2: beacon scoring, first-seen,
 * encapsulation decoding, flow shadowing). An analytic observes every event of its datasets during a scan and
 * reports findings when the scan ends; each finding becomes an alert with the same output contract as a rule's.
 */
import type { Level } from '../core/alert.js';
import type { Dataset, Event } from '../core/event.js';

/** What an alert says about the analytic that raised it (the counterpart of a rule's metadata). */
export interface AnalyticInfo {
  /** A stable id (UUID), used as `rule.id`. */
  id: string;
  title: string;
  description: string;
  level: Level;
  tags: string[];
  references: string[];
  falsepositives: string[];
}

/** One finding: becomes one alert. */
export interface AnalyticFinding {
  analytic: AnalyticInfo;
  /** Evidence, in time order, at most a few dozen events (the rest is counted). */
  events: Event[];
  /** All evidence records, including those not kept. */
  count: number;
  /** One plain-English sentence for the analyst (the alert's `message`). */
  message: string;
  /** Severity of this finding when it differs from the analytic's level (a stronger score). */
  level?: Level;
  /** Structured details (scores, endpoints, encapsulation): the alert's `mirrorwatch.analytic`. */
  details: Record<string, unknown>;
  /** Named risk factors with weights and evidence. */
  riskFactors?: { name: string; weight: number; evidence: string }[];
}

/** A detection analytic. */
export interface Analytic {
  readonly info: AnalyticInfo;
  /** The datasets whose events it observes. */
  readonly datasets: readonly Dataset[];
  /** Sees one event (in input order, files one after another). */
  observe(event: Event): void;
  /** Called once after the last event; returns the findings. */
  finish(): AnalyticFinding[];
}
