/** The `mirrorwatch` command line. */

/** Runs the CLI with the given arguments and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`mirrorwatch: not built yet (${argv.join(' ')})\n`);
  return 2;
}
