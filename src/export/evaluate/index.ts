/**
 * Proof by evaluation: compiled rules of the EQL, ES|QL, Kibana KQL, Lucene and AQL targets are parsed with their
 * grammars (src/export/grammar/) and evaluated with their languages' semantics over a corpus, each record shaped as
 * the SIEM stores it (documents.ts); the records a query selects are compared with the records the native engine
 * matches for that rule. The seeds' EQL and AQL are evaluated the same way (seed-queries.ts), so both sides of the
 * coverage report come from one method. Correlations are not evaluated here (Athena's run on DuckDB).
 */
import type { CorpusRecord } from '../corpus.js';
import type { FieldMap } from '../field-map.js';
import { parseAql } from '../grammar/aql.js';
import { parseEql } from '../grammar/eql.js';
import { parseEsql } from '../grammar/esql.js';
import { parseKql } from '../grammar/kql.js';
import { parseLucene } from '../grammar/lucene.js';
import type { RuleExport, TargetName } from '../types.js';
import { aqlMatches } from './aql.js';
import { caselessFields, elasticDoc, indexMatches, qradarEvent, type ElasticDoc, type QradarEvent } from './documents.js';
import { eqlMatches } from './eql.js';
import { esqlMatches } from './esql.js';
import { kqlMatches, luceneMatches } from './kql-lucene.js';

/** The targets whose queries are evaluated. */
export type EvaluatedTarget = 'eql' | 'esql' | 'kibana-kql' | 'lucene' | 'qradar';

/** The targets whose queries are evaluated, in report order. */
export const EVALUATED_TARGETS: readonly EvaluatedTarget[] = ['eql', 'esql', 'kibana-kql', 'lucene', 'qradar'];

/** True when the target's rule queries are evaluated. */
export function isEvaluated(t: TargetName): t is EvaluatedTarget {
  return (EVALUATED_TARGETS as readonly string[]).includes(t);
}

/** One rule's evaluated query against the native engine on the corpus. */
export interface RuleAgreement {
  ruleId: string;
  title: string;
  /** Record keys the native engine matched for the rule, and those the evaluated query selected. */
  native: Set<string>;
  selected: Set<string>;
  /** Declared approximations of the rule on the target (device-context and the like). */
  approximations: string[];
}

/** Documents of every record for a target, built once. */
function documents(target: EvaluatedTarget, records: readonly CorpusRecord[], map: FieldMap): ElasticDoc[] | QradarEvent[] {
  if (target === 'qradar') return records.map((r) => qradarEvent(r.event, map));
  const caseless = caselessFields(map);
  return records.map((r) => elasticDoc(r.event, caseless));
}

/** A compiled query as a test of one document. */
function matcher(target: EvaluatedTarget, text: string, on: string): (doc: ElasticDoc | QradarEvent) => boolean {
  switch (target) {
    case 'eql': {
      const q = parseEql(text);
      return (d) => indexMatches(on, (d as ElasticDoc).index) && eqlMatches(q, d as ElasticDoc);
    }
    case 'esql': {
      const q = parseEsql(text);
      return (d) => esqlMatches(q, d as ElasticDoc);
    }
    case 'kibana-kql': {
      const q = parseKql(text);
      return (d) => indexMatches(on, (d as ElasticDoc).index) && kqlMatches(q, d as ElasticDoc);
    }
    case 'lucene': {
      const q = parseLucene(text);
      return (d) => indexMatches(on, (d as ElasticDoc).index) && luceneMatches(q, d as ElasticDoc);
    }
    case 'qradar': {
      const q = parseAql(text);
      return (d) => aqlMatches(q, d as QradarEvent);
    }
  }
}

/** Evaluates every compiled rule (not correlation) of a target over the corpus. */
export function evaluateExports(target: EvaluatedTarget, exports: readonly RuleExport[], map: FieldMap, records: readonly CorpusRecord[]): RuleAgreement[] {
  const docs = documents(target, records, map);
  const out: RuleAgreement[] = [];
  for (const e of exports) {
    if (e.kind !== 'rule' || e.result.status !== 'compiled') continue;
    const selected = new Set<string>();
    for (const q of e.result.queries) {
      const m = matcher(target, q.text, q.on);
      docs.forEach((d, i) => {
        if (m(d)) selected.add(records[i].key);
      });
    }
    const native = new Set(records.filter((r) => r.rules.has(e.ruleId)).map((r) => r.key));
    out.push({ ruleId: e.ruleId, title: e.title, native, selected, approximations: e.result.approximations.map((a) => a.code) });
  }
  return out;
}

/** The keys in `a` but not in `b`. */
export function minus(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((k) => !b.has(k));
}
