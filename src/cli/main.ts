/**
 * The `mirrorwatch` command line: a thin layer that parses arguments (commander), validates option values into
 * numbered diagnostics, and calls one command module. Usage mistakes exit 2 with a message, never a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Level } from '../core/alert.js';
import { CLI } from './cli-diagnostic-codes.js';
import { parseFormat, parseLevel, parseSize, parseTimeZone, parseYear, type Format, type Parsed } from './options.js';
import { runRulesLint, runRulesList } from './rules.js';
import { runScan } from './scan.js';
import { runTest } from './test.js';
import { BUNDLED_RULES, VERSION } from './paths.js';

class UsageError extends Error {}

function value<T>(p: Parsed<T>, option: string): T {
  if (!p.ok) throw new UsageError(`${CLI.badOption.code} ${option}: ${p.message}`);
  return p.value;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** Resolves `--rules` values: `default` (or none given) means the bundled pack. */
function ruleDirs(given: string[] | undefined): string[] {
  if (!given || given.length === 0) return [BUNDLED_RULES];
  return given.map((d) => (d === 'default' || d === 'bundled' ? BUNDLED_RULES : d));
}

/** Builds the command tree; `setCode` receives each command's exit code. */
function program(setCode: (code: number) => void): Command {
  const root = new Command('mirrorwatch')
    .description('Detect MITRE ATT&CK T1020.001 Traffic Duplication (cloud traffic mirroring, SPAN/RSPAN/ERSPAN) in logs')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  root
    .command('scan')
    .description('scan log files, directories (recursively, .gz included) or - (stdin) and report alerts')
    .argument('<paths...>', 'files, directories or - for standard input')
    .option('-r, --rules <dir>', 'rule file or directory (repeatable; "default" is the bundled T1020.001 pack)', collect)
    .addOption(new Option('-f, --format <format>', 'output format: table (default on a terminal), ndjson (default otherwise), json'))
    .option('-o, --output <file>', 'write alerts to a file instead of standard output')
    .option('--min-level <level>', 'lowest severity to report: informational, low, medium, high, critical', 'low')
    .option('--timezone <tz>', 'time zone of timestamps that carry none (RFC 3164 syslog): UTC, an IANA name or +HH:MM', 'UTC')
    .option('--year <yyyy>', 'year of RFC 3164 syslog timestamps (default: inferred from each file\'s modification time)')
    .option('--no-prefilter', 'parse every record (slower; validates every record)')
    .option('--max-record-size <size>', 'largest record to read; larger ones are reported and skipped', '32MB')
    .option('--ignore-unknown', 'report files in unrecognised formats as information, not as errors')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour')
    .option('-q, --quiet', 'no summary')
    .option('--no-progress', 'no progress line on a terminal')
    .option('--exit-zero', 'exit 0 when alerts are found (input and usage errors still exit 2)')
    .action(async (paths: string[], o: Record<string, unknown>) => {
      const code = await runScan({
        paths,
        rules: ruleDirs(o.rules as string[] | undefined),
        format: o.format === undefined ? undefined : value<Format>(parseFormat(String(o.format)), '--format'),
        output: o.output as string | undefined,
        minLevel: value<Level>(parseLevel(String(o.minLevel)), '--min-level'),
        timeZone: value(parseTimeZone(String(o.timezone)), '--timezone'),
        year: o.year === undefined ? undefined : value(parseYear(String(o.year)), '--year'),
        prefilter: o.prefilter !== false,
        maxRecordChars: value(parseSize(String(o.maxRecordSize)), '--max-record-size'),
        ignoreUnknown: o.ignoreUnknown === true,
        colour: o.color === undefined ? undefined : o.color === true ? true : undefined,
        quiet: o.quiet === true,
        progress: o.progress !== false,
        exitZero: o.exitZero === true,
      });
      setCode(code);
    });

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

  root
    .command('test')
    .description('run every rule\'s example events (<rule>.tests.yml) through the real readers and engine')
    .option('-r, --rules <dir>', 'rule file or directory (repeatable)', collect)
    .option('--format <format>', 'table or json', 'table')
    .action(async (o: { rules?: string[]; format: string }) => {
      if (o.format !== 'table' && o.format !== 'json') throw new UsageError(`${CLI.badOption.code} --format: expected table or json`);
      setCode(await runTest(ruleDirs(o.rules), o.format));
    });
  return root;
}

/** Runs the CLI with the given arguments and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const root = program((c) => {
    code = c;
  });
  root.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    writeOut: (s) => process.stdout.write(s),
  });
  try {
    await root.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage mistake it has already printed.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`mirrorwatch: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
