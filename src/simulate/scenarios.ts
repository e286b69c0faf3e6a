/**
 * The scenario catalogue: attack scenarios (the seed's four tests and their variants) and benign scenarios (the
 * seed's false-positive lists), by name, in the order `simulate --list` shows them.
 */
import { AWS_SCENARIOS } from './scenarios-aws.js';
import { AZURE_SCENARIOS } from './scenarios-azure.js';
import { BENIGN_SCENARIOS } from './scenarios-benign.js';
import { DEVICE_SCENARIOS } from './scenarios-devices.js';
import { GCP_SCENARIOS } from './scenarios-gcp.js';
import type { Scenario } from './types.js';

/** Every scenario. */
export const SCENARIOS: readonly Scenario[] = [...AWS_SCENARIOS, ...AZURE_SCENARIOS, ...GCP_SCENARIOS, ...DEVICE_SCENARIOS, ...BENIGN_SCENARIOS];

/** The scenario of a name, or undefined. */
export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
