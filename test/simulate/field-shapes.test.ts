/**
 * Simulated records compared field by field with the documented real shapes: the public samples copied into
 * `test/fixtures/reference-samples/` (see SOURCES.md there) and the tables of `../shared/reference/events.md`.
 * For each platform the test checks, and says in each test's name and comments:
 * - the same keys at the same nesting (key sets compared object by object, with each tolerated difference listed and
 *   explained: members a sample has because of its own situation, and converter artefacts of the sample);
 * - the same JSON types at every shared path;
 * - the same value formats: ISO times with the source's precision, id formats (`eni-`/`tmt-`/`tmf-`/`tmfr-`/`tms-` +
 *   17 hex, UUIDs, access keys, IAM unique ids), ARN patterns, upper-case Azure resource ids in storage exports and
 *   7 fractional digits, GCP operation ids and microsecond/nanosecond timestamps, and device line layouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assumedRole,
  createFilterRule,
  createSession,
  createTarget,
  describeMirrors,
  iamUser,
  modifySession,
  rootUser,
  type AwsActor,
} from '../../src/simulate/aws-records.js';
import { azureOperationRecords, azureUser, nicIpConfigId, servicePrincipal, tapConfigBodies, vtapBodies, vtapId } from '../../src/simulate/azure-records.js';
import { DeviceLog, SEQ, SEQ6 } from '../../src/simulate/device-lines.js';
import { computeUrl, gcloudAgent, gcpAuditEntries, packetMirroringResource } from '../../src/simulate/gcp-records.js';
import { Random } from '../../src/simulate/random.js';
import { samplesDir } from '../helpers/paths.js';

type Json = Record<string, unknown>;

function sample(name: string): Json {
  return JSON.parse(readFileSync(join(samplesDir, name), 'utf8')) as Json;
}

function sampleLines(name: string): string[] {
  return readFileSync(join(samplesDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Every path of a JSON value with its type; array elements share the path `[]`. */
