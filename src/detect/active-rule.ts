/**
 * A rule as the engine runs it: the compiled matcher plus the metadata alerts need. Built from a Sigma rule by
 * `rule-set.ts`; tests may build one directly.
 */
import type { Level } from '../core/alert.js';
import type { LogSource } from '../core/event.js';

/** What a matcher reads from an event. */
export interface MatchTarget {
  get(path: string): unknown;
  keywords(): readonly string[];
}

/**
 * Folding of repeated matches into one alert, from a rule's `mirrorwatch.aggregate` key: matches whose `by` field
 * values are equal and which follow each other within `withinMs` become one alert (a person running 500
 * `Describe*` calls in an hour is one low alert, not 500).
 */
export interface Aggregation {
  by: string[];
  withinMs: number;
}

/** A loaded, compiled rule. */
export interface ActiveRule {
  id: string;
  title: string;
  description: string;
  level: Level;
  status?: string;
  logsource: LogSource;
  tags: string[];
  references: string[];
  falsepositives: string[];
  author?: string;
  /** Where the rule was loaded from, as `file:line`. */
  source: string;
  /** The rule file (its examples live beside it in `<name>.tests.yml`). */
  file: string;
  /** Prefilter literals (see `prefilter.ts`), or null when the rule offers none. */
  literals: readonly string[] | null;
  match(target: MatchTarget): boolean;
  /** Which parts of the detection matched, for the alert's explanation. */
  explain(target: MatchTarget): unknown;
  aggregate?: Aggregation;
  /**
   * Ids of rules this rule makes redundant for the same action (`mirrorwatch.supersedes`): the remote-destination
   * rule describes an ERSPAN session better than the generic session rule, so the analyst gets one alert.
   */
  supersedes: string[];
}
