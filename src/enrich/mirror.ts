/**
 * What was mirrored, to where, by whom: reads the evidence of one alert (events of one platform) and returns the
 * mirroring details an analyst needs first, with a one-sentence summary.
 *
 * Everything is read from the canonical fields (`Event.fields`): CloudTrail request and response elements, Azure
 * `properties.requestbody` / `responseBody` and `resourceId`, GCP `protoPayload.request` and `resourceName`, and the
 * `command_line` of every device line of the group. Missing or malformed fields leave a detail out; they never throw.
 * Sources of the field layouts: shared reference `events.md` §1.3–1.5 (CloudTrail), §2.3–2.5 (Azure), §3.2–3.6 (GCP),
 * §4 (device CLI syntax from the vendor configuration guides).
 */
import { isIP } from 'node:net';
import type { Dataset, Event } from '../core/event.js';
import { isObject, parseJsonString, str } from '../core/json.js';
import type { JsonObject } from '../core/json.js';

/** Where the mirror lives. */
export type MirrorPlatform = 'aws' | 'azure' | 'gcp' | 'network-device';

/**
 * What the evidence did to the mirror. Cloud APIs `create|modify|delete|read`; devices `configure|remove` (a CLI line
 * cannot tell a new session from a changed one) and `state` (a session-up message); `other` for an action this module
 * does not classify (still named by `action`).
 */
export type MirrorOperation = 'create' | 'modify' | 'delete' | 'read' | 'configure' | 'remove' | 'state' | 'other';

/** The mirroring object the action touched. */
export type MirrorObjectType =
  // AWS Traffic Mirroring
  | 'session'
  | 'target'
  | 'filter'
  | 'filter-rule'
  | 'network-services'
  // Azure virtual network TAP
  | 'vtap'
  | 'tap-configuration'
  // GCP Packet Mirroring and firewall-policy mirroring rules
  | 'packet-mirroring'
  | 'mirroring-rule'
  // network devices
  | 'span'
  | 'rspan'
  | 'erspan'
  | 'analyzer'
  | 'port-mirroring'
  | 'capture'
  | 'unknown';

/** The result of the action, from `errorCode`, `resultType`, `protoPayload.status.code` or the NX-OS status. */
export type MirrorOutcome = 'success' | 'failure' | 'denied' | 'dry-run' | 'unknown';

/** Which traffic of a source is copied: received, transmitted or both. */
export type MirrorDirection = 'rx' | 'tx' | 'both';

/** The kind of thing whose traffic is copied. */
export type MirrorSourceKind =
  | 'eni'
  | 'nic'
  | 'subnet'
  | 'instance'
  | 'tag'
  | 'interface'
  | 'vlan'
  | 'remote-vlan'
  | 'ip';

/** One mirrored source. `id` is the full identifier, `name` a short form for people when it differs. */
export interface MirrorSource {
  kind: MirrorSourceKind;
  id: string;
  name?: string;
  direction?: MirrorDirection;
}

/** The kind of place the copy goes to. */
export type MirrorDestinationKind =
  | 'mirror-target'
  | 'eni'
  | 'nlb'
  | 'gwlb-endpoint'
  | 'nic-ipconfig'
  | 'lb-frontend'
  | 'vtap'
  | 'ilb'
  | 'profile-group'
  | 'interface'
  | 'ip'
  | 'vlan'
  | 'gre';

/** Where the copy goes. */
export interface MirrorDestination {
  kind: MirrorDestinationKind;
  id: string;
  name?: string;
  /** The AWS account or Azure subscription that owns the destination, when the identifier names one. */
  account?: string;
  /** True when `account` differs from the account or subscription the mirror was made in. */
  crossAccount?: boolean;
  /** Azure vTAP VXLAN destination port. */
  port?: number;
  /** ERSPAN / GRE source address on the device. */
  origin?: string;
  vrf?: string;
  /** Junos port-mirroring next hop. */
  nextHop?: string;
}

/** What the mirror selects: filters, filter rules, network services, VLAN filters, ACLs. */
export interface MirrorFilter {
  /** AWS `tmf-` id; a Junos firewall filter or Cisco ACL name is in `acl`. */
  id?: string;
  /** AWS `ingress|egress`, GCP `INGRESS|EGRESS|BOTH`, as the source wrote it. */
  direction?: string;
  /** AWS `accept|reject`, GCP rule `mirror|do_not_mirror|goto_next`. */
  action?: string;
  /** AWS rule number. */
  ruleNumber?: number;
  protocols?: string[];
  sourceCidrs?: string[];
  destinationCidrs?: string[];
  /** GCP packet-mirroring `filter.cidrRanges` (either end). */
  cidrs?: string[];
  sourcePorts?: string;
  destinationPorts?: string;
  /** AWS `AddNetworkService` (only `amazon-dns` exists). */
  addNetworkServices?: string[];
  removeNetworkServices?: string[];
  vlans?: string[];
  acl?: string;
}

/** Who did it. */
export interface MirrorActor {
  /** IAM user or role name, UPN, e-mail or device user. */
  name?: string;
  /** As the source says: `IAMUser|AssumedRole|Root|AWSService|…`, `User|ServicePrincipal`, `user|serviceAccount`. */
  type?: string;
  arn?: string;
  /** AWS role session name, when it differs from the role name. */
  session?: string;
  upn?: string;
  email?: string;
  appId?: string;
  /** The AWS call came from a console session. */
  console?: boolean;
  /** AWS service acting for the caller (`userIdentity.invokedBy`). */
  invokedBy?: string;
  sourceIp?: string;
  userAgent?: string;
}

/** The mirroring details of one alert. */
export interface MirrorDetails {
  platform: MirrorPlatform;
  /** The original operation: CloudTrail `eventName`, Azure `operationName`, GCP `methodName`, the device command. */
  action: string;
  operation: MirrorOperation;
  objectType: MirrorObjectType;
  /** Full identifier: `tms-…`, an Azure resource id, a GCP resource name, a device session number or name. */
  objectId?: string;
  /** Short name for people when it differs from `objectId`. */
  objectName?: string;
  sources: MirrorSource[];
  destination?: MirrorDestination;
  filter?: MirrorFilter;
  sessionNumber?: number;
  packetLength?: number;
  /** AWS VXLAN network identifier (`VirtualNetworkId`). */
  vni?: number;
  erspanId?: number;
  /** GCP policy or rule priority. */
  priority?: number;
  /** Mirroring switched on or off: GCP `enable`, firewall rule `disabled`, device `shutdown` / `no shutdown`. */
  enabled?: boolean;
  /** AWS `RemoveField` values. */
  removedFields?: string[];
  description?: string;
  outcome: MirrorOutcome;
  /** Why it failed: the error code or status message. */
  outcomeReason?: string;
  actor: MirrorActor;
  account?: string;
  project?: string;
  subscription?: string;
  resourceGroup?: string;
  region?: string;
  /** Device host name. */
  device?: string;
  vendor?: string;
  os?: string;
  /** One plain-English sentence for the analyst. */
  summary: string;
}

/** The details one event contributes; merged across the events of an alert. */
type Part = Omit<Partial<MirrorDetails>, 'sources' | 'actor' | 'summary'> & {
  sources?: MirrorSource[];
  actor?: MirrorActor;
  /** Azure write whose status does not tell create from update. */
  createOrUpdate?: boolean;
  /** Device object label that replaces "<object phrase> <id>" (an RSPAN VLAN is not a session). */
  label?: string;
  /** Rank of the outcome's finality, so a Success record beats a Start record. */
  outcomeRank?: number;
};

/** Describes what the events of one alert mirrored, where to and by whom. Throws on an empty list (a caller bug). */
export function describeMirror(events: readonly Event[]): MirrorDetails {
  if (events.length === 0) throw new Error('describeMirror: an alert has at least one event');
  const platform = platformOf(events[0].dataset);
  const parts: Part[] = [];
  for (const ev of events) {
    if (platformOf(ev.dataset) !== platform) {
      throw new Error(`describeMirror: events of one alert must share a platform (${platform} and ${ev.dataset})`);
    }
    switch (platform) {
      case 'aws':
        parts.push(awsPart(ev.fields));
        break;
      case 'azure':
        parts.push(azurePart(ev.fields));
        break;
      case 'gcp':
        parts.push(gcpPart(ev.fields));
        break;
      case 'network-device':
        parts.push(devicePart(ev.fields));
        break;
    }
  }
  const merged = platform === 'network-device' ? mergeDevice(parts) : mergeCloud(parts);
  const details: MirrorDetails = { ...merged, platform, summary: '' };
  details.summary = summarize(details, merged);
  return details;
}

/** Maps a dataset to its platform. */
function platformOf(dataset: Dataset): MirrorPlatform {
  switch (dataset) {
    case 'aws.cloudtrail':
      return 'aws';
    case 'azure.activitylogs':
      return 'azure';
    case 'gcp.audit':
      return 'gcp';
    case 'cisco_ios.log':
    case 'cisco_nxos.log':
    case 'cisco_iosxr.log':
    case 'juniper.log':
    case 'arista_eos.log':
    case 'tacacs.accounting':
    case 'network.pcap':
    case 'network.flow':
      return 'network-device';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small readers. Providers render the same value as a string, a number or (CloudTrail lists) `{content, tag}`
// objects, and a one-element list as a bare object (events.md §1.3), so every read is defensive.

/** The object at `v` (JSON strings parsed), or undefined. */
function obj(v: unknown): JsonObject | undefined {
  const p = parseJsonString(v);
  return isObject(p) ? p : undefined;
}

/** Looks a key up exactly, then case-insensitively (CloudTrail request keys are PascalCase, responses camelCase). */
function key(o: JsonObject | undefined, ...names: string[]): unknown {
  if (!o) return undefined;
  for (const n of names) if (n in o) return o[n];
  const lower = names.map((n) => n.toLowerCase());
  for (const k of Object.keys(o)) if (lower.includes(k.toLowerCase())) return o[k];
  return undefined;
}

/** A non-empty string from a string or a number. */
function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return str(v)?.trim() || undefined;
}

/** An integer from a number or a numeric string (the Panther samples carry `12348395.0`). */
function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.0+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.round(n) : undefined;
}

