/**
 * The typed Sigma model: rules, their detection (search identifiers → detection items → typed values), conditions,
 * correlation and filter documents. It follows pySigma's object model (`sigma/rule/*.py`, `sigma/types.py`,
 * `sigma/conditions.py`) closely enough that a query compiler written against pySigma's ideas can walk it, with
 * modifiers already applied at load time (SigmaHQ sigma-specification v2.1, `sigma-appendix-modifiers.md`).
 */
import type { Diagnostic } from '../core/diagnostic.js';

/** Where something was written: file, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/**
 * One piece of a Sigma string. `*` and `?` are the only wildcards (spec: "String Wildcard"); a placeholder is
 * `%name%` in a value carrying the `expand` modifier.
 */
export type StringPart =
  | { kind: 'text'; text: string }
  /** `*`: any run of characters, also none. */
  | { kind: 'multi' }
  /** `?`: exactly one character. */
  | { kind: 'single' }
  /** `%name%` under `expand`, resolved from a placeholder map before matching. */
  | { kind: 'placeholder'; name: string };

/** The time parts the v2.1 time modifiers extract from a date. */
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** Numeric comparison operators (`lt`, `lte`, `gt`, `gte` modifiers). */
export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte';

/** The modifiers that produce an OR-group of alternatives from one written value. */
export type ExpansionSource = 'windash' | 'base64offset' | 'placeholder';

/** How a field reference compares (the string modifiers applied to a `fieldref`, as pySigma does). */
export type FieldRefMode = 'equals' | 'startswith' | 'endswith' | 'contains';

/** A typed value of a detection item, after every modifier has been applied. */
export type SigmaValue =
  /** A string with wildcards; case-insensitive unless `cased`. */
  | { kind: 'string'; parts: StringPart[]; cased: boolean }
  /**
   * A number written without quotes. `text` is the number as written (Sigma compares values as strings, and YAML
   * would turn `0x17` into 23).
   */
  | { kind: 'number'; value: number; text: string }
  /** `true` / `false` written without quotes; matches JSON booleans and the strings "true"/"false". */
  | { kind: 'boolean'; value: boolean }
  /** `null`: the field is missing or null. */
  | { kind: 'null' }
  /** `re`: an unanchored regular expression search, case-sensitive unless `i`. */
  | { kind: 'regex'; pattern: string; ignoreCase: boolean; multiline: boolean; dotAll: boolean }
  /** `cidr`: an IPv4 or IPv6 network; `network` is the address as written before the slash. */
  | { kind: 'cidr'; cidr: string; version: 4 | 6; network: string; prefix: number }
  /** `lt`/`lte`/`gt`/`gte`: a numeric comparison. */
  | { kind: 'compare'; op: CompareOp; value: number }
  /** `exists`: the field is (or is not) present, whatever its value. */
  | { kind: 'exists'; exists: boolean }
  /** `fieldref`: compare with another field of the same event. */
  | { kind: 'fieldref'; field: string; mode: FieldRefMode; cased: boolean }
  /** A group of alternatives from one written value (windash, base64offset, a resolved placeholder): OR. */
  | { kind: 'expansion'; source: ExpansionSource; written: string; values: SigmaValue[] }
  /** `minute`…`year`: a part of a date compared with a number. */
  | { kind: 'timepart'; part: TimePart; op: CompareOp | 'eq'; value: number };

/**
 * One `field|modifiers: values` entry of a search identifier, or a keyword list (`field: null`).
 * Semantics: the values are OR-ed (AND-ed when `allOf`); a field holding an array matches when any element does;
 * `negated` (the `neq` modifier) negates the item's whole result, as pySigma's `SigmaNegateModifier` does.
 */
export interface DetectionItem {
  /** The field path (dots descend into objects), or null for a keyword search over the whole event. */
  field: string | null;
  /** Modifiers as written, in order. */
  modifiers: string[];
  values: SigmaValue[];
  /** `all`: every value must match. */
  allOf: boolean;
  /** `neq`: the item matches when the field is different from the values. */
  negated: boolean;
  location: SourceLocation;
}

/** The body of a search identifier: a map (AND of its items) or a list of maps (OR). */
export type DetectionNode =
  | { kind: 'and'; items: DetectionItem[] }
  | { kind: 'or'; children: DetectionNode[] };

