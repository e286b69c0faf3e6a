/**
 * The commands of the `mirrorwatch` command line. Each command module exports a `register…(root, setCode)` that adds
 * its commander subcommand; adding a command is one line here.
 */
import type { Command } from 'commander';
import type { SetCode } from './command-helpers.js';
import { registerExplain } from './explain.js';
import { registerExport } from './export.js';
import { registerRules } from './rules.js';
import { registerRunbook } from './runbook.js';
import { registerScan } from './scan.js';
import { registerSimulate } from './simulate.js';
import { registerTest } from './test.js';
import { registerPcapSummary } from './pcap-summary.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: ((root: Command, setCode: SetCode) => void)[] = [registerScan, registerRules, registerTest, registerExplain, registerExport, registerSimulate, registerRunbook, registerPcapSummary];
