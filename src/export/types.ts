/**
 * The export model: the targets a rule compiles to, and what compiling one rule for one target yields (a query, or a
 * failure with a reason from a closed, documented set). Nothing here imports a compiler.
 */
import type { ReasonCode } from './reasons.js';

/** The export targets (`mirrorwatch export --target`). */
export type TargetName =
  | 'eql'
  | 'esql'
  | 'kibana-kql'
  | 'lucene'
  | 'splunk'
  | 'sentinel'
  | 'qradar'
  | 'secops'
  | 'athena'
  | 'bigquery'
  | 'sigma';

/** All targets, in the order reports list them. */
export const TARGET_NAMES: readonly TargetName[] = [
  'eql',
  'esql',
  'kibana-kql',
  'lucene',
  'splunk',
  'sentinel',
  'qradar',
  'secops',
  'athena',
  'bigquery',
  'sigma',
];

/** True when the string names a target. */
export function isTargetName(s: string): s is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(s);
}

/** One query of a compiled rule: most rules have one; Athena compiles AWS rules for two tables. */
export interface CompiledQuery {
  /** What the query runs on (an index pattern, a table, a sourcetype), for people reading the output. */
  on: string;
  text: string;
}

/**
 * A declared deviation from Sigma's semantics that the target cannot avoid (tumbling windows instead of sliding
 * ones, a device command without its configuration sub-mode). Never silent: listed in the output and the report.
 */
export interface Approximation {
  code: 'tumbling-window' | 'device-context' | 'query-range-window' | 'empty-value';
  message: string;
}

/** What compiling one rule (or correlation) for one target gives. */
export type CompileResult =
  | { status: 'compiled'; queries: CompiledQuery[]; approximations: Approximation[]; requirements: string[] }
  | { status: 'failed'; reason: ReasonCode; detail: string };

/** One rule's result for one target, with the rule's identity. */
export interface RuleExport {
  target: TargetName;
  ruleId: string;
  title: string;
  /** The rule file (relative as given) and a file-name stem for output files. */
  file: string;
  stem: string;
  kind: 'rule' | 'correlation';
  result: CompileResult;
}
