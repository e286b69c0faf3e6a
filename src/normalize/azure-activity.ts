/**
 * Azure Activity Log record → Event, and the ECS view of an Activity Log event.
 *
 * The canonical fields follow the schema of diagnostic-setting exports to Event Hubs and storage
 * (https://learn.microsoft.com/azure/azure-monitor/platform/activity-log-schema, "Schema from storage account and
 * event hubs"): `time, resourceId, operationName, category, resultType, resultSignature, durationMs,
 * callerIpAddress, correlationId, identity{authorization, claims}, level, location, properties`. Records in the
 * REST/portal form (`operationName.value`, `status.value`, `eventTimestamp`, top-level `claims`) are converted to it
 * as that document maps them (`status.value` Succeeded/Started/Accepted/Failed → `resultType`
 * Success/Start/Accept/Failure, `subStatus.value` → `resultSignature`, `httpRequest.clientIpAddress` →
 * `callerIpAddress`), keeping REST-only members (`caller`, `eventDataId`, `subscriptionId`, …). `properties`,
 * `identity`, `identity.claims` and request/response bodies sent as JSON text are parsed. `operationName` keeps the
 * casing it was written in (upper, mixed and lower case all occur, events.md §2.2).
 *
 * The ECS view follows Elastic's `azure.activitylogs` pipeline (elastic/integrations
 * `packages/azure/data_stream/activitylogs/elasticsearch/ingest_pipeline/default.yml` and
 * `azure-shared-pipeline.yml`): `event.action` is `operationName` verbatim, `event.outcome` only for
 * Success/Failure, the resource id split by the same case-sensitive patterns.
 */
import type { Report } from '../core/diagnostic.js';
import type { Event, LogSource } from '../core/event.js';
import { DATASET_LOGSOURCES } from '../core/event.js';
import { isObject, parseJsonString, str, type JsonObject } from '../core/json.js';
import { cloudDiagnostic } from './cloud-diagnostic-codes.js';
import type { RawRecord } from '../core/event.js';
import { appendUnique, isIpAddress, objectAt, originLocation, parseEventTime, put, textHash } from './cloud-common.js';

const LOGSOURCE: LogSource = DATASET_LOGSOURCES['azure.activitylogs'][0];

/** REST `status.value` → resource-log `resultType` (activity-log-schema, "Mapping to diagnostic logs schema"). */
const STATUS_TO_RESULT = new Map([
  ['succeeded', 'Success'],
  ['started', 'Start'],
  ['accepted', 'Accept'],
  ['failed', 'Failure'],
]);

/** REST members consumed by the conversion (the rest are kept as they are). */
const REST_CONVERTED = new Set(['eventTimestamp', 'operationName', 'category', 'status', 'subStatus', 'authorization', 'claims']);

/** `{value, localizedValue}` → value; anything else unchanged. */
function restValue(v: unknown): unknown {
  return isObject(v) && 'value' in v ? v.value : v;
}

function operationNameOf(o: JsonObject): string | undefined {
  return str(restValue(o.operationName));
}

/** True when the record is in the REST/portal form rather than the Event Hub/storage form. */
function isRestForm(o: JsonObject): boolean {
  return isObject(o.operationName) || isObject(o.status) || 'eventTimestamp' in o;
}

