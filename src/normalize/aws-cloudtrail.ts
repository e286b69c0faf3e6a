/**
 * CloudTrail record → Event, and the ECS view of a CloudTrail event.
 *
 * The canonical fields are the record exactly as CloudTrail writes it to S3, whatever wrapper it arrived in:
 * a `lookup-events` entry (`CloudTrailEvent` is the record as a JSON string), a CloudTrail Lake result row (a list
 * of one-column objects, all values strings), an EventBridge event (`detail`), or a test-case wrapper (`record`,
 * as in Panther's unit tests). Members that some paths deliver as JSON text (`requestParameters`,
 * `responseElements`, `userIdentity`, `additionalEventData`, `resources`, Lake columns) are parsed.
 *
 * The ECS view follows Elastic's `aws.cloudtrail` ingest pipeline (elastic/integrations
 * `packages/aws/data_stream/cloudtrail/elasticsearch/ingest_pipeline/default.yml` and `entity.yml`), quirks
 * included: `cloud.account.id` is the caller's `userIdentity.accountId` (not `recipientAccountId`), `source.ip` is
 * set only when `sourceIPAddress` is an address, `request_parameters` is Java's `Map.toString()` and not JSON, null
 * and empty values are dropped first, and `sharedEventId` is read with that (wrong) casing.
 */
import type { Report } from '../core/diagnostic.js';
import type { Event, LogSource } from '../core/event.js';
import { DATASET_LOGSOURCES } from '../core/event.js';
import { isObject, parseJsonString, str, type JsonObject } from '../core/json.js';
import { cloudDiagnostic, type CloudCodeName } from './cloud-diagnostic-codes.js';
import type { RawRecord } from '../core/event.js';
import { appendUnique, isIpAddress, MAX_DEPTH, objectAt, originLocation, parseEventTime, put, textHash, withoutEmpty } from './cloud-common.js';

const LOGSOURCE: LogSource = DATASET_LOGSOURCES['aws.cloudtrail'][0];

/**
 * Top-level record members that can arrive as JSON text: lookup-events and Lake deliver nested members as
 * strings, and some forwarders serialise them (elastic/beats#25815).
 */
const JSON_TEXT_FIELDS = [
  'userIdentity',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
  'resources',
  'tlsDetails',
  'insightDetails',
  'addendum',
  'edgeDeviceDetails',
];

/** Members CloudTrail writes as JSON booleans that Lake rows and some exports carry as "true"/"false". */
const BOOLEAN_FIELDS = ['readOnly', 'managementEvent'];

/**
 * The record members CloudTrail documents (CloudTrail record contents, and the CloudTrail Lake SQL schema whose
 * column names are lower case): used to restore the casing of Lake columns (`eventname` → `eventName`).
 */
const RECORD_FIELDS = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'readOnly',
  'resources',
  'eventType',
  'apiVersion',
  'managementEvent',
  'recipientAccountId',
  'serviceEventDetails',
  'sharedEventID',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'eventCategory',
  'addendum',
  'sessionCredentialFromConsole',
  'edgeDeviceDetails',
  'tlsDetails',
  'insightDetails',
];
const FIELD_BY_LOWER = new Map(RECORD_FIELDS.map((f) => [f.toLowerCase(), f]));

/** A CloudTrail record found in a JSON value, or why there is none. */
type Unwrapped =
  | { kind: 'record'; record: JsonObject }
  | { kind: 'problem'; name: CloudCodeName; message: string };

/**
 * A CloudTrail record names its API call; CloudTrail Insights records (`CloudTrail-Insight` prefix) keep the call
 * inside `insightDetails` and are recognised by their event type
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-events.html).
 */
function isRecord(o: JsonObject): boolean {
  return typeof o.eventName === 'string' || typeof o.eventSource === 'string' || o.eventType === 'AwsCloudTrailInsight';
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Restores documented casing of lower-case (Lake) member names; other names are kept. */
function withRecordCasing(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) out[FIELD_BY_LOWER.get(k.toLowerCase()) ?? k] = v;
  return out;
}

