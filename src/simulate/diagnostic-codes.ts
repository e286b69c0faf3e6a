/**
 * Diagnostics of `simulate` and `runbook` options (MW3100–MW3139): a wrong scenario name, seed, time, identifier or
 * output directory is reported with the option it came from, never as a stack trace.
 */
import type { CodeInfo } from '../core/diagnostic.js';

/** Simulation and runbook diagnostics, by name. */
export const SIMULATE = {
  unknownScenario: { code: 'MW3101', severity: 'error', summary: 'no scenario of that name (see simulate --list)' },
  noScenario: { code: 'MW3102', severity: 'error', summary: 'no scenario named and no --list' },
  badSeed: { code: 'MW3103', severity: 'error', summary: '--seed is not a whole number' },
  badStart: { code: 'MW3104', severity: 'error', summary: '--start is not an ISO 8601 time' },
  badAccount: { code: 'MW3105', severity: 'error', summary: 'an AWS account id is not 12 digits' },
  badNoise: { code: 'MW3106', severity: 'error', summary: '--noise is not a whole number of records' },
  noOutput: { code: 'MW3107', severity: 'error', summary: 'neither --out nor --send was given' },
  outputDir: { code: 'MW3108', severity: 'error', summary: 'the output directory cannot take a simulation' },
  badLayout: { code: 'MW3109', severity: 'error', summary: '--azure-layout is not storage or eventhub' },
  unknownRunbook: { code: 'MW3121', severity: 'error', summary: 'no runbook of that name (see runbook --list)' },
  badIdentifier: { code: 'MW3122', severity: 'error', summary: 'an identifier does not have the format of its kind' },
  unusedIdentifier: { code: 'MW3123', severity: 'warning', summary: 'an identifier option that this runbook does not use' },
} as const satisfies Record<string, CodeInfo>;

/** Names of the simulation diagnostics. */
export type SimulateCode = keyof typeof SIMULATE;
