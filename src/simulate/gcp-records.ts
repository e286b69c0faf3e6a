/**
 * GCP Cloud Audit Logs LogEntries as a Cloud Storage sink writes them (one JSON object per line): members as in the
 * real compute sample (`samples/gcp_audit_compute_v1_instances_insert_elastic_test.json`), `protoPayload` an
 * AuditLog with `methodName` `<version>.compute.<collection>.<method>` (events.md §3.1), and long-running operations
 * as two entries sharing `operation.id`: `first: true` with the request and the RUNNING operation, `last: true` when
 * it is DONE (§3.4). `timestamp` has microseconds, `receiveTimestamp` nanoseconds, and the operation's own times a
 * Pacific offset, as Compute Engine returns them (formats.md §1.5).
 */
import type { Random } from './random.js';
import { isoFraction } from './time-format.js';

/** Who calls the API. */
export interface GcpActor {
  email: string;
  /** `user:` or `serviceAccount:`. */
  kind: 'user' | 'serviceAccount';
  ip: string;
  userAgent: string;
}

/** A person using gcloud. */
export function gcpUser(email: string, ip: string): GcpActor {
  return { email, kind: 'user', ip, userAgent: 'google-cloud-sdk gcloud/498.0.0 command/gcloud.compute.packet-mirrorings.create invocation-id/0b1c2d3e4f5a46b7a8c9d0e1f2a3b4c5 environment/None environment-version/None client-os/LINUX client-os-ver/6.8.0 client-pltf-arch/x86_64 interactive/True from-script/False python/3.12.6 term/xterm-256color (Linux 6.8.0-48-generic),gzip(gfe)' };
}

/** The gcloud user agent of one command (`command/gcloud.<group>.<command>`). */
export function gcloudAgent(rng: Random, command: string, beta = false): string {
  return `google-cloud-sdk gcloud/498.0.0 command/gcloud.${beta ? 'beta.' : ''}${command} invocation-id/${rng.hex(32)} environment/None environment-version/None client-os/LINUX client-os-ver/6.8.0 client-pltf-arch/x86_64 interactive/True from-script/False python/3.12.6 term/xterm-256color (Linux 6.8.0-48-generic),gzip(gfe)`;
}

/** Terraform's Google provider user agent. */
export const TERRAFORM_GOOGLE_AGENT = 'google-api-go-client/0.5 Terraform/1.9.8 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/6.12.0,gzip(gfe)';

/**
 * Pulumi's Google provider (a bridged Terraform provider) user agent. The exact string is not documented; this
 * follows the provider's `Pulumi/<version> (+https://www.pulumi.com) pulumi-gcp/<version>` convention (unverified).
 */
export const PULUMI_GOOGLE_AGENT = 'google-api-go-client/0.5 Pulumi/3.137.0 (+https://www.pulumi.com) pulumi-gcp/8.9.0,gzip(gfe)';

/** A `compute#operation` name as in the sample: `operation-<epoch ms>-<13 hex>-<8 hex>-<8 hex>`. */
export function operationName(rng: Random, ms: number): string {
  return `operation-${ms}-${rng.hex(13)}-${rng.hex(8)}-${rng.hex(8)}`;
}

/** A LogEntry `insertId` (short, lower-case, as Cloud Logging assigns them). */
export function insertId(rng: Random): string {
  return `${rng.chance(0.5) ? '-' : ''}${rng.chars(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
}

/** `2024-11-19T05:13:13.857-08:00`: Compute Engine's operation times, in US Pacific time. */
export function pacificTime(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Los_Angeles',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}.${String(ms % 1000).padStart(3, '0')}${offset}`;
}

/** One audited call. */
export interface GcpCall {
  actor: GcpActor;
  project: string;
  timeMs: number;
  /** `v1.compute.packetMirrorings.insert` */
  methodName: string;
  serviceName: string;
  resourceName: string;
  /** Permissions checked, each with the resource it was checked on. */
  permissions: { permission: string; resource: string; type: string; granted?: boolean }[];
  request?: Record<string, unknown>;
  resource: { type: string; labels: Record<string, string> };
  logType: 'activity' | 'data_access';
  /** A long-running operation: the first entry and, `durationMs` later, the last. */
  operation?: { durationMs: number; operationType: string; targetLink: string; region?: string; zone?: string };
  /** A denied call (`status.code` 7, PERMISSION_DENIED; events.md §3.4). */
  denied?: boolean;
  location?: string;
}