/** Merges a CloudTrail Lake `get-query-results` row: `[{"eventID":"…"},{"eventName":"…"},…]`. */
function lakeRow(row: unknown[]): Unwrapped {
  const merged: JsonObject = {};
  for (const cell of row) {
    if (!isObject(cell)) return { kind: 'problem', name: 'badLakeRow', message: `CloudTrail Lake result row holds a ${describeValue(cell)}, not one-column objects; skipped` };
    const keys = Object.keys(cell);
    if (keys.length !== 1) {
      return { kind: 'problem', name: 'badLakeRow', message: `CloudTrail Lake result row holds an object with ${keys.length} members, not one column; skipped` };
    }
    merged[FIELD_BY_LOWER.get(keys[0].toLowerCase()) ?? keys[0]] = cell[keys[0]];
  }
  if (!isRecord(merged)) {
    return {
      kind: 'problem',
      name: 'notCloudTrail',
      message: 'CloudTrail Lake result row has no eventName or eventSource column (select them in the query); skipped',
    };
  }
  return { kind: 'record', record: merged };
}

/** Finds the CloudTrail record in one JSON value as read. */
function unwrap(value: unknown): Unwrapped {
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'problem', name: 'badLakeRow', message: 'empty array where a CloudTrail record or Lake row was expected; skipped' };
    return lakeRow(value);
  }
  if (!isObject(value)) {
    return { kind: 'problem', name: 'notCloudTrail', message: `JSON ${describeValue(value)} is not a CloudTrail record; skipped` };
  }
  if ('CloudTrailEvent' in value) {
    // `aws cloudtrail lookup-events`: the record is the CloudTrailEvent string; the outer EventTime is rendered by
    // the client in the caller's local offset (formats.md §1.2), so nothing outside CloudTrailEvent is used.
    const inner = parseJsonString(value.CloudTrailEvent);
    if (!isObject(inner)) {
      const id = str(value.EventId);
      return {
        kind: 'problem',
        name: 'badLookupEvent',
        message: `lookup-events entry${id ? ` ${id}` : ''} has a CloudTrailEvent that is not a JSON object; skipped`,
      };
    }
    return { kind: 'record', record: inner };
  }
  if (isRecord(value)) return { kind: 'record', record: value };
  // Panther-style test cases (`{"record": {...}}`) and EventBridge "AWS API Call via CloudTrail" events (`detail`).
  for (const key of ['record', 'detail']) {
    const inner = value[key];
    if (isObject(inner) && isRecord(inner)) return { kind: 'record', record: inner };
  }
  if (typeof value.eventname === 'string' || typeof value.eventsource === 'string') {
    return { kind: 'record', record: withRecordCasing(value) };
  }
  return {
    kind: 'problem',
    name: 'notCloudTrail',
    message: 'JSON object has no eventName or eventSource: not a CloudTrail record; skipped',
  };
}

/** The canonical view: JSON text members parsed, "true"/"false" strings of boolean members made booleans. */
function canonicalFields(record: JsonObject): JsonObject {
  let out: JsonObject | undefined;
  for (const k of JSON_TEXT_FIELDS) {
    const v = record[k];
    if (typeof v !== 'string') continue;
    const parsed = parseJsonString(v);
    if (parsed === v) continue;
    if (!out) out = { ...record };
    out[k] = parsed;
  }
  for (const k of BOOLEAN_FIELDS) {
    const v = record[k];
    if (v !== 'true' && v !== 'false') continue;
    if (!out) out = { ...record };
    out[k] = v === 'true';
  }
  return out ?? record;
}

/**
 * Normalizes one JSON value read from a CloudTrail file. Reports (and returns undefined for) a value that holds no
 * CloudTrail record; a record without a usable `eventTime` is kept with `timeMs` NaN and a warning.
 */
export function normalizeCloudTrail(value: unknown, source: RawRecord, report: Report): Event | undefined {
  const found = unwrap(value);
  if (found.kind === 'problem') {
    report(cloudDiagnostic(found.name, found.message, originLocation(source.origin)));
    return undefined;
  }
  const fields = canonicalFields(found.record);
  const time = parseEventTime(fields.eventTime);
  if (!time) {
    const message =
      fields.eventTime === undefined
        ? 'CloudTrail record has no eventTime; kept with an unknown time'
        : `CloudTrail eventTime ${JSON.stringify(fields.eventTime)} is not an ISO 8601 time; kept with an unknown time`;
    report(cloudDiagnostic('noEventTime', message, originLocation(source.origin)));
  }
  const id = str(fields.eventID);
  const recordKey = id ? `aws:${id}` : `aws:sha256:${textHash(source.text)}`;
  return {
    dataset: 'aws.cloudtrail',
    logsource: LOGSOURCE,
    raw: value,
    fields,
    time: time?.iso ?? '',
    timeMs: time?.ms ?? NaN,
    origin: source.origin,
    recordKey,
    // One CloudTrail record is one API call; duplicates share eventID (events.md §1.7).
    actionKey: recordKey,
  };
}

