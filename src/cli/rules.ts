/** `mirrorwatch rules lint|list`: check rule files, list loaded rules. */
import type { Command } from 'commander';
import { CLI } from './cli-diagnostic-codes.js';
import { collect, ruleDirs, UsageError, type SetCode } from './command-helpers.js';
import { BUNDLED_RULES } from './paths.js';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { loadRuleSet } from '../detect/rule-set.js';
import { lintRuleFiles } from '../sigma/index.js';

/** Lints rule files; exit 0 when clean, 1 when there are warnings only, 2 on errors. */
export async function runRulesLint(paths: string[], format: 'text' | 'json'): Promise<number> {
  const diagnostics = await lintRuleFiles(paths);
  if (format === 'json') process.stdout.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
  else {
    for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    process.stderr.write(`${errors} error(s), ${warnings} warning(s), ${diagnostics.length - errors - warnings} note(s)\n`);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return 2;
  return diagnostics.some((d) => d.severity === 'warning') ? 1 : 0;
}

/** Lists the rules a scan would run. */
export async function runRulesList(paths: string[]): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const rules = await loadRuleSet(paths, (d) => diagnostics.push(d));
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const rows = rules.map((r) => [r.level, [r.logsource.product, r.logsource.service, r.logsource.category].filter(Boolean).join('/'), r.title, r.id]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 5));
  for (const row of rows) process.stdout.write(`${row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ')}\n`);
  process.stderr.write(`${rules.length} rule(s)\n`);
  return diagnostics.some((d) => d.severity === 'error') ? 2 : 0;
}

/** Adds `rules lint` and `rules list` to the command line. */
export function registerRules(root: Command, setCode: SetCode): void {
  const rules = root.command('rules').description('work with rule files');
  rules
    .command('lint')
    .description('check Sigma rule files and report numbered diagnostics with file:line')
    .argument('[paths...]', 'rule files or directories (default: the bundled pack)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (paths: string[], o: { format: string }) => {
      if (o.format !== 'text' && o.format !== 'json') throw new UsageError(`${CLI.badOption.code} --format: expected text or json`);
      setCode(await runRulesLint(paths.length ? paths : [BUNDLED_RULES], o.format));
    });
  rules
    .command('list')
    .description('list the loaded rules with level and log source')
    .option('-r, --rules <dir>', 'rule file or directory (repeatable)', collect)
    .action(async (o: { rules?: string[] }) => {
      setCode(await runRulesList(ruleDirs(o.rules)));
    });
}
