/**
 * Correlation examples: each correlation rule `rules/correlations/<name>.yml` has `<name>.tests.yml` beside it with
 * sequences of raw records that must and must not raise its alert. A sequence goes through the real path a scan
 * takes (format sniffing, reader, prefilter, parser, matcher) with the rules the correlation refers to, then through
 * the correlation engine, and every hit is built into an alert. A sequence written as `records` is also run in
 * reverse order and must give the same result: CloudTrail files are unordered, and a correlation must not depend on
 * the order records were read.
 *
 * ```yaml
 * correlation: <correlation id>
 * match:
 *   - name: what it shows
 *     records: [ {…}, {…} ]   # raw cloud records (CloudTrail records, Azure records, GCP LogEntries), one file
 *     lines: |                 # or raw device log lines (sub-mode lines after their parent)
 *     files:                   # or several files, each with records or lines
 *       - records: [ … ]
 *     alerts: 1                # correlation alerts expected (default 1)
 * no_match:
 *   - name: wrong order / too far apart / another principal
 *     records: [ … ]
 * ```
 */
import { access, readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../core/diagnostic.js';
import { isObject } from '../core/json.js';
import type { FormatReader } from '../readers/types.js';
import { CORRELATION_EXAMPLES } from '../sigma/correlation-diagnostic-codes.js';
import { correlationId, planCorrelations, type CorrelationPlan } from '../sigma/correlation-plan.js';
import type { SigmaCorrelation } from '../sigma/index.js';
import type { ActiveRule } from './active-rule.js';
import { Correlator } from './correlate.js';
import { buildCorrelationAlert } from './correlation-alerts.js';
import type { ExampleResult } from './rule-examples.js';
import { scan } from './scan.js';
import type { FieldAliases } from './target.js';

/** One input file of an example. */
export interface ExampleFile {
  /** The text as a file would hold it. */
  text: string;
  /** The records, when written as records (for the reversed run). */
  records?: unknown[];
}

/** One example of a correlation. */
export interface CorrelationExample {
  name: string;
  kind: 'match' | 'no_match';
  files: ExampleFile[];
  expectedAlerts: number;
  line: number;
}

/** The examples file of a correlation rule file. */
export function correlationExamplesPath(ruleFile: string): string {
  return ruleFile.replace(/\.ya?ml$/i, '') + '.tests.yml';
}

function fileOf(item: Record<string, unknown>): ExampleFile | string {
  if (typeof item.lines === 'string') return { text: item.lines.endsWith('\n') ? item.lines : `${item.lines}\n` };
  if (Array.isArray(item.records)) {
    if (!item.records.every((r) => isObject(r) || typeof r === 'string')) return 'records must be a list of records';
    return { text: item.records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n', records: item.records };
  }
  return 'needs records, lines or files';
}

/** Reads a correlation's examples; problems are returned as diagnostics. */
export async function readCorrelationExamples(correlation: SigmaCorrelation): Promise<{ file: string; examples: CorrelationExample[]; diagnostics: Diagnostic[] }> {
  const file = correlationExamplesPath(correlation.source.file);
  const diagnostics: Diagnostic[] = [];
  const bad = (message: string, line?: number): void => {
    diagnostics.push({ code: CORRELATION_EXAMPLES.malformed.code, severity: 'error', message, file, ...(line !== undefined ? { line } : {}) });
  };
  try {
    await access(file);
  } catch {
    diagnostics.push({ code: CORRELATION_EXAMPLES.missing.code, severity: 'warning', message: `correlation "${correlation.title}" has no examples (${file})`, file: correlation.source.file });
    return { file, examples: [], diagnostics };
  }
  const text = await readFile(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) bad(e.message, e.linePos?.[0]?.line);
    return { file, examples: [], diagnostics };
  }
  const lineOf = (node: unknown): number => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lc.linePos(range[0]).line : 1;
  };
  const data: unknown = doc.toJS();
  if (!isObject(data)) {
    bad('expected a map with correlation, match and no_match');
    return { file, examples: [], diagnostics };
  }
  const id = correlationId(correlation);
  if (data.correlation !== id) {
    diagnostics.push({ code: CORRELATION_EXAMPLES.wrongCorrelation.code, severity: 'error', message: `examples name correlation ${String(data.correlation)}, but ${correlation.source.file} holds ${id}`, file, line: 1 });
  }
  const examples: CorrelationExample[] = [];
  for (const kind of ['match', 'no_match'] as const) {
    const list = data[kind];
    if (list === undefined) continue;
    const node = doc.get(kind, true) as { items?: unknown[] } | undefined;
    if (!Array.isArray(list)) {
      bad(`${kind} must be a list`, lineOf(node));
      continue;
    }
    list.forEach((item, i) => {
      const line = lineOf(node?.items?.[i]);
      if (!isObject(item) || typeof item.name !== 'string') {
        bad(`${kind}[${i}] needs a name`, line);
        return;
      }
      const files: ExampleFile[] = [];
      if (Array.isArray(item.files)) {
        for (const f of item.files) {
          const one = isObject(f) ? fileOf(f) : 'a file must be a map with records or lines';
          if (typeof one === 'string') {
            bad(`${kind}[${i}] "${item.name}": ${one}`, line);
            return;
          }
          files.push(one);
        }
      } else {
        const one = fileOf(item);
        if (typeof one === 'string') {
          bad(`${kind}[${i}] "${item.name}" ${one}`, line);
          return;
        }
        files.push(one);
      }
      const expected = kind === 'no_match' ? 0 : typeof item.alerts === 'number' ? item.alerts : 1;
      examples.push({ name: item.name, kind, files, expectedAlerts: expected, line });
    });
  }
  return { file, examples, diagnostics };
}

