/**
 * Azure Activity Log records in the schema of diagnostic-setting exports to storage accounts and Event Hubs
 * (https://learn.microsoft.com/azure/azure-monitor/platform/activity-log-schema, "Schema from storage account and
 * event hubs"; events.md §2.3): `time` with 7 fractional digits, `resourceId` upper-cased in storage exports,
 * `operationName` in upper, mixed or lower case, `resultType` Start/Accept/Success/Failure with `resultSignature`
 * `Started.`/`Accepted.Created`/`Succeeded.Created`, one `correlationId` shared by the records of one operation
 * (events.md §2.4), `identity.authorization` (scope, action, evidence) and `identity.claims` (JWT claims: upn and name
 * for people, `appid` without upn for service principals), and `properties` with `requestbody`/`responseBody` as JSON
 * text, as the bundled examples and Elastic's test records carry them.
 */
import type { Random } from './random.js';
import { isoFraction } from './time-format.js';

/** The Azure AD tenant every simulated identity belongs to. */
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const MS_CLAIMS = 'http://schemas.microsoft.com/identity/claims';

/** Who calls Azure Resource Manager. */
export interface AzureActor {
  kind: 'user' | 'service-principal';
  /** UPN for people, display name for service principals. */
  name: string;
  displayName: string;
  objectId: string;
  appId: string;
  ip: string;
  role: string;
}

