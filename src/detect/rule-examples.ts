/**
 * Rule examples: each rule `rules/<p>/<name>.yml` may have `rules/<p>/<name>.tests.yml` with events that must and
 * must not raise an alert. Every example goes through the real path a scan takes (format sniffing, reader,
 * prefilter, parser, matcher, alert grouping), with only that rule loaded, so an example proves the rule works on
 * records as the source writes them.
 *
 * ```yaml
 * rule: <rule id>
 * match:
 *   - name: what it shows
 *     record: { … }      # a raw record (CloudTrail record, Azure record, GCP LogEntry), or
 *     lines: |           # raw log lines (device logs; sub-mode lines after their parent)
 *     alerts: 1          # alerts the rule must raise (default 1)
 * no_match:
 *   - name: …
 * ```
 */
import { access, readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../core/diagnostic.js';
import { isObject } from '../core/json.js';
import type { FormatReader } from '../readers/types.js';
import type { ActiveRule } from './active-rule.js';
import { buildAlert, groupMatches } from './alerts.js';
import { scan } from './scan.js';
import type { FieldAliases } from './target.js';

/** Codes for example files (MW4100–MW4199). */
export const EXAMPLES = {
  missing: 'MW4101',
  malformed: 'MW4102',
  wrongRule: 'MW4103',
  inputProblem: 'MW4104',
} as const;

/** One example of a rule. */
export interface RuleExample {
  name: string;
  kind: 'match' | 'no_match';
  /** The input as a file would hold it. */
  text: string;
  expectedAlerts: number;
  line: number;
}

/** The outcome of one example. */
export interface ExampleResult {
  rule: { id: string; title: string; file: string };
  example: string;
  kind: 'match' | 'no_match';
  expectedAlerts: number;
  actualAlerts: number;
  pass: boolean;
  /** Why it failed, or problems reading the example. */
  problems: string[];
  /** Where the example is, `file:line`. */
  location: string;
}

/** The examples file of a rule file. */
export function examplesPathFor(ruleFile: string): string {
  return ruleFile.replace(/\.ya?ml$/i, '') + '.tests.yml';
}

/** Reads a rule's examples; problems are returned as diagnostics. */
export async function readExamples(rule: ActiveRule): Promise<{ file: string; examples: RuleExample[]; diagnostics: Diagnostic[] }> {
  const file = examplesPathFor(rule.file);
  const diagnostics: Diagnostic[] = [];
  try {
    await access(file);
  } catch {
    diagnostics.push({ code: EXAMPLES.missing, severity: 'warning', message: `rule "${rule.title}" has no examples (${file})`, file: rule.file });
    return { file, examples: [], diagnostics };
  }
  const text = await readFile(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const lineOf = (node: unknown): number => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lc.linePos(range[0]).line : 1;
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diagnostics.push({ code: EXAMPLES.malformed, severity: 'error', message: e.message, file, line: e.linePos?.[0]?.line });
    return { file, examples: [], diagnostics };
  }
  const data: unknown = doc.toJS();
  if (!isObject(data)) {
    diagnostics.push({ code: EXAMPLES.malformed, severity: 'error', message: 'expected a map with rule, match and no_match', file });
    return { file, examples: [], diagnostics };
  }
  if (data.rule !== rule.id) {
    diagnostics.push({ code: EXAMPLES.wrongRule, severity: 'error', message: `examples name rule ${String(data.rule)}, but ${rule.file} holds ${rule.id}`, file, line: 1 });
  }
  const examples: RuleExample[] = [];
  for (const kind of ['match', 'no_match'] as const) {
    const list = data[kind];
    if (list === undefined) continue;
    const node = doc.get(kind, true) as { items?: unknown[] } | undefined;
    if (!Array.isArray(list)) {
      diagnostics.push({ code: EXAMPLES.malformed, severity: 'error', message: `${kind} must be a list`, file, line: lineOf(node) });
      continue;
    }
    list.forEach((item, i) => {
      const line = lineOf(node?.items?.[i]);
      if (!isObject(item) || typeof item.name !== 'string') {
        diagnostics.push({ code: EXAMPLES.malformed, severity: 'error', message: `${kind}[${i}] needs a name`, file, line });
        return;
      }
      let input: string;
      if (typeof item.lines === 'string') input = item.lines;
      else if (typeof item.record === 'string') input = `${item.record}\n`;
      else if (isObject(item.record) || Array.isArray(item.record)) input = `${JSON.stringify(item.record)}\n`;
      else {
        diagnostics.push({ code: EXAMPLES.malformed, severity: 'error', message: `${kind}[${i}] "${item.name}" needs record or lines`, file, line });
        return;
      }
      const expected = kind === 'no_match' ? 0 : typeof item.alerts === 'number' ? item.alerts : 1;
      examples.push({ name: item.name, kind, text: input, expectedAlerts: expected, line });
    });
  }
  return { file, examples, diagnostics };
}

/** Runs one example through the engine with only `rule` loaded. */
export async function runExample(
  rule: ActiveRule,
  example: RuleExample,
  file: string,
  readers: readonly FormatReader[],
  aliases?: FieldAliases,
): Promise<ExampleResult> {
  const problems: string[] = [];
  const { matches, context } = await scan([{ path: `${file}#${example.name}`, mtimeMs: Date.now(), text: example.text }], {
    rules: [rule],
    readers,
    readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
    prefilter: true,
    aliases,
    unknownFormatIsError: true,
    report: (d) => {
      if (d.severity !== 'info') problems.push(`${d.code} ${d.message}`);
    },
  });
  const alerts = groupMatches(matches, aliases).map((g) => buildAlert(g, aliases, context));
  const pass = alerts.length === example.expectedAlerts && problems.length === 0;
  if (alerts.length !== example.expectedAlerts) {
    problems.unshift(`expected ${example.expectedAlerts} alert(s), got ${alerts.length}`);
  }
  return {
    rule: { id: rule.id, title: rule.title, file: rule.file },
    example: example.name,
    kind: example.kind,
    expectedAlerts: example.expectedAlerts,
    actualAlerts: alerts.length,
    pass,
    problems,
    location: `${file}:${example.line}`,
  };
}

/** Runs every example of every rule; rules without examples are reported in `untested`. */
export async function runRuleExamples(
  rules: readonly ActiveRule[],
  readers: readonly FormatReader[],
  aliases?: FieldAliases,
): Promise<{ results: ExampleResult[]; untested: ActiveRule[]; diagnostics: Diagnostic[] }> {
  const results: ExampleResult[] = [];
  const untested: ActiveRule[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const rule of rules) {
    const { file, examples, diagnostics: d } = await readExamples(rule);
    diagnostics.push(...d);
    if (examples.length === 0) {
      untested.push(rule);
      continue;
    }
    for (const ex of examples) results.push(await runExample(rule, ex, file, readers, aliases));
  }
  return { results, untested, diagnostics };
}