/** The entries of one call: one, or the first and last of a long-running operation. */
export function gcpAuditEntries(rng: Random, c: GcpCall): { operationId?: string; entries: { timeMs: number; record: Record<string, unknown> }[] } {
  const logName = `projects/${c.project}/logs/cloudaudit.googleapis.com%2F${c.logType}`;
  const principalSubject = `${c.actor.kind}:${c.actor.email}`;
  const authorizationInfo = c.permissions.map((p) => ({
    granted: c.denied ? false : p.granted ?? true,
    permission: p.permission,
    permissionType: c.logType === 'activity' ? 'ADMIN_WRITE' : 'ADMIN_READ',
    resource: p.resource,
    resourceAttributes: { name: p.resource, service: c.serviceName.split('.')[0], type: p.type },
  }));
  const requestMetadata = (atMs: number) => ({
    callerIp: c.actor.ip,
    callerSuppliedUserAgent: c.actor.userAgent,
    destinationAttributes: {},
    requestAttributes: { auth: {}, time: isoFraction(atMs, rng.digits(3)) },
  });
  const stamp = (atMs: number) => ({ timestamp: isoFraction(atMs, rng.digits(3)), receiveTimestamp: isoFraction(atMs + rng.int(300, 1500), rng.digits(6)) });
  const base = (atMs: number, payload: Record<string, unknown>, operation?: Record<string, unknown>, severity = 'NOTICE'): Record<string, unknown> => {
    const s = stamp(atMs);
    const entry: Record<string, unknown> = { insertId: insertId(rng), logName };
    if (operation) entry.operation = operation;
    entry.protoPayload = payload;
    entry.receiveTimestamp = s.receiveTimestamp;
    entry.resource = c.resource;
    entry.severity = severity;
    entry.timestamp = s.timestamp;
    return entry;
  };
  const payload = (atMs: number, withBody: boolean): Record<string, unknown> => {
    const p: Record<string, unknown> = {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: c.actor.email, principalSubject },
    };
    if (withBody) p.authorizationInfo = authorizationInfo;
    p.methodName = c.methodName;
    const reqType = `type.googleapis.com/${c.methodName.replace(/^(v1|beta|alpha)\./, '')}`;
    p.request = withBody && c.request ? { '@type': reqType, ...c.request } : { '@type': reqType };
    p.requestMetadata = requestMetadata(atMs);
    if (c.location) p.resourceLocation = { currentLocations: [c.location] };
    p.resourceName = c.resourceName;
    return p;
  };
  if (c.denied) {
    const p = payload(c.timeMs, true);
    p.serviceName = c.serviceName;
    p.status = { code: 7, message: `Required '${c.permissions[0]?.permission ?? 'permission'}' permission for '${c.resourceName}'` };
    return { entries: [{ timeMs: c.timeMs, record: base(c.timeMs, p, undefined, 'ERROR') }] };
  }
  if (!c.operation) {
    const p = payload(c.timeMs, true);
    p.serviceName = c.serviceName;
    return { entries: [{ timeMs: c.timeMs, record: base(c.timeMs, p, undefined, c.logType === 'activity' ? 'NOTICE' : 'INFO') }] };
  }
  const opName = operationName(rng, c.timeMs);
  const opId = rng.digits(19);
  const scope = c.operation.zone ? `zones/${c.operation.zone}` : c.operation.region ? `regions/${c.operation.region}` : 'global';
  const selfLink = `https://www.googleapis.com/compute/v1/projects/${c.project}/${scope}/operations/${opName}`;
  const first = payload(c.timeMs, true);
  const response: Record<string, unknown> = {
    '@type': 'type.googleapis.com/operation',
    id: opId,
    insertTime: pacificTime(c.timeMs - rng.int(20, 120)),
    name: opName,
    operationType: c.operation.operationType,
    progress: '0',
    selfLink,
    selfLinkWithId: `https://www.googleapis.com/compute/v1/projects/${c.project}/${scope}/operations/${opId}`,
    startTime: pacificTime(c.timeMs - rng.int(0, 15)),
    status: 'RUNNING',
    targetId: rng.digits(19),
    targetLink: c.operation.targetLink,
    user: c.actor.email,
  };
  if (c.operation.region) response.region = `https://www.googleapis.com/compute/v1/projects/${c.project}/regions/${c.operation.region}`;
  if (c.operation.zone) response.zone = `https://www.googleapis.com/compute/v1/projects/${c.project}/zones/${c.operation.zone}`;
  first.response = response;
  first.serviceName = c.serviceName;
  const endMs = c.timeMs + c.operation.durationMs;
  const last = payload(endMs, false);
  last.serviceName = c.serviceName;
  return {
    operationId: opName,
    entries: [
      { timeMs: c.timeMs, record: base(c.timeMs, first, { id: opName, producer: c.serviceName, first: true }) },
      { timeMs: endMs, record: base(endMs, last, { id: opName, producer: c.serviceName, last: true }) },
    ],
  };
}

/** `https://www.googleapis.com/compute/v1/projects/<p>/<path>`. */
export function computeUrl(project: string, path: string): string {
  return `https://www.googleapis.com/compute/v1/projects/${project}/${path}`;
}

/** The monitored resource of packet-mirroring entries (`gce_packet_mirroring`; exact type unverified, events.md §10). */
export function packetMirroringResource(project: string, region: string, rng: Random): { type: string; labels: Record<string, string> } {
  return { type: 'gce_packet_mirroring', labels: { packet_mirroring_id: rng.digits(19), project_id: project, region } };
}
