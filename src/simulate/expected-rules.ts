/**
 * The rules of the bundled pack (`rules/`) that scenarios expect, by a short key, and its correlation rules
 * (`rules/correlations/`), whose alerts carry the correlation's id, title and level. Manifests name rules by id and
 * title, as alerts do. The simulator does not load the rule files (it imports only `core`); a test checks these
 * tables against the pack, so a renamed rule or a changed level shows up as a failing test rather than a wrong
 * manifest.
 */
import type { ExpectedRule } from './types.js';

/** Bundled rules by key. */
export const RULES = {
  awsDenied: { id: '78f19ddf-2fb6-4659-ae5b-b24c07a095a8', name: 'AWS Traffic Mirroring Call Denied', level: 'medium' },
  awsDryRun: { id: 'a64ed8e1-69be-4461-bfc1-b4371c152270', name: 'AWS Traffic Mirroring Dry-Run Probe', level: 'medium' },
  awsEnumeration: { id: '427918ec-f923-4435-a429-afa4d61a476d', name: 'AWS Traffic Mirroring Configuration Enumerated', level: 'low' },
  awsFilter: { id: '2ce0b8c0-3ebd-4175-9939-ea516e8550f1', name: 'AWS Traffic Mirror Filter or Filter Rule Created or Modified', level: 'medium' },
  awsDeleted: { id: '1dd830d3-9956-4d74-8a3c-5daac94ba1e4', name: 'AWS Traffic Mirroring Resources Deleted', level: 'medium' },
  awsSession: { id: 'c07238ee-6b8a-47dd-b25e-73d1c83af516', name: 'AWS Traffic Mirror Session Created', level: 'high' },
  awsSessionModified: { id: '189f364b-b5f3-4d0b-8c51-3ddbbac03b8c', name: 'AWS Traffic Mirror Session Modified', level: 'high' },
  awsTarget: { id: 'afb01df1-1610-4be2-b463-4e8292a11622', name: 'AWS Traffic Mirror Target Created', level: 'medium' },
  azureTapConfigDeleted: { id: '5926d9e6-7250-4641-9e6a-9079e6728820', name: 'Azure Network Interface TAP Configuration Deleted', level: 'medium' },
  azureTapConfigWritten: { id: '8ab4875f-631b-4c50-867f-2e8531452e30', name: 'Azure Network Interface TAP Configuration Created or Updated', level: 'high' },
  azureVtapDeleted: { id: '78a1f968-2ed2-468e-8a5f-c4a658af41b7', name: 'Azure Virtual Network TAP Deleted', level: 'medium' },
  azureVtapWritten: { id: 'd0c32f4e-80f5-4318-9377-8455c65e898f', name: 'Azure Virtual Network TAP Created or Updated', level: 'high' },
  gcpFirewallMirroringRule: { id: '287bdef1-77a6-4a5d-b89d-2a19a0571c1d', name: 'GCP Firewall Policy Packet Mirroring Rule Added or Modified', level: 'high' },
  gcpFirewallMirroringRuleRemoved: { id: '02566d4e-e946-4416-8acc-86d9cf491e0e', name: 'GCP Firewall Policy Packet Mirroring Rule Removed', level: 'medium' },
  gcpCreated: { id: 'e4796590-7204-4d98-96db-f13da61b3e69', name: 'GCP Packet Mirroring Policy Created', level: 'high' },
  gcpDeleted: { id: '43ab4024-c7e0-4f3d-847e-7e8e1cbb2cdf', name: 'GCP Packet Mirroring Policy Deleted', level: 'medium' },
  gcpPatched: { id: '17914711-daff-41a0-ab3e-931233bb9115', name: 'GCP Packet Mirroring Policy Modified', level: 'high' },
  gcpRead: { id: '47cc747a-b11a-4530-91b3-d20d175d8270', name: 'GCP Packet Mirroring Policies Read', level: 'informational' },
  iosxrSession: { id: 'f154cfbc-a6fc-4f28-be4a-715bc0b62492', name: 'Cisco IOS-XR Traffic Mirroring Session Configured', level: 'high' },
  junosMirroring: { id: '85807a52-ba3b-4327-a90b-719551faa37d', name: 'Juniper Junos Analyzer or Port Mirroring Configured', level: 'high' },
  legacySpanOrCapture: { id: '398f56f8-1bc2-4452-bc73-ce2b4a360be4', name: 'Legacy SPAN or Embedded Packet Capture Configured', level: 'medium' },
  sessionRemoved: { id: 'ce6902a5-6677-47e3-94b4-a6638b95e8c4', name: 'SPAN or Port Mirroring Session Removed', level: 'medium' },
  rspan: { id: '0de85b49-fafb-47c2-9585-10f549b9c450', name: 'RSPAN VLAN or Remote-VLAN Monitor Session Configured', level: 'medium' },
  remoteDestination: { id: '34da24fe-2d80-401d-8942-90cb35632f1c', name: 'Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE)', level: 'high' },
  spanSession: { id: '0d53c08f-79c4-4859-a5d3-03e5d0a6c792', name: 'SPAN, RSPAN or ERSPAN Monitor Session Configured', level: 'high' },
  spanStateUp: { id: 'cc3492cb-d999-4080-a5a5-bacc549dbce8', name: 'Cisco SPAN Session or Packet Capture Came Up', level: 'low' },
} as const satisfies Record<string, ExpectedRule>;