/** A list of strings from an array, a single value or CloudTrail `{content, tag}` items; `""` is an empty list. */
function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v];
  const out: string[] = [];
  for (const it of items) {
    const s = isObject(it) ? text(it.content ?? it.item ?? it.value ?? it.url ?? it.id) : text(it);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** The last segment of a URL or resource path. */
function lastSegment(s: string): string {
  const trimmed = s.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** `v` when it is an IP address (CloudTrail `sourceIPAddress` may be `AWS Internal` or a service name). */
function ipOnly(v: unknown): string | undefined {
  const s = text(v);
  return s !== undefined && isIP(s) !== 0 ? s : undefined;
}

/** Drops undefined members so merged objects stay compact and deep-equal comparisons stay simple. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A filter object, or undefined when it has no member. */
function filterOrUndefined(f: MirrorFilter): MirrorFilter | undefined {
  compact(f);
  return Object.keys(f).length > 0 ? f : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// AWS CloudTrail (events.md §1)

const AWS_ACTION = /^(Create|Modify|Delete|Describe)TrafficMirror(Session|Target|FilterRule|FilterNetworkService|Filter)s?$/;

/** IANA protocol numbers used in traffic mirror filter rules (https://www.iana.org/assignments/protocol-numbers). */
const IP_PROTOCOLS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };

/** `FromPort-ToPort`, or one port when both are equal. */
function portRange(v: unknown): string | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const from = text(key(o, 'FromPort', 'fromPort'));
  const to = text(key(o, 'ToPort', 'toPort'));
  if (from === undefined && to === undefined) return undefined;
  return from === to || to === undefined ? from : from === undefined ? to : `${from}-${to}`;
}

/** The account id inside an ARN (`arn:partition:service:region:account:resource`). */
function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/** One CloudTrail record's contribution. */
function awsPart(f: JsonObject): Part {
  const action = text(f.eventName) ?? '';
  const m = AWS_ACTION.exec(action);
  const part: Part = { action, sources: [] };
  const account = text(f.recipientAccountId) ?? text(key(obj(f.userIdentity), 'accountId'));
  part.account = account;
  part.region = text(f.awsRegion);
  part.actor = awsActor(f);
  const errorCode = text(f.errorCode);
  if (errorCode === undefined) part.outcome = 'success';
  else if (/UnauthorizedOperation|AccessDenied/i.test(errorCode)) part.outcome = 'denied';
  else if (/DryRunOperation/i.test(errorCode)) part.outcome = 'dry-run';
  else part.outcome = 'failure';
  if (errorCode !== undefined) part.outcomeReason = errorCode;
  part.outcomeRank = 1;
  if (!m) {
    part.operation = 'other';
    part.objectType = 'unknown';
    return part;
  }
  const verb = m[1];
  const noun = m[2];
  part.operation = verb === 'Create' ? 'create' : verb === 'Modify' ? 'modify' : verb === 'Delete' ? 'delete' : 'read';
  const rp = obj(f.requestParameters);
  const req = obj(key(rp, `${action}Request`)) ?? rp;
  const re = obj(f.responseElements);
  const res = obj(key(re, `${action}Response`)) ?? re;
  switch (noun) {
    case 'Session': {
      part.objectType = 'session';
      const s = obj(key(res, 'trafficMirrorSession'));
      part.objectId = text(key(s, 'trafficMirrorSessionId') ?? key(req, 'TrafficMirrorSessionId') ?? key(res, 'trafficMirrorSessionId'));
      const eni = text(key(req, 'NetworkInterfaceId') ?? key(s, 'networkInterfaceId'));
      if (eni !== undefined) part.sources = [{ kind: 'eni', id: eni }];
      const tmt = text(key(req, 'TrafficMirrorTargetId') ?? key(s, 'trafficMirrorTargetId'));
      if (tmt !== undefined) part.destination = { kind: 'mirror-target', id: tmt };
      const tmf = text(key(req, 'TrafficMirrorFilterId') ?? key(s, 'trafficMirrorFilterId'));
      if (tmf !== undefined) part.filter = { id: tmf };
      part.sessionNumber = int(key(req, 'SessionNumber') ?? key(s, 'sessionNumber'));
      part.packetLength = int(key(req, 'PacketLength') ?? key(s, 'packetLength'));
      part.vni = int(key(req, 'VirtualNetworkId') ?? key(s, 'virtualNetworkId'));
      part.description = text(key(req, 'Description') ?? key(s, 'description'));
      break;
    }
    case 'Target': {
      part.objectType = 'target';
      const t = obj(key(res, 'trafficMirrorTarget'));
      part.objectId = text(key(t, 'trafficMirrorTargetId') ?? key(req, 'TrafficMirrorTargetId') ?? key(res, 'trafficMirrorTargetId'));
      const eni = text(key(req, 'NetworkInterfaceId') ?? key(t, 'networkInterfaceId'));
      const nlb = text(key(req, 'NetworkLoadBalancerArn') ?? key(t, 'networkLoadBalancerArn'));
      const gwlbe = text(key(req, 'GatewayLoadBalancerEndpointId') ?? key(t, 'gatewayLoadBalancerEndpointId'));
      if (nlb !== undefined) {
        const owner = arnAccount(nlb);
        part.destination = compact<MirrorDestination>({
          kind: 'nlb',
          id: nlb,
          name: nlbName(nlb),
          account: owner,
          crossAccount: owner !== undefined && account !== undefined ? owner !== account : undefined,
        });
      } else if (gwlbe !== undefined) part.destination = { kind: 'gwlb-endpoint', id: gwlbe };
      else if (eni !== undefined) part.destination = { kind: 'eni', id: eni };
      part.description = text(key(req, 'Description') ?? key(t, 'description'));
      break;
    }
    case 'Filter': {
      part.objectType = 'filter';
      const fl = obj(key(res, 'trafficMirrorFilter'));
      part.objectId = text(key(fl, 'trafficMirrorFilterId') ?? key(req, 'TrafficMirrorFilterId') ?? key(res, 'trafficMirrorFilterId'));
      part.description = text(key(req, 'Description') ?? key(fl, 'description'));
      break;
    }
    case 'FilterRule': {
      part.objectType = 'filter-rule';
      const r = obj(key(res, 'trafficMirrorFilterRule'));
      part.objectId = text(
        key(r, 'trafficMirrorFilterRuleId') ?? key(req, 'TrafficMirrorFilterRuleId') ?? key(res, 'trafficMirrorFilterRuleId'),
      );
      // The request holds what the caller set; the response the resulting rule. Prefer the request, fill from the rule.
      const pick = (reqKey: string): unknown => key(req, reqKey) ?? key(r, reqKey);
      const protocol = text(pick('Protocol'));
      part.filter = filterOrUndefined({
        id: text(pick('TrafficMirrorFilterId')),
        direction: text(pick('TrafficDirection')),
        action: text(pick('RuleAction')),
        ruleNumber: int(pick('RuleNumber')),
        protocols: protocol === undefined ? undefined : [IP_PROTOCOLS[protocol] ?? protocol],
        sourceCidrs: list(pick('SourceCidrBlock')).length ? list(pick('SourceCidrBlock')) : undefined,
        destinationCidrs: list(pick('DestinationCidrBlock')).length ? list(pick('DestinationCidrBlock')) : undefined,
        sourcePorts: portRange(pick('SourcePortRange')),
        destinationPorts: portRange(pick('DestinationPortRange')),
      });
      part.description = text(pick('Description'));
      break;
    }
    case 'FilterNetworkService': {
      part.objectType = 'network-services';
      const fl = obj(key(res, 'trafficMirrorFilter'));
      part.objectId = text(key(req, 'TrafficMirrorFilterId') ?? key(fl, 'trafficMirrorFilterId'));
      const add = list(key(req, 'AddNetworkService', 'AddNetworkServices'));
      const remove = list(key(req, 'RemoveNetworkService', 'RemoveNetworkServices'));
      part.filter = filterOrUndefined({
        id: part.objectId,
        addNetworkServices: add.length ? add : undefined,
        removeNetworkServices: remove.length ? remove : undefined,
      });
      break;
    }
  }
  const removed = list(key(req, 'RemoveField', 'RemoveFields'));
  if (removed.length) part.removedFields = removed;
  return part;
}

/** The load balancer name inside an ELB ARN (`…:loadbalancer/net/<name>/<id>`). */
function nlbName(arn: string): string | undefined {
  const m = /:loadbalancer\/(?:net|gwy|app)\/([^/]+)\//.exec(arn);
  return m ? m[1] : undefined;
}

/** The caller of a CloudTrail record (userIdentity variants: events.md §1.5). */
function awsActor(f: JsonObject): MirrorActor {
  const ui = obj(f.userIdentity);
  const type = text(key(ui, 'type'));
  const arn = text(key(ui, 'arn'));
  const issuer = obj(key(obj(key(ui, 'sessionContext')), 'sessionIssuer'));
  let name: string | undefined;
  let session: string | undefined;
  const assumed = arn !== undefined ? /:assumed-role\/([^/]+)(?:\/(.+))?$/.exec(arn) : null;
  switch (type) {
    case 'IAMUser':
      name = text(key(ui, 'userName')) ?? (arn !== undefined ? lastSegment(arn) : undefined);
      break;
    case 'AssumedRole':
      name = text(key(issuer, 'userName')) ?? (assumed ? assumed[1] : undefined);
      if (assumed && assumed[2] !== undefined && assumed[2] !== name) session = assumed[2];
      break;
    case 'Root':
      name = 'root';
      break;
    case 'AWSService':
      name = text(key(ui, 'invokedBy'));
      break;
    default:
      name = text(key(ui, 'userName')) ?? (assumed ? assumed[1] : arn !== undefined ? lastSegment(arn) : undefined);
  }
  const fromConsole = f.sessionCredentialFromConsole === true || text(f.sessionCredentialFromConsole) === 'true';
  return compact({
    name,
    type,
    arn,
    session,
    console: fromConsole ? true : undefined,
    invokedBy: type === 'AWSService' ? undefined : text(key(ui, 'invokedBy')),
    sourceIp: ipOnly(f.sourceIPAddress),
    userAgent: text(f.userAgent),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Azure Activity Log (events.md §2)

/** Claim URIs in the JWT claims of Activity Log records (activity-log-schema, identity.claims). */
const CLAIM_UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const CLAIM_NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

/** The parts of an Azure resource id, compared case-insensitively (storage exports upper-case it). */
interface AzureId {
  subscription?: string;
  resourceGroup?: string;
  /** Name after the given resource type segment. */
  names: Record<string, string>;
}

/** Splits an ARM resource id into subscription, resource group and `type → name` pairs (keys lower case). */
function parseAzureId(id: string): AzureId {
  const seg = id.split('/').filter((s) => s.length > 0);
  const out: AzureId = { names: {} };
  for (let i = 0; i + 1 < seg.length; i++) {
    const k = seg[i].toLowerCase();
    if (k === 'subscriptions') out.subscription = seg[i + 1];
    else if (k === 'resourcegroups') out.resourceGroup = seg[i + 1];
    else if (k !== 'providers' && !k.includes('.')) out.names[k] = seg[i + 1];
  }
  return out;
}

/** A readable name for an Azure sub-resource id: `<parent>/<child>` for ip or frontend configurations. */
function azureShortName(id: string): string {
  const p = parseAzureId(id);
  const n = p.names;
  if (n.ipconfigurations && n.networkinterfaces) return `${n.networkinterfaces}/${n.ipconfigurations}`;
  if (n.frontendipconfigurations && n.loadbalancers) return `${n.loadbalancers}/${n.frontendipconfigurations}`;
  return lastSegment(id);
}

/** One Activity Log record's contribution. */
function azurePart(f: JsonObject): Part {
  const opRaw = f.operationName;
  // The canonical view has a string; the REST form has {value, localizedValue}: accept both.
  const action = text(opRaw) ?? text(key(obj(opRaw), 'value')) ?? '';
  const op = action.toLowerCase();
  const part: Part = { action, sources: [] };
  // Storage and Event Hub exports often upper-case resourceId; identity.authorization.scope usually keeps the
  // original casing of the same id, so prefer it when the two are equal ignoring case.
  const exported = text(f.resourceId);
  const scope = text(key(obj(key(obj(f.identity), 'authorization')), 'scope')) ?? text(key(obj(f.authorization), 'scope'));
  const resourceId = exported !== undefined && scope !== undefined && scope.toLowerCase() === exported.toLowerCase() ? scope : exported;
  const rid = resourceId !== undefined ? parseAzureId(resourceId) : undefined;
  // Subscription ids are GUIDs, case-insensitive; Azure shows them in lower case.
  part.subscription = (rid?.subscription ?? text(f.subscriptionId))?.toLowerCase();
  part.resourceGroup = rid?.resourceGroup;
  const props = obj(f.properties);
  const reqBody = obj(key(props, 'requestbody', 'requestBody'));
  const resBody = obj(key(props, 'responseBody', 'responsebody'));
  const statusCode = text(key(props, 'statusCode'));
  const signature = text(f.resultSignature) ?? text(key(obj(f.subStatus), 'value'));
  const result = (text(f.resultType) ?? text(key(obj(f.status), 'value')) ?? '').toLowerCase();

  const verb = op.slice(op.lastIndexOf('/') + 1);
  if (op.includes('/virtualnetworktaps/')) part.objectType = 'vtap';
  else if (op.includes('/tapconfigurations/')) part.objectType = 'tap-configuration';
  else part.objectType = 'unknown';
  if (op.endsWith('/join/action') || part.objectType === 'unknown') part.operation = 'other';
  else if (verb === 'delete') part.operation = 'delete';
  else if (verb === 'read') part.operation = 'read';
  else if (verb === 'write') {
    // A write is "create or update"; the status tells which: Created (201) or OK (200) (activity-log-schema).
    const said = `${statusCode ?? ''} ${signature ?? ''}`;
    if (/created/i.test(said)) part.operation = 'create';
    else if (/\bok\b/i.test(said)) part.operation = 'modify';
    else {
      part.operation = 'create';
      part.createOrUpdate = true;
    }
  } else part.operation = 'other';

  // Outcome: Start and Accept records say nothing final; Success or Failure does.
  if (result === 'success' || result === 'succeeded') {
    part.outcome = 'success';
    part.outcomeRank = 2;
  } else if (result === 'failure' || result === 'failed') {
    const message = obj(key(props, 'statusMessage'));
    const code = text(key(obj(key(message, 'error')), 'code'));
    const denied = /forbidden|authorizationfailed|linkedauthorizationfailed/i.test(`${statusCode ?? ''} ${signature ?? ''} ${code ?? ''}`);
    part.outcome = denied ? 'denied' : 'failure';
    part.outcomeReason = code ?? statusCode ?? signature;
    part.outcomeRank = 2;
  } else {
    part.outcome = 'unknown';
    part.outcomeRank = 0;
  }

  const body = resBody ?? reqBody;
  const bodyProps = obj(key(resBody, 'properties')) ?? obj(key(reqBody, 'properties'));
  part.region = text(key(body, 'location')) ?? (text(f.location)?.toLowerCase() === 'global' ? undefined : text(f.location));
  if (part.objectType === 'vtap') {
    part.objectId = resourceId;
    part.objectName = rid?.names.virtualnetworktaps ?? (resourceId !== undefined ? lastSegment(resourceId) : undefined);
    const port = int(key(bodyProps, 'destinationPort'));
    const nicCfg = text(key(obj(key(bodyProps, 'destinationNetworkInterfaceIPConfiguration')), 'id'));
    const lbCfg = text(key(obj(key(bodyProps, 'destinationLoadBalancerFrontEndIPConfiguration')), 'id'));
    const destId = nicCfg ?? lbCfg;
    if (destId !== undefined) {
      const owner = parseAzureId(destId).subscription?.toLowerCase();
      const kind: MirrorDestinationKind = nicCfg !== undefined ? 'nic-ipconfig' : 'lb-frontend';
      part.destination = compact({
        kind,
        id: destId,
        name: azureShortName(destId),
        port,
        account: owner,
        crossAccount: owner !== undefined && part.subscription !== undefined ? owner !== part.subscription : undefined,
      });
    }
    const taps = key(bodyProps, 'networkInterfaceTapConfigurations');
    for (const t of Array.isArray(taps) ? taps : []) {
      const tid = text(key(obj(t), 'id'));
      if (tid === undefined) continue;
      const nic = parseAzureId(tid).names.networkinterfaces;
      part.sources?.push(compact({ kind: 'nic' as const, id: tid, name: nic }));
    }
  } else if (part.objectType === 'tap-configuration') {
    part.objectId = resourceId;
    part.objectName = rid?.names.tapconfigurations ?? (resourceId !== undefined ? lastSegment(resourceId) : undefined);
    const nic = rid?.names.networkinterfaces;
    if (nic !== undefined && resourceId !== undefined) {
      const nicId = resourceId.slice(0, resourceId.toLowerCase().indexOf('/tapconfigurations/'));
      part.sources = [{ kind: 'nic', id: nicId, name: nic }];
    }
    const tap = text(key(obj(key(bodyProps, 'virtualNetworkTap')), 'id'));
    if (tap !== undefined) part.destination = { kind: 'vtap', id: tap, name: lastSegment(tap) };
  }
  part.actor = azureActor(f);
  return part;
}

/** The caller of an Activity Log record: a user (UPN), a service principal (appid) or the REST `caller`. */
function azureActor(f: JsonObject): MirrorActor {
  const identity = obj(f.identity);
  const claims = obj(key(identity, 'claims')) ?? obj(f.claims);
  const evidence = obj(key(obj(key(identity, 'authorization')), 'evidence'));
  const upn = text(key(claims, CLAIM_UPN, 'upn'));
  const nameClaim = text(key(claims, CLAIM_NAME, 'unique_name'));
  const appId = text(key(claims, 'appid', 'azp'));
  const principalType = text(key(evidence, 'principalType'));
  const type = principalType ?? (upn !== undefined ? 'User' : appId !== undefined ? 'ServicePrincipal' : undefined);
  const name = upn ?? nameClaim ?? text(f.caller) ?? (appId !== undefined ? `application ${appId}` : undefined);
  return compact({
    name,
    type,
    upn,
    appId: upn === undefined ? appId : undefined,
    sourceIp: ipOnly(f.callerIpAddress),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// GCP Cloud Audit Logs (events.md §3)

const GCP_METHOD =
  /^([a-z0-9]+)\.compute\.(packetMirrorings|networkFirewallPolicies|regionNetworkFirewallPolicies|firewallPolicies)\.([A-Za-z]+)$/;

/** `enable` is `"TRUE"`/`"FALSE"` in the REST resource; tolerate booleans. */
function gcpBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = text(v)?.toUpperCase();
  return s === 'TRUE' ? true : s === 'FALSE' ? false : undefined;
}

/** One LogEntry's contribution. */
function gcpPart(f: JsonObject): Part {
  const pp = obj(f.protoPayload) ?? {};
  const action = text(pp.methodName) ?? '';
  const part: Part = { action, sources: [] };
  const m = GCP_METHOD.exec(action);
  const req = obj(pp.request);
  const resourceName = text(pp.resourceName);
  const resourceLabels = obj(key(obj(f.resource), 'labels'));
  part.project =
    text(key(resourceLabels, 'project_id')) ?? (resourceName !== undefined ? /(?:^|\/)projects\/([^/]+)/.exec(resourceName)?.[1] : undefined);
  part.region =
    (resourceName !== undefined ? /(?:^|\/)regions\/([^/]+)/.exec(resourceName)?.[1] : undefined) ??
    text(key(resourceLabels, 'region')) ??
    (text(key(req, 'region')) !== undefined ? lastSegment(text(key(req, 'region')) as string) : undefined);

  const status = obj(pp.status);
  const code = int(key(status, 'code'));
  const operation = obj(f.operation);
  if (code !== undefined && code !== 0) {
    // google.rpc.Code 7 = PERMISSION_DENIED (https://cloud.google.com/apis/design/errors).
    part.outcome = code === 7 ? 'denied' : 'failure';
    part.outcomeReason = text(key(status, 'message')) ?? `status code ${code}`;
    part.outcomeRank = 2;
  } else if (operation !== undefined && operation.last !== true) {
    // The first entry of a long-running operation: still RUNNING.
    part.outcome = 'unknown';
    part.outcomeRank = 0;
  } else {
    part.outcome = 'success';
    part.outcomeRank = 1;
  }

  if (!m) {
    part.operation = 'other';
    part.objectType = 'unknown';
  } else if (m[2] === 'packetMirrorings') {
    part.objectType = 'packet-mirroring';
    const verb = m[3];
    part.operation =
      verb === 'insert' ? 'create' : verb === 'patch' ? 'modify' : verb === 'delete' ? 'delete' : /^(get|list|aggregatedList|testIamPermissions)$/.test(verb) ? 'read' : 'other';
    // list and aggregatedList name a collection, not a policy.
    const one = resourceName !== undefined && resourceName.includes('/packetMirrorings/');
    part.objectId = one ? resourceName : undefined;
    part.objectName = text(key(req, 'name')) ?? (one ? lastSegment(resourceName) : undefined);
    const mirrored = obj(key(req, 'mirroredResources'));
    const add = (kind: MirrorSourceKind, v: unknown): void => {
      for (const item of Array.isArray(v) ? v : []) {
        const id = isObject(item) ? text(item.url ?? item.canonicalUrl) : text(item);
        if (id !== undefined) part.sources?.push(kind === 'tag' ? { kind, id } : { kind, id, name: lastSegment(id) });
      }
    };
    add('subnet', key(mirrored, 'subnetworks'));
    add('instance', key(mirrored, 'instances'));
    add('tag', key(mirrored, 'tags'));
    const ilb = text(key(obj(key(req, 'collectorIlb')), 'url', 'canonicalUrl'));
    if (ilb !== undefined) part.destination = { kind: 'ilb', id: ilb, name: lastSegment(ilb) };
    const fl = obj(key(req, 'filter'));
    if (fl) {
      const cidrs = list(key(fl, 'cidrRanges'));
      const protocols = list(key(fl, 'IPProtocols'));
      part.filter = filterOrUndefined({
        direction: text(key(fl, 'direction')),
        cidrs: cidrs.length ? cidrs : undefined,
        protocols: protocols.length ? protocols : undefined,
      });
    }
    part.enabled = gcpBool(key(req, 'enable'));
    part.priority = int(key(req, 'priority'));
    part.description = text(key(req, 'description'));
  } else {
    // networkFirewallPolicies / regionNetworkFirewallPolicies / firewallPolicies mirroring rules
    // (https://cloud.google.com/compute/docs/reference/rest/v1/networkFirewallPolicies/addPacketMirroringRule).
    const verb = m[3];
    const rule = /^(add|patch|remove)PacketMirroringRule$/.exec(verb);
    part.objectType = rule ? 'mirroring-rule' : 'unknown';
    part.operation = !rule ? 'other' : rule[1] === 'add' ? 'create' : rule[1] === 'patch' ? 'modify' : 'delete';
    part.priority = int(key(req, 'priority'));
    const policy = resourceName !== undefined ? lastSegment(resourceName) : undefined;
    part.objectId = resourceName !== undefined ? `${resourceName}${part.priority !== undefined ? `#${part.priority}` : ''}` : undefined;
    const ruleName = text(key(req, 'ruleName'));
    const priority = part.priority !== undefined ? `priority ${part.priority}` : undefined;
    const ruleLabel = ruleName !== undefined && priority !== undefined ? `${ruleName} (${priority})` : (ruleName ?? priority);
    part.objectName =
      ruleLabel !== undefined && policy !== undefined ? `${ruleLabel} in firewall policy ${policy}` : (ruleLabel ?? policy);
    const match = obj(key(req, 'match'));
    const protocols: string[] = [];
    const l4 = key(match, 'layer4Configs');
    for (const c of Array.isArray(l4) ? l4 : []) {
      const p = text(key(obj(c), 'ipProtocol'));
      const ports = list(key(obj(c), 'ports'));
      if (p !== undefined) protocols.push(ports.length ? `${p}/${ports.join(',')}` : p);
    }
    const src = list(key(match, 'srcIpRanges'));
    const dst = list(key(match, 'destIpRanges'));
    if (req) {
      part.filter = filterOrUndefined({
        action: text(key(req, 'action')),
        direction: text(key(req, 'direction')),
        sourceCidrs: src.length ? src : undefined,
        destinationCidrs: dst.length ? dst : undefined,
        protocols: protocols.length ? protocols : undefined,
      });
    }
    const spg = text(key(req, 'securityProfileGroup'));
    if (spg !== undefined) part.destination = { kind: 'profile-group', id: spg, name: lastSegment(spg) };
    const disabled = key(req, 'disabled');
    if (typeof disabled === 'boolean') part.enabled = !disabled;
    part.description = text(key(req, 'description'));
  }

  const auth = obj(pp.authenticationInfo);
  const meta = obj(pp.requestMetadata);
  const email = text(key(auth, 'principalEmail'));
  const subject = text(key(auth, 'principalSubject'));
  const subjectType = subject !== undefined && subject.includes(':') ? subject.slice(0, subject.indexOf(':')) : undefined;
  part.actor = compact({
    name: email ?? subject,
    type: subjectType ?? (email?.endsWith('.gserviceaccount.com') ? 'serviceAccount' : email !== undefined ? 'user' : undefined),
    email,
    sourceIp: ipOnly(key(meta, 'callerIp')),
    userAgent: text(key(meta, 'callerSuppliedUserAgent')),
  });
  return part;
}

// ---------------------------------------------------------------------------------------------------------------
// Network devices (events.md §4): one flat record per line; `command_line` carries the enclosing sub-modes.

/** True when `tok` is `word` or an abbreviation of it at least `min` characters long (IOS accepts unique prefixes). */
function kw(tok: string | undefined, word: string, min: number): boolean {
  if (tok === undefined) return false;
  const t = tok.toLowerCase();
  return t.length >= min && word.startsWith(t);
}

/** rx / tx / both from the spellings of the vendors (IOS rx|tx|both, XR rx-only|tx-only, Junos ingress|egress, EPC in|out). */
function direction(tok: string | undefined): MirrorDirection | undefined {
  switch (tok?.toLowerCase()) {
    case 'rx':
    case 'rx-only':
    case 'ingress':
    case 'in':
      return 'rx';
    case 'tx':
    case 'tx-only':
    case 'egress':
    case 'out':
      return 'tx';
    case 'both':
      return 'both';
    default:
      return undefined;
  }
}

/** Splits `GigabitEthernet1/0/1 , GigabitEthernet1/0/3 - 5` (IOS interface lists) into items. */
function interfaceList(tokens: string[]): string[] {
  return tokens
    .join(' ')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Takes the interface or VLAN list that ends before a direction keyword, and the direction. */
function sourceClause(tokens: string[]): { items: string[]; dir?: MirrorDirection; rest: string[] } {
  const end = tokens.findIndex((t) => direction(t) !== undefined);
  const items = interfaceList(end < 0 ? tokens : tokens.slice(0, end));
  return { items, dir: end < 0 ? undefined : direction(tokens[end]), rest: end < 0 ? [] : tokens.slice(end + 1) };
}

/** Adds a source unless the same kind and id is already there (a group repeats them). */
function pushSource(part: Part, s: MirrorSource): void {
  const sources = (part.sources ??= []);
  const existing = sources.find((x) => x.kind === s.kind && x.id.toLowerCase() === s.id.toLowerCase());
  if (existing) {
    if (s.direction !== undefined) existing.direction = s.direction;
  } else sources.push(s);
}

/** Merges destination fields into the part (an ERSPAN destination is spread over several sub-mode lines). */
function setDestination(part: Part, d: Partial<MirrorDestination>): void {
  const cur = part.destination;
  part.destination = compact({ ...(cur ?? {}), ...d } as MirrorDestination);
}

/** Sets a filter member. */
function setFilter(part: Part, f: MirrorFilter): void {
  part.filter = compact({ ...(part.filter ?? {}), ...f });
}

/** Mode lines that only open configuration mode (NX-OS accounting paths start with them). */
const CONFIGURE = /^conf(?:i(?:g(?:u(?:r(?:e)?)?)?)?)?(?: +t(?:e(?:r(?:m(?:i(?:n(?:a(?:l)?)?)?)?)?)?)?)?$/i;

/** One device line's contribution. */
function devicePart(f: JsonObject): Part {
  const part: Part = { sources: [] };
  part.device = text(f.host);
  part.vendor = text(f.vendor);
  part.os = text(f.os);
  const status = text(f.status)?.toUpperCase();
  part.outcome = status === 'SUCCESS' ? 'success' : status === 'FAILURE' ? 'failure' : 'unknown';
  part.outcomeRank = status === 'FAILURE' ? 2 : status === 'SUCCESS' ? 1 : 0;
  part.actor = compact({ name: text(f.user), type: text(f.user) !== undefined ? 'device-user' : undefined, sourceIp: ipOnly(f.source_ip) });

  const commandLine =
    text(f.command_line) ??
    (text(f.command) !== undefined
      ? [text(f.config_context), text(f.command)].filter((s) => s !== undefined).join(' ; ')
      : undefined);
  if (commandLine === undefined) {
    // A state message such as %SPAN-6-SESSION_UP: no command, no user (events.md §4.2; texts unverified).
    const mnemonic = text(f.mnemonic) ?? '';
    const facility = text(f.facility);
    part.action = facility !== undefined ? `%${facility}-${text(f.severity) ?? '?'}-${mnemonic}` : mnemonic;
    if (/SESSION_UP|SESSION_DOWN|PKTCAP_START|PKTCAP_STOP/i.test(mnemonic)) {
      part.operation = 'state';
      part.objectType = /PKTCAP/i.test(mnemonic) ? 'capture' : 'span';
      part.objectId = /session (\S+)/i.exec(text(f.message) ?? '')?.[1];
      part.enabled = /_UP|_START/i.test(mnemonic);
    } else {
      part.operation = 'other';
      part.objectType = 'unknown';
    }
    return part;
  }
  part.action = commandLine;
  const segs = commandLine
    .split(' ; ')
    .map((s) => s.trim().replace(/^!exec: */i, ''))
    .filter((s) => s.length > 0 && !CONFIGURE.test(s));
  if (segs.length === 0) {
    part.operation = 'other';
    part.objectType = 'unknown';
    return part;
  }
  const vendor = part.vendor?.toLowerCase();
  if (vendor === 'juniper' || (/^(set|delete|deactivate|activate|edit) /i.test(segs[0]) && /forwarding-options|port-mirror/i.test(commandLine))) {
    junosCommand(part, segs);
  } else {
    ciscoCommand(part, segs);
  }
  part.operation ??= 'other';
  part.objectType ??= 'unknown';
  return part;
}

/** IOS / IOS-XE / NX-OS / EOS / IOS-XR / CatOS command with its enclosing sub-modes. */
function ciscoCommand(part: Part, segs: string[]): void {
  const head = segs[0].split(/ +/);
  let negate = false;
  let h = head;
  if (h[0].toLowerCase() === 'no') {
    negate = true;
    h = h.slice(1);
  }
  // monitor session <id> … (IOS, IOS-XE, NX-OS, EOS; abbreviations such as "mon ses")
  if (kw(h[0], 'monitor', 3) && kw(h[1], 'session', 3) && h[2] !== undefined) {
    part.operation = negate ? 'remove' : 'configure';
    part.objectType = 'span';
    part.objectId = h[2];
    const n = int(h[2]);
    if (n !== undefined) part.sessionNumber = n;
    const clauses: { tokens: string[]; sub?: string }[] = [];
    if (h.length > 3) clauses.push({ tokens: h.slice(3) });
    let sub: string | undefined;
    for (const seg of segs.slice(1)) {
      const t = seg.split(/ +/);
      if (t.length === 1 && (kw(t[0], 'destination', 3) || kw(t[0], 'source', 3))) {
        sub = kw(t[0], 'destination', 3) ? 'destination' : 'source';
        continue;
      }
      clauses.push({ tokens: t, sub });
    }
    for (const c of clauses) sessionClause(part, c.tokens, c.sub);
    return;
  }
  // IOS-XR: monitor-session <name> [ethernet|ipv4|ipv6] ; destination interface …  (configuration guide, see rule)
  if (/^monitor-s/i.test(h[0] ?? '') && h[1] !== undefined) {
    part.operation = negate ? 'remove' : 'configure';
    part.objectType = 'span';
    part.objectId = h[1];
    for (const seg of segs.slice(1)) {
      const t = seg.split(/ +/);
      if (kw(t[0], 'destination', 3) && kw(t[1], 'interface', 3) && t[2] !== undefined) {
        setDestination(part, { kind: 'interface', id: t[2] });
        if (/^tunnel-ip/i.test(t[2])) part.objectType = 'erspan';
      } else if (kw(t[0], 'destination', 3) && /^next-hop$/i.test(t[1] ?? '') && t[2] !== undefined) {
        setDestination(part, { kind: 'ip', id: t[2] });
      }
    }
    return;
  }
  // IOS-XR source attachment: interface <if> ; monitor-session <name> ethernet direction rx-only|tx-only
  if (kw(h[0], 'interface', 3) && h[1] !== undefined && segs.length > 1) {
    const t = segs[1].split(/ +/);
    let neg = false;
    let u = t;
    if (u[0].toLowerCase() === 'no') {
      neg = true;
      u = u.slice(1);
    }
    if (/^monitor-s/i.test(u[0] ?? '') && u[1] !== undefined) {
      part.operation = neg || negate ? 'remove' : 'configure';
      part.objectType = 'span';
      part.objectId = u[1];
      const di = u.findIndex((x) => x.toLowerCase() === 'direction');
      pushSource(part, compact({ kind: 'interface' as const, id: h.slice(1).join(' '), direction: di >= 0 ? direction(u[di + 1]) : 'both' }));
      const acl = u.findIndex((x) => x.toLowerCase() === 'acl');
      if (acl >= 0 && u[acl + 1] !== undefined) setFilter(part, { acl: u[acl + 1] });
      return;
    }
  }
  // RSPAN VLAN: vlan <id> ; remote-span
  if (kw(h[0], 'vlan', 2) && h[1] !== undefined && segs.length > 1 && /^remote-s/i.test(segs[1])) {
    part.operation = negate ? 'remove' : 'configure';
    part.objectType = 'rspan';
    part.objectId = h[1];
    part.label = `RSPAN VLAN ${h[1]}`;
    return;
  }
  // CatOS: set span <src> <dst> [rx|tx|both] … ; set rspan source|destination …
  if (h[0]?.toLowerCase() === 'set' && /^r?span$/i.test(h[1] ?? '')) {
    catosCommand(part, h.slice(1));
    return;
  }
  // Embedded Packet Capture: monitor capture <name> interface <if> both|in|out ; monitor capture point ip cef <name> <if> both
  if (kw(h[0], 'monitor', 3) && kw(h[1], 'capture', 3)) {
    part.operation = negate ? 'remove' : 'configure';
    part.objectType = 'capture';
    const rest = h.slice(2);
    if (kw(rest[0], 'point', 3)) {
      // monitor capture point ip|ipv6 cef|process-switched <name> <if> both|in|out
      part.objectId = rest[3];
      const s = sourceClause(rest.slice(4));
      for (const i of s.items) pushSource(part, compact({ kind: 'interface' as const, id: i, direction: s.dir }));
      return;
    }
    part.objectId = rest[0];
    const ii = rest.findIndex((x) => kw(x, 'interface', 3));
    if (ii >= 0) {
      const s = sourceClause(rest.slice(ii + 1));
      for (const i of s.items) pushSource(part, compact({ kind: 'interface' as const, id: i, direction: s.dir }));
    }
    return;
  }
  part.operation = 'other';
  part.objectType = 'unknown';
}

/** One clause of a Cisco/Arista monitor session: top-level arguments or a sub-mode line (`sub` = enclosing sub-mode). */
function sessionClause(part: Part, t: string[], sub: string | undefined): void {
  let negate = false;
  if (t[0]?.toLowerCase() === 'no') {
    negate = true;
    t = t.slice(1);
  }
  const a = t[0];
  if (a === undefined) return;
  if (kw(a, 'shutdown', 4)) {
    part.enabled = negate;
    return;
  }
  if (negate) return;
  if (kw(a, 'type', 2) && t[1] !== undefined) {
    const ty = t[1].toLowerCase();
    part.objectType = ty.startsWith('erspan') ? 'erspan' : ty.startsWith('rspan') ? 'rspan' : 'span';
    return;
  }
  if (kw(a, 'description', 4)) {
    part.description = t.slice(1).join(' ');
    return;
  }
  if (a.toLowerCase() === 'erspan-id' && t[1] !== undefined) {
    part.erspanId = int(t[1]);
    return;
  }
  if (kw(a, 'vrf', 3) && t[1] !== undefined) {
    if (sub !== 'source') setDestination(part, { vrf: t[1] });
    return;
  }
  // Sub-mode "destination" of an erspan-source session: ip address <collector>, origin ip address <self>.
  if (kw(a, 'ip', 2) && kw(t[1], 'address', 3) && t[2] !== undefined) {
    if (sub === 'source') pushSource(part, { kind: 'ip', id: t[2] });
    else {
      setDestination(part, { kind: 'ip', id: t[2] });
      if (part.objectType === 'span') part.objectType = 'erspan';
    }
    return;
  }
  if (kw(a, 'origin', 3) && kw(t[1], 'ip', 2) && kw(t[2], 'address', 3) && t[3] !== undefined) {
    setDestination(part, { origin: t[3] });
    return;
  }
  if (kw(a, 'filter', 3)) {
    if (kw(t[1], 'vlan', 2)) setFilter(part, { vlans: interfaceList(t.slice(2)) });
    else if (kw(t[1], 'ip', 2) && kw(t[2], 'access-group', 3) && t[3] !== undefined) setFilter(part, { acl: t[3] });
    return;
  }
  if (kw(a, 'ip', 2) && kw(t[1], 'access-group', 3) && t[2] !== undefined) {
    setFilter(part, { acl: t[2] });
    return;
  }
  if (kw(a, 'source', 3)) {
    const rest = t.slice(1);
    if (kw(rest[0], 'remote', 3) && kw(rest[1], 'vlan', 2) && rest[2] !== undefined) {
      pushSource(part, { kind: 'remote-vlan', id: rest[2] });
      part.objectType = 'rspan';
    } else if (kw(rest[0], 'vlan', 2)) {
      const s = sourceClause(rest.slice(1));
      for (const v of s.items) pushSource(part, compact({ kind: 'vlan' as const, id: v, direction: s.dir }));
    } else if (kw(rest[0], 'interface', 3)) {
      const s = sourceClause(rest.slice(1));
      for (const i of s.items) pushSource(part, compact({ kind: 'interface' as const, id: i, direction: s.dir }));
    } else if (rest.length > 0) {
      // Arista: source <interface list> [rx|tx|both]
      const s = sourceClause(rest);
      for (const i of s.items) pushSource(part, compact({ kind: 'interface' as const, id: i, direction: s.dir }));
    }
    return;
  }
  if (kw(a, 'destination', 3)) {
    const rest = t.slice(1);
    if (kw(rest[0], 'remote', 3) && kw(rest[1], 'vlan', 2) && rest[2] !== undefined) {
      setDestination(part, { kind: 'vlan', id: rest[2] });
      part.objectType = 'rspan';
    } else if (kw(rest[0], 'tunnel', 3)) {
      // Arista: destination tunnel mode gre source <self> destination <collector> (Arista mirroring TOIs)
      const d = rest.findIndex((x, i) => i > 0 && kw(x, 'destination', 3));
      const s = rest.findIndex((x, i) => i > 0 && kw(x, 'source', 3));
      setDestination(part, compact({ kind: 'gre' as const, id: d >= 0 ? rest[d + 1] ?? '' : '', origin: s >= 0 ? rest[s + 1] : undefined }));
      part.objectType = 'erspan';
    } else if (kw(rest[0], 'ip', 2) && rest[1] !== undefined) {
      // NX-OS erspan-source: destination ip <collector>
      setDestination(part, { kind: 'ip', id: rest[1] });
      part.objectType = 'erspan';
    } else if (kw(rest[0], 'interface', 3)) {
      const stop = rest.findIndex((x, i) => i > 0 && /^(encapsulation|ingress|learning)$/i.test(x));
      const items = interfaceList(rest.slice(1, stop < 0 ? undefined : stop));
      if (items.length) setDestination(part, { kind: 'interface', id: items.join(', ') });
    } else if (rest.length > 0) {
      // Arista: destination <interface>|Cpu
      setDestination(part, { kind: 'interface', id: rest.join(' ') });
    }
    return;
  }
}

/** CatOS `set span` / `set rspan` (events.md §4.1). */
function catosCommand(part: Part, t: string[]): void {
  part.operation = t[1]?.toLowerCase() === 'disable' ? 'remove' : 'configure';
  if (t[0].toLowerCase() === 'span') {
    part.objectType = 'span';
    // set span <src_mod/ports|vlans> <dest_mod/port> [rx|tx|both] …
    if (t[1] !== undefined && part.operation === 'configure') {
      pushSource(part, compact({ kind: 'interface' as const, id: t[1], direction: direction(t[3]) }));
      if (t[2] !== undefined) setDestination(part, { kind: 'interface', id: t[2] });
    }
    return;
  }
  part.objectType = 'rspan';
  // set rspan source <mod/ports> <vlan> [rx|tx|both] ; set rspan destination <mod/port> <vlan>
  if (t[1]?.toLowerCase() === 'source' && t[2] !== undefined) {
    pushSource(part, compact({ kind: 'interface' as const, id: t[2], direction: direction(t[4]) }));
    if (t[3] !== undefined) setDestination(part, { kind: 'vlan', id: t[3] });
  } else if (t[1]?.toLowerCase() === 'destination' && t[2] !== undefined) {
    if (t[3] !== undefined) pushSource(part, { kind: 'remote-vlan', id: t[3] });
    setDestination(part, { kind: 'interface', id: t[2] });
  }
}

/** Junos `set|delete … forwarding-options analyzer|port-mirroring …` and `… then port-mirror` (events.md §4.6). */
function junosCommand(part: Part, segs: string[]): void {
  // Flatten "edit a b ; set c d" into "set a b c d": mgd READ_LINE commands are relative to the edit level.
  let prefix: string[] = [];
  let verb = '';
  let path: string[] = [];
  for (const seg of segs) {
    const t = seg.split(/ +/);
    if (t[0].toLowerCase() === 'edit') prefix = [...prefix, ...t.slice(1)];
    else {
      verb = t[0].toLowerCase();
      path = [...prefix, ...t.slice(1)];
    }
  }
  const remove = verb === 'delete' || verb === 'deactivate';
  if (!remove && verb !== 'set' && verb !== 'activate') {
    // show, run, load …: reading or operational commands change nothing.
    part.operation = 'other';
    part.objectType = 'unknown';
    return;
  }
  const fo = path.findIndex((x) => x.toLowerCase() === 'forwarding-options');
  const kind = fo >= 0 ? path[fo + 1]?.toLowerCase() : undefined;
  if (kind === 'analyzer') {
    part.operation = remove ? 'remove' : 'configure';
    part.objectType = 'analyzer';
    part.objectId = path[fo + 2];
    const rest = path.slice(fo + 3).map((x) => x.toLowerCase());
    const raw = path.slice(fo + 3);
    if (rest[0] === 'input' && (rest[1] === 'ingress' || rest[1] === 'egress') && raw[3] !== undefined) {
      const dir = direction(rest[1]);
      if (rest[2] === 'interface') pushSource(part, compact({ kind: 'interface' as const, id: raw[3], direction: dir }));
      else if (rest[2] === 'vlan') pushSource(part, compact({ kind: 'vlan' as const, id: raw[3], direction: dir }));
    } else if (rest[0] === 'output' && raw[2] !== undefined) {
      if (rest[1] === 'interface') setDestination(part, { kind: 'interface', id: raw[2] });
      else if (rest[1] === 'ip-address') setDestination(part, { kind: 'ip', id: raw[2] });
      else if (rest[1] === 'vlan') setDestination(part, { kind: 'vlan', id: raw[2] });
    }
    return;
  }
  if (kind === 'port-mirroring') {
    part.operation = remove ? 'remove' : 'configure';
    part.objectType = 'port-mirroring';
    let rest = path.slice(fo + 2);
    if (rest[0]?.toLowerCase() === 'instance' && rest[1] !== undefined) {
      part.objectId = rest[1];
      rest = rest.slice(2);
    } else part.objectId = 'default';
    const low = rest.map((x) => x.toLowerCase());
    const oi = low.indexOf('output');
    if (oi >= 0 && low[oi + 1] === 'interface' && rest[oi + 2] !== undefined) {
      const nh = low.indexOf('next-hop');
      setDestination(part, compact({ kind: 'interface' as const, id: rest[oi + 2], nextHop: nh >= 0 ? rest[nh + 1] : undefined }));
    }
    const ii = low.indexOf('input');
    if (ii >= 0 && (low[ii + 1] === 'ingress' || low[ii + 1] === 'egress') && low[ii + 2] === 'interface' && rest[ii + 3] !== undefined) {
      pushSource(part, compact({ kind: 'interface' as const, id: rest[ii + 3], direction: direction(low[ii + 1]) }));
    }
    return;
  }
  const then = path.findIndex((x) => x.toLowerCase() === 'then');
  const action = then >= 0 ? path[then + 1]?.toLowerCase() : undefined;
  if (action === 'port-mirror' || action === 'port-mirror-instance') {
    part.operation = remove ? 'remove' : 'configure';
    part.objectType = 'port-mirroring';
    part.objectId = action === 'port-mirror-instance' ? path[then + 2] : 'default';
    const fi = path.findIndex((x) => x.toLowerCase() === 'filter');
    const ti = path.findIndex((x) => x.toLowerCase() === 'term');
    if (fi >= 0 && path[fi + 1] !== undefined) {
      setFilter(part, { acl: ti >= 0 && path[ti + 1] !== undefined ? `${path[fi + 1]} term ${path[ti + 1]}` : path[fi + 1] });
    }
    return;
  }
  part.operation = 'other';
  part.objectType = 'unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// Merging the events of one alert

type Merged = Omit<MirrorDetails, 'platform' | 'summary'> & { createOrUpdate?: boolean; label?: string };

/** Takes the first defined value of a member across parts. */
function first<K extends keyof Part>(parts: Part[], k: K): Part[K] | undefined {
  for (const p of parts) if (p[k] !== undefined) return p[k];
  return undefined;
}

/** The outcome of the most final part (a Success record beats a Start record, a GCP last entry a first). */
function finalOutcome(parts: Part[]): { outcome: MirrorOutcome; reason?: string } {
  let best: Part | undefined;
  for (const p of parts) if (best === undefined || (p.outcomeRank ?? 0) > (best.outcomeRank ?? 0)) best = p;
  return { outcome: best?.outcome ?? 'unknown', reason: best?.outcomeReason };
}

/** Merges cloud parts: request details from one record, response details and the final status from another. */
function mergeCloud(parts: Part[]): Merged {
  const { outcome, reason } = finalOutcome(parts);
  // Azure: a status that says Created or OK settles "create or update".
  const settled = parts.find((p) => p.operation !== undefined && !p.createOrUpdate);
  const operation = settled?.operation ?? first(parts, 'operation') ?? 'other';
  const sources: MirrorSource[] = [];
  // Ids compare case-insensitively: Azure upper-cases resource ids in some records of one operation, not in others.
  for (const p of parts) for (const s of p.sources ?? []) if (!sources.some((x) => x.kind === s.kind && x.id.toLowerCase() === s.id.toLowerCase())) sources.push(s);
  let destination: MirrorDestination | undefined;
  let filter: MirrorFilter | undefined;
  for (const p of parts) {
    if (p.destination) destination = { ...p.destination, ...(destination ?? {}) };
    if (p.filter) filter = { ...p.filter, ...(filter ?? {}) };
  }
  const actor: MirrorActor = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.actor ?? {})) if (!(k in actor)) (actor as Record<string, unknown>)[k] = v;
  return compact({
    action: first(parts, 'action') ?? '',
    operation,
    objectType: first(parts, 'objectType') ?? 'unknown',
    objectId: first(parts, 'objectId'),
    objectName: first(parts, 'objectName'),
    sources,
    destination,
    filter,
    sessionNumber: first(parts, 'sessionNumber'),
    packetLength: first(parts, 'packetLength'),
    vni: first(parts, 'vni'),
    priority: first(parts, 'priority'),
    enabled: first(parts, 'enabled'),
    removedFields: first(parts, 'removedFields'),
    description: first(parts, 'description'),
    outcome,
    outcomeReason: outcome === 'success' || outcome === 'unknown' ? undefined : reason,
    actor,
    account: first(parts, 'account'),
    project: first(parts, 'project'),
    subscription: first(parts, 'subscription'),
    resourceGroup: first(parts, 'resourceGroup'),
    region: first(parts, 'region'),
    createOrUpdate: settled === undefined && parts.some((p) => p.createOrUpdate) ? true : undefined,
  });
}

/** Specificity of device object types: a group is ERSPAN as soon as one line says so. */
const DEVICE_TYPE_RANK: Record<MirrorObjectType, number> = {
  unknown: 0,
  span: 1,
  capture: 1,
  analyzer: 1,
  'port-mirroring': 1,
  rspan: 2,
  erspan: 3,
  session: 0,
  target: 0,
  filter: 0,
  'filter-rule': 0,
  'network-services': 0,
  vtap: 0,
  'tap-configuration': 0,
  'packet-mirroring': 0,
  'mirroring-rule': 0,
};

/** Merges the lines of one device configuration group (a session and its sub-mode lines). */
function mergeDevice(parts: Part[]): Merged {
  const ops = parts.map((p) => p.operation);
  const operation: MirrorOperation = ops.includes('configure')
    ? 'configure'
    : ops.includes('remove')
      ? 'remove'
      : ops.includes('state')
        ? 'state'
        : 'other';
  let objectType: MirrorObjectType = 'unknown';
  for (const p of parts) {
    const t = p.objectType ?? 'unknown';
    if (DEVICE_TYPE_RANK[t] > DEVICE_TYPE_RANK[objectType]) objectType = t;
  }
  const outcome: MirrorOutcome = parts.some((p) => p.outcome === 'failure')
    ? 'failure'
    : parts.some((p) => p.outcome === 'success')
      ? 'success'
      : 'unknown';
  const sources: MirrorSource[] = [];
  const carrier: Part = { sources };
  let destination: MirrorDestination | undefined;
  let filter: MirrorFilter | undefined;
  let enabled: boolean | undefined;
  for (const p of parts) {
    for (const s of p.sources ?? []) pushSource(carrier, { ...s });
    if (p.destination) destination = compact({ ...(destination ?? {}), ...p.destination });
    if (p.filter) filter = compact({ ...(filter ?? {}), ...p.filter });
    if (p.enabled !== undefined) enabled = p.enabled;
  }
  // An origin address or VRF without a destination line says nothing about where the copy goes.
  if (destination !== undefined && (destination.kind === undefined || !destination.id)) destination = undefined;
  const actor: MirrorActor = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.actor ?? {})) if (!(k in actor)) (actor as Record<string, unknown>)[k] = v;
  const primary = parts.find((p) => p.operation === operation) ?? parts[0];
  return compact({
    action: primary.action ?? '',
    operation,
    objectType,
    objectId: first(parts, 'objectId'),
    sources,
    destination,
    filter,
    sessionNumber: first(parts, 'sessionNumber'),
    erspanId: first(parts, 'erspanId'),
    enabled,
    description: first(parts, 'description'),
    outcome,
    outcomeReason: outcome === 'failure' ? 'the device reported FAILURE' : undefined,
    actor,
    device: first(parts, 'device'),
    vendor: first(parts, 'vendor'),
    os: first(parts, 'os'),
    label: first(parts, 'label'),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The summary sentence

/** How the object is named in a sentence. */
function objectPhrase(t: MirrorObjectType, plural: boolean): string {
  let s: string;
  switch (t) {
    case 'session':
      s = 'traffic mirror session';
      break;
    case 'target':
      s = 'traffic mirror target';
      break;
    case 'filter':
      s = 'traffic mirror filter';
      break;
    case 'filter-rule':
      s = 'traffic mirror filter rule';
      break;
    case 'network-services':
      return 'the network services of traffic mirror filter';
    case 'vtap':
      s = 'virtual network TAP';
      break;
    case 'tap-configuration':
      s = 'NIC tap configuration';
      break;
    case 'packet-mirroring':
      s = 'packet mirroring policy';
      break;
    case 'mirroring-rule':
      s = 'firewall-policy packet mirroring rule';
      break;
    case 'span':
      s = 'SPAN session';
      break;
    case 'rspan':
      s = 'RSPAN session';
      break;
    case 'erspan':
      s = 'ERSPAN session';
      break;
    case 'analyzer':
      s = 'analyzer';
      break;
    case 'port-mirroring':
      s = 'port mirroring';
      break;
    case 'capture':
      s = 'packet capture';
      break;
    case 'unknown':
      s = 'mirroring object';
      break;
  }
  if (!plural) return s;
  return s.endsWith('y') ? `${s.slice(0, -1)}ies` : `${s}s`;
}

/** Base verb (infinitive) and past tense of an operation; a read of one object is "read", of many "listed". */
function verbs(op: MirrorOperation, createOrUpdate: boolean, plural: boolean): [string, string] {
  switch (op) {
    case 'create':
      return createOrUpdate ? ['create or update', 'created or updated'] : ['create', 'created'];
    case 'modify':
      return ['modify', 'modified'];
    case 'delete':
      return ['delete', 'deleted'];
    case 'read':
      return plural ? ['list', 'listed'] : ['read', 'read'];
    case 'configure':
      return ['configure', 'configured'];
    case 'remove':
      return ['remove', 'removed'];
    case 'state':
      return ['report', 'reported'];
    case 'other':
      return ['act on', 'acted on'];
  }
}

/** The verb phrase, shaped by the outcome: "created", "tried to create", "was denied permission to create", … */
function verbPhrase(d: MirrorDetails, m: Merged, plural: boolean): string {
  const [base, past] = verbs(d.operation, m.createOrUpdate === true, plural);
  switch (d.outcome) {
    case 'success':
      return past;
    case 'failure':
      return `tried to ${base}`;
    case 'denied':
      return `was denied permission to ${base}`;
    case 'dry-run':
      return `checked with a dry run whether it may ${base}`;
    case 'unknown':
      // Devices rarely report a status; cloud records without one are Start / first entries of a running operation.
      return d.platform === 'network-device' ? past : `started to ${base}`;
  }
}

/** A source as people read it. */
function sourceText(s: MirrorSource): string {
  let label: string;
  switch (s.kind) {
    case 'eni':
    case 'interface':
    case 'ip':
      label = s.id;
      break;
    case 'nic':
      label = `NIC ${s.name ?? s.id}`;
      break;
    case 'subnet':
      label = `subnetwork ${s.name ?? s.id}`;
      break;
    case 'instance':
      label = `instance ${s.name ?? s.id}`;
      break;
    case 'tag':
      label = `tag ${s.id}`;
      break;
    case 'vlan':
      label = `VLAN ${s.id}`;
      break;
    case 'remote-vlan':
      label = `remote VLAN ${s.id}`;
      break;
  }
  return s.direction !== undefined ? `${label} (${s.direction})` : label;
}

/** A destination as people read it. */
function destinationText(d: MirrorDestination, platform: MirrorPlatform): string {
  let s: string;
  switch (d.kind) {
    case 'mirror-target':
      s = `target ${d.id}`;
      break;
    case 'eni':
      s = `network interface ${d.id}`;
      break;
    case 'nlb':
      s = `network load balancer ${d.id}`;
      break;
    case 'gwlb-endpoint':
      s = `Gateway Load Balancer endpoint ${d.id}`;
      break;
    case 'nic-ipconfig':
      s = `NIC IP configuration ${d.name ?? d.id}`;
      break;
    case 'lb-frontend':
      s = `load balancer frontend ${d.name ?? d.id}`;
      break;
    case 'vtap':
      s = `virtual network TAP ${d.name ?? d.id}`;
      break;
    case 'ilb':
      s = `internal load balancer ${d.name ?? d.id}`;
      break;
    case 'profile-group':
      s = `security profile group ${d.name ?? d.id}`;
      break;
    case 'interface':
    case 'ip':
      s = d.id;
      break;
    case 'vlan':
      s = `remote VLAN ${d.id}`;
      break;
    case 'gre':
      s = `${d.id} over GRE`;
      break;
  }
  if (d.port !== undefined) s += ` on UDP port ${d.port}`;
  if (d.account !== undefined && d.crossAccount === true) {
    s += platform === 'azure' ? ` (owned by another subscription: ${d.account})` : ` (owned by another account: ${d.account})`;
  }
  return s;
}

/** Parenthesised device details: erspan-id, origin, VRF, next hop. */
function deviceExtras(d: MirrorDetails): string {
  const bits: string[] = [];
  if (d.erspanId !== undefined) bits.push(`erspan-id ${d.erspanId}`);
  if (d.destination?.origin !== undefined) bits.push(`origin ${d.destination.origin}`);
  if (d.destination?.vrf !== undefined) bits.push(`vrf ${d.destination.vrf}`);
  if (d.destination?.nextHop !== undefined) bits.push(`next hop ${d.destination.nextHop}`);
  if (d.filter?.vlans?.length) bits.push(`VLAN filter ${d.filter.vlans.join(',')}`);
  if (d.filter?.acl !== undefined) bits.push(`filter ${d.filter.acl}`);
  return bits.length ? ` (${bits.join(', ')})` : '';
}

/** The filter part of the sentence, per object type. */
function filterText(d: MirrorDetails): string {
  const f = d.filter;
  if (!f) return '';
  switch (d.objectType) {
    case 'session':
      return f.id !== undefined ? ` through filter ${f.id}` : '';
    case 'filter-rule': {
      const bits = [f.action, f.direction, f.protocols?.join('/')].filter((s) => s !== undefined);
      const from = f.sourceCidrs?.join(', ');
      const to = f.destinationCidrs?.join(', ');
      let s = bits.length ? `: ${bits.join(' ')}` : '';
      if (from !== undefined) s += ` from ${from}${f.sourcePorts !== undefined ? ` port ${f.sourcePorts}` : ''}`;
      if (to !== undefined) s += ` to ${to}${f.destinationPorts !== undefined ? ` port ${f.destinationPorts}` : ''}`;
      if (f.ruleNumber !== undefined) s += ` (rule ${f.ruleNumber})`;
      return s;
    }
    case 'network-services': {
      const bits: string[] = [];
      if (f.addNetworkServices?.length) bits.push(`added ${f.addNetworkServices.join(', ')}`);
      if (f.removeNetworkServices?.length) bits.push(`removed ${f.removeNetworkServices.join(', ')}`);
      return bits.length ? `: ${bits.join('; ')}` : '';
    }
    case 'packet-mirroring': {
      const bits = [f.direction, f.cidrs?.join(', '), f.protocols?.join(', ')].filter((s) => s !== undefined && s !== '');
      return bits.length ? ` (filter ${bits.join('; ')})` : '';
    }
    case 'mirroring-rule': {
      const bits = [f.action, f.direction, f.protocols?.join(', ')].filter((s) => s !== undefined);
      let s = bits.length ? `: ${bits.join(' ')}` : '';
      if (f.sourceCidrs !== undefined) s += ` from ${f.sourceCidrs.join(', ')}`;
      if (f.destinationCidrs !== undefined) s += ` to ${f.destinationCidrs.join(', ')}`;
      return s;
    }
    default:
      return '';
  }
}

/** Who did it, as the sentence starts. */
function actorText(d: MirrorDetails): string {
  const a = d.actor;
  if (d.platform === 'network-device') {
    const host = d.device ?? 'an unknown device';
    return a.name !== undefined ? `${a.name} on ${host}` : host;
  }
  if (d.platform === 'aws') {
    let s: string;
    switch (a.type) {
      case 'Root':
        s = 'Root user';
        break;
      case 'AWSService':
        s = `AWS service ${a.name ?? 'unknown'}`;
        break;
      case undefined:
        s = a.name ?? a.arn ?? 'unknown caller';
        break;
      default:
        s = `${a.type} ${a.name ?? a.arn ?? 'unknown'}`;
    }
    if (a.session !== undefined) s += ` (session ${a.session})`;
    if (a.console === true) s += ' (console)';
    if (a.invokedBy !== undefined) s += ` via ${a.invokedBy}`;
    return s;
  }
  if (a.type === 'ServicePrincipal' && a.upn === undefined && a.name !== undefined) return `service principal ${a.name.replace(/^application /, '')}`;
  if (a.type === 'serviceAccount' && a.name !== undefined) return `service account ${a.name}`;
  return a.name ?? 'an unknown caller';
}

/** Where it happened, as the sentence ends. */
function scopeText(d: MirrorDetails): string {
  switch (d.platform) {
    case 'aws':
      return [d.account !== undefined ? ` in account ${d.account}` : '', d.region !== undefined ? ` ${d.region}` : ''].join('');
    case 'azure': {
      let s = d.subscription !== undefined ? ` in subscription ${d.subscription}` : '';
      if (d.resourceGroup !== undefined) s += ` (resource group ${d.resourceGroup})`;
      if (d.region !== undefined) s += ` ${d.region}`;
      return s;
    }
    case 'gcp':
      return [d.project !== undefined ? ` in project ${d.project}` : '', d.region !== undefined ? ` ${d.region}` : ''].join('');
    case 'network-device':
      return '';
  }
}

/** One plain-English sentence: who, did what, to which object, copying what, to where, where, and why it failed. */
function summarize(d: MirrorDetails, m: Merged): string {
  const plural = d.operation === 'read' && d.objectId === undefined;
  const name = d.objectName ?? d.objectId;
  let s = actorText(d);
  if (d.operation === 'other') {
    // Not a mirroring change this module knows (a join/action, an unrelated call): name the action itself.
    const outcome = d.outcome === 'denied' ? 'was denied' : d.outcome === 'failure' ? 'failed' : d.outcome === 'unknown' && d.platform !== 'network-device' ? 'started' : 'performed';
    s += ` ${outcome} ${d.action || 'an unknown action'}`;
    if (d.objectType !== 'unknown') s += ` on ${objectPhrase(d.objectType, false)}${name !== undefined ? ` ${name}` : ''}`;
    return (s + scopeText(d)).replace(/ {2,}/g, ' ').trim();
  }
  s += ` ${verbPhrase(d, m, plural)} `;
  if (m.label !== undefined) s += m.label;
  else {
    s += objectPhrase(d.objectType, plural);
    if (d.objectType === 'network-services') s += d.objectId !== undefined ? ` ${d.objectId}` : '';
    else if (name !== undefined) s += ` ${name}`;
  }
  if (d.operation === 'state') s += d.enabled === false ? ' down' : d.objectType === 'capture' ? ' started' : ' up';
  // A deletion names what the object used to copy; everything else what it copies (now).
  const gone = d.operation === 'delete' || d.operation === 'remove';
  if (d.sources.length) s += `${gone ? ' that copied' : ' copying'} ${d.sources.map(sourceText).join(', ')}`;
  if (d.destination !== undefined && d.destination.id) {
    const connector = d.objectType === 'target' ? ' pointing at ' : d.objectType === 'vtap' ? ' sending copies to ' : ' to ';
    s += connector + destinationText(d.destination, d.platform);
  }
  s += filterText(d);
  if (d.platform === 'network-device') s += deviceExtras(d);
  if (d.operation === 'modify' || d.operation === 'configure' || d.operation === 'create') {
    if (d.enabled === false) s += d.platform === 'network-device' ? ', left shut down' : ', switching mirroring off (enable FALSE)';
    else if (d.enabled === true && d.operation === 'modify') s += ', switching mirroring on';
  }
  if (d.removedFields?.length) s += `, removing ${d.removedFields.join(', ')}`;
  s += scopeText(d);
  if (d.outcome === 'failure' || d.outcome === 'denied') s += d.outcomeReason !== undefined ? ` (${d.outcomeReason})` : '';
  if (d.operation === 'state' && d.action) s += ` (${d.action})`;
  return s.replace(/ {2,}/g, ' ').trim();
}
