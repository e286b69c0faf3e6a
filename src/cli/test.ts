/**
 * `mirrorwatch test`: run every rule's example events through the real engine and, with `--scenarios`, generate each
 * scenario's telemetry, scan it the way `scan` does and compare the alerts with its manifest; one pass/fail table.
 */
import type { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './cli-diagnostic-codes.js';
import { collect, ruleDirs, UsageError, type SetCode } from './command-helpers.js';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import type { ActiveRule } from '../detect/active-rule.js';
import { checkExpectedAlerts, runRuleExamples, type ExpectationResult } from '../detect/rule-examples.js';
import { loadAliases, loadRuleSet } from '../detect/rule-set.js';
import type { FieldAliases } from '../detect/target.js';
import { ALL_READERS, READERS } from '../readers/registry.js';
import { loadCorrelations } from '../detect/correlate.js';
import { runCorrelationExamples } from '../detect/correlation-examples.js';
import type { SigmaCorrelation } from '../sigma/index.js';
import { SIMULATE } from '../simulate/diagnostic-codes.js';
import { DEFAULTS, writeScenario } from '../simulate/generate.js';
import { SCENARIOS, scenarioNamed } from '../simulate/scenarios.js';
import type { Scenario } from '../simulate/types.js';
import { MAPPINGS_DIR, VERSION } from './paths.js';

/** Which scenarios to check, and how to generate them. */
export interface ScenarioSelection {
  /** Scenario names; empty for all. */
  names: string[];
  noise: number;
  seed: string;
}

/** One scenario's check. */
export interface ScenarioResult extends ExpectationResult {
  scenario: string;
  benign: boolean;
  elapsedMs: number;
}

/** Generates each scenario into a temporary directory, scans it and compares the alerts with its manifest. */
export async function runScenarioChecks(
  scenarios: readonly Scenario[],
  sel: Omit<ScenarioSelection, 'names'>,
  engine: {
    rules: readonly ActiveRule[];
    aliases?: FieldAliases;
    correlations?: { correlations: SigmaCorrelation[]; ruleNames: Map<string, string> };
  },
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    const started = performance.now();
    const dir = await mkdtemp(join(tmpdir(), `mirrorwatch-${s.name}-`));
    try {
      const manifest = await writeScenario(s, dir, { seed: sel.seed, startMs: DEFAULTS.startMs, account: DEFAULTS.account, noise: sel.noise, generator: `mirrorwatch ${VERSION}` });
      const check = await checkExpectedAlerts(dir, manifest.expected_alerts, {
        rules: engine.rules,
        readers: ALL_READERS,
        aliases: engine.aliases,
        correlations: engine.correlations,
      });
      // The manifest's count: the scan's own counter counts a container line its prefilter skipped whole as one.
      results.push({ ...check, records: manifest.counts.records, scenario: s.name, benign: s.benign, elapsedMs: performance.now() - started });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/** Runs the examples (and scenarios); exit 0 when all pass, 1 when any fails, 2 when rules or examples cannot be read. */
export async function runTest(paths: string[], format: 'table' | 'json', selection?: ScenarioSelection): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  const rules = await loadRuleSet(paths, report);
  const aliases = await loadAliases(MAPPINGS_DIR, report);
  const correlations = await loadCorrelations(paths);
  const ruleRun = await runRuleExamples(rules, READERS, aliases);
  const corrRun = await runCorrelationExamples({ rules, correlations: correlations.correlations, ruleNames: correlations.ruleNames, readers: READERS, aliases });
  const results = [...ruleRun.results, ...corrRun.results];
  const untested = ruleRun.untested;
  diagnostics.push(...ruleRun.diagnostics, ...corrRun.diagnostics);
  let scenarios: Scenario[] = [];
  if (selection) {
    if (selection.names.length === 0) scenarios = [...SCENARIOS];
    for (const n of selection.names) {
      const s = scenarioNamed(n);
      if (s) scenarios.push(s);
      else diagnostics.push({ code: SIMULATE.unknownScenario.code, severity: 'error', message: `no scenario "${n}" (mirrorwatch simulate --list shows them)`, file: '--scenarios' });
    }
  }
  const checks = await runScenarioChecks(scenarios, { noise: selection?.noise ?? 0, seed: selection?.seed ?? DEFAULTS.seed }, { rules, aliases, correlations });
  const failed = results.filter((r) => !r.pass);
  const failedScenarios = checks.filter((c) => !c.pass);
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ results, untested: untested.map((r) => ({ id: r.id, title: r.title, file: r.file })), scenarios: checks, diagnostics }, null, 2)}\n`,
    );
  } else {
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    let current = '';
    for (const r of results) {
      if (r.rule.id !== current) {
        current = r.rule.id;
        process.stdout.write(`${r.rule.title}  (${r.rule.file})\n`);
      }
      process.stdout.write(`  ${r.pass ? 'pass' : 'FAIL'}  ${r.kind === 'match' ? 'match   ' : 'no match'}  ${r.example}\n`);
      if (!r.pass) for (const p of r.problems) process.stdout.write(`          ${p}  [${r.location}]\n`);
    }
    if (checks.length > 0) printScenarios(checks, rules, selection?.names.length === 0);
    process.stdout.write(
      `\n${results.length - failed.length} passed, ${failed.length} failed, ${untested.length} rule(s) without examples, ${rules.length} rule(s), ${correlations.correlations.length} correlation(s)` +
        (checks.length > 0 ? `; scenarios: ${checks.length - failedScenarios.length} passed, ${failedScenarios.length} failed` : '') +
        '\n',
    );
  }
  if (diagnostics.some((d) => d.severity === 'error')) return 2;
  return failed.length > 0 || failedScenarios.length > 0 ? 1 : 0;
}

/** The scenario rows of the table, with what failed and which rules no scenario raises. */
function printScenarios(checks: readonly ScenarioResult[], rules: readonly ActiveRule[], all: boolean): void {
  const width = Math.max(...checks.map((c) => c.scenario.length));
  process.stdout.write(`\nScenarios (generated, scanned, alerts compared with manifest.json)\n`);
  for (const c of checks) {
    const kind = c.benign ? 'benign' : 'attack';
    process.stdout.write(`  ${c.pass ? 'pass' : 'FAIL'}  ${c.scenario.padEnd(width)}  ${kind}  ${c.actual} alert(s), ${c.expected} expected  (${c.records.toLocaleString('en-US')} records, ${(c.elapsedMs / 1000).toFixed(2)} s)\n`);
    for (const p of c.problems) process.stdout.write(`          input: ${p}\n`);
    for (const m of c.missing) process.stdout.write(`          missing: ${m.alert.rule_name} (${m.alert.severity}) mentioning ${m.alert.message_mentions.join(', ')}: ${m.reason}\n`);
    for (const e of c.extra) process.stdout.write(`          extra:   ${e.rule_name} (${e.severity}): ${e.message}\n`);
  }
  if (all) {
    const raised = new Set(checks.flatMap((c) => c.rulesRaised));
    const silent = rules.filter((r) => !raised.has(r.id));
    process.stdout.write(`  Scenarios exercise ${rules.length - silent.length} of ${rules.length} rule(s)${silent.length ? `; not: ${silent.map((r) => r.title).join('; ')}` : ''} (a rule another rule supersedes counts as exercised).\n`);
  }
}

/** Adds `test` to the command line. */
export function registerTest(root: Command, setCode: SetCode): void {
  root
    .command('test')
    .description('run every rule\'s example events (<rule>.tests.yml) through the real readers and engine; with --scenarios, check simulated scenarios against their manifests')
    .option('-r, --rules <dir>', 'rule file or directory (repeatable)', collect)
    .option('--format <format>', 'table or json', 'table')
    .option('--scenarios [names...]', 'also generate these scenarios (all when none is named), scan them and compare the alerts with their manifests')
    .option('--noise <n>', 'background records per platform in each scenario', '0')
    .option('--seed <n>', 'seed of the scenarios', DEFAULTS.seed)
    .action(async (o: { rules?: string[]; format: string; scenarios?: boolean | string[]; noise: string; seed: string }) => {
      if (o.format !== 'table' && o.format !== 'json') throw new UsageError(`${CLI.badOption.code} --format: expected table or json`);
      if (!/^\d{1,7}$/.test(o.noise)) throw new UsageError(`${SIMULATE.badNoise.code} --noise: "${o.noise}" is not a whole number of records (at most 9,999,999)`);
      if (!/^\d{1,16}$/.test(o.seed)) throw new UsageError(`${SIMULATE.badSeed.code} --seed: "${o.seed}" is not a whole number`);
      const selection = o.scenarios === undefined ? undefined : { names: Array.isArray(o.scenarios) ? o.scenarios : [], noise: Number(o.noise), seed: String(Number(o.seed)) };
      setCode(await runTest(ruleDirs(o.rules), o.format, selection));
    });
}