/** What running examples needs: every loaded rule and correlation, rule names, readers and field aliases. */
export interface CorrelationExampleContext {
  rules: readonly ActiveRule[];
  correlations: readonly SigmaCorrelation[];
  ruleNames?: ReadonlyMap<string, string>;
  readers: readonly FormatReader[];
  aliases?: FieldAliases;
}

/** The rules and correlations a correlation needs, following chains. */
function closure(plan: CorrelationPlan, id: string): { ruleIds: Set<string>; correlationIds: Set<string> } {
  const ruleIds = new Set<string>();
  const correlationIds = new Set<string>();
  const visit = (cid: string): void => {
    if (correlationIds.has(cid)) return;
    const p = plan.correlations.find((c) => c.id === cid);
    if (p === undefined) return;
    correlationIds.add(cid);
    p.steps.forEach((s, k) => (p.stepIsCorrelation[k] ? visit(s) : ruleIds.add(s)));
  };
  visit(id);
  return { ruleIds, correlationIds };
}

/** Scans the files with `rules` and correlates: the number of alerts of correlation `id`, and problems. */
async function countAlerts(
  files: readonly ExampleFile[],
  label: string,
  id: string,
  rules: readonly ActiveRule[],
  correlations: readonly SigmaCorrelation[],
  ctx: CorrelationExampleContext,
): Promise<{ alerts: number; problems: string[] }> {
  const problems: string[] = [];
  const report = (d: Diagnostic): void => {
    if (d.severity !== 'info') problems.push(`${d.code} ${d.message}`);
  };
  const { matches, context } = await scan(
    files.map((f, k) => ({ path: `${label}#${k + 1}`, mtimeMs: Date.now(), text: f.text })),
    {
      rules,
      readers: ctx.readers,
      readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
      prefilter: true,
      aliases: ctx.aliases,
      unknownFormatIsError: true,
      report,
    },
  );
  const rulesById = new Map(rules.map((r) => [r.id, r]));
  const correlator = new Correlator(correlations, rulesById, { ruleNames: ctx.ruleNames, aliases: ctx.aliases, report });
  correlator.add(matches);
  const hits = correlator.finish(true).filter((h) => correlationId(h.correlation) === id);
  // Every hit must make a complete alert.
  for (const h of hits) buildCorrelationAlert(h, { rulesById, context });
  return { alerts: hits.length, problems };
}

/** Runs one example through the readers, the referenced rules and the correlation engine. */
export async function runCorrelationExample(
  correlation: SigmaCorrelation,
  example: CorrelationExample,
  file: string,
  ctx: CorrelationExampleContext,
  plan?: CorrelationPlan,
): Promise<ExampleResult> {
  const id = correlationId(correlation);
  const thePlan = plan ?? planFor(ctx).plan;
  const need = closure(thePlan, id);
  const rules = ctx.rules.filter((r) => need.ruleIds.has(r.id));
  const correlations = ctx.correlations.filter((c) => need.correlationIds.has(correlationId(c)));
  const label = `${file}#${example.name}`;
  const problems: string[] = [];
  if (!need.correlationIds.has(id)) problems.push('the correlation cannot run (see the diagnostics of its rule file)');
  const first = await countAlerts(example.files, label, id, rules, correlations, ctx);
  problems.push(...first.problems);
  if (first.alerts !== example.expectedAlerts) problems.unshift(`expected ${example.expectedAlerts} alert(s), got ${first.alerts}`);
  if (example.files.every((f) => f.records !== undefined)) {
    const reversed = [...example.files].reverse().map((f) => {
      const records = [...(f.records ?? [])].reverse();
      return { records, text: records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n' };
    });
    const second = await countAlerts(reversed, `${label} (reversed)`, id, rules, correlations, ctx);
    if (second.alerts !== first.alerts) problems.push(`the result depends on record order: ${first.alerts} alert(s) as written, ${second.alerts} with the records reversed`);
  }
  return {
    rule: { id, title: correlation.title, file: correlation.source.file },
    example: example.name,
    kind: example.kind,
    expectedAlerts: example.expectedAlerts,
    actualAlerts: first.alerts,
    pass: problems.length === 0,
    problems,
    location: `${file}:${example.line}`,
  };
}

/** Resolves every loaded correlation against every loaded rule (by id and by name). */
function planFor(ctx: CorrelationExampleContext): { plan: CorrelationPlan; diagnostics: Diagnostic[] } {
  const namesById = new Map<string, string>();
  for (const [name, rid] of ctx.ruleNames ?? []) if (!namesById.has(rid)) namesById.set(rid, name);
  return planCorrelations(
    ctx.correlations,
    ctx.rules.map((r) => ({ id: r.id, name: namesById.get(r.id) })),
  );
}

/** Runs every example of every correlation; correlations without examples are reported in `untested`. */
export async function runCorrelationExamples(ctx: CorrelationExampleContext): Promise<{ results: ExampleResult[]; untested: SigmaCorrelation[]; diagnostics: Diagnostic[] }> {
  const { plan, diagnostics } = planFor(ctx);
  const results: ExampleResult[] = [];
  const untested: SigmaCorrelation[] = [];
  for (const correlation of ctx.correlations) {
    const { file, examples, diagnostics: d } = await readCorrelationExamples(correlation);
    diagnostics.push(...d);
    if (examples.length === 0) {
      untested.push(correlation);
      continue;
    }
    for (const ex of examples) results.push(await runCorrelationExample(correlation, ex, file, ctx, plan));
  }
  return { results, untested, diagnostics };
}
