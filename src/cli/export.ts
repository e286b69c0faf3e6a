/**
 * `mirrorwatch export --target T|all [--rules DIR] [--out DIR] [--report] [--corpus PATH]`: compiles the rules for
 * SIEM targets. Without `--out` the queries are printed (annotated); with it, each target gets a directory with one
 * query file per rule, a `manifest.json` (results, failures with reasons, approximations) and its package.
 * `--report` prints the coverage report and the seed comparison over the corpus (default: the bundled examples and
 * every rule's examples).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { loadAliases, loadRuleSet } from '../detect/rule-set.js';
import { compileAll, fieldMapFor } from '../export/compile.js';
import { buildCorpus, filesUnder, ruleExampleInputs } from '../export/corpus.js';
import { packageFiles, type PackagedRule } from '../export/packages.js';
import { EXTENSIONS, renderExport } from '../export/render.js';
import { coverageOf, fullReport, type TargetCoverage, type TargetExports } from '../export/report.js';
import { isTargetName, TARGET_NAMES, type TargetName } from '../export/types.js';
import { loadRuleFiles } from '../sigma/index.js';
import { CLI } from './cli-diagnostic-codes.js';
import { collect, ruleDirs, UsageError, type SetCode } from './command-helpers.js';
import { MAPPINGS_DIR, PACKAGE_ROOT } from './paths.js';

interface ExportOptions {
  target: string;
  rules?: string[];
  out?: string;
  report?: boolean;
  corpus?: string[];
  mappings?: string;
}

/** Runs the export; returns the exit code (2 on rule or field-map errors). */
export async function runExport(o: ExportOptions): Promise<number> {
  const targets: TargetName[] = o.target === 'all' ? [...TARGET_NAMES] : isTargetName(o.target) ? [o.target] : [];
  if (targets.length === 0) throw new UsageError(`${CLI.badOption.code} --target: expected one of ${TARGET_NAMES.join(', ')} or all`);
  const diagnostics: Diagnostic[] = [];
  const dirs = ruleDirs(o.rules);
  const loaded = await loadRuleFiles(dirs);
  diagnostics.push(...loaded.diagnostics.filter((d) => d.severity === 'error'));
  if (loaded.rules.length === 0 && loaded.correlations.length === 0) {
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    throw new UsageError(`${CLI.rules.code} no rules were loaded from ${dirs.join(', ')}`);
  }
  const docs = new Map([...loaded.rules, ...loaded.correlations].map((d) => [d.id ?? d.title, d]));
  const coverage: TargetCoverage[] = [];
  const compiled: TargetExports[] = [];
  for (const target of targets) {
    const map = await fieldMapFor(o.mappings ?? MAPPINGS_DIR, target, (d) => diagnostics.push(d));
    const exports = compileAll(target, map, loaded.rules, loaded.correlations);
    coverage.push(coverageOf(target, exports));
    compiled.push({ target, exports, map });
    if (o.out !== undefined) {
      const dir = join(o.out, target);
      const files = new Map<string, string>();
      for (const e of exports) if (e.result.status === 'compiled') files.set(`queries/${e.stem}.${EXTENSIONS[target]}`, `${e.result.queries.map((q) => q.text.replace(/\n+$/, '')).join('\n\n')}\n`);
      files.set('manifest.json', `${JSON.stringify(exports, null, 2)}\n`);
      const packaged: PackagedRule[] = exports.flatMap((e) => {
        const doc = docs.get(e.ruleId);
        return doc ? [{ doc, export: e }] : [];
      });
      for (const [name, text] of packageFiles(target, packaged, map)) files.set(name, text);
      for (const [name, text] of files) {
        const path = join(dir, name);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
      }
      process.stderr.write(`${target}: ${exports.filter((e) => e.result.status === 'compiled').length}/${exports.length} compiled → ${dir}\n`);
    } else if (!o.report) {
      for (const e of exports) process.stdout.write(`${renderExport(e)}\n`);
    }
  }
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (o.report) {
    const report: Diagnostic[] = [];
    const rules = await loadRuleSet(dirs, (d) => report.push(d));
    const aliases = await loadAliases(o.mappings ?? MAPPINGS_DIR, () => undefined);
    const corpusPaths = o.corpus && o.corpus.length ? o.corpus : [join(PACKAGE_ROOT, 'examples')];
    const inputs = [...(await filesUnder(corpusPaths, 'corpus')), ...(await ruleExampleInputs(rules))];
    const records = await buildCorpus(inputs, rules, aliases);
    const levels = new Map(loaded.rules.map((r) => [r.id ?? r.title, r.level]));
    const text = fullReport(coverage, compiled, records, levels, `${corpusPaths.join(', ')} and the rules' examples`);
    process.stdout.write(text);
    if (o.out !== undefined) await writeFile(join(o.out, 'report.md'), text);
  }
  return diagnostics.some((d) => d.severity === 'error') ? 2 : 0;
}

/** Adds `export` to the command line. */
export function registerExport(root: Command, setCode: SetCode): void {
  root
    .command('export')
    .description('compile the rules to SIEM queries and deployable packages')
    .requiredOption('-t, --target <target>', `${TARGET_NAMES.join(', ')} or all`)
    .option('-r, --rules <dir>', 'rule file or directory, repeatable (default: the bundled pack)', collect)
    .option('-o, --out <dir>', 'write query files, manifest.json and packages under DIR/<target>/')
    .option('--report', 'print the coverage report and the seed comparison')
    .option('--corpus <path>', 'files or directories the report evaluates (default: the bundled examples), repeatable', collect)
    .option('--mappings <dir>', 'directory of field maps (default: the bundled mappings/)')
    .action(async (o: ExportOptions) => {
      setCode(await runExport(o));
    });
}