/** A person signed in with the Azure CLI or portal. */
export function azureUser(rng: Random, upn: string, displayName: string, ip: string, role = 'Network Contributor'): AzureActor {
  // 04b07795-… is the Azure CLI's public client id, c44b4083-… the portal's.
  return { kind: 'user', name: upn, displayName, objectId: rng.uuid(), appId: rng.pick(['04b07795-8ddb-461a-bbee-02f9e1bf7b46', 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c']), ip, role };
}

/** A service principal (an application identity, e.g. a CI/CD pipeline). */
export function servicePrincipal(rng: Random, displayName: string, ip: string, role = 'Contributor'): AzureActor {
  return { kind: 'service-principal', name: displayName, displayName, objectId: rng.uuid(), appId: rng.uuid(), ip, role };
}

/** How `operationName` is cased in a record (events.md §2.2: all three occur). */
export type Casing = 'upper' | 'mixed' | 'lower';

function cased(s: string, c: Casing): string {
  return c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s;
}

/** JWT claims as the Activity Log copies them (a user's UPN and name, or a service principal's appid only). */
function claimsOf(rng: Random, a: AzureActor, iat: number): Record<string, string> {
  const c: Record<string, string> = {
    aud: 'https://management.core.windows.net/',
    iss: `https://sts.windows.net/${TENANT_ID}/`,
    iat: String(iat),
    nbf: String(iat),
    exp: String(iat + 4500),
  };
  if (a.kind === 'user') {
    c['http://schemas.microsoft.com/claims/authnclassreference'] = '1';
    c['http://schemas.microsoft.com/claims/authnmethodsreferences'] = 'pwd,mfa';
  }
  c.aio = rng.chars(56, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  c.appid = a.appId;
  c.appidacr = a.kind === 'user' ? '0' : '1';
  if (a.kind === 'user') {
    c.ipaddr = a.ip;
    c.name = a.displayName;
  } else {
    c.idtyp = 'app';
  }
  c[`${MS_CLAIMS}/identityprovider`] = `https://sts.windows.net/${TENANT_ID}/`;
  c[`${MS_CLAIMS}/objectidentifier`] = a.objectId;
  if (a.kind === 'user') c[`${MS_CLAIMS}/scope`] = 'user_impersonation';
  c[`${MS_CLAIMS}/tenantid`] = TENANT_ID;
  c[`${CLAIMS}/nameidentifier`] = a.kind === 'user' ? rng.chars(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') : a.objectId;
  if (a.kind === 'user') {
    c[`${CLAIMS}/name`] = a.name;
    c[`${CLAIMS}/upn`] = a.name;
  }
  c.uti = rng.chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');
  c.ver = '1.0';
  return c;
}

/** One ARM operation (a write, delete or action) and how it ends. */
export interface AzureOperation {
  actor: AzureActor;
  subscription: string;
  resourceGroup: string;
  /** Provider namespace and resource path after `providers/`: `Microsoft.Network/virtualNetworkTaps/vtap1`. */
  resourcePath: string;
  /** The operation as the RBAC list names it: `Microsoft.Network/virtualNetworkTaps/write`. */
  operation: string;
  startMs: number;
  durationMs: number;
  /** `Accept` between Start and the end, for asynchronous operations (deployments, taps, NICs). */
  accepted?: boolean;
  /** Failure with this status code (e.g. `Conflict`, `BadRequest`); success otherwise. */
  failure?: { statusCode: string; message: string };
  /** `Created` (new resource) or `OK` (update, action). */
  statusCode?: 'Created' | 'OK' | 'Accepted';
  requestBody?: unknown;
  responseBody?: unknown;
  casing: Casing;
  /** Upper-case `resourceId`, as storage exports write it (formats.md §1.4). */
  upperResourceId: boolean;
  location?: string;
}

/** The records of one operation (Start, [Accept], Success or Failure), all with one `correlationId`. */
export function azureOperationRecords(rng: Random, op: AzureOperation): { correlationId: string; records: { timeMs: number; record: Record<string, unknown> }[] } {
  const correlationId = rng.uuid();
  const resourceId = `/subscriptions/${op.subscription}/resourceGroups/${op.resourceGroup}/providers/${op.resourcePath}`;
  const claims = claimsOf(rng, op.actor, Math.floor(op.startMs / 1000) - rng.int(300, 3000));
  const assignmentId = rng.hex(32);
  const definitionId = rng.hex(32);
  const principalId = op.actor.objectId.replaceAll('-', '');
  const identity = {
    authorization: {
      scope: resourceId,
      action: op.operation,
      evidence: {
        role: op.actor.role,
        roleAssignmentScope: `/subscriptions/${op.subscription}`,
        roleAssignmentId: assignmentId,
        roleDefinitionId: definitionId,
        principalId,
        principalType: op.actor.kind === 'user' ? 'User' : 'ServicePrincipal',
      },
    },
    claims,
  };
  const common = {
    eventCategory: 'Administrative',
    entity: resourceId,
    message: op.operation,
    hierarchy: `${TENANT_ID}/${op.subscription}`,
  };
  const steps: { status: 'Start' | 'Accept' | 'Success' | 'Failure'; atMs: number }[] = [{ status: 'Start', atMs: op.startMs }];
  if (op.accepted) steps.push({ status: 'Accept', atMs: op.startMs + rng.int(150, 900) });
  steps.push({ status: op.failure ? 'Failure' : 'Success', atMs: op.startMs + op.durationMs });
  const records = steps.map(({ status, atMs }) => {
    const properties: Record<string, unknown> = {};
    let signature: string;
    let duration = 0;
    const statusCode = op.failure?.statusCode ?? op.statusCode ?? 'OK';
    switch (status) {
      case 'Start':
        signature = 'Started.';
        if (op.requestBody !== undefined) properties.requestbody = JSON.stringify(op.requestBody);
        break;
      case 'Accept':
        signature = `Accepted.${op.statusCode === 'OK' ? 'OK' : 'Created'}`;
        properties.statusCode = op.statusCode === 'OK' ? 'OK' : 'Created';
        properties.serviceRequestId = rng.uuid();
        duration = atMs - op.startMs;
        break;
      case 'Success':
        signature = `Succeeded.${statusCode}`;
        properties.statusCode = statusCode;
        properties.serviceRequestId = rng.uuid();
        if (op.responseBody !== undefined) properties.responseBody = JSON.stringify(op.responseBody);
        duration = atMs - op.startMs;
        break;
      case 'Failure':
        signature = `Failed.${statusCode}`;
        properties.statusCode = statusCode;
        properties.serviceRequestId = rng.uuid();
        properties.statusMessage = JSON.stringify({ error: { code: statusCode, message: op.failure?.message ?? '' } });
        duration = atMs - op.startMs;
        break;
    }
    Object.assign(properties, common);
    const record: Record<string, unknown> = {
      time: isoFraction(atMs, rng.digits(4)),
      resourceId: op.upperResourceId ? resourceId.toUpperCase() : resourceId,
      operationName: cased(op.operation, op.casing),
      category: 'Administrative',
      resultType: status,
      resultSignature: signature,
      durationMs: duration,
      callerIpAddress: op.actor.ip,
      correlationId,
      identity,
      level: status === 'Failure' ? 'Error' : 'Information',
      location: 'global',
      properties,
    };
    return { timeMs: atMs, record };
  });
  return { correlationId, records };
}

/** A NIC IP configuration id (a vTAP destination). */
export function nicIpConfigId(subscription: string, group: string, nic: string, ipconfig = 'ipconfig1'): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Network/networkInterfaces/${nic}/ipConfigurations/${ipconfig}`;
}

/** An internal load balancer frontend IP configuration id (the other kind of vTAP destination). */
export function lbFrontendId(subscription: string, group: string, lb: string, frontend: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Network/loadBalancers/${lb}/frontendIPConfigurations/${frontend}`;
}

/** A vTAP id. */
export function vtapId(subscription: string, group: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Network/virtualNetworkTaps/${name}`;
}

/** Request and response bodies of `PUT virtualNetworkTaps` (azure-rest-api-specs 2024-05-01 example VirtualNetworkTapCreate). */
export function vtapBodies(
  rng: Random,
  id: string,
  name: string,
  location: string,
  destination: { kind: 'nic'; id: string } | { kind: 'lb'; id: string },
  port: number,
): { request: unknown; response: unknown } {
  const dest = destination.kind === 'nic' ? { destinationNetworkInterfaceIPConfiguration: { id: destination.id } } : { destinationLoadBalancerFrontEndIPConfiguration: { id: destination.id } };
  return {
    request: { location, properties: { ...dest, destinationPort: port } },
    response: {
      name,
      id,
      etag: `W/"${rng.uuid()}"`,
      type: 'Microsoft.Network/virtualNetworkTaps',
      location,
      properties: { provisioningState: 'Succeeded', resourceGuid: rng.uuid().toUpperCase(), ...dest, destinationPort: port },
    },
  };
}

/** Request and response bodies of `PUT networkInterfaces/{nic}/tapConfigurations/{name}` (2024-05-01 example). */
export function tapConfigBodies(rng: Random, id: string, name: string, tapId: string): { request: unknown; response: unknown } {
  return {
    request: { properties: { virtualNetworkTap: { id: tapId } } },
    response: {
      name,
      id,
      etag: `W/"${rng.uuid()}"`,
      type: 'Microsoft.Network/networkInterfaces/tapConfigurations',
      properties: { provisioningState: 'Succeeded', virtualNetworkTap: { id: tapId } },
    },
  };
}
