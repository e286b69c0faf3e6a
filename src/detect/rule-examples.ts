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
 *
 * The same engine checks a whole directory against the alerts it must raise (`checkExpectedAlerts`, used by
 * `mirrorwatch test --scenarios` on simulated telemetry and its manifest): exactly those alerts, none missing and
 * none extra.
 */
import { access, readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { AlertDocument } from '../core/alert.js';
import type { Diagnostic } from '../core/diagnostic.js';
import { isObject } from '../core/json.js';
import { expandInputs } from '../readers/source.js';
import type { AnyFormatReader, FormatReader } from '../readers/types.js';
import type { SigmaCorrelation } from '../sigma/index.js';
import { MemoryStateStore } from '../store/memory.js';
import { runAlertPipeline } from './alert-pipeline.js';
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

// ---------------------------------------------------------------------------------------------------------------
// Expected alerts of a directory of telemetry (scenario manifests, `mirrorwatch test --scenarios`)

/** One alert a directory must raise, as a simulation manifest's `expected_alerts` lists it. */
export interface ExpectedAlert {
  rule_id: string;
  rule_name: string;
  severity: string;
  /** Identifiers the alert's message must contain. */
  message_mentions: string[];
  /**
   * Natural keys of records that must be among the alert's evidence: a CloudTrail `eventID`, an Azure
   * `correlationId`, a GCP `operation.id` or `insertId`, or a device line as `path:line` relative to the directory.
   */
  evidence: string[];
  why?: string;
}

/** An alert raised that no expectation accounts for. */
export interface UnexpectedAlert {
  rule_id: string;
  rule_name: string;
  /** The level an expectation of it must name: the rule's (or correlation's) level, `scoring.base_level`. */
  severity: string;
  /** The severity after risk scoring (`mirrorwatch.severity`), which expectations do not name. */
  final_severity: string;
  message: string;
  evidence: string[];
}

/** The outcome of checking a directory against its expected alerts: exact, no alert missing and none extra. */
export interface ExpectationResult {
  pass: boolean;
  expected: number;
  actual: number;
  missing: { alert: ExpectedAlert; reason: string }[];
  extra: UnexpectedAlert[];
  /** Input problems (any error diagnostic fails the check). */
  problems: string[];
  /** Ids of the rules the alerts came from, including rules they superseded (`also_matched`). */
  rulesRaised: string[];
  records: number;
  files: number;
}

/** The natural keys an alert's evidence carries (see `ExpectedAlert.evidence`). */
function evidenceKeys(alert: AlertDocument, root: string): Set<string> {
  const keys = new Set<string>();
  for (const e of alert.mirrorwatch.evidence) {
    const r = e.record;
    if (isObject(r)) {
      for (const k of ['eventID', 'correlationId', 'insertId']) if (typeof r[k] === 'string') keys.add(r[k] as string);
      const op = r.operation;
      if (isObject(op) && typeof op.id === 'string') keys.add(op.id);
    }
    if (e.location.line !== undefined) keys.add(`${relative(root, e.location.file).split(sep).join('/')}:${e.location.line}`);
  }
  return keys;
}

/**
 * The level expectations name: the rule's level. Risk scoring may move an enriched alert's severity and keeps the
 * level as `scoring.base_level`.
 */
function levelOf(alert: AlertDocument): string {
  const scoring = alert.mirrorwatch.scoring;
  return isObject(scoring) && typeof scoring.base_level === 'string' ? scoring.base_level : alert.mirrorwatch.severity;
}

/** Why `alert` does not satisfy `want` (empty when it does). */
function mismatch(want: ExpectedAlert, alert: AlertDocument, keys: Set<string>): string {
  const rule = alert.rule as { id?: string };
  if (rule.id !== want.rule_id) return 'another rule';
  const level = levelOf(alert);
  if (level !== want.severity) return `severity ${level}, expected ${want.severity}`;
  const absent = want.message_mentions.filter((m) => !alert.message.includes(m));
  if (absent.length > 0) return `message lacks ${absent.map((m) => JSON.stringify(m)).join(', ')}: ${JSON.stringify(alert.message)}`;
  const lost = want.evidence.filter((k) => !keys.has(k));
  if (lost.length > 0) return `evidence lacks ${lost.join(', ')}`;
  return '';
}

/** How a list of alerts compares with the expected ones. */
export interface AlertComparison {
  missing: { alert: ExpectedAlert; reason: string }[];
  extra: UnexpectedAlert[];
  /** Ids of the rules the alerts came from, including rules they superseded (`also_matched`). */
  rulesRaised: string[];
}

/**
 * Matches alerts one to one against expected ones: each expected alert to an alert of its rule and level whose
 * message names every mention and whose evidence holds every listed record. An expected alert without a partner is
 * missing, an alert without one is extra. Alerts of every level count (informational ones too). `root` is the
 * directory device evidence paths are relative to.
 */
export function matchExpectedAlerts(expected: readonly ExpectedAlert[], alerts: readonly AlertDocument[], root: string): AlertComparison {
  const keys = alerts.map((a) => evidenceKeys(a, root));
  // One-to-one assignment by augmenting paths (Kuhn's algorithm): greedy matching could pair an expectation with an
  // alert another expectation needs more.
  const fits = expected.map((want) => alerts.map((a, j) => mismatch(want, a, keys[j]) === ''));
  const partnerOfAlert = new Array<number>(alerts.length).fill(-1);
  const tryAssign = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < alerts.length; j++) {
      if (!fits[i][j] || seen[j]) continue;
      seen[j] = true;
      if (partnerOfAlert[j] < 0 || tryAssign(partnerOfAlert[j], seen)) {
        partnerOfAlert[j] = i;
        return true;
      }
    }
    return false;
  };
  const assigned = expected.map((_, i) => tryAssign(i, new Array<boolean>(alerts.length).fill(false)));
  const missing = expected
    .filter((_, i) => !assigned[i])
    .map((alert) => {
      // An unpaired alert of the same rule says best what is wrong.
      const sameRule = alerts.map((a, j) => ({ a, j })).filter(({ a }) => (a.rule as { id?: string }).id === alert.rule_id);
      const free = sameRule.filter(({ j }) => partnerOfAlert[j] < 0);
      let reason: string;
      if (sameRule.length === 0) reason = 'no alert of this rule';
      else if (free.length === 0) reason = `each of the ${sameRule.length} alert(s) of this rule is paired with another expectation`;
      else reason = mismatch(alert, free[0].a, keys[free[0].j]);
      return { alert, reason };
    });
  const extra: UnexpectedAlert[] = alerts
    .filter((_, j) => partnerOfAlert[j] < 0)
    .map((a) => {
      const rule = a.rule as { id?: string; name?: string };
      // The level, not the scored severity: what an expectation of this alert would have to name.
      return { rule_id: String(rule.id), rule_name: String(rule.name), severity: levelOf(a), final_severity: a.mirrorwatch.severity, message: a.message, evidence: [...evidenceKeys(a, root)] };
    });
  const rulesRaised = new Set<string>();
  for (const a of alerts) {
    rulesRaised.add(String((a.rule as { id?: string }).id));
    const also = a.mirrorwatch.also_matched;
    if (Array.isArray(also)) for (const r of also) if (isObject(r) && typeof r.id === 'string') rulesRaised.add(r.id);
  }
  return { missing, extra, rulesRaised: [...rulesRaised].sort() };
}

