/**
 * GCP Cloud Audit Logs LogEntry → Event, and the ECS view of an audit event.
 *
 * The canonical fields are the LogEntry as Cloud Logging writes it (sink files, `gcloud logging read
 * --format=json`, the decoded `data` of a Pub/Sub message): `logName, insertId, timestamp, severity, resource,
 * operation, protoPayload{@type: …AuditLog, methodName, serviceName, resourceName, authenticationInfo,
 * authorizationInfo, requestMetadata, request, response, status}`
 * (https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry and
 * https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog).
 *
 * Keys: a LogEntry is identified by `logName` + `insertId` (sinks may deliver it twice); the `first` and `last`
 * entries of one long-running operation share `operation.id` and are one action (events.md §3.4).
 *
 * The ECS view follows Elastic's `gcp.audit` pipeline (elastic/integrations
 * `packages/gcp/data_stream/audit/elasticsearch/ingest_pipeline/default.yml` and its test expectations), quirks
 * included: `event.provider` is the log type from `logName` (`activity`, `data_access`), not the API service;
 * `event.outcome` is `unknown` unless `status.code` or a single `authorizationInfo` entry says otherwise, so the
 * `first` entry of a compute operation is `unknown`; there is no `cloud.account.id`, only `cloud.project.id`.
 */
import type { Report } from '../core/diagnostic.js';
import type { Event, LogSource } from '../core/event.js';
import { DATASET_LOGSOURCES } from '../core/event.js';
import { isObject, str, type JsonObject } from '../core/json.js';
import { cloudDiagnostic } from './cloud-diagnostic-codes.js';
import type { RawRecord } from '../core/event.js';
import { appendUnique, isIpAddress, objectAt, originLocation, parseEventTime, put, textHash, withoutEmpty } from './cloud-common.js';

const LOGSOURCE: LogSource = DATASET_LOGSOURCES['gcp.audit'][0];

/** The `@type` of Cloud Audit Logs payloads. */
export const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

/** True for a JSON object shaped like a LogEntry (it names its log, or carries a payload and an id). */
export function isLogEntry(v: unknown): v is JsonObject {
  if (!isObject(v)) return false;
  if (typeof v.logName === 'string') return true;
  return typeof v.insertId === 'string' && (isObject(v.protoPayload) || 'jsonPayload' in v || 'textPayload' in v);
}

/**
 * True when a LogEntry is a Cloud Audit Log: its protoPayload is an AuditLog (Elastic drops other payload types;
 * entries written without `@type` count when they carry an AuditLog's `methodName`).
 */
export function isAuditLogEntry(entry: JsonObject): boolean {
  const p = entry.protoPayload;
  if (!isObject(p)) return false;
  const type = p['@type'];
  return type === undefined ? typeof p.methodName === 'string' : type === AUDIT_LOG_TYPE;
}

/**
 * Normalizes one JSON value read from a GCP audit log file. A value that is not a LogEntry is reported and
 * skipped; a LogEntry that is not an audit log is skipped, and `onNotAudit` (when given) is told so instead of a
 * diagnostic per entry; a LogEntry without a usable `timestamp` is kept with `timeMs` NaN and a warning.
 */
export function normalizeGcpAudit(value: unknown, source: RawRecord, report: Report, onNotAudit?: () => void): Event | undefined {
  if (!isLogEntry(value)) {
    const what = isObject(value) ? 'JSON object has no logName' : `JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`;
    report(cloudDiagnostic('notLogEntry', `${what}: not a Cloud Logging LogEntry; skipped`, originLocation(source.origin)));
    return undefined;
  }
  if (!isAuditLogEntry(value)) {
    if (onNotAudit) onNotAudit();
    else report(cloudDiagnostic('notAuditLog', 'LogEntry is not a Cloud Audit Log (no AuditLog protoPayload); skipped', originLocation(source.origin)));
    return undefined;
  }
  const time = parseEventTime(value.timestamp);
  if (!time) {
    const message =
      value.timestamp === undefined
        ? 'LogEntry has no timestamp; kept with an unknown time'
        : `LogEntry timestamp ${JSON.stringify(value.timestamp)} is not an ISO 8601 time; kept with an unknown time`;
    report(cloudDiagnostic('noEventTime', message, originLocation(source.origin)));
  }
  const logName = str(value.logName);
  const insertId = str(value.insertId);
  const recordKey = logName && insertId ? `gcp:${logName}:${insertId}` : `gcp:sha256:${textHash(source.text)}`;
  const opId = str(objectAt(value.operation).id);
  return {
    dataset: 'gcp.audit',
    logsource: LOGSOURCE,
    raw: value,
    fields: value,
    time: time?.iso ?? '',
    timeMs: time?.ms ?? NaN,
    origin: source.origin,
    recordKey,
    actionKey: opId ? `gcp:op:${opId}` : recordKey,
  };
}