function fromRest(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  const time = o.time ?? o.eventTimestamp;
  if (time !== undefined) out.time = time;
  if (o.resourceId !== undefined) out.resourceId = o.resourceId;
  out.operationName = restValue(o.operationName);
  if (o.category !== undefined) out.category = restValue(o.category);
  const status = restValue(o.status);
  if (typeof status === 'string') out.resultType = STATUS_TO_RESULT.get(status.toLowerCase()) ?? status;
  else if (o.resultType !== undefined) out.resultType = o.resultType;
  if (isObject(o.subStatus) && 'value' in o.subStatus) out.resultSignature = o.subStatus.value;
  else if (o.resultSignature !== undefined) out.resultSignature = o.resultSignature;
  if (o.durationMs !== undefined) out.durationMs = o.durationMs;
  const ip = o.callerIpAddress ?? objectAt(o.httpRequest).clientIpAddress;
  if (ip !== undefined) out.callerIpAddress = ip;
  if (o.correlationId !== undefined) out.correlationId = o.correlationId;
  if (o.identity !== undefined) {
    out.identity = o.identity;
  } else if (o.authorization !== undefined || o.claims !== undefined) {
    const identity: JsonObject = {};
    if (o.authorization !== undefined) identity.authorization = o.authorization;
    if (o.claims !== undefined) identity.claims = o.claims;
    out.identity = identity;
  }
  for (const [k, v] of Object.entries(o)) {
    if (!(k in out) && !REST_CONVERTED.has(k)) out[k] = v;
  }
  return out;
}

/** Parses the members that arrive as JSON text (elastic/beats#26835, #30886; elastic/integrations#15421). */
function parseTextMembers(o: JsonObject): JsonObject {
  let out = o;
  const own = (): JsonObject => (out === o ? (out = { ...o }) : out);
  if (typeof o.properties === 'string') own().properties = parseJsonString(o.properties);
  if (isObject(out.properties)) {
    const p = out.properties;
    let props = p;
    for (const k of ['requestbody', 'requestBody', 'responseBody']) {
      if (typeof p[k] !== 'string') continue;
      const parsed = parseJsonString(p[k]);
      if (parsed === p[k]) continue;
      if (props === p) props = { ...p };
      props[k] = parsed;
    }
    if (props !== p) own().properties = props;
  }
  if (typeof out.identity === 'string') own().identity = parseJsonString(out.identity);
  if (isObject(out.identity)) {
    const id = out.identity;
    let copy = id;
    for (const k of ['claims', 'authorization']) {
      if (typeof id[k] !== 'string') continue;
      const parsed = parseJsonString(id[k]);
      if (parsed === id[k]) continue;
      if (copy === id) copy = { ...id };
      copy[k] = parsed;
    }
    if (copy !== id) own().identity = copy;
  }
  return out;
}

/** The canonical (Event Hub/storage schema) view of an Activity Log record. */
export function azureActivityFields(record: JsonObject): JsonObject {
  return parseTextMembers(isRestForm(record) ? fromRest(record) : record);
}

/**
 * Normalizes one JSON value read from an Activity Log file. Reports (and returns undefined for) a value that is
 * not an Activity Log record; a record without a usable time is kept with `timeMs` NaN and a warning.
 */
export function normalizeAzureActivity(value: unknown, source: RawRecord, report: Report): Event | undefined {
  if (!isObject(value) || operationNameOf(value) === undefined) {
    const what = isObject(value) ? 'JSON object has no operationName' : `JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`;
    report(cloudDiagnostic('notAzureActivity', `${what}: not an Azure Activity Log record; skipped`, originLocation(source.origin)));
    return undefined;
  }
  const fields = azureActivityFields(value);
  const time = parseEventTime(fields.time);
  if (!time) {
    const message =
      fields.time === undefined
        ? 'Activity Log record has no time or eventTimestamp; kept with an unknown time'
        : `Activity Log time ${JSON.stringify(fields.time)} is not an ISO 8601 time; kept with an unknown time`;
    report(cloudDiagnostic('noEventTime', message, originLocation(source.origin)));
  }
  const op = String(fields.operationName).toLowerCase();
  const correlation = str(fields.correlationId);
  const dataId = str(fields.eventDataId);
  const resultType = typeof fields.resultType === 'string' ? fields.resultType.toLowerCase() : '';
  // Start, Accept and Success/Failure of one operation share correlationId (events.md §2.4): each is its own
  // record, all are one action. eventDataId (REST form) identifies a record exactly.
  let recordKey: string;
  if (dataId) recordKey = `azure:${dataId}`;
  else if (correlation) recordKey = `azure:${correlation}:${op}:${resultType}:${time?.iso ?? String(fields.time ?? '')}`;
  else recordKey = `azure:sha256:${textHash(source.text)}`;
  return {
    dataset: 'azure.activitylogs',
    logsource: LOGSOURCE,
    raw: value,
    fields,
    time: time?.iso ?? '',
    timeMs: time?.ms ?? NaN,
    origin: source.origin,
    recordKey,
    actionKey: correlation ? `azure:${correlation}:${op}` : recordKey,
  };
}

