/**
 * The `mirrorwatch` command line: a thin layer that parses arguments (commander), validates option values into
 * numbered diagnostics, and calls one command module (`commands.ts` lists them). Usage mistakes exit 2 with a
 * message, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from './command-helpers.js';
import { COMMANDS } from './commands.js';
import { VERSION } from './paths.js';

/** Builds the command tree; `setCode` receives each command's exit code. */
function program(setCode: (code: number) => void): Command {
  const root = new Command('mirrorwatch')
    .description('Detect MITRE ATT&CK T1020.001 Traffic Duplication (cloud traffic mirroring, SPAN/RSPAN/ERSPAN) in logs')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(root, setCode);
  return root;
}

/**
 * The exit status when the reader of standard output went away (`mirrorwatch scan … | head`): 128 + SIGPIPE, what a
 * shell reports for any program stopped that way. The process ends at once, quietly: the rest of the output has
 * nowhere to go, and a scan must not then commit its state store as if the alerts had been delivered.
 */
export const EXIT_BROKEN_PIPE = 141;

let pipesGuarded = false;

function exitOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    throw err;
  });
}

/** Runs the CLI with the given arguments and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (!pipesGuarded) {
    pipesGuarded = true;
    exitOnBrokenPipe(process.stdout);
    exitOnBrokenPipe(process.stderr);
  }
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
