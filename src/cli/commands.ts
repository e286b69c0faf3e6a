/**
 * The commands of the `mirrorwatch` command line. Each command module exports a `register…(root, setCode)` that adds
 * its commander subcommand; adding a command is one line here.
 */
import type { Command } from 'commander';
import type { SetCode } from './command-helpers.js';
import { registerRules } from './rules.js';
import { registerScan } from './scan.js';
import { registerTest } from './test.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: ((root: Command, setCode: SetCode) => void)[] = [registerScan, registerRules, registerTest];
