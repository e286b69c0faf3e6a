/**
 * The words of the simulator. A scenario builds a plan: the records its actors leave (attack or benign activity) and
 * the alerts mirrorwatch must raise on them. Background noise is added per platform; layout writers put every record
 * where the provider writes it; the manifest says which records are the scenario's and which alerts to expect.
 */
import type { Level } from '../core/alert.js';
import type { Device, DeviceOs } from './device-lines.js';
import type { RuleKey } from './expected-rules.js';
import type { Random } from './random.js';

/** The platforms a scenario can touch; noise is generated per platform. */
export type Platform = 'aws' | 'azure' | 'gcp' | 'device';

/** All platforms, in the order files are written. */
export const PLATFORMS: readonly Platform[] = ['aws', 'azure', 'gcp', 'device'];

/** Files a device writes to: a syslog collector, an NX-OS local accounting log, a tac_plus accounting file. */
export type DeviceStream = { kind: 'syslog' } | { kind: 'nxos-accounting'; host: string } | { kind: 'tacacs' };

/** One record, before it is written. `ref` marks the scenario's own records so that the manifest can find them. */
export type SimRecord =
  | {
      kind: 'cloudtrail';
      timeMs: number;
      account: string;
      region: string;
      record: Record<string, unknown>;
      ref?: string;
      /** Delivered a second time in a later file, as CloudTrail occasionally does (events.md §1.7). */
      redeliver?: boolean;
      /** `record` already serialised (background records are, for speed); must equal `JSON.stringify(record)`. */
      text?: string;
    }
  | { kind: 'azure'; timeMs: number; subscription: string; record: Record<string, unknown>; ref?: string }
  | { kind: 'gcp'; timeMs: number; project: string; logType: 'activity' | 'data_access'; record: Record<string, unknown>; ref?: string }
  | { kind: 'device'; timeMs: number; stream: DeviceStream; host: string; os: DeviceOs; line: string; ref?: string };

/** The platform a record belongs to. */
export function platformOf(rec: SimRecord): Platform {
  switch (rec.kind) {
    case 'cloudtrail':
      return 'aws';
    case 'azure':
      return 'azure';
    case 'gcp':
      return 'gcp';
    case 'device':
      return 'device';
  }
}

/** An alert a scenario expects, with its evidence named by record refs (resolved to natural keys when written). */
export interface PlannedAlert {
  /** A rule or correlation rule of the bundled pack (`expected-rules.ts`). */
  rule: RuleKey;
  /** Identifiers the alert's message must contain (session id, ENI, collector, device, …). */
  mentions: string[];
  /** Refs of records that must be among the alert's evidence. */
  evidence: string[];
  /** Why this alert is raised, in a few words (shown when the check fails). */
  why?: string;
}

/** Azure Activity Log files: a storage account export (`PT1H.json`) or Event Hub message batches. */
export type AzureLayout = 'storage' | 'eventhub';

/** What a scenario builds. */
export interface ScenarioPlan {
  records: SimRecord[];
  expected: PlannedAlert[];
  /** The Azure layout this scenario's records are written in unless the user chooses one. */
  azureLayout?: AzureLayout;
  /** Devices the scenario uses (background lines are added for them too). */
  devices?: Device[];
}

/** What a scenario is built from: the seed's random stream, the base time and the user's identifiers. */
export interface ScenarioContext {
  rng: Random;
  /** Base time in epoch ms: the scenario's first action happens shortly after it. */
  startMs: number;
  /** The AWS account the scenario happens in. */
  account: string;
  /** The AWS region. */
  region: string;
  /** The Azure subscription (a GUID, lower case). */
  subscription: string;
  /** The GCP project id. */
  project: string;
  /** The GCP region. */
  gcpRegion: string;
  /** The Azure layout the user asked for, if any (a scenario's records depend on it: storage upper-cases ids). */
  azureLayout?: AzureLayout;
}

/** One scenario of the catalogue. */
export interface Scenario {
  name: string;
  title: string;
  /** What happens, for `simulate --list` and the manifest. */
  description: string;
  platforms: readonly Platform[];
  /** True for legitimate activity (approved NDR deployments, CSPM, incident response): alerts still expected untuned. */
  benign: boolean;
  /** The seed's test this scenario implements, if any ("Test 1" … "Test 4"). */
  seedTest?: string;
  build(ctx: ScenarioContext): ScenarioPlan;
}

/** A rule of the bundled pack as the manifest names it. */
export interface ExpectedRule {
  id: string;
  name: string;
  level: Level;
}
