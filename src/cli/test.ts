/** `mirrorwatch test`: run every rule's example events through the real engine and print a pass/fail table. */
import type { Command } from 'commander';
import { CLI } from './cli-diagnostic-codes.js';
import { collect, ruleDirs, UsageError, type SetCode } from './command-helpers.js';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { runRuleExamples } from '../detect/rule-examples.js';
import { loadAliases, loadRuleSet } from '../detect/rule-set.js';
import { READERS } from '../readers/registry.js';
import { MAPPINGS_DIR } from './paths.js';

/** Runs the examples; exit 0 when all pass, 1 when any fails, 2 when rules or examples cannot be read. */
export async function runTest(paths: string[], format: 'table' | 'json'): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  const rules = await loadRuleSet(paths, report);
  const aliases = await loadAliases(MAPPINGS_DIR, report);
  const { results, untested, diagnostics: exampleDiags } = await runRuleExamples(rules, READERS, aliases);
  diagnostics.push(...exampleDiags);
  const failed = results.filter((r) => !r.pass);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ results, untested: untested.map((r) => ({ id: r.id, title: r.title, file: r.file })), diagnostics }, null, 2)}\n`);
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
    process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed, ${untested.length} rule(s) without examples, ${rules.length} rule(s)\n`);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return 2;
  return failed.length > 0 ? 1 : 0;
}

/** Adds `test` to the command line. */
export function registerTest(root: Command, setCode: SetCode): void {
  root
    .command('test')
    .description('run every rule\'s example events (<rule>.tests.yml) through the real readers and engine')
    .option('-r, --rules <dir>', 'rule file or directory (repeatable)', collect)
    .option('--format <format>', 'table or json', 'table')
    .action(async (o: { rules?: string[]; format: string }) => {
      if (o.format !== 'table' && o.format !== 'json') throw new UsageError(`${CLI.badOption.code} --format: expected table or json`);
      setCode(await runTest(ruleDirs(o.rules), o.format));
    });
}