const SUBSCRIPTION_ID = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;

/** The parts Elastic's pipelines take out of a resource id. */
interface ResourceParts {
  subscription?: string;
  group?: string;
  provider?: string;
  name?: string;
  namespace?: string;
  authorizationRule?: string;
}

/**
 * Splits a resource id as Elastic's pipelines do, in any casing (storage exports upper-case it, REST keeps it
 * mixed, some sources write `resourcegroups`): `/subscriptions/<id>/resourceGroups/<group>/providers/<ns>/<type>/<name…>`
 * gives provider `<ns>/<type>` and name `<name…>` (`…/NIC1/TAPCONFIGURATIONS/TAPCFG1` for a tap configuration);
 * Event Hubs keys (`…/providers/<ns>/namespaces/<namespace>/authorizationRules/<rule>`) give provider, namespace and
 * rule; the last `providers` segment counts (extension resources nest one). Checked against the pipeline tests
 * (elastic/integrations `packages/azure/data_stream/activitylogs/_dev/test/pipeline/*-expected.json`) and
 * `sample_event.json`.
 */
function resourceParts(id: string): ResourceParts {
  const out: ResourceParts = {};
  const parts = id.split('/');
  const lower = parts.map((p) => p.toLowerCase());
  const iSub = lower.indexOf('subscriptions');
  if (iSub >= 0 && iSub + 1 < parts.length && SUBSCRIPTION_ID.test(parts[iSub + 1])) out.subscription = parts[iSub + 1];
  const iGroup = lower.indexOf('resourcegroups');
  if (iGroup >= 0 && parts[iGroup + 1]) out.group = parts[iGroup + 1];
  const iProv = lower.lastIndexOf('providers');
  if (iProv < 0 || !parts[iProv + 1]) return out;
  const rest = parts.slice(iProv + 1);
  const restLower = lower.slice(iProv + 1);
  if (restLower[1] === 'namespaces' && restLower[3] === 'authorizationrules' && rest.length > 4) {
    out.provider = rest[0];
    out.namespace = rest[2];
    out.authorizationRule = rest.slice(4).join('/');
  } else if (rest.length >= 3) {
    out.provider = `${rest[0]}/${rest[1]}`;
    out.name = rest.slice(2).join('/');
  } else {
    out.provider = rest.join('/');
  }
  return out;
}

/** Log levels Azure sends as numbers ("Making log.level as single source"). */
const LEVEL_NAMES = new Map([
  ['1', 'Critical'],
  ['2', 'Error'],
  ['3', 'Warning'],
  ['4', 'Informational'],
  ['5', 'Verbose'],
]);

/** `event.type` by `category` (lower-cased), as the pipeline's categorization script sets it. */
const TYPE_BY_CATEGORY = new Map([
  ['write', ['change']],
  ['read', ['access']],
  ['delete', ['deletion']],
  ['action', ['change']],
]);

const EVIDENCE_KEYS: Record<string, string> = {
  roleAssignmentScope: 'role_assignment_scope',
  roleDefinitionId: 'role_definition_id',
  roleAssignmentId: 'role_assignment_id',
  principalId: 'principal_id',
  principalType: 'principal_type',
};

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';

