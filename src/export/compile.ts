/**
 * Compiles a rule set for one or many targets: loads the field maps, builds one compiler per target and compiles
 * every rule and correlation, yielding a result per rule × target (a query or a named failure).
 */
import { basename } from 'node:path';
import type { Report } from '../core/diagnostic.js';
import type { SigmaCorrelation, SigmaRule } from '../sigma/types.js';
import type { TextQueryBackend } from './backend.js';
import { loadFieldMap, type FieldMap } from './field-map.js';
import { EqlBackend } from './targets/eql.js';
import { EsqlBackend } from './targets/esql.js';
import { KibanaKqlBackend } from './targets/kibana-kql.js';
import { LuceneBackend } from './targets/lucene.js';
import { QradarBackend } from './targets/qradar.js';
import { SecopsBackend } from './targets/secops.js';
import { SentinelBackend } from './targets/sentinel.js';
import { SigmaBackend } from './targets/sigma.js';
import { SplunkBackend } from './targets/splunk.js';
import { SqlBackend } from './targets/sql.js';
import type { RuleExport, TargetName } from './types.js';

/** The compiler of a target over its field map. */
export function backendFor(target: TargetName, map: FieldMap): TextQueryBackend {
  switch (target) {
    case 'eql':
      return new EqlBackend(map);
    case 'esql':
      return new EsqlBackend(map);
    case 'kibana-kql':
      return new KibanaKqlBackend(map);
    case 'lucene':
      return new LuceneBackend(map);
    case 'splunk':
      return new SplunkBackend(map);
    case 'sentinel':
      return new SentinelBackend(map);
    case 'qradar':
      return new QradarBackend(map);
    case 'secops':
      return new SecopsBackend(map);
    case 'athena':
    case 'bigquery':
      return new SqlBackend(map, target);
    case 'sigma':
      return new SigmaBackend(map);
    default: {
      const never: never = target;
      throw new Error(`unknown target ${String(never)}`);
    }
  }
}

/** Loads a target's field map (the sigma target needs none). */
export async function fieldMapFor(mappingsDir: string, target: TargetName, report: Report): Promise<FieldMap> {
  if (target === 'sigma') return { target, file: '(none)', requirements: [], sources: [] };
  return loadFieldMap(mappingsDir, target, report);
}

/** A file-name stem for a rule's output files: its file name, or its title for documents sharing a file. */
export function stemOf(doc: SigmaRule | SigmaCorrelation, taken: Set<string>, shared = false): string {
  let stem = basename(doc.source.file).replace(/\.ya?ml$/i, '');
  if (shared || taken.has(stem)) stem = `${stem}-${doc.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  taken.add(stem);
  return stem;
}

/** Every rule and correlation compiled for one target, in input order. */
export function compileAll(
  target: TargetName,
  map: FieldMap,
  rules: readonly SigmaRule[],
  correlations: readonly SigmaCorrelation[],
): RuleExport[] {
  const backend = backendFor(target, map);
  const byRef = new Map<string, SigmaRule>();
  for (const r of rules) {
    if (r.id !== undefined) byRef.set(r.id, r);
    if (r.name !== undefined) byRef.set(r.name, r);
  }
  const taken = new Set<string>();
  const perFile = new Map<string, number>();
  for (const d of [...rules, ...correlations]) perFile.set(d.source.file, (perFile.get(d.source.file) ?? 0) + 1);
  const shared = (d: SigmaRule | SigmaCorrelation): boolean => (perFile.get(d.source.file) ?? 0) > 1;
  const out: RuleExport[] = [];
  for (const rule of rules) {
    out.push({ target, ruleId: rule.id ?? rule.title, title: rule.title, file: rule.source.file, stem: stemOf(rule, taken, shared(rule)), kind: 'rule', result: backend.compileRule(rule) });
  }
  for (const corr of correlations) {
    out.push({ target, ruleId: corr.id ?? corr.title, title: corr.title, file: corr.source.file, stem: stemOf(corr, taken, shared(corr)), kind: 'correlation', result: backend.compileCorrelation(corr, byRef) });
  }
  return out;
}
