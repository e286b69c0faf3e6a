/**
 * `mirrorwatch runbook TEST [--account … --eni …]`: prints the commands a purple team runs for one of the seed's four
 * tests (AWS CLI, az, gcloud, Cisco IOS-XE), their clean-up, and the telemetry and alerts to expect, filled in with
 * the user's identifiers. Printed only; never executed. `--list` shows the runbooks and their options.
 */
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { SIMULATE } from '../simulate/diagnostic-codes.js';
import { IDENTIFIERS } from '../simulate/identifiers.js';
import { RUNBOOK_OPTIONS, RUNBOOKS, runbookNamed } from '../simulate/runbooks.js';
import type { SetCode } from './command-helpers.js';

/** The option's key in commander's result (`--target-eni` → `targetEni`). */
function key(option: string): string {
  return option.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The placeholder printed for an identifier that was not given. */
function placeholder(option: string): string {
  return `<${option.slice(2)}>`;
}

/** Prints the runbook list. */
function list(): void {
  for (const r of RUNBOOKS) {
    process.stdout.write(`${r.name.padEnd(22)} ${r.title}\n`);
    for (const p of r.params) {
      const kind = IDENTIFIERS[p.kind];
      process.stdout.write(`    ${`${p.option} <${kind.what}>`.padEnd(46)} ${p.description}${p.default !== undefined ? ` (default ${p.default})` : ''}, e.g. ${kind.example}\n`);
    }
  }
}

/** Validates the identifiers and renders; exit 0 printed, 2 when an identifier is malformed or the runbook unknown. */
export function runRunbook(name: string | undefined, o: Record<string, unknown>): number {
  if (o.list === true) {
    list();
    return 0;
  }
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => {
    diagnostics.push(d);
    process.stderr.write(`${formatDiagnostic(d)}\n`);
  };
  const runbook = name === undefined ? undefined : runbookNamed(name);
  if (!runbook) {
    report({
      code: SIMULATE.unknownRunbook.code,
      severity: 'error',
      message: `${name === undefined ? 'name a runbook' : `no runbook "${name}"`}: ${RUNBOOKS.map((r) => r.name).join(', ')} (runbook --list shows their options)`,
    });
    return 2;
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of runbook.params) {
    const given = o[key(p.option)];
    if (typeof given === 'string') {
      const problem = IDENTIFIERS[p.kind].check(given);
      if (problem) report({ code: SIMULATE.badIdentifier.code, severity: 'error', message: `"${given}" is not a valid ${IDENTIFIERS[p.kind].what}: ${problem} (e.g. ${IDENTIFIERS[p.kind].example})`, file: p.option });
      values[p.option] = given;
    } else if (p.default !== undefined) {
      values[p.option] = p.default;
    } else {
      values[p.option] = placeholder(p.option);
      missing.push(p.option);
    }
  }
  for (const option of RUNBOOK_OPTIONS) {
    if (typeof o[key(option)] === 'string' && !runbook.params.some((p) => p.option === option)) {
      report({ code: SIMULATE.unusedIdentifier.code, severity: 'warning', message: `the ${runbook.name} runbook does not use ${option}; ignored`, file: option });
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return 2;
  if (missing.length > 0) {
    process.stdout.write(`> Placeholders left: ${missing.map((m) => `${placeholder(m)} (${m})`).join(', ')}. Give the options to fill them in.\n\n`);
  }
  process.stdout.write(`${runbook.render(values)}\n`);
  return 0;
}

/** Adds `runbook` to the command line. */
export function registerRunbook(root: Command, setCode: SetCode): void {
  const cmd = root
    .command('runbook')
    .description('print the commands, clean-up, telemetry and expected alerts of a purple-team test (never executed)')
    .argument('[test]', RUNBOOKS.map((r) => r.name).join(', '))
    .option('--list', 'list the runbooks and their options');
  const seen = new Set<string>();
  for (const r of RUNBOOKS) {
    for (const p of r.params) {
      if (seen.has(p.option)) continue;
      seen.add(p.option);
      cmd.option(`${p.option} <value>`, `${IDENTIFIERS[p.kind].what} (${r.name}${p.option === '--region' ? ', gcp-packet-mirroring' : ''})`);
    }
  }
  cmd.action((test: string | undefined, o: Record<string, unknown>) => {
    setCode(runRunbook(test, o));
  });
}
