/** Text forms of export results: the annotated form used by goldens and standard output, and file extensions. */
import { REASONS } from './reasons.js';
import type { RuleExport, TargetName } from './types.js';

/** The file extension of a target's query files. */
export const EXTENSIONS: Record<TargetName, string> = {
  eql: 'eql',
  esql: 'esql',
  'kibana-kql': 'kql',
  lucene: 'lucene',
  splunk: 'spl',
  sentinel: 'kql',
  qradar: 'aql',
  secops: 'yaral',
  athena: 'sql',
  bigquery: 'sql',
  sigma: 'yml',
};

/** One rule's export as annotated text: a `#` header (rule, target, approximations or failure) and the queries. */
export function renderExport(e: RuleExport): string {
  const head = [`# ${e.kind}: ${e.title} (${e.ruleId})`, `# target: ${e.target}`];
  if (e.result.status === 'failed') {
    return `${[...head, `# FAILED ${e.result.reason}: ${e.result.detail}`, `# ${REASONS[e.result.reason]}`].join('\n')}\n`;
  }
  for (const a of e.result.approximations) head.push(`# approximation ${a.code}: ${a.message}`);
  const body = e.result.queries.map((q) => `# on: ${q.on}\n${q.text.replace(/\n+$/, '')}`).join('\n\n');
  return `${head.join('\n')}\n${body}\n`;
}