/**
 * Correlation rules by key. Each alert of a correlation is one more alert of the scan, beside the alerts of the rules
 * it links (every bundled correlation has `generate: true`); its level is the correlation's `level`.
 */
export const CORRELATIONS = {
  /** temporal, userIdentity.arn, 1h: target, filter (and its rules) and a session by one principal. */
  awsPipeline: { id: 'a5608969-99b1-4e0b-843e-d9eae69ddf74', name: 'AWS Traffic Mirroring Pipeline Built by One Principal', level: 'high' },
  /** value_count of NetworkInterfaceId >= 3, userIdentity.arn, 1h: one alert per three source ENIs. */
  awsFanOut: { id: 'b77509b9-31ae-4857-9752-2b6c606377ca', name: 'AWS Traffic Mirroring of Many Network Interfaces by One Principal', level: 'high' },
  /** temporal_ordered, session id, 30m: a session created, then deleted. */
  awsSessionHitAndRun: { id: 'df4d56d6-5cdc-4e97-8177-219ac4cb607a', name: 'AWS Traffic Mirror Session Created and Deleted Shortly After', level: 'high' },
  /** temporal_ordered, vTAP id (any case), 1h: a vTAP written, then a NIC tap configuration pointing at it. */
  azureVtapWithTapConfig: { id: '435391f2-7700-4dd5-83de-9a10075cbaba', name: 'Azure Virtual Network TAP Created and a NIC Attached to It', level: 'high' },
  /** temporal_ordered, protoPayload.resourceName, 24h: a policy inserted, then a patch widening its filter. */
  gcpCreatedThenWidened: { id: 'd4435b76-bfb3-4370-9777-0f1b5158eecc', name: 'GCP Packet Mirroring Policy Created and Then Its Filter Widened', level: 'high' },
} as const satisfies Record<string, ExpectedRule>;

/** The sessions of one principal that make one fan-out alert (`aws-traffic-mirroring-fan-out.yml`: `gte: 3`). */
export const FAN_OUT_ENIS = 3;

/** A key of `RULES` or `CORRELATIONS`. */
export type RuleKey = keyof typeof RULES | keyof typeof CORRELATIONS;

/** The rule or correlation a key names. */
export function expectedRule(key: RuleKey): ExpectedRule {
  return key in RULES ? RULES[key as keyof typeof RULES] : CORRELATIONS[key as keyof typeof CORRELATIONS];
}
