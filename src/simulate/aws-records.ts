/**
 * CloudTrail records as CloudTrail writes them to S3 (one element of `{"Records":[…]}`): the envelope of
 * events.md §1.2, the `userIdentity` variants of §1.5 (IAMUser, AssumedRole with `sessionContext`, Root, AWS service
 * callers with `invokedBy`), and the traffic-mirroring calls with the nesting of §1.3–§1.4: PascalCase request keys
 * under `<Action>Request`, camelCase response keys under `<Action>Response` with `requestId` and `xmlns`, empty
 * lists as `""`, list parameters as `{content, tag}`, failed calls with `errorCode`/`errorMessage` and
 * `responseElements: null`. Identifier formats follow the EC2 API: `eni-`/`tmt-`/`tmf-`/`tmfr-`/`tms-` + 17
 * hexadecimal digits, VNIs of 24 bits, ARNs `arn:aws:<service>:<region>:<account>:<resource>`.
 */
import { BASE32, type Random } from './random.js';
import { isoSeconds } from './time-format.js';

/** The XML namespace EC2 responses carry (the 2016-11-15 API version, as in every sample). */
export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** An EC2 resource id: prefix and 17 lower-case hexadecimal digits (the long id format). */
export function ec2Id(rng: Random, prefix: string): string {
  return `${prefix}-${rng.hex(17)}`;
}

/** An access key id: `AKIA` (long-term) or `ASIA` (temporary) and 16 base32 characters. */
export function accessKeyId(rng: Random, temporary: boolean): string {
  return `${temporary ? 'ASIA' : 'AKIA'}${rng.chars(16, BASE32)}`;
}

/** A unique IAM id: `AIDA` (user) or `AROA` (role) and 17 base32 characters. */
export function uniqueId(rng: Random, prefix: 'AIDA' | 'AROA'): string {
  return `${prefix}${rng.chars(17, BASE32)}`;
}

/** Who made a call, and from where: the `userIdentity` and the request's origin. */
export interface AwsActor {
  identity: Record<string, unknown>;
  sourceIPAddress: string;
  userAgent: string;
  /** Console sessions: `sessionCredentialFromConsole: "true"` and no `tlsDetails`. */
  console?: boolean;
}

/** An IAM user with a long-term access key. */
export function iamUser(rng: Random, account: string, userName: string): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: uniqueId(rng, 'AIDA'),
    arn: `arn:aws:iam::${account}:user/${userName}`,
    accountId: account,
    accessKeyId: accessKeyId(rng, false),
    userName,
  };
}

/** A role session (`AssumedRole`), with the `sessionContext` CloudTrail adds (events.md §1.5). */
export function assumedRole(
  rng: Random,
  account: string,
  role: string,
  session: string,
  opts: { createdMs: number; mfa?: boolean; invokedBy?: string; path?: string },
): Record<string, unknown> {
  const roleId = uniqueId(rng, 'AROA');
  const identity: Record<string, unknown> = {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: accessKeyId(rng, true),
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: `arn:aws:iam::${account}:role/${opts.path ?? ''}${role}`,
        accountId: account,
        userName: role,
      },
      webIdFederationData: {},
      attributes: { creationDate: isoSeconds(opts.createdMs), mfaAuthenticated: opts.mfa ? 'true' : 'false' },
    },
  };
  if (opts.invokedBy) {
    // A service acting with the role (AWS Config) shows no access key (Panther's AWS Config sample, events.md §1.5).
    delete identity.accessKeyId;
    identity.invokedBy = opts.invokedBy;
  }
  return identity;
}

/**
 * The account's root user, signed in to the console: no `userName`, `principalId` is the account id, a temporary key
 * and session attributes (AWS userIdentity reference, documented shape; events.md §1.5 marks it as without sample).
 */
export function rootUser(rng: Random, account: string, createdMs: number): Record<string, unknown> {
  return {
    type: 'Root',
    principalId: account,
    arn: `arn:aws:iam::${account}:root`,
    accountId: account,
    accessKeyId: accessKeyId(rng, true),
    sessionContext: { attributes: { creationDate: isoSeconds(createdMs), mfaAuthenticated: 'true' } },
  };
}

/** A call an AWS service makes under its own identity (`type: AWSService`). */
export function awsServiceIdentity(service: string): Record<string, unknown> {
  return { type: 'AWSService', invokedBy: service };
}