/** grok `%{USERNAME}@%{HOSTNAME}`, unanchored as grok is (a leading space in the claim is skipped). */
const USER_AT_HOST = /([a-zA-Z0-9._-]+)@((?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*\.?)/;

/** The ECS document Elastic's `azure.activitylogs` integration makes of this event (see the module comment). */
export function azureActivityEcs(event: Event): Record<string, unknown> {
  const f = event.fields;
  const doc: JsonObject = {};
  const al: JsonObject = {};
  if (event.time) doc['@timestamp'] = event.time;
  put(doc, 'event.kind', 'event');
  put(doc, 'event.dataset', 'azure.activitylogs');
  put(doc, 'cloud.provider', 'azure');
  const resourceId = str(f.resourceId);
  if (isIpAddress(f.callerIpAddress)) {
    put(doc, 'source.ip', f.callerIpAddress);
    put(doc, 'client.ip', f.callerIpAddress);
    appendUnique(doc, 'related.ip', f.callerIpAddress);
  } else {
    put(doc, 'source.address', f.callerIpAddress);
  }
  const level = f.Level ?? f.level;
  if (level !== undefined) put(doc, 'log.level', LEVEL_NAMES.get(String(level)) ?? String(level));
  if (f.durationMs !== undefined && f.durationMs !== null && f.durationMs !== '') {
    // durationMs in milliseconds → event.duration in nanoseconds (the pipeline's "param_nano" script).
    const ms = Number(f.durationMs);
    put(doc, 'event.duration', Number.isFinite(ms) ? ms * 1_000_000 : f.durationMs);
  }
  put(doc, 'geo.name', f.location);
  const properties: JsonObject | undefined = isObject(f.properties) ? { ...f.properties } : undefined;
  if (properties) {
    if (properties.eventCategory !== undefined) al.event_category = properties.eventCategory;
    else if (properties.policies !== undefined) al.event_category = 'Policy';
    else al.event_category = 'Administrative';
    delete properties.eventCategory;
    if ('serviceRequestId' in properties) {
      properties.service_request_id = properties.serviceRequestId;
      delete properties.serviceRequestId;
    }
    if ('statusMessage' in properties) {
      put(doc, 'message', properties.statusMessage);
      delete properties.statusMessage;
    }
    if ('statusCode' in properties) {
      properties.status_code = properties.statusCode;
      delete properties.statusCode;
    }
  } else {
    al.event_category = 'Administrative';
  }
  const resultType = f.resultType;
  if (resultType !== undefined) al.result_type = resultType;
  if (typeof resultType === 'string' && ['success', 'failure'].includes(resultType.toLowerCase())) {
    put(doc, 'event.outcome', resultType.toLowerCase());
  } else if (properties && typeof properties.result === 'string' && ['success', 'failure', 'unknown'].includes(properties.result)) {
    put(doc, 'event.outcome', properties.result);
  }
  if (f.operationName !== undefined) {
    al.operation_name = f.operationName;
    put(doc, 'event.action', String(f.operationName));
  }
  if (f.operationVersion !== undefined) al.operation_version = f.operationVersion;
  if (f.tenantId !== undefined) al.tenant_id = f.tenantId;
  if (f.resultSignature !== undefined) al.result_signature = f.resultSignature;
  if (f.category !== undefined) al.category = f.category;
  // A string identity that is not JSON stays a string (the pipeline's identity_name); parsed ones are objects.
  if (typeof f.identity === 'string') al.identity_name = f.identity;
  const identity = isObject(f.identity) ? f.identity : undefined;
  if (identity) {
    const id: JsonObject = {};
    const auth = objectAt(identity.authorization);
    if (identity.authorization !== undefined) {
      const evidence = isObject(auth.evidence) ? auth.evidence : undefined;
      const authOut: JsonObject = { ...auth };
      if (evidence) {
        const ev: JsonObject = {};
        for (const [k, v] of Object.entries(evidence)) ev[EVIDENCE_KEYS[k] ?? k] = v;
        authOut.evidence = ev;
      }
      id.authorization = authOut;
    }
    const claims = isObject(identity.claims) ? { ...identity.claims } : undefined;
    if (claims) {
      const byUser: JsonObject = {};
      if ('name' in claims) {
        byUser.fullname = claims.name;
        delete claims.name;
      }
      if (claims[`${CLAIMS}/surname`] !== undefined) byUser.surname = claims[`${CLAIMS}/surname`];
      if (claims[`${CLAIMS}/name`] !== undefined) byUser.name = claims[`${CLAIMS}/name`];
      if (claims[`${CLAIMS}/givenname`] !== undefined) byUser.givenname = claims[`${CLAIMS}/givenname`];
      if (byUser.name !== undefined) byUser.schema = CLAIMS;
      // Elasticsearch field names cannot hold dots: the pipeline replaces them with underscores in claim keys.
      const dotless: JsonObject = {};
      for (const [k, v] of Object.entries(claims)) dotless[k.replaceAll('.', '_')] = v;
      id.claims = dotless;
      if (Object.keys(byUser).length > 0) id.claims_initiated_by_user = byUser;
      const name = byUser.name;
      if (typeof name === 'string' && name.length > 0) {
        const m = name.includes('@') ? USER_AT_HOST.exec(name) : null;
        if (m) {
          put(doc, 'user.name', m[1]);
          put(doc, 'user.domain', m[2]);
          put(doc, 'user.email', name);
        } else {
          put(doc, 'user.name', name);
        }
        appendUnique(doc, 'related.user', objectAt(doc.user).name);
      }
      if (byUser.fullname !== undefined) put(doc, 'user.full_name', String(byUser.fullname));
    }
    for (const [k, v] of Object.entries(identity)) if (!(k in id) && k !== 'claims') id[k] = v;
    al.identity = id;
  }
  if (properties) al.properties = properties;
  const typeByCategory = typeof f.category === 'string' ? TYPE_BY_CATEGORY.get(f.category.toLowerCase()) : undefined;
  if (typeByCategory) put(doc, 'event.type', [...typeByCategory]);
  // REST-form members that the resource-log schema lacks are kept under azure.activitylogs as they are.
  for (const k of ['caller', 'eventDataId', 'subscriptionId', 'submissionTimestamp', 'operationId']) {
    if (f[k] !== undefined) al[k] = f[k];
  }
  // Both the long-standing fields (azure.resource.*, azure.subscription_id, azure.correlation_id) and the newer
  // ones (azure.resource_group, azure.resource_provider, azure.correlation, cloud.resource_id), as sample_event.json
  // shows them side by side.
  const azure: JsonObject = { activitylogs: al };
  if (f.correlationId !== undefined) {
    azure.correlation_id = f.correlationId;
    azure.correlation = { id: f.correlationId };
  }
  if (resourceId) {
    const rp = resourceParts(resourceId);
    if (rp.subscription !== undefined) azure.subscription_id = rp.subscription;
    const resource: JsonObject = { id: resourceId };
    if (rp.group !== undefined) resource.group = rp.group;
    if (rp.provider !== undefined) resource.provider = rp.provider;
    if (rp.namespace !== undefined) resource.namespace = rp.namespace;
    if (rp.authorizationRule !== undefined) resource.authorization_rule = rp.authorizationRule;
    if (rp.name !== undefined) resource.name = rp.name;
    azure.resource = resource;
    if (rp.group !== undefined) azure.resource_group = { name: rp.group };
    if (rp.provider !== undefined) azure.resource_provider = { namespace: rp.provider };
    put(doc, 'cloud.resource_id', resourceId);
  }
  if (f.tenantId !== undefined) azure.tenant = { id: f.tenantId };
  doc.azure = azure;
  put(doc, 'cloud.account.id', azure.subscription_id ?? str(f.subscriptionId));
  appendUnique(doc, 'related.entity', resourceId, objectAt(objectAt(objectAt(al.identity).authorization).evidence).principal_id);
  return doc;
}