/** Java's `Double.toString`: plain decimal within [1e-3, 1e7), else `d.dddE±n` (java.lang.Double documentation). */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(n);
  if (a === 0 || (a >= 1e-3 && a < 1e7)) {
    const s = String(n);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  const [mant, exp] = n.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/**
 * What Elastic stores in `aws.cloudtrail.request_parameters`: Painless `Map.toString()` of the parsed JSON
 * (`{CreateTrafficMirrorSessionRequest={ClientToken=…, NetworkInterfaceId=eni-…}}`), not JSON. Whole numbers print
 * as Java integers, others as Java doubles; keys keep their JSON order (Elasticsearch's parser keeps insertion
 * order; a JSON `1.0` that JavaScript reads as `1` prints as `1`).
 */
export function javaMapString(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  if (depth > MAX_DEPTH && typeof v === 'object') return '…';
  if (Array.isArray(v)) return `[${v.map((x) => javaMapString(x, depth + 1)).join(', ')}]`;
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${javaMapString(x, depth + 1)}`).join(', ')}}`;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? String(v) : javaDouble(v);
  return String(v);
}

/** Elastic's cap for the flattened copies (the `flattened` field type's 32766-byte limit, elastic/beats#21388). */
const FLATTENED_LIMIT = 32766;

/**
 * ECS categorization Elastic's pipeline applies to IAM, S3 and sign-in actions ("Add ECS categorization" script):
 * `action:category:type,type`. Other actions, the traffic-mirroring APIs among them, keep `event.type: ["info"]`.
 */
const CATEGORIZATION = new Map(
  (
    'AddUserToGroup:iam:group,change;AssumeRole:authentication:info;AttachGroupPolicy:iam:group,change;' +
    'AttachUserPolicy:iam:user,change;ChangePassword:iam:user,change;ConsoleLogin:authentication:info;' +
    'CreateAccessKey:iam:user,change;CreateBucket:file:creation;CreateGroup:iam:group,creation;' +
    'CreateKeyPair:iam:admin,creation;CreateUser:iam:user,creation;CreateVirtualMFADevice:iam:user,change;' +
    'DeactivateMFADevice:iam:user,change;DeleteAccessKey:iam:user,change;DeleteBucket:file:deletion;' +
    'DeleteGroup:iam:group,deletion;DeleteGroupPolicy:iam:group,change;DeleteSSHPublicKey:iam:user,change;' +
    'DeleteUser:iam:user,deletion;DeleteUserPermissionsBoundary:iam:user,change;DeleteUserPolicy:iam:user,change;' +
    'DeleteVirtualMFADevice:iam:user,change;DetachGroupPolicy:iam:group,change;DetachUserPolicy:iam:user,change;' +
    'EnableMFADevice:iam:user,change;GetGroup:iam:group,info;GetGroupPolicy:iam:group,info;GetUser:iam:user,info;' +
    'GetUserPolicy:iam:user,info;ListAttachedGroupPolicies:iam:group,info;ListAttachedUserPolicies:iam:user,info;' +
    'ListGroupPolicies:iam:group,info;ListGroups:iam:group,info;ListGroupsForUser:iam:user,info;' +
    'ListUserPolicies:iam:user,info;ListUserTags:iam:user,info;ListUsers:iam:user,info;' +
    'PutGroupPolicy:iam:group,change;PutUserPermissionsBoundary:iam:user,change;PutUserPolicy:iam:user,change;' +
    'RemoveUserFromGroup:iam:group,change;SetDefaultPolicyVersion:iam:admin,change;' +
    'SetSecurityTokenServicePreferences:iam:admin,change;TagUser:iam:user,change;UntagUser:iam:user,change;' +
    'UpdateAccessKey:iam:user,change;UpdateAccountPasswordPolicy:iam:admin,change;UpdateGroup:iam:group,change;' +
    'UpdateLoginProfile:iam:user,change;UpdateRole:iam:admin,change;UpdateSSHPublicKey:iam:user,change;' +
    'UpdateUser:iam:user,change'
  )
    .split(';')
    .map((entry) => {
      const [action, category, types] = entry.split(':');
      return [action, { category: [category], type: types.split(',') }] as const;
    }),
);

/** Elastic's `aws.cloudtrail.<name>` string and `flattened.<name>` copy for one structured member. */
function putStructured(doc: JsonObject, name: string, value: unknown): void {
  if (value === undefined) return;
  const text = javaMapString(value);
  put(doc, `aws.cloudtrail.${name}`, text);
  if (text.length < FLATTENED_LIMIT) put(doc, `aws.cloudtrail.flattened.${name}`, value);
}

/** The ECS document Elastic's `aws.cloudtrail` integration makes of this event (see the module comment). */
export function cloudtrailEcs(event: Event): Record<string, unknown> {
  // Elastic drops null and empty values before mapping, so `"tagSet": ""` and `"sessionIssuer": {}` vanish.
  const r = objectAt(withoutEmpty(event.fields));
  const ui = objectAt(r.userIdentity);
  const sc = objectAt(ui.sessionContext);
  const attrs = objectAt(sc.attributes);
  const issuer = objectAt(sc.sessionIssuer);
  const doc: JsonObject = {};
  if (event.time) doc['@timestamp'] = event.time;
  put(doc, 'event.kind', 'event');
  put(doc, 'event.dataset', 'aws.cloudtrail');
  put(doc, 'cloud.provider', 'aws');
  put(doc, 'aws.cloudtrail.event_version', r.eventVersion);
  put(doc, 'aws.cloudtrail.user_identity.type', ui.type);
  appendUnique(doc, 'related.user', ui.userName);
  // userIdentity.userName (IAM users) wins; sessionIssuer.userName (the role, for assumed roles) otherwise.
  put(doc, 'user.name', ui.userName ?? issuer.userName);
  put(doc, 'user.id', ui.principalId);
  put(doc, 'aws.cloudtrail.user_identity.arn', ui.arn);
  put(doc, 'cloud.account.id', ui.accountId);
  put(doc, 'aws.cloudtrail.user_identity.access_key_id', ui.accessKeyId);
  put(doc, 'aws.cloudtrail.user_identity.session_context.mfa_authenticated', attrs.mfaAuthenticated);
  const created = parseEventTime(attrs.creationDate);
  put(doc, 'aws.cloudtrail.user_identity.session_context.creation_date', created ? created.iso : undefined);
  put(doc, 'aws.cloudtrail.user_identity.session_context.session_issuer.type', issuer.type);
  put(doc, 'aws.cloudtrail.user_identity.session_context.session_issuer.principal_id', issuer.principalId);
  put(doc, 'aws.cloudtrail.user_identity.session_context.session_issuer.arn', issuer.arn);
  put(doc, 'aws.cloudtrail.user_identity.session_context.session_issuer.account_id', issuer.accountId);
  put(doc, 'aws.cloudtrail.user_identity.invoked_by', ui.invokedBy);
  put(doc, 'event.provider', r.eventSource);
  put(doc, 'event.action', r.eventName);
  put(doc, 'aws.cloudtrail.event_category', r.eventCategory);
  put(doc, 'cloud.region', r.awsRegion);
  put(doc, 'source.address', r.sourceIPAddress);
  // `grok ^%{IP:source.ip}$`: console calls ("AWS Internal") and service callers ("config.amazonaws.com") have none.
  if (isIpAddress(r.sourceIPAddress)) {
    put(doc, 'source.ip', r.sourceIPAddress);
    appendUnique(doc, 'related.ip', r.sourceIPAddress);
  }
  put(doc, 'user_agent.original', r.userAgent);
  put(doc, 'aws.cloudtrail.error_code', r.errorCode);
  put(doc, 'aws.cloudtrail.error_message', r.errorMessage);
  putStructured(doc, 'request_parameters', r.requestParameters);
  putStructured(doc, 'response_elements', r.responseElements);
  putStructured(doc, 'additional_eventdata', r.additionalEventData);
  putStructured(doc, 'service_event_details', r.serviceEventDetails);
  put(doc, 'aws.cloudtrail.request_id', r.requestID);
  put(doc, 'event.id', r.eventID);
  put(doc, 'aws.cloudtrail.event_type', r.eventType);
  put(doc, 'aws.cloudtrail.api_version', r.apiVersion);
  put(doc, 'aws.cloudtrail.management_event', r.managementEvent);
  put(doc, 'aws.cloudtrail.read_only', r.readOnly);
  if (Array.isArray(r.resources)) {
    // "Drops duplicates where the same combination of ARN, accountId and type is found multiple times".
    const unique = new Map<string, JsonObject>();
    for (const res of r.resources) {
      if (!isObject(res)) continue;
      const m: JsonObject = { ...res };
      if ('ARN' in m) {
        m.arn = m.ARN;
        delete m.ARN;
      }
      if ('accountId' in m) {
        m.account_id = m.accountId;
        delete m.accountId;
      }
      unique.set(`${String(m.arn ?? '')}_${String(m.account_id ?? '')}_${String(m.type ?? '')}`, m);
    }
    put(doc, 'aws.cloudtrail.resources', [...unique.values()]);
  }
  put(doc, 'aws.cloudtrail.recipient_account_id', r.recipientAccountId);
  put(doc, 'aws.cloudtrail.shared_event_id', r.sharedEventId);
  put(doc, 'aws.cloudtrail.vpc_endpoint_id', r.vpcEndpointId);
  const flatRequest = objectAt(objectAt(objectAt(objectAt(doc.aws).cloudtrail).flattened).request_parameters);
  const flatResponse = objectAt(objectAt(objectAt(objectAt(doc.aws).cloudtrail).flattened).response_elements);
  appendUnique(doc, 'related.user', flatRequest.userName, flatRequest.newUserName);
  if (r.eventName === 'ConsoleLogin') {
    const aed = objectAt(objectAt(objectAt(objectAt(doc.aws).cloudtrail).flattened).additional_eventdata);
    if (aed.MobileVersion !== undefined) put(doc, 'aws.cloudtrail.console_login.additional_eventdata.mobile_version', aed.MobileVersion !== 'No');
    put(doc, 'aws.cloudtrail.console_login.additional_eventdata.login_to', aed.LoginTo);
    if (aed.MFAUsed !== undefined) put(doc, 'aws.cloudtrail.console_login.additional_eventdata.mfa_used', aed.MFAUsed !== 'No');
  }
  put(doc, 'event.type', ['info']);
  put(doc, 'event.outcome', r.errorCode !== undefined || r.errorMessage !== undefined ? 'failure' : 'success');
  if (r.eventName === 'ConsoleLogin' && typeof flatResponse.ConsoleLogin === 'string') {
    put(doc, 'event.outcome', flatResponse.ConsoleLogin.toLowerCase());
  }
  const cat = typeof r.eventName === 'string' ? CATEGORIZATION.get(r.eventName) : undefined;
  if (cat) {
    put(doc, 'event.category', [...cat.category]);
    put(doc, 'event.type', [...cat.type]);
  }
  const respGroup = objectAt(flatResponse.group);
  const respUser = objectAt(flatResponse.user);
  put(doc, 'group.id', str(respGroup.groupId));
  put(doc, 'user.target.id', str(respUser.userId));
  put(doc, 'user.changes.name', str(flatRequest.newUserName));
  put(doc, 'group.name', str(flatRequest.groupName));
  put(doc, 'user.target.name', str(flatRequest.userName));
  const tls = objectAt(r.tlsDetails);
  if (typeof tls.tlsVersion === 'string') {
    // dissect "%{tls.version_protocol}v%{tls.version}" on "TLSv1.3", protocol lower-cased.
    const v = tls.tlsVersion.indexOf('v');
    if (v > 0) {
      put(doc, 'tls.version_protocol', tls.tlsVersion.slice(0, v).toLowerCase());
      put(doc, 'tls.version', tls.tlsVersion.slice(v + 1));
    }
  }
  put(doc, 'tls.cipher', tls.cipherSuite);
  put(doc, 'tls.client.server_name', tls.clientProvidedHostHeader);
  // entity.yml: identities and resource ARNs go to related.entity.
  appendUnique(
    doc,
    'related.entity',
    ui.arn,
    ui.identityProvider,
    ui.principalId,
    issuer.arn,
    issuer.userName,
    objectAt(sc.webIdFederationData).federatedProvider,
    ui.userName,
  );
  if (Array.isArray(r.resources)) for (const res of r.resources) appendUnique(doc, 'related.entity', objectAt(res).ARN);
  // mirrorwatch addition: ECS related.user holds every user name seen, so the role name of an assumed role too.
  appendUnique(doc, 'related.user', doc.user === undefined ? undefined : objectAt(doc.user).name);
  return doc;
}