function shape(v: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  out.set(prefix || '.', typeOf(v));
  if (Array.isArray(v)) for (const x of v) shape(x, `${prefix}[]`, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) shape(x, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/**
 * Compares two records' shapes: the paths only one of them has, except the listed ones, and the shared paths whose
 * types differ, except the listed ones. Returns the differences (empty when the shapes agree).
 */
function compareShapes(simulated: unknown, reference: unknown, tolerated: { onlySimulated?: string[]; onlyReference?: string[]; types?: string[] } = {}): string[] {
  const a = shape(simulated);
  const b = shape(reference);
  const problems: string[] = [];
  const under = (p: string, list: string[] | undefined) => (list ?? []).some((t) => p === t || p.startsWith(`${t}.`) || p.startsWith(`${t}[]`));
  for (const p of a.keys()) if (!b.has(p) && !under(p, tolerated.onlySimulated)) problems.push(`only simulated: ${p}`);
  for (const p of b.keys()) if (!a.has(p) && !under(p, tolerated.onlyReference)) problems.push(`only in the reference: ${p}`);
  for (const [p, t] of a) if (b.has(p) && b.get(p) !== t && !under(p, tolerated.types)) problems.push(`${p}: ${t} vs ${b.get(p)} in the reference`);
  return problems;
}

/** Panther's converter drops null members (SOURCES.md); raw CloudTrail keeps them, e.g. `responseElements: null`. */
function withoutNulls(v: Json): Json {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CLOUDTRAIL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const rng = new Random('field-shapes');
const ACCOUNT = '111122223333';
const T = Date.parse('2026-11-20T14:05:10Z');

// Tolerated for every Panther sample: `eventTime` is Panther-normalised "YYYY-MM-DD HH:MM:SS" (SOURCES.md), raw
// CloudTrail writes ISO 8601 with Z (events.md §1.2), checked by CLOUDTRAIL_TIME below; numbers Panther turned into
// floats (`ownerId`, `VirtualNetworkId`) are strings and integers in real CloudTrail (SOURCES.md), types tolerated;
// `sessionCredentialFromConsole` is a boolean after Panther's conversion and the string "true" in raw CloudTrail.
const PANTHER_TYPES = ['sessionCredentialFromConsole'];

function consoleRole(): AwsActor {
  return {
    identity: assumedRole(rng, ACCOUNT, 'MakeStuffPublic', 'MakeStuffPublic', { createdMs: T - 1_200_000, mfa: true }),
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    console: true,
  };
}

function checkCloudTrailFormats(r: Json): void {
  assert.match(String(r.eventTime), CLOUDTRAIL_TIME, 'eventTime: ISO 8601 seconds, Z');
  assert.match(String(r.eventID), UUID, 'eventID: UUID');
  assert.match(String(r.requestID), UUID, 'requestID: UUID');
  assert.equal(r.eventSource, 'ec2.amazonaws.com');
  assert.equal(r.recipientAccountId, ACCOUNT);
  const ui = r.userIdentity as Json;
  assert.match(String(ui.accessKeyId), /^(AKIA|ASIA)[A-Z2-7]{16}$/, 'accessKeyId: AKIA/ASIA + 16 base32 characters');
  assert.match(String(ui.accountId), /^\d{12}$/);
  if (ui.type === 'AssumedRole') {
    assert.match(String(ui.principalId), /^AROA[A-Z2-7]{17}:.+$/, 'principalId: role unique id AROA… and the session name');
    assert.match(String(ui.arn), /^arn:aws:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/, 'arn: sts assumed-role ARN');
    const issuer = (ui.sessionContext as Json).sessionIssuer as Json;
    assert.match(String(issuer.arn), /^arn:aws:iam::\d{12}:role\/([\w+=,.@/-]+\/)?[\w+=,.@-]+$/);
    assert.match(String(((ui.sessionContext as Json).attributes as Json).creationDate), CLOUDTRAIL_TIME);
    assert.match(String(((ui.sessionContext as Json).attributes as Json).mfaAuthenticated), /^(true|false)$/, 'mfaAuthenticated is a string');
  }
}

test('AWS CreateTrafficMirrorFilterRule: keys, nesting, types and formats as Panther Tests[1] (console AssumedRole)', () => {
  const ref = sample('aws_cloudtrail_CreateTrafficMirrorFilterRule_assumedrole_panther.json').record as Json;
  const { record, ruleId } = createFilterRule(rng, { actor: consoleRole(), timeMs: T, region: 'us-east-1', account: ACCOUNT }, {
    filterId: 'tmf-010db9a7d8056cc2d',
    direction: 'egress',
    ruleNumber: 100,
    action: 'accept',
    protocol: 6,
    sourceCidr: '0.0.0.0/0',
    destinationCidr: '0.0.0.0/0',
  });
  assert.deepEqual(compareShapes(record, ref, { types: PANTHER_TYPES }), []);
  checkCloudTrailFormats(record);
  assert.match(ruleId, /^tmfr-[0-9a-f]{17}$/);
  const resp = (record.responseElements as Json).CreateTrafficMirrorFilterRuleResponse as Json;
  assert.equal(resp.xmlns, ((ref.responseElements as Json).CreateTrafficMirrorFilterRuleResponse as Json).xmlns, 'xmlns: the 2016-11-15 EC2 namespace');
  assert.equal(resp.requestId, record.requestID, 'the response echoes the request id');
  assert.equal(record.sessionCredentialFromConsole, 'true');
  assert.equal(record.sourceIPAddress, 'AWS Internal');
});

test('AWS CreateTrafficMirrorTarget (ENI): keys and formats as Panther Tests[3]; NLB and GWLB endpoint variants per events.md §1.4', () => {
  const ref = sample('aws_cloudtrail_CreateTrafficMirrorTarget_eni_panther.json').record as Json;
  const call = { actor: consoleRole(), timeMs: T, region: 'us-east-1', account: ACCOUNT };
  const { record, targetId } = createTarget(rng, call, { kind: 'eni', eni: 'eni-0fd6cc8547555878f' });
  // ownerId: a float after Panther's YAML conversion, a string in real CloudTrail (SOURCES.md).
  assert.deepEqual(compareShapes(record, ref, { types: [...PANTHER_TYPES, 'responseElements.CreateTrafficMirrorTargetResponse.trafficMirrorTarget.ownerId'] }), []);
  checkCloudTrailFormats(record);
  assert.match(targetId, /^tmt-[0-9a-f]{17}$/);
  const target = ((record.responseElements as Json).CreateTrafficMirrorTargetResponse as Json).trafficMirrorTarget as Json;
  assert.equal(target.tagSet, '', 'empty lists are ""');
  assert.equal(target.type, 'network-interface');
  const nlb = createTarget(rng, call, { kind: 'nlb', arn: 'arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/net/x/0123456789abcdef' }).record;
  const nlbTarget = ((nlb.responseElements as Json).CreateTrafficMirrorTargetResponse as Json).trafficMirrorTarget as Json;
  assert.equal(nlbTarget.type, 'network-load-balancer');
  assert.equal(((nlb.requestParameters as Json).CreateTrafficMirrorTargetRequest as Json).NetworkLoadBalancerArn, nlbTarget.networkLoadBalancerArn);
  const gw = createTarget(rng, call, { kind: 'gwlb-endpoint', endpoint: 'vpce-0123456789abcdef0' }).record;
  assert.equal((((gw.responseElements as Json).CreateTrafficMirrorTargetResponse as Json).trafficMirrorTarget as Json).type, 'gateway-load-balancer-endpoint');
});

test('AWS ModifyTrafficMirrorSession: RemoveField as {content, tag} objects and the response session as Panther Tests[6]', () => {
  const ref = sample('aws_cloudtrail_ModifyTrafficMirrorSession_RemoveField_panther.json').record as Json;
  const record = modifySession(rng, { actor: consoleRole(), timeMs: T, region: 'us-east-1', account: ACCOUNT }, {
    sessionId: 'tms-05e1e21760419ecb6',
    eni: 'eni-08dd7ebbda3b01770',
    targetId: 'tmt-0a45c694b91bcea54',
    filterId: 'tmf-010db9a7d8056cc2d',
    sessionNumber: 2,
    vni: 12348395,
    removeFields: ['description', 'packet-length'],
  });
  const s = 'responseElements.ModifyTrafficMirrorSessionResponse.trafficMirrorSession';
  assert.deepEqual(compareShapes(record, ref, { types: [...PANTHER_TYPES, `${s}.ownerId`] }), []);
  checkCloudTrailFormats(record);
  assert.deepEqual(((record.requestParameters as Json).ModifyTrafficMirrorSessionRequest as Json).RemoveField, [
    { content: 'description', tag: 1 },
    { content: 'packet-length', tag: 2 },
  ]);
});

test('AWS CreateTrafficMirrorSession (success): request as the Panther failed sample, response as the CLI response rendered camelCase (events.md §1.3)', () => {
  const ref = sample('aws_cloudtrail_CreateTrafficMirrorSession_error_NetworkInterfaceNotSupported_panther.json').record as Json;
  const cli = (sample('aws_ec2_api_CreateTrafficMirrorSession_cli_output_awscli_example.json').output as Json).TrafficMirrorSession as Json;
  const { record, sessionId } = createSession(rng, { actor: consoleRole(), timeMs: T, region: 'us-east-1', account: ACCOUNT }, {
    eni: 'eni-0c61fbc84fca4138f',
    targetId: 'tmt-0fd4b591901182794',
    filterId: 'tmf-010db9a7d8056cc2d',
    sessionNumber: 1,
  });
  // The sample failed: it has errorCode/errorMessage and no responseElements; the simulated call succeeded.
  assert.deepEqual(compareShapes(record, ref, { types: PANTHER_TYPES, onlySimulated: ['responseElements'], onlyReference: ['errorCode', 'errorMessage'] }), []);
  checkCloudTrailFormats(record);
  assert.match(sessionId, /^tms-[0-9a-f]{17}$/);
  const session = ((record.responseElements as Json).CreateTrafficMirrorSessionResponse as Json).trafficMirrorSession as Json;
  // The API response members (PascalCase, CLI sample) are the CloudTrail members (camelCase): Tags is tagSet; the
  // optional PacketLength and Description are absent when not set.
  const camel = (k: string) => (k === 'Tags' ? 'tagSet' : k[0].toLowerCase() + k.slice(1));
  const expected = Object.keys(cli).map(camel).filter((k) => k !== 'packetLength' && k !== 'description').sort();
  assert.deepEqual(Object.keys(session).sort(), expected);
  assert.equal(typeof session.virtualNetworkId, 'number', 'VirtualNetworkId is an integer (a VNI), as in the CLI sample');
  assert.ok((session.virtualNetworkId as number) > 0 && (session.virtualNetworkId as number) < 2 ** 24);
});

test('AWS denied call: errorCode, IAM message, responseElements null and tlsDetails as the Stratus Red Team record', () => {
  const ref = sample('aws_cloudtrail_ec2_denied_UnauthorizedOperation_stratus_RunInstances.json').record as Json;
  const actor: AwsActor = {
    identity: assumedRole(rng, ACCOUNT, 'app-backend-ec2', 'i-0d4f1e2a3b5c67890', { createdMs: T - 60_000 }),
    sourceIPAddress: '203.0.113.45',
    userAgent: 'aws-cli/2.17.43',
  };
  const { record } = createSession(rng, { actor, timeMs: T, region: 'us-east-1', account: ACCOUNT, outcome: 'denied' }, { eni: 'eni-0c61fbc84fca4138f', targetId: 'tmt-0fd4b591901182794', filterId: 'tmf-010db9a7d8056cc2d', sessionNumber: 1 });
  // RunInstances has its own legacy request members; the envelope, identity, error and TLS members are compared.
  // The Stratus record's sessionContext lacks webIdFederationData, which most AssumedRole records carry (Panther samples).
  assert.deepEqual(compareShapes(record, ref, { onlySimulated: ['requestParameters', 'userIdentity.sessionContext.webIdFederationData'], onlyReference: ['requestParameters'] }), []);
  assert.equal(record.errorCode, ref.errorCode);
  assert.equal(record.responseElements, null);
  const prefix = /^You are not authorized to perform this operation\. User: arn:aws:sts::\d{12}:assumed-role\/[^ ]+ is not authorized to perform: ec2:\w+ on resource: arn:aws:ec2:[a-z0-9-]+:\d{12}:[\w-]+\/\* because no identity-based policy allows the ec2:\w+ action\. Encoded authorization failure message: [\w-]+/;
  assert.match(String(ref.errorMessage), prefix, 'the pattern fits the real message');
  assert.match(String(record.errorMessage), prefix);
  assert.deepEqual(Object.keys(record.tlsDetails as Json).sort(), Object.keys(ref.tlsDetails as Json).sort());
  assert.match(String((record.tlsDetails as Json).clientProvidedHostHeader), /^ec2\.[a-z0-9-]+\.amazonaws\.com$/);
});

test('AWS Config Describe with invokedBy as Panther Tests[8]; IAMUser identity as Stratus; Root identity as documented', () => {
  const ref = sample('aws_cloudtrail_DescribeTrafficMirrorTargets_invokedBy_config_panther.json').record as Json;
  const config: AwsActor = {
    identity: assumedRole(rng, '123456789012', 'AWSServiceRoleForConfig', 'AWSConfig-Describe', { createdMs: T, invokedBy: 'config.amazonaws.com', path: 'aws-service-role/config.amazonaws.com/' }),
    sourceIPAddress: 'config.amazonaws.com',
    userAgent: 'config.amazonaws.com',
  };
  const record = describeMirrors(rng, { actor: config, timeMs: T, region: 'us-west-2', account: '123456789012' }, 'Targets');
  assert.deepEqual(compareShapes(withoutNulls(record), ref), []);
  assert.equal(record.responseElements, null, 'raw CloudTrail keeps responseElements: null');
  const iam = sample('aws_cloudtrail_ec2_denied_UnauthorizedOperation_stratus_RunInstances.json')['_iamuser_identity_example_from_same_log (AssumeRole caller)'] as Json;
  const user = iamUser(rng, ACCOUNT, 'christophe');
  assert.deepEqual(compareShapes(user, iam), []);
  assert.match(String(user.principalId), /^AIDA[A-Z2-7]{16,17}$/);
  assert.match(String(iam.principalId), /^AIDA[A-Z0-9]{16,17}$/);
  assert.match(String(user.arn), /^arn:aws:iam::\d{12}:user\/[\w+=,.@-]+$/);
  // Root (AWS userIdentity reference): principalId is the account id, arn …:root, no userName.
  const root = rootUser(rng, ACCOUNT, T);
  assert.equal(root.type, 'Root');
  assert.equal(root.principalId, ACCOUNT);
  assert.equal(root.arn, `arn:aws:iam::${ACCOUNT}:root`);
  assert.equal('userName' in root, false);
});

const STORAGE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

test('Azure Activity Log (storage/Event Hub schema): top-level keys as Microsoft\'s schema example, identity as Elastic\'s raw record, 7 fractional digits, upper-case resourceId', () => {
  const ms = ((sample('azure_activitylog_storage_eventhub_schema_example_mslearn.json').records as Json[])[0]) as Json;
  const elastic = JSON.parse(readFileSync(join(samplesDir, 'azure_activitylog_eventhub_raw_listkeys_elastic_test.jsonl'), 'utf8').trim()) as Json;
  const sub = '6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b';
  const tap = vtapId(sub, 'rg-netmon', 'vtap-diag');
  const bodies = vtapBodies(rng, tap, 'vtap-diag', 'westeurope', { kind: 'nic', id: nicIpConfigId(sub, 'rg-lab', 'collector-nic') }, 4789);
  const op = azureOperationRecords(rng, {
    actor: azureUser(rng, 'm.keller@contoso.com', 'Max Keller', '198.51.100.23'),
    subscription: sub,
    resourceGroup: 'rg-netmon',
    resourcePath: 'Microsoft.Network/virtualNetworkTaps/vtap-diag',
    operation: 'Microsoft.Network/virtualNetworkTaps/write',
    startMs: T,
    durationMs: 2400,
    accepted: true,
    statusCode: 'Created',
    requestBody: bodies.request,
    responseBody: bodies.response,
    casing: 'upper',
    upperResourceId: true,
  });
  assert.deepEqual(op.records.map((r) => r.record.resultType), ['Start', 'Accept', 'Success']);
  const [start, , success] = op.records.map((r) => r.record);
  // Top level: exactly the members of Microsoft's documented storage/Event Hub record.
  assert.deepEqual(Object.keys(success).sort(), Object.keys(ms).sort());
  // identity.authorization with its evidence, as Elastic's raw Event Hub record has it.
  assert.deepEqual(compareShapes((start.identity as Json).authorization, (elastic.identity as Json).authorization), []);
  // Claims: every simulated claim is a claim these records carry or the JWT claims Azure AD issues (aio, ipaddr, uti,
  // idtyp), all strings.
  const known = new Set([...Object.keys((ms.identity as Json).claims as Json), ...Object.keys((elastic.identity as Json).claims as Json), 'aio', 'ipaddr', 'uti', 'idtyp']);
  for (const [k, v] of Object.entries((start.identity as Json).claims as Json)) {
    assert.ok(known.has(k), `claim ${k}`);
    assert.equal(typeof v, 'string', `claim ${k} is a string`);
  }
  for (const r of op.records.map((x) => x.record)) {
    assert.match(String(r.time), STORAGE_TIME, 'time: 7 fractional digits');
    assert.equal(r.resourceId, String(r.resourceId).toUpperCase(), 'storage exports upper-case resourceId');
    assert.equal(r.operationName, 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE');
    assert.match(String(r.correlationId), UUID);
    assert.equal(typeof r.durationMs, typeof ms.durationMs, 'durationMs is a number');
    assert.equal(r.level, 'Information');
    assert.equal(r.location, ms.location);
    assert.equal(r.category, 'Administrative');
  }
  assert.match(String(elastic.time), STORAGE_TIME, 'the pattern fits the real record');
  assert.equal(start.resultSignature, elastic.resultSignature, 'Start: "Started."');
  assert.equal(success.resultSignature, ms.resultSignature, 'Success of a creation: "Succeeded.Created"');
  assert.equal(new Set(op.records.map((r) => r.record.correlationId)).size, 1, 'one correlationId for the operation');
  // The bodies are JSON text with the ARM resource of the 2024-05-01 REST example.
  const arm = (sample('azure_rest_VirtualNetworkTapCreate_example_2024-05-01.json').parameters as Json).parameters as Json;
  const request = JSON.parse(String((start.properties as Json).requestbody)) as Json;
  assert.deepEqual(compareShapes(request, arm, { onlySimulated: ['properties.destinationPort'] }), []);
  const armResponse = ((sample('azure_rest_VirtualNetworkTapCreate_example_2024-05-01.json').responses as Json)['200'] as Json).body as Json;
  const response = JSON.parse(String((success.properties as Json).responseBody)) as Json;
  // A new TAP has no tap configurations yet (read-only networkInterfaceTapConfigurations).
  assert.deepEqual(compareShapes(response, armResponse, { onlyReference: ['properties.networkInterfaceTapConfigurations'] }), []);
  const cfgArm = ((sample('azure_rest_NetworkInterfaceTapConfigurationCreate_example_2024-05-01.json').responses as Json)['200'] as Json).body as Json;
  assert.deepEqual(compareShapes(tapConfigBodies(rng, 'x', 'tapcfg', tap).response, cfgArm), []);
  // A service principal has appid and no upn (events.md §2.3).
  const sp = azureOperationRecords(rng, { actor: servicePrincipal(rng, 'sp-ci', '20.54.106.4'), subscription: sub, resourceGroup: 'rg', resourcePath: 'Microsoft.Network/virtualNetworkTaps/t', operation: 'Microsoft.Network/virtualNetworkTaps/write', startMs: T, durationMs: 100, casing: 'mixed', upperResourceId: false });
  const claims = (sp.records[0].record.identity as Json).claims as Json;
  assert.ok('appid' in claims && !(`http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn` in claims));
  assert.equal(sp.records[0].record.operationName, 'Microsoft.Network/virtualNetworkTaps/write', 'mixed case kept as written');
});

test('GCP packetMirrorings.insert: first entry keys and nesting as the real compute insert entry, formats of timestamps and operation ids', () => {
  const ref = sample('gcp_audit_compute_v1_instances_insert_elastic_test.json');
  const project = 'payments-prod-4821';
  const res = `projects/${project}/regions/europe-west1/packetMirrorings/pm-diag`;
  const { entries, operationId } = gcpAuditEntries(rng, {
    actor: { email: 'j.doe@example.com', kind: 'user', ip: '203.0.113.60', userAgent: gcloudAgent(rng, 'compute.packet-mirrorings.create') },
    project,
    timeMs: T,
    methodName: 'v1.compute.packetMirrorings.insert',
    serviceName: 'compute.googleapis.com',
    resourceName: res,
    permissions: [{ permission: 'compute.packetMirrorings.create', resource: res, type: 'compute.packetMirrorings' }],
    request: { name: 'pm-diag', collectorIlb: { url: computeUrl(project, 'regions/europe-west1/forwardingRules/collector-ilb') } },
    resource: packetMirroringResource(project, 'europe-west1', rng),
    logType: 'activity',
    operation: { durationMs: 12000, operationType: 'insert', targetLink: computeUrl(project, 'regions/europe-west1/packetMirrorings/pm-diag'), region: 'europe-west1' },
    location: 'europe-west1',
  });
  assert.equal(entries.length, 2);
  const [first, last] = entries.map((e) => e.record);
  // The reference is an instance insert: its request body, resource labels, root-trigger label, usedResources
  // metadata and service-account delegation belong to instances; a regional operation has `region` where a zonal one
  // has `zone`.
  assert.deepEqual(
    compareShapes(first, ref, {
      onlySimulated: ['protoPayload.request', 'resource.labels', 'protoPayload.response.region'],
      onlyReference: ['labels', 'protoPayload.metadata', 'protoPayload.request', 'resource.labels', 'protoPayload.authenticationInfo.serviceAccountDelegationInfo', 'protoPayload.response.zone'],
    }),
    [],
  );
  assert.equal((first.protoPayload as Json).methodName, 'v1.compute.packetMirrorings.insert');
  assert.equal(((first.protoPayload as Json).request as Json)['@type'], 'type.googleapis.com/compute.packetMirrorings.insert', 'as type.googleapis.com/compute.instances.insert');
  const OP = /^operation-\d{13}-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$/;
  assert.match(String((ref.operation as Json).id), OP, 'the pattern fits the real id');
  assert.match(String(operationId), OP);
  assert.deepEqual(first.operation, { id: operationId, producer: 'compute.googleapis.com', first: true });
  assert.deepEqual(last.operation, { id: operationId, producer: 'compute.googleapis.com', last: true });
  const micro = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
  const nano = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
  const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[-+]\d{2}:\d{2}$/;
  for (const [r, what] of [[ref, 'reference'], [first, 'first'], [last, 'last']] as const) {
    assert.match(String(r.timestamp), micro, `${what}: timestamp with microseconds`);
    assert.match(String(r.receiveTimestamp), nano, `${what}: receiveTimestamp with nanoseconds`);
    assert.match(String((((r.protoPayload as Json).requestMetadata as Json).requestAttributes as Json).time), micro);
    assert.match(String(r.logName), /^projects\/[a-z][a-z0-9-]+\/logs\/cloudaudit\.googleapis\.com%2Factivity$/);
    assert.equal(r.severity, 'NOTICE');
  }
  for (const k of ['insertTime', 'startTime']) {
    assert.match(String(((ref.protoPayload as Json).response as Json)[k]), local);
    assert.match(String(((first.protoPayload as Json).response as Json)[k]), local, `response.${k} in Pacific time with its offset`);
  }
  assert.equal(((first.protoPayload as Json).response as Json).status, 'RUNNING');
  assert.equal((last.protoPayload as Json).response, undefined, 'the last entry carries no operation body');
});

test('device lines: archive logging, CONFIG_I, NX-OS accounting, Junos mgd and tac_plus layouts match the public captures', () => {
  const log = new DeviceLog(rng);
  const ios = { host: 'sw-core-1', os: 'ios' as const, ip: '10.255.0.1' };
  const op = { user: 'netadmin', tty: 'vty0', from: '198.51.100.50' };
  const lineOf = (r: { kind: string } & Record<string, unknown>) => String(r.line).replaceAll(SEQ6, '001234').replaceAll(SEQ, '1234');
  // %PARSER-5-CFGLOG_LOGGEDCMD: "User:<user>" and two spaces before "logged command:" (events.md §4.2).
  const CFGLOG = /%PARSER-5-CFGLOG_LOGGEDCMD: User:(\S+) {2}logged command:(.+)$/;
  for (const l of sampleLines('cisco_ios_parser5_cfglog_loggedcmd_public_captures.log').filter((x) => x.includes('CFGLOG'))) assert.match(l, CFGLOG);
  const cmd = lineOf(log.iosCommand(ios, T, op, 'monitor session 1 source interface GigabitEthernet1/0/5 both'));
  assert.deepEqual(CFGLOG.exec(cmd)?.slice(1), ['netadmin', 'monitor session 1 source interface GigabitEthernet1/0/5 both']);
  // Relay header, device sequence number and IOS time as events.md §1.6 shows it.
  assert.match(cmd, /^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} sw-core-1 \d+: \d{6}: [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}\.\d{3} UTC: %PARSER/);
  const CONFIG_I = /%SYS-5-CONFIG_I: Configured from console by (\S+) on (vty\d+) \(([\d.]+)\)$/;
  for (const l of sampleLines('cisco_ios_sys5_config_i_elastic_test.log')) assert.match(l, CONFIG_I);
  assert.match(lineOf(log.iosConfigured(ios, T, op)), CONFIG_I);
  // NX-OS show accounting log (events.md §4.8 parse expression, and the date layout).
  const NXOS = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}:type=update:id=[\d.]+@pts\/\d+:user=([^:]+):cmd=(.*) \((SUCCESS|FAILURE)\)$/;
  for (const l of sampleLines('nxos_accounting_log_networkcoder_readme.log')) assert.match(l, NXOS);
  const nx = lineOf(log.nxosAccounting({ host: 'n9k', os: 'nxos', ip: '10.0.0.1' }, T, { user: 'dc-admin', tty: 'pts/1', from: '198.51.100.24' }, ['configure terminal', 'monitor session 3 type erspan-source', 'destination ip 203.0.113.45']));
  assert.deepEqual(NXOS.exec(nx)?.slice(1), ['dc-admin', 'configure terminal ; monitor session 3 type erspan-source ; destination ip 203.0.113.45', 'SUCCESS']);
  // Junos mgd message texts (the captured lines are RFC 3164; the simulated ones RFC 5424 with structured data).
  const READ_LINE = /UI_CMDLINE_READ_LINE(:| \[junos@2636\.1\.1\.1\.2\.25 [^\]]*\]) User '([^']+)', command '(.*) '$/;
  const COMMIT = /UI_COMMIT(:| \[junos@2636\.1\.1\.1\.2\.25 [^\]]*\]) User '([^']+)' requested 'commit' operation \(comment: .*\)$/;
  const junosSample = sampleLines('juniper_mgd_ui_cfg_audit_and_commit_public_capture.log');
  for (const l of junosSample.filter((x) => x.includes('UI_CMDLINE_READ_LINE'))) assert.match(l, READ_LINE);
  const mx = { host: 'mx480-edge1', os: 'junos' as const, ip: '10.40.0.9' };
  const rl = lineOf(log.junosCommand(mx, T, 4242, op, 'set forwarding-options analyzer A1 output ip-address 203.0.113.90'));
  assert.match(rl, READ_LINE);
  // RFC 5424 §6: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG.
  assert.match(rl, /^<\d{1,3}>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z mx480-edge1 mgd 4242 UI_CMDLINE_READ_LINE \[junos@2636\.1\.1\.1\.2\.25 username="netadmin" command="set forwarding-options analyzer A1 output ip-address 203\.0\.113\.90 "\] /);
  for (const r of log.junosCommit(mx, T, 4242, op, 'none')) if (String(r.kind === 'device' && r.line).includes('UI_COMMIT ')) assert.match(lineOf(r), COMMIT);
  // tac_plus accounting: TAB-separated date, NAS, user, tty, address, start|stop, then AV pairs as the sample.
  const tacSample = sampleLines('tacplus_accounting_tac_plus_srlinux_example.log')[0].split('\t');
  const [startLine, stopLine] = log.tacacs(ios, T, op, 'monitor session 2 type erspan-source').map(lineOf);
  for (const l of [startLine, stopLine]) {
    const f = l.split('\t');
    assert.match(f[0], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(tacSample[0], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.deepEqual(f.slice(1, 5), ['10.255.0.1', 'netadmin', 'vty0', '198.51.100.50']);
    const avNames = (fields: string[]) => fields.slice(6).map((x) => x.split('=')[0]);
    // The same AV pairs in the same order; a stop record may add elapsed_time.
    assert.deepEqual(avNames(f).filter((n) => n !== 'elapsed_time'), avNames(tacSample));
    assert.match(f[f.length - 1], /^cmd=monitor session 2 type erspan-source <cr>$/, 'IOS commands end with " <cr>" (events.md §4.3)');
  }
  assert.equal(startLine.split('\t')[5], 'start');
  assert.equal(stopLine.split('\t')[5], 'stop');
});