/** The ECS document Elastic's `gcp.audit` integration makes of this event (see the module comment). */
export function gcpAuditEcs(event: Event): Record<string, unknown> {
  const e = event.fields;
  const p = objectAt(e.protoPayload);
  const doc: JsonObject = {};
  if (event.time) doc['@timestamp'] = event.time;
  put(doc, 'event.dataset', 'gcp.audit');
  put(doc, 'gcp.audit.type', p['@type']);
  put(doc, 'event.id', e.insertId);
  put(doc, 'log.logger', e.logName);
  put(doc, 'log.level', e.severity);
  // dissect "%{}%2F%{event.provider}": the log type after the URL-encoded slash.
  if (typeof e.logName === 'string') {
    const k = e.logName.indexOf('%2F');
    if (k !== -1) put(doc, 'event.provider', e.logName.slice(k + 3));
  }
  put(doc, 'event.kind', 'event');
  put(doc, 'cloud.provider', 'gcp');
  const resource = objectAt(e.resource);
  const labels = objectAt(resource.labels);
  put(doc, 'cloud.project.id', labels.project_id);
  put(doc, 'cloud.instance.id', labels.instance_id);
  put(doc, 'gcp.audit.resource.type', resource.type);
  const kubernetes = resource.type === 'k8s_cluster' || resource.type === 'gke_cluster';
  if (kubernetes) {
    put(doc, 'orchestrator.type', 'kubernetes');
    put(doc, 'orchestrator.cluster.name', labels.cluster_name);
  }
  const authn = objectAt(p.authenticationInfo);
  put(doc, 'gcp.audit.authentication_info.authority_selector', authn.authoritySelector);
  put(doc, 'gcp.audit.authentication_info.service_account_key_name', authn.serviceAccountKeyName);
  put(doc, 'client.user.email', authn.principalEmail);
  put(doc, 'client.user.id', authn.principalSubject);
  put(doc, 'user.email', authn.principalEmail);
  put(doc, 'user.id', authn.principalSubject);
  appendUnique(doc, 'related.user', authn.principalEmail);
  const authz = Array.isArray(p.authorizationInfo) ? p.authorizationInfo : undefined;
  if (authz) {
    put(
      doc,
      'gcp.audit.authorization_info',
      authz.map((a) => {
        if (!isObject(a) || !('resourceAttributes' in a)) return a;
        const { resourceAttributes, ...rest } = a;
        return { ...rest, resource_attributes: resourceAttributes };
      }),
    );
  }
  put(doc, 'gcp.audit.labels', e.labels);
  const meta = objectAt(p.requestMetadata);
  // "convert type: ip" unless the caller is `gce-internal-ip` or `private`.
  if (meta.callerIp !== 'gce-internal-ip' && meta.callerIp !== 'private' && isIpAddress(meta.callerIp)) {
    put(doc, 'source.ip', meta.callerIp);
    appendUnique(doc, 'related.ip', meta.callerIp);
  }
  put(doc, 'user_agent.original', meta.callerSuppliedUserAgent);
  const op = objectAt(e.operation);
  if (op.id !== undefined && e.insertId !== undefined && e.insertId !== op.id) put(doc, 'gcp.audit.logentry_operation.id', op.id);
  const category: string[] = [];
  const type: string[] = [];
  if (isObject(e.operation)) {
    const first = op.first === true;
    const last = op.last === true;
    if (!(first && last)) {
      category.push('session');
      if (first) type.push('start');
      if (last) type.push('end');
    }
  }
  put(doc, 'event.action', p.methodName);
  if (p.numResponseItems !== undefined) {
    const items = Number(p.numResponseItems);
    if (Number.isFinite(items)) put(doc, 'gcp.audit.num_response_items', Math.trunc(items));
  }
  if (isObject(p.request)) {
    const request: JsonObject = { ...p.request };
    if (request.policy !== undefined && !isObject(request.policy)) {
      request.policy_value = request.policy;
      delete request.policy;
    }
    put(doc, 'gcp.audit.request', request);
  }
  if (isObject(p.response)) {
    const response: JsonObject = { ...p.response };
    if (response.status !== undefined && !isObject(response.status)) {
      response.status_value = response.status;
      delete response.status;
    }
    put(doc, 'gcp.audit.response', response);
  }
  if (!kubernetes) put(doc, 'gcp.audit.resource_name', p.resourceName);
  put(doc, 'gcp.audit.resource_location.current_locations', objectAt(p.resourceLocation).currentLocations);
  put(doc, 'service.name', p.serviceName);
  const status = objectAt(p.status);
  const code = status.code === undefined || status.code === null ? undefined : Number(status.code);
  if (code !== undefined && Number.isFinite(code)) put(doc, 'gcp.audit.status.code', Math.trunc(code));
  put(doc, 'gcp.audit.status.message', status.message);
  let outcome = 'unknown';
  if (code !== undefined && Number.isFinite(code)) outcome = code === 0 ? 'success' : 'failure';
  else if (authz && authz.length === 1 && objectAt(authz[0]).granted === true) outcome = 'success';
  else if (authz && authz.length === 1 && objectAt(authz[0]).granted === false) outcome = 'failure';
  put(doc, 'event.outcome', outcome);
  if (authz && authz.length === 1) {
    category.push('network', 'configuration');
    const granted = objectAt(authz[0]).granted;
    if (granted === true) type.push('access', 'allowed');
    else if (granted === false) type.push('access', 'denied');
  }
  if (category.length > 0) put(doc, 'event.category', category);
  if (type.length > 0) put(doc, 'event.type', type);
  // The pipeline ends by dropping null and empty values and keys made only of dots.
  return (withoutEmpty(doc, true) ?? {}) as Record<string, unknown>;
}
