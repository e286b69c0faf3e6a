/**
 * The alert: what a user acts on. An ECS document (`event.kind: "alert"`) with ATT&CK `threat.*`, the rule, the
 * severity, and a `mirrorwatch` object holding the evidence (each event's raw record and where it came from), the
 * mirror details and the explanation. This is the output contract of DESIGN.md §6: scripts rely on these names.
 */
import type { Origin } from './event.js';

/** Sigma levels, lowest first. */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** A Sigma rule level. */
export type Level = (typeof LEVELS)[number];

/** The alert severities (`informational` matches are recorded but rank below `low`). */
export type Severity = Level;

/** Rank of a level (informational 0 … critical 4), for comparisons. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** True when the string is a Sigma level. */
export function isLevel(s: unknown): s is Level {
  return typeof s === 'string' && (LEVELS as readonly string[]).includes(s);
}

/**
 * Numeric ECS `event.severity` and `event.risk_score` per severity. The risk scores are the band tops Elastic's
 * prebuilt rules use (low 21, medium 47, high 73, critical 99; elastic/detection-rules `definitions.py`).
 */
export const SEVERITY_NUMBERS: Record<Severity, { severity: number; risk: number }> = {
  informational: { severity: 0, risk: 0 },
  low: { severity: 1, risk: 21 },
  medium: { severity: 2, risk: 47 },
  high: { severity: 3, risk: 73 },
  critical: { severity: 4, risk: 99 },
};

/** One piece of evidence: an event's raw record and every place it was read from (duplicates included). */
export interface Evidence {
  '@timestamp': string;
  dataset: string;
  /** False for a configuration line of the same mirroring object that is shown for context but did not match. */
  matched: boolean;
  /** Where the record was read first, as `file:line[:column]` (plus the record index inside a container). */
  origin: string;
  /** The same origin, structured. */
  location: Origin;
  /** Further places the identical record was read (duplicate delivery); empty when read once. */
  duplicates: string[];
  /** The record as the source wrote it. */
  record: unknown;
}

/** The tuning entry that suppressed an alert, for audit: which entry, why, its ticket and expiry, and where it is written. */
export interface SuppressedBy {
  id: string;
  kind: string;
  reason: string;
  ticket?: string;
  expires?: string;
  /** `file:line:column` of the entry in the tuning file. */
  location: string;
}

/** An alert as written by `scan --format ndjson`: an ECS document plus the `mirrorwatch` object. */
export interface AlertDocument {
  '@timestamp': string;
  message: string;
  event: Record<string, unknown>;
  rule: Record<string, unknown>;
  threat: Record<string, unknown>;
  mirrorwatch: {
    severity: Severity;
    /** `strength` (strong / weak / mitigating) is set by the risk layer, which weighs only factors that carry it. */
    risk_factors: { name: string; weight: number; evidence: string; strength?: 'strong' | 'weak' | 'mitigating' }[];
    /** The tuning entry that suppressed the alert (src/enrich/tuning.ts). */
    suppressed_by?: SuppressedBy;
    evidence: Evidence[];
    evidence_count: number;
    [key: string]: unknown;
  };
  [ecsField: string]: unknown;
}