/** AWS CLI v2 user agent for a command (the layout the CLI sends: `aws-cli/<v> Python/<v> <os> … command/<svc>.<op>`). */
export function awsCliAgent(command: string): string {
  return `aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-1014-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}`;
}

/** Terraform's AWS provider user agent (as the bundled examples carry it). */
export const TERRAFORM_AWS_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.1';

/** What one API call left in CloudTrail. */
export interface CallSpec {
  actor: AwsActor;
  timeMs: number;
  region: string;
  /** The account the call was made in (`recipientAccountId`). */
  account: string;
  eventSource: string;
  eventName: string;
  requestParameters: unknown;
  responseElements: unknown;
  readOnly: boolean;
  errorCode?: string;
  errorMessage?: string;
  additionalEventData?: Record<string, unknown>;
  resources?: Record<string, unknown>[];
  eventType?: string;
  eventVersion?: string;
  /** `false` for data events; management events otherwise. */
  managementEvent?: boolean;
  /** The host the TLS client named; default `<service>.<region>.amazonaws.com`. */
  host?: string;
}

/** The CloudTrail record of one call, members in the order CloudTrail writes them. */
export function cloudTrailRecord(rng: Random, c: CallSpec): Record<string, unknown> {
  const r: Record<string, unknown> = {
    eventVersion: c.eventVersion ?? '1.10',
    userIdentity: c.actor.identity,
    eventTime: isoSeconds(c.timeMs),
    eventSource: c.eventSource,
    eventName: c.eventName,
    awsRegion: c.region,
    sourceIPAddress: c.actor.sourceIPAddress,
    userAgent: c.actor.userAgent,
  };
  if (c.errorCode !== undefined) {
    r.errorCode = c.errorCode;
    r.errorMessage = c.errorMessage ?? '';
  }
  r.requestParameters = c.requestParameters;
  r.responseElements = c.responseElements;
  if (c.additionalEventData) r.additionalEventData = c.additionalEventData;
  const requestId = rng.uuid();
  r.requestID = requestId;
  r.eventID = rng.uuid();
  r.readOnly = c.readOnly;
  if (c.resources) r.resources = c.resources;
  r.eventType = c.eventType ?? 'AwsApiCall';
  r.managementEvent = c.managementEvent ?? true;
  r.recipientAccountId = c.account;
  r.eventCategory = c.managementEvent === false ? 'Data' : 'Management';
  if (c.actor.console) r.sessionCredentialFromConsole = 'true';
  else if (c.actor.identity.type !== 'AWSService' && !c.actor.identity.invokedBy) {
    r.tlsDetails = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: c.host ?? `${c.eventSource.split('.')[0]}.${c.region}.amazonaws.com`,
    };
  }
  // The EC2 response echoes the request id (`<Action>Response.requestId`).
  fillRequestId(r.responseElements, requestId);
  return r;
}