/**
 * Scans a directory with the real engine (the path `scan` takes: sources, readers, prefilter, rules, grouping, alert
 * documents) and compares the alerts with the expected ones (`matchExpectedAlerts`). Exact: nothing missing, nothing
 * extra, and no input error.
 */
export async function checkExpectedAlerts(
  dir: string,
  expected: readonly ExpectedAlert[],
  opts: {
    rules: readonly ActiveRule[];
    readers: readonly AnyFormatReader[];
    aliases?: FieldAliases;
    correlations?: { correlations: SigmaCorrelation[]; ruleNames: Map<string, string> };
  },
): Promise<ExpectationResult> {
  const problems: string[] = [];
  const report = (d: Diagnostic) => {
    if (d.severity === 'error') problems.push(`${d.code} ${d.file ?? ''}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`);
  };
  const inputs = await expandInputs([dir], report);
  const { matches, findings, context, stats } = await scan(inputs, {
    rules: opts.rules,
    readers: opts.readers,
    readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
    prefilter: true,
    aliases: opts.aliases,
    unknownFormatIsError: true,
    report,
  });
  // The whole alert pipeline a `scan --no-state` runs: rule, correlation and analytic alerts, enriched.
  const store = new MemoryStateStore();
  const { alerts } = runAlertPipeline({
    matches,
    findings,
    context,
    rules: opts.rules,
    aliases: opts.aliases,
    correlations: opts.correlations ?? { correlations: [], ruleNames: new Map() },
    store,
    stateful: false,
    now: new Date(),
    report,
  });
  const c = matchExpectedAlerts(expected, alerts, dir);
  return {
    pass: c.missing.length === 0 && c.extra.length === 0 && problems.length === 0,
    expected: expected.length,
    actual: alerts.length,
    ...c,
    problems,
    records: stats.records,
    files: stats.filesRead,
  };
}
