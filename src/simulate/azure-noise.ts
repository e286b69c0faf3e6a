/**
 * Background Azure Activity Log records: writes, deletes and actions of other resource providers (compute, network
 * security groups, storage keys, deployments, role assignments, diagnostic settings, web apps, key vaults, public
 * IPs), each as its Start/[Accept]/Success records sharing a `correlationId`, by people and by service principals,
 * in time order. Nothing here touches virtual network TAPs.
 */
import { azureOperationRecords, azureUser, servicePrincipal, type AzureActor, type AzureOperation, type Casing } from './azure-records.js';
import type { Random } from './random.js';
import type { SimRecord } from './types.js';

/** Where the noise goes. */
export interface AzureNoiseOptions {
  subscription: string;
  count: number;
  fromMs: number;
  toMs: number;
  /** Storage exports upper-case resource ids; Event Hub consumers see them as ARM wrote them. */
  upperResourceId: boolean;
}

interface OpTemplate {
  weight: number;
  build(rng: Random, actors: AzureActor[], sub: string): Omit<AzureOperation, 'startMs' | 'casing' | 'upperResourceId' | 'subscription'>;
}

const GROUPS = ['rg-app-prod', 'rg-data-prod', 'rg-web-prod', 'rg-shared-services', 'rg-dev-sandbox'];
const REGIONS = ['westeurope', 'northeurope'];

function vm(rng: Random): string {
  return `${rng.pick(['app', 'api', 'web', 'batch', 'etl'])}-${rng.pick(['prod', 'dev'])}-${String(rng.int(1, 24)).padStart(2, '0')}`;
}