function fillRequestId(v: unknown, requestId: string): void {
  if (typeof v !== 'object' || v === null) return;
  for (const inner of Object.values(v as Record<string, unknown>)) {
    if (typeof inner === 'object' && inner !== null && 'requestId' in inner) (inner as Record<string, unknown>).requestId = requestId;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Traffic-mirroring calls

/** How a call ended: done, refused by IAM, or a `DryRun` permission check. */
export type CallOutcome = 'success' | 'denied' | 'dry-run';

/** The common parts of a mirroring call. */
export interface MirrorCall {
  actor: AwsActor;
  timeMs: number;
  region: string;
  account: string;
  outcome?: CallOutcome;
}

/** The resource type segment of `arn:aws:ec2:…:traffic-mirror-<type>/…` in IAM denial messages. */
function resourceTypeOf(action: string): string {
  if (action.includes('FilterRule')) return 'traffic-mirror-filter-rule';
  if (action.includes('Filter')) return 'traffic-mirror-filter';
  if (action.includes('Target')) return 'traffic-mirror-target';
  return 'traffic-mirror-session';
}

/** The actor's ARN as IAM quotes it in a denial. */
function callerArn(actor: AwsActor): string {
  return String(actor.identity.arn ?? 'unknown');
}

/**
 * The record of one mirroring call. On success the response is `<Action>Response` with `xmlns`; a denied call
 * carries `Client.UnauthorizedOperation` with IAM's message and an encoded authorization failure message; a
 * `DryRun` call carries `Client.DryRunOperation` (events.md §1.6; EC2 API: "If you have the required permissions,
 * the error response is DryRunOperation").
 */
export function mirrorCallRecord(
  rng: Random,
  call: MirrorCall,
  action: string,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
): Record<string, unknown> {
  const outcome = call.outcome ?? 'success';
  const req: Record<string, unknown> = { ...request };
  if (outcome === 'dry-run') req.DryRun = true;
  let errorCode: string | undefined;
  let errorMessage: string | undefined;
  if (outcome === 'denied') {
    errorCode = 'Client.UnauthorizedOperation';
    errorMessage =
      `You are not authorized to perform this operation. User: ${callerArn(call.actor)} is not authorized to perform: ec2:${action} ` +
      `on resource: arn:aws:ec2:${call.region}:${call.account}:${resourceTypeOf(action)}/* because no identity-based policy allows the ec2:${action} action. ` +
      `Encoded authorization failure message: ${rng.chars(380, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
  } else if (outcome === 'dry-run') {
    errorCode = 'Client.DryRunOperation';
    errorMessage = 'Request would have succeeded, but DryRun flag is set.';
  }
  return cloudTrailRecord(rng, {
    actor: call.actor,
    timeMs: call.timeMs,
    region: call.region,
    account: call.account,
    eventSource: 'ec2.amazonaws.com',
    eventName: action,
    requestParameters: { [`${action}Request`]: req },
    responseElements: outcome === 'success' ? { [`${action}Response`]: responseBody(response) } : null,
    readOnly: false,
    errorCode,
    errorMessage,
  });
}

/** `<Action>Response` members: `clientToken`, `requestId` (filled in with the record's), the result, `xmlns`. */
function responseBody(response: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('clientToken' in response) out.clientToken = response.clientToken;
  out.requestId = '';
  for (const [k, v] of Object.entries(response)) if (k !== 'clientToken') out[k] = v;
  out.xmlns = EC2_XMLNS;
  return out;
}

/** Where a traffic mirror target sends copies (events.md §1.4: exactly one of the three). */
export type TargetDestination =
  | { kind: 'eni'; eni: string }
  | { kind: 'nlb'; arn: string }
  | { kind: 'gwlb-endpoint'; endpoint: string };

/** `CreateTrafficMirrorTarget`; returns the record and the new target id. */
export function createTarget(rng: Random, call: MirrorCall, dest: TargetDestination, description?: string): { record: Record<string, unknown>; targetId: string } {
  const targetId = ec2Id(rng, 'tmt');
  const clientToken = rng.uuid();
  const request: Record<string, unknown> = {};
  const target: Record<string, unknown> = {};
  if (description !== undefined) {
    request.Description = description;
    target.description = description;
  }
  switch (dest.kind) {
    case 'eni':
      request.NetworkInterfaceId = dest.eni;
      target.networkInterfaceId = dest.eni;
      break;
    case 'nlb':
      request.NetworkLoadBalancerArn = dest.arn;
      target.networkLoadBalancerArn = dest.arn;
      break;
    case 'gwlb-endpoint':
      request.GatewayLoadBalancerEndpointId = dest.endpoint;
      target.gatewayLoadBalancerEndpointId = dest.endpoint;
      break;
  }
  request.ClientToken = clientToken;
  target.ownerId = call.account;
  target.tagSet = '';
  target.trafficMirrorTargetId = targetId;
  target.type = dest.kind === 'eni' ? 'network-interface' : dest.kind === 'nlb' ? 'network-load-balancer' : 'gateway-load-balancer-endpoint';
  const record = mirrorCallRecord(rng, call, 'CreateTrafficMirrorTarget', request, { clientToken, trafficMirrorTarget: target });
  return { record, targetId };
}

/** `CreateTrafficMirrorFilter`; returns the record and the new filter id. */
export function createFilter(rng: Random, call: MirrorCall, description?: string): { record: Record<string, unknown>; filterId: string } {
  const filterId = ec2Id(rng, 'tmf');
  const clientToken = rng.uuid();
  const request: Record<string, unknown> = {};
  if (description !== undefined) request.Description = description;
  request.ClientToken = clientToken;
  const filter: Record<string, unknown> = {};
  if (description !== undefined) filter.description = description;
  Object.assign(filter, { egressFilterRuleSet: '', ingressFilterRuleSet: '', networkServiceSet: '', tagSet: '', trafficMirrorFilterId: filterId });
  return { record: mirrorCallRecord(rng, call, 'CreateTrafficMirrorFilter', request, { clientToken, trafficMirrorFilter: filter }), filterId };
}

/** One filter rule as the API takes it. */
export interface FilterRuleSpec {
  filterId: string;
  direction: 'ingress' | 'egress';
  ruleNumber: number;
  action: 'accept' | 'reject';
  /** IANA protocol number; omitted means all protocols. */
  protocol?: number;
  sourceCidr: string;
  destinationCidr: string;
  destinationPorts?: [number, number];
  sourcePorts?: [number, number];
  description?: string;
}

/** `CreateTrafficMirrorFilterRule`; returns the record and the new rule id. */
export function createFilterRule(rng: Random, call: MirrorCall, spec: FilterRuleSpec): { record: Record<string, unknown>; ruleId: string } {
  const ruleId = ec2Id(rng, 'tmfr');
  const clientToken = rng.uuid();
  // Request keys in the order the sample shows them (alphabetical, as the EC2 query API serialises them).
  const request: Record<string, unknown> = { ClientToken: clientToken };
  if (spec.description !== undefined) request.Description = spec.description;
  request.DestinationCidrBlock = spec.destinationCidr;
  if (spec.destinationPorts) request.DestinationPortRange = { FromPort: spec.destinationPorts[0], ToPort: spec.destinationPorts[1] };
  if (spec.protocol !== undefined) request.Protocol = spec.protocol;
  request.RuleAction = spec.action;
  request.RuleNumber = spec.ruleNumber;
  request.SourceCidrBlock = spec.sourceCidr;
  if (spec.sourcePorts) request.SourcePortRange = { FromPort: spec.sourcePorts[0], ToPort: spec.sourcePorts[1] };
  request.TrafficDirection = spec.direction;
  request.TrafficMirrorFilterId = spec.filterId;
  const rule: Record<string, unknown> = {};
  if (spec.description !== undefined) rule.description = spec.description;
  rule.destinationCidrBlock = spec.destinationCidr;
  if (spec.destinationPorts) rule.destinationPortRange = { fromPort: spec.destinationPorts[0], toPort: spec.destinationPorts[1] };
  if (spec.protocol !== undefined) rule.protocol = spec.protocol;
  rule.ruleAction = spec.action;
  rule.ruleNumber = spec.ruleNumber;
  rule.sourceCidrBlock = spec.sourceCidr;
  if (spec.sourcePorts) rule.sourcePortRange = { fromPort: spec.sourcePorts[0], toPort: spec.sourcePorts[1] };
  rule.trafficDirection = spec.direction;
  rule.trafficMirrorFilterId = spec.filterId;
  rule.trafficMirrorFilterRuleId = ruleId;
  return { record: mirrorCallRecord(rng, call, 'CreateTrafficMirrorFilterRule', request, { clientToken, trafficMirrorFilterRule: rule }), ruleId };
}

/** A session as the API takes it. */
export interface SessionSpec {
  eni: string;
  targetId: string;
  filterId: string;
  sessionNumber: number;
  packetLength?: number;
  /** The VXLAN id; AWS picks a random one when it is not given. */
  vni?: number;
  description?: string;
}

/** `CreateTrafficMirrorSession`; returns the record and the new session id. */
export function createSession(rng: Random, call: MirrorCall, spec: SessionSpec): { record: Record<string, unknown>; sessionId: string } {
  const sessionId = ec2Id(rng, 'tms');
  const clientToken = rng.uuid();
  const vni = spec.vni ?? rng.int(1, 16777215);
  const request: Record<string, unknown> = { ClientToken: clientToken };
  if (spec.description !== undefined) request.Description = spec.description;
  request.NetworkInterfaceId = spec.eni;
  if (spec.packetLength !== undefined) request.PacketLength = spec.packetLength;
  request.SessionNumber = spec.sessionNumber;
  request.TrafficMirrorFilterId = spec.filterId;
  request.TrafficMirrorTargetId = spec.targetId;
  if (spec.vni !== undefined) request.VirtualNetworkId = spec.vni;
  const session: Record<string, unknown> = {};
  if (spec.description !== undefined) session.description = spec.description;
  session.networkInterfaceId = spec.eni;
  session.ownerId = call.account;
  if (spec.packetLength !== undefined) session.packetLength = spec.packetLength;
  Object.assign(session, {
    sessionNumber: spec.sessionNumber,
    tagSet: '',
    trafficMirrorFilterId: spec.filterId,
    trafficMirrorSessionId: sessionId,
    trafficMirrorTargetId: spec.targetId,
    virtualNetworkId: vni,
  });
  return { record: mirrorCallRecord(rng, call, 'CreateTrafficMirrorSession', request, { clientToken, trafficMirrorSession: session }), sessionId };
}

/** `ModifyTrafficMirrorSession` pointing an existing session at another target (and optionally filter). */
export function modifySession(
  rng: Random,
  call: MirrorCall,
  spec: { sessionId: string; eni: string; targetId: string; filterId: string; sessionNumber: number; vni: number; removeFields?: string[] },
): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  if (spec.removeFields?.length) request.RemoveField = spec.removeFields.map((content, i) => ({ content, tag: i + 1 }));
  Object.assign(request, {
    SessionNumber: spec.sessionNumber,
    TrafficMirrorFilterId: spec.filterId,
    TrafficMirrorSessionId: spec.sessionId,
    TrafficMirrorTargetId: spec.targetId,
    VirtualNetworkId: spec.vni,
  });
  const session = {
    networkInterfaceId: spec.eni,
    ownerId: call.account,
    sessionNumber: spec.sessionNumber,
    tagSet: '',
    trafficMirrorFilterId: spec.filterId,
    trafficMirrorSessionId: spec.sessionId,
    trafficMirrorTargetId: spec.targetId,
    virtualNetworkId: spec.vni,
  };
  return mirrorCallRecord(rng, call, 'ModifyTrafficMirrorSession', request, { trafficMirrorSession: session });
}

/** `ModifyTrafficMirrorFilterNetworkServices` adding `amazon-dns` (the only network service, events.md §1.1). */
export function addDnsService(rng: Random, call: MirrorCall, filterId: string): Record<string, unknown> {
  const request = { AddNetworkService: { content: 'amazon-dns', tag: 1 }, TrafficMirrorFilterId: filterId };
  const filter = {
    egressFilterRuleSet: '',
    ingressFilterRuleSet: '',
    networkServiceSet: { item: 'amazon-dns' },
    tagSet: '',
    trafficMirrorFilterId: filterId,
  };
  return mirrorCallRecord(rng, call, 'ModifyTrafficMirrorFilterNetworkServices', request, { trafficMirrorFilter: filter });
}

/** A `Delete…` call: `DeleteTrafficMirrorSession|Target|Filter|FilterRule` with its id. */
export function deleteMirrorResource(
  rng: Random,
  call: MirrorCall,
  what: 'Session' | 'Target' | 'Filter' | 'FilterRule',
  id: string,
): Record<string, unknown> {
  const key = `TrafficMirror${what}Id`;
  const camel = `trafficMirror${what}Id`;
  return mirrorCallRecord(rng, call, `DeleteTrafficMirror${what}`, { [key]: id }, { [camel]: id });
}

/** A `DescribeTrafficMirror…` read (`readOnly: true`, no response elements, events.md §1.4). */
export function describeMirrors(rng: Random, call: MirrorCall, what: 'Sessions' | 'Targets' | 'Filters' | 'FilterRules'): Record<string, unknown> {
  const action = `DescribeTrafficMirror${what}`;
  return cloudTrailRecord(rng, {
    actor: call.actor,
    timeMs: call.timeMs,
    region: call.region,
    account: call.account,
    eventSource: 'ec2.amazonaws.com',
    eventName: action,
    requestParameters: { [`${action}Request`]: { MaxResults: 1000 } },
    responseElements: null,
    readOnly: true,
  });
}

/** An internet-facing or internal NLB ARN (`…:loadbalancer/net/<name>/<16 hex>`). */
export function nlbArn(rng: Random, region: string, account: string, name: string): string {
  return `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/net/${name}/${rng.hex(16)}`;
}
