/**
 * One grammar check per query language mirrorwatch emits without a vendor validator that runs here: EQL, ES|QL,
 * Kibana KQL, Lucene, SPL, AQL and YARA-L. (Sentinel KQL is checked by Microsoft's Kusto language service, the SQL
 * targets by executing them on DuckDB, normalised Sigma by re-loading it: see test/export/.)
 */
import type { TargetName } from '../types.js';
import { parseAql } from './aql.js';
import { parseEql } from './eql.js';
import { parseEsql } from './esql.js';
import { parseKql } from './kql.js';
import { parseLucene } from './lucene.js';
import { GrammarError } from './scanner.js';
import { parseSpl } from './spl.js';
import { parseYaral } from './yaral.js';

export { GrammarError } from './scanner.js';

/** The targets whose queries a parser here checks. */
export type GrammarTarget = 'eql' | 'esql' | 'kibana-kql' | 'lucene' | 'splunk' | 'qradar' | 'secops';

/** The targets with a parser here. */
export const GRAMMAR_TARGETS: readonly GrammarTarget[] = ['eql', 'esql', 'kibana-kql', 'lucene', 'splunk', 'qradar', 'secops'];

/** True when a parser here checks the target's queries. */
export function hasGrammar(t: TargetName): t is GrammarTarget {
  return (GRAMMAR_TARGETS as readonly string[]).includes(t);
}

/** Parses a query of a target; throws GrammarError when it is not valid. Returns the parse tree. */
export function parseQuery(target: GrammarTarget, text: string): unknown {
  switch (target) {
    case 'eql':
      return parseEql(text);
    case 'esql':
      return parseEsql(text);
    case 'kibana-kql':
      return parseKql(text);
    case 'lucene':
      return parseLucene(text);
    case 'splunk':
      return parseSpl(text);
    case 'qradar':
      return parseAql(text);
    case 'secops':
      return parseYaral(text);
    default: {
      const never: never = target;
      throw new Error(`no grammar for ${String(never)}`);
    }
  }
}

/** The grammar error of a query, or null when it parses. */
export function grammarError(target: GrammarTarget, text: string): GrammarError | null {
  try {
    parseQuery(target, text);
    return null;
  } catch (e) {
    if (e instanceof GrammarError) return e;
    throw e;
  }
}