const TEMPLATES: OpTemplate[] = [
  {
    weight: 14,
    build: (rng, actors) => {
      const action = rng.pick(['start', 'restart', 'deallocate', 'powerOff']);
      return { actor: rng.pick(actors), resourceGroup: rng.pick(GROUPS), resourcePath: `Microsoft.Compute/virtualMachines/${vm(rng)}`, operation: `Microsoft.Compute/virtualMachines/${action}/action`, durationMs: rng.int(800, 45000), accepted: true, statusCode: 'OK' };
    },
  },
  {
    weight: 8,
    build: (rng, actors) => {
      const name = vm(rng);
      return {
        actor: rng.pick(actors),
        resourceGroup: rng.pick(GROUPS),
        resourcePath: `Microsoft.Compute/virtualMachines/${name}`,
        operation: 'Microsoft.Compute/virtualMachines/write',
        durationMs: rng.int(2000, 30000),
        accepted: true,
        statusCode: 'OK',
        requestBody: { location: rng.pick(REGIONS), tags: { owner: rng.pick(['payments', 'platform', 'data']), costCenter: `cc-${rng.int(1000, 9999)}` }, properties: { hardwareProfile: { vmSize: rng.pick(['Standard_D4s_v5', 'Standard_B2ms', 'Standard_E8s_v5']) } } },
      };
    },
  },
  {
    weight: 10,
    build: (rng, actors) => {
      const nsg = `nsg-${rng.pick(['web', 'app', 'data'])}-prod`;
      const rule = `allow-${rng.pick(['https', 'ssh-bastion', 'sql-app', 'health-probe'])}`;
      const priority = rng.int(100, 4000);
      return {
        actor: rng.pick(actors),
        resourceGroup: rng.pick(GROUPS),
        resourcePath: `Microsoft.Network/networkSecurityGroups/${nsg}/securityRules/${rule}`,
        operation: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
        durationMs: rng.int(1500, 12000),
        accepted: true,
        statusCode: rng.pick(['Created', 'OK'] as const),
        requestBody: { properties: { protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: String(rng.pick([443, 22, 1433, 8080])), sourceAddressPrefix: rng.pick(['VirtualNetwork', '10.20.0.0/16', 'AzureLoadBalancer']), destinationAddressPrefix: '*', access: 'Allow', priority, direction: 'Inbound' } },
      };
    },
  },
  {
    weight: 10,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Storage/storageAccounts/st${rng.pick(['appprod', 'dataprod', 'logsprod'])}${rng.hex(4)}`,
      operation: 'Microsoft.Storage/storageAccounts/listKeys/action',
      durationMs: rng.int(60, 900),
      statusCode: 'OK',
    }),
  },
  {
    weight: 6,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Resources/deployments/${rng.pick(['main', 'network', 'appservice', 'monitoring'])}-${rng.hex(8)}`,
      operation: 'Microsoft.Resources/deployments/write',
      durationMs: rng.int(5000, 60000),
      accepted: true,
      statusCode: 'Created',
      requestBody: { properties: { mode: 'Incremental', templateLink: { uri: 'https://artifacts.example.com/templates/main.json', contentVersion: '1.0.0.0' }, parameters: { environment: { value: 'prod' } } } },
    }),
  },
  {
    weight: 4,
    build: (rng, actors, sub) => {
      const group = rng.pick(GROUPS);
      return {
        actor: rng.pick(actors),
        resourceGroup: group,
        resourcePath: `Microsoft.Authorization/roleAssignments/${rng.uuid()}`,
        operation: 'Microsoft.Authorization/roleAssignments/write',
        durationMs: rng.int(300, 2500),
        statusCode: 'Created',
        // acdd72a7-… is the built-in Reader role.
        requestBody: { Id: rng.uuid(), Properties: { PrincipalId: rng.uuid(), PrincipalType: 'Group', RoleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`, Scope: `/subscriptions/${sub}/resourceGroups/${group}` } },
      };
    },
  },
  {
    weight: 4,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Web/sites/${rng.pick(['orders-api', 'checkout-web', 'admin-portal'])}-prod`,
      operation: rng.pick(['Microsoft.Web/sites/restart/action', 'Microsoft.Web/sites/write', 'Microsoft.Web/sites/config/write']),
      durationMs: rng.int(400, 8000),
      statusCode: 'OK',
    }),
  },
  {
    weight: 4,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Network/publicIPAddresses/pip-${rng.pick(['agw', 'bastion', 'nat'])}-prod-${rng.int(1, 4)}`,
      operation: 'Microsoft.Network/publicIPAddresses/write',
      durationMs: rng.int(1000, 9000),
      accepted: true,
      statusCode: 'OK',
      requestBody: { location: rng.pick(REGIONS), sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static', idleTimeoutInMinutes: 4 } },
    }),
  },
  {
    weight: 3,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.KeyVault/vaults/kv-${rng.pick(['app', 'data', 'shared'])}-prod-${rng.hex(3)}`,
      operation: 'Microsoft.KeyVault/vaults/write',
      durationMs: rng.int(800, 5000),
      statusCode: 'OK',
    }),
  },
  {
    weight: 3,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Compute/virtualMachines/${vm(rng)}/providers/Microsoft.Insights/diagnosticSettings/send-to-law`,
      operation: 'Microsoft.Insights/diagnosticSettings/write',
      durationMs: rng.int(200, 1500),
      statusCode: 'OK',
    }),
  },
  {
    weight: 3,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Network/networkInterfaces/${vm(rng)}-nic`,
      operation: 'Microsoft.Network/networkInterfaces/write',
      durationMs: rng.int(1200, 7000),
      accepted: true,
      statusCode: 'OK',
    }),
  },
  {
    weight: 2,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Compute/disks/${vm(rng)}-osdisk`,
      operation: 'Microsoft.Compute/disks/delete',
      durationMs: rng.int(2000, 20000),
      accepted: true,
      statusCode: 'OK',
    }),
  },
  {
    weight: 1,
    build: (rng, actors) => ({
      actor: rng.pick(actors),
      resourceGroup: rng.pick(GROUPS),
      resourcePath: `Microsoft.Network/networkSecurityGroups/nsg-data-prod/securityRules/allow-any-${rng.int(1, 9)}`,
      operation: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
      durationMs: rng.int(300, 2000),
      failure: { statusCode: 'RequestDisallowedByPolicy', message: "Resource 'allow-any' was disallowed by policy 'deny-any-inbound'." },
    }),
  },
];

const WEIGHTED = TEMPLATES.map((t) => [t, t.weight] as const);

/** The people and pipelines of the noise. */
function actorsOf(rng: Random): AzureActor[] {
  return [
    azureUser(rng, 'noor.haddad@contoso.com', 'Noor Haddad', '203.0.113.31', 'Contributor'),
    azureUser(rng, 'lena.schmidt@contoso.com', 'Lena Schmidt', '198.51.100.77', 'Virtual Machine Contributor'),
    azureUser(rng, 'omar.farouk@contoso.com', 'Omar Farouk', '203.0.113.140', 'Owner'),
    servicePrincipal(rng, 'sp-github-deploy-prod', '20.42.65.92'),
    servicePrincipal(rng, 'sp-automation-runbooks', '20.38.149.131'),
  ];
}

/** `count` background records between `fromMs` and `toMs`, in time order. */
export function* azureNoise(rng: Random, o: AzureNoiseOptions): Generator<SimRecord> {
  if (o.count <= 0) return;
  const actors = actorsOf(rng.fork('actors'));
  // About 2.4 records per operation.
  const ops = Math.max(1, Math.ceil(o.count / 2.4));
  const mean = Math.max(1, (o.toMs - o.fromMs) / ops);
  const pending: { timeMs: number; record: Record<string, unknown> }[] = [];
  let emitted = 0;
  let t = o.fromMs;
  const casing = (): Casing => (o.upperResourceId ? rng.weighted([['upper', 8], ['mixed', 2]] as const) : rng.weighted([['mixed', 6], ['upper', 3], ['lower', 1]] as const));
  while (emitted < o.count) {
    t += Math.max(1, Math.round(rng.exponential(mean)));
    // Records of earlier operations that ended before this one started are final: emit them in time order.
    pending.sort((a, b) => a.timeMs - b.timeMs);
    while (pending.length > 0 && pending[0].timeMs <= t && emitted < o.count) {
      const r = pending.shift() as { timeMs: number; record: Record<string, unknown> };
      emitted++;
      yield { kind: 'azure', timeMs: r.timeMs, subscription: o.subscription, record: r.record };
    }
    if (emitted >= o.count) break;
    const template = rng.weighted(WEIGHTED);
    const op = template.build(rng, actors, o.subscription);
    const { records } = azureOperationRecords(rng, { ...op, subscription: o.subscription, startMs: t, casing: casing(), upperResourceId: o.upperResourceId });
    pending.push(...records);
  }
  pending.sort((a, b) => a.timeMs - b.timeMs);
  while (pending.length > 0 && emitted < o.count) {
    const r = pending.shift() as { timeMs: number; record: Record<string, unknown> };
    emitted++;
    yield { kind: 'azure', timeMs: r.timeMs, subscription: o.subscription, record: r.record };
  }
}
