/**
 * Why a rule does not compile for a target: a closed set of reason codes, each documented here and in the README's
 * "Exporting to your SIEM" section. A compiler either emits a query with Sigma's full semantics (plus declared
 * approximations) or fails with one of these; it never emits a silently weaker query.
 */

/** The reason codes. */
export type ReasonCode =
  | 'unsupported-logsource'
  | 'unmapped-field'
  | 'case-insensitive-unavailable'
  | 'regex-unsupported'
  | 'regex-untranslatable'
  | 'single-wildcard-unsupported'
  | 'keyword-search-unsupported'
  | 'modifier-unsupported'
  | 'unresolved-placeholder'
  | 'correlation-unsupported'
  | 'correlation-condition-unsupported'
  | 'correlation-rule-missing'
  | 'correlation-rule-failed'
  | 'value-unrepresentable'
  | 'list-field-unsupported';

/** What each reason means, for `--report`, the README and failure files. */
export const REASONS: Record<ReasonCode, string> = {
  'unsupported-logsource':
    "the target's field map has no table, index or source for the rule's log source (e.g. device syslog on a cloud-only table)",
  'unmapped-field': "a field the rule reads has no counterpart in the target's field map",
  'case-insensitive-unavailable':
    'the target has no case-insensitive operator for the field (Kibana KQL / Lucene keyword fields) and the field map names no caseless field',
  'regex-unsupported': 'the rule uses a regular expression and the target language has none (Kibana KQL)',
  'regex-untranslatable':
    "the rule's regular expression uses a construct the target's regex dialect cannot express with the same meaning",
  'single-wildcard-unsupported': "the rule uses Sigma's `?` wildcard and the target has no single-character wildcard or regex to express it",
  'keyword-search-unsupported': 'the rule searches keywords over the whole event and the target has no such search',
  'modifier-unsupported': 'a value modifier (fieldref, cidr, numeric comparison, time part) has no equivalent in the target',
  'unresolved-placeholder': 'an `expand` placeholder has no value: Sigma requires such a rule to be rejected',
  'correlation-unsupported': 'the target cannot express this correlation type (e.g. EQL counts nothing; KQL/Lucene have no aggregation)',
  'correlation-condition-unsupported': "the correlation's condition (e.g. `lt`, `eq`, a range) cannot be expressed over the target's windows",
  'correlation-rule-missing': 'the correlation names a rule that is not in the exported rule set',
  'correlation-rule-failed': 'a rule the correlation refers to does not compile for this target',
  'value-unrepresentable': 'a value cannot be written in the target language without changing its meaning (e.g. an unescapable wildcard character)',
  'list-field-unsupported':
    "the rule tests a field that holds a JSON list (the field map's `lists:`), and the target reaches it as one JSON text or scalar, where an element test cannot be written",
};

/** A compile failure carried through the compiler as an exception and turned into a result at the rule boundary. */
export class ExportFailure extends Error {
  constructor(
    readonly reason: ReasonCode,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** Throws an ExportFailure (a named reason, not a bug). */
export function fail(reason: ReasonCode, detail: string): never {
  throw new ExportFailure(reason, detail);
}