/** A named search of the detection section. */
export interface SearchIdentifier {
  name: string;
  body: DetectionNode;
  location: SourceLocation;
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------------------------

/** A condition expression. `of` nodes keep the identifiers their pattern selected at load time. */
export type ConditionNode =
  | { kind: 'and'; children: ConditionNode[] }
  | { kind: 'or'; children: ConditionNode[] }
  | { kind: 'not'; child: ConditionNode }
  | { kind: 'identifier'; name: string }
  /** `1 of X*`, `any of X*`, `all of them`: `pattern` null means `them`. */
  | { kind: 'of'; quantifier: 'any' | 'all'; pattern: string | null; identifiers: string[] };

/** One written condition. */
export interface SigmaCondition {
  text: string;
  ast: ConditionNode;
  location: SourceLocation;
}

/** The detection section: identifiers in written order and the condition(s); a list of conditions is an OR. */
export interface SigmaDetection {
  identifiers: SearchIdentifier[];
  conditions: SigmaCondition[];
  /** All conditions combined (a single condition, or an `or` of several). */
  condition: ConditionNode;
  location: SourceLocation;
}

// ---------------------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------------------

/** Rule statuses (spec: "Status"). */
export type SigmaStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';
/** All statuses, for validation and messages. */
export const SIGMA_STATUSES: readonly SigmaStatus[] = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];

/** Rule levels (spec: "Level"). */
export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';
/** All levels, least to most severe. */
export const SIGMA_LEVELS: readonly SigmaLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** Relation types of `related` (spec: "Identification"). */
export const SIGMA_RELATION_TYPES: readonly string[] = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];

/** A rule's log source; keys other than the four standard ones are kept in `custom`. */
export interface SigmaLogSource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
  custom: Record<string, unknown>;
}

/** One `related` entry. */
export interface SigmaRelated {
  id: string;
  type: string;
}

/** Attributes shared by rules, correlations and filters. */
export interface SigmaDocumentBase {
  title: string;
  id?: string;
  name?: string;
  status?: SigmaStatus;
  description?: string;
  license?: string;
  author?: string;
  references: string[];
  date?: string;
  modified?: string;
  falsepositives: string[];
  level?: SigmaLevel;
  tags: string[];
  /** Top-level keys the specification does not define (e.g. `mirrorwatch:`), as plain JSON values. */
  custom: Record<string, unknown>;
  /** Where the document starts. */
  source: SourceLocation;
}

/** A Sigma detection rule. */
export interface SigmaRule extends SigmaDocumentBase {
  type: 'rule';
  related: SigmaRelated[];
  taxonomy?: string;
  logsource: SigmaLogSource;
  detection: SigmaDetection;
  fields: string[];
  scope: string[];
}

/** Correlation types of spec v2.1 (`sigma-correlation-rules-specification.md`). */
export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';
/** All correlation types. */
export const CORRELATION_TYPES: readonly CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
];

/** Correlation condition operators (`neq` added with spec v2.1, pySigma PR #330). */
export type CorrelationOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
/** All correlation condition operators. */
export const CORRELATION_OPS: readonly CorrelationOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

/** A correlation condition: the comparisons are AND-ed (two make a range). */
export type CorrelationCondition =
  | {
      kind: 'threshold';
      comparisons: { op: CorrelationOp; value: number }[];
      field: string[];
      /** value_percentile: which percentile (0–100) of the field's values is compared (pySigma `percentile`). */
      percentile?: number;
    }
  /**
   * pySigma's extended temporal condition (`rule_a and rule_b and not rule_c`) over the referenced rules; the
   * identifiers are rule ids or names.
   */
  | { kind: 'expression'; text: string; ast: ConditionNode };

/** A Sigma correlation document. */
export interface SigmaCorrelation extends SigmaDocumentBase {
  type: 'correlation';
  correlationType: CorrelationType;
  /** Referenced rules (ids or names), in the written order (it matters for temporal_ordered). */
  rules: string[];
  groupBy: string[];
  /** The window: as written (`90m`) and in milliseconds. */
  timespan: { text: string; ms: number };
  /** Absent for temporal types that leave it to the default (all referenced rules must match). */
  condition?: CorrelationCondition;
  /** `{alias: {ruleName: fieldName}}`. */
  aliases: Record<string, Record<string, string>>;
  /** Also emit the referenced rules' own matches (default false). */
  generate: boolean;
}

/**
 * A Sigma filter document (`sigma-filters-specification.md`). pySigma applies it by AND-ing its condition to each
 * named rule's condition (`sigma/filters.py`, `apply_on_rule`), so exclusions are written `condition: not selection`.
 */
export interface SigmaFilter extends SigmaDocumentBase {
  type: 'filter';
  logsource: SigmaLogSource;
  /** Ids or names of the rules the filter applies to (empty when `appliesToAll`). */
  rules: string[];
  /** `rules: any`: the filter applies to every rule whose log source it covers. */
  appliesToAll: boolean;
  detection: SigmaDetection;
}

/** What loading one or many rule files yields. */
export interface LoadResult {
  rules: SigmaRule[];
  correlations: SigmaCorrelation[];
  filters: SigmaFilter[];
  diagnostics: Diagnostic[];
}

/** Options for loading. */
export interface LoadOptions {
  /**
   * Values for `expand` placeholders (`{Servers: ['srv*', 'db01']}`, names without `%`). When given, a rule whose
   * placeholder is missing from the map is rejected while loading; when absent, placeholders stay in the model and
   * are resolved (or the rule rejected) by `compileRule`.
   */
  placeholders?: Record<string, string[]>;
}
