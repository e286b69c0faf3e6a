/**
 * Azure attack scenarios: the seed's Test 2 (a virtual network TAP and a NIC tap configuration, each with Start and
 * Success records sharing a correlationId), the same with mixed- and lower-case operation names delivered as Event
 * Hub batches, and create-then-delete.
 */
import {
  azureOperationRecords,
  azureUser,
  lbFrontendId,
  nicIpConfigId,
  tapConfigBodies,
  vtapBodies,
  vtapId,
  type AzureActor,
  type Casing,
} from './azure-records.js';
import { Plan } from './scenario-kit.js';
import type { AzureLayout, Scenario, ScenarioContext } from './types.js';

/** The collector's subscription: another subscription than the victim's, where the attacker controls a VM. */
const ATTACKER_SUBSCRIPTION = '0b9c8d7e-6f5a-4b3c-8d1e-0f9a8b7c6d5e';

/** A TAP, where it sends copies, and the NIC it is attached to. */
export interface TapSpec {
  actor: AzureActor;
  group: string;
  tap: string;
  destination: { kind: 'nic'; id: string; name: string } | { kind: 'lb'; id: string; name: string };
  nic: { group: string; name: string };
  config: string;
  casing: Casing;
}

/** The layout a scenario's records are written in, and whether resource ids are upper-cased (storage exports). */
export function layoutOf(ctx: ScenarioContext, preferred: AzureLayout): { layout: AzureLayout; upper: boolean } {
  const layout = ctx.azureLayout ?? preferred;
  return { layout, upper: layout === 'storage' };
}

/** A vTAP write (Start, Accept, Success) with its expected alert; returns the TAP's id and the refs. */
export function writeVtap(p: Plan, s: Pick<TapSpec, 'actor' | 'group' | 'tap' | 'destination' | 'casing'>, upper: boolean): { tapId: string; refs: string[] } {
  const { ctx } = p;
  const location = 'westeurope';
  const tapId = vtapId(ctx.subscription, s.group, s.tap);
  const bodies = vtapBodies(ctx.rng, tapId, s.tap, location, s.destination, 4789);
  const tap = azureOperationRecords(ctx.rng, {
    actor: s.actor,
    subscription: ctx.subscription,
    resourceGroup: s.group,
    resourcePath: `Microsoft.Network/virtualNetworkTaps/${s.tap}`,
    operation: 'Microsoft.Network/virtualNetworkTaps/write',
    startMs: p.step(),
    durationMs: ctx.rng.int(1800, 4200),
    accepted: true,
    statusCode: 'Created',
    requestBody: bodies.request,
    responseBody: bodies.response,
    casing: s.casing,
    upperResourceId: upper,
    location,
  });
  const refs = p.azure(tap.records, 'azure-vtap');
  p.expect('azureVtapWritten', [s.tap, s.destination.name], refs.slice(0, 1), 'Start, Accept and Success of one correlationId are one alert');
  return { tapId, refs };
}

/** A tap configuration write on a NIC (Start, Success) with its expected alert; returns its resource path and refs. */
export function writeTapConfig(p: Plan, s: Pick<TapSpec, 'actor' | 'tap' | 'nic' | 'config' | 'casing'>, tapId: string, upper: boolean): { configPath: string; refs: string[] } {
  const { ctx } = p;
  const configPath = `Microsoft.Network/networkInterfaces/${s.nic.name}/tapConfigurations/${s.config}`;
  const configId = `/subscriptions/${ctx.subscription}/resourceGroups/${s.nic.group}/providers/${configPath}`;
  const cb = tapConfigBodies(ctx.rng, configId, s.config, tapId);
  const config = azureOperationRecords(ctx.rng, {
    actor: s.actor,
    subscription: ctx.subscription,
    resourceGroup: s.nic.group,
    resourcePath: configPath,
    operation: 'Microsoft.Network/networkInterfaces/tapConfigurations/write',
    startMs: p.step(),
    durationMs: ctx.rng.int(900, 2600),
    statusCode: 'Created',
    requestBody: cb.request,
    responseBody: cb.response,
    casing: s.casing === 'lower' ? 'mixed' : s.casing,
    upperResourceId: upper,
  });
  const refs = p.azure(config.records, 'azure-tapconfig');
  p.expect('azureTapConfigWritten', [s.nic.name, s.tap], refs.slice(0, 1), 'Start and Success of one correlationId are one alert');
  return { configPath, refs };
}

/**
 * The correlation alert of a vTAP write followed within the hour by the first tap configuration pointing at it (the
 * TAP id joins them whatever its case). Later tap configurations of the same TAP complete no new pair: one alert per
 * TAP write. The Start records carry the request bodies the join reads; all records of an operation share its key.
 */
export function expectTapJoined(p: Plan, s: Pick<TapSpec, 'tap' | 'destination' | 'nic' | 'config'>, vtapRefs: string[], configRefs: string[], why?: string): void {
  p.expect('azureVtapWithTapConfig', [s.tap, s.destination.name, s.nic.name, s.config], [vtapRefs[0], configRefs[0]], why ?? 'a TAP and a NIC tap configuration pointing at it within an hour');
}

/** A vTAP write and a tap configuration write on a NIC, a minute or so apart: three alerts with the correlation's. */
function tapAndConfig(p: Plan, s: TapSpec, upper: boolean): { tapId: string; configPath: string } {
  const tap = writeVtap(p, s, upper);
  p.step(30, 90);
  const config = writeTapConfig(p, s, tap.tapId, upper);
  expectTapJoined(p, s, tap.refs, config.refs);
  return { tapId: tap.tapId, configPath: config.configPath };
}

const azureVtap: Scenario = {
  name: 'azure-vtap',
  title: 'Azure virtual network TAP and NIC tap configuration',
  description:
    "The seed's Test 2: a person with Network Contributor creates a virtual network TAP whose destination is a NIC in another subscription, then adds a tap configuration to a finance application's NIC. Storage-account export (PT1H.json), upper-case operation names and resource ids.",
  platforms: ['azure'],
  benign: false,
  seedTest: 'Test 2',
  build(ctx) {
    const p = new Plan(ctx);
    const { layout, upper } = layoutOf(ctx, 'storage');
    const actor = azureUser(ctx.rng, 'm.keller@contoso.com', 'Max Keller', '198.51.100.23');
    tapAndConfig(
      p,
      {
        actor,
        group: 'rg-netmon',
        tap: 'vtap-diag',
        destination: { kind: 'nic', id: nicIpConfigId(ATTACKER_SUBSCRIPTION, 'rg-lab', 'collector-nic'), name: 'collector-nic' },
        nic: { group: 'rg-finance', name: 'fin-api-01-nic' },
        config: 'diag',
        casing: 'upper',
      },
      upper,
    );
    return p.done({ azureLayout: layout });
  },
};

const azureMixedCase: Scenario = {
  name: 'azure-vtap-mixed-case',
  title: 'Azure vTAP with mixed- and lower-case operation names (Event Hub)',
  description:
    'Test 2 delivered through a diagnostic setting to Event Hub ({"records":[…]} bodies): the vTAP write in lower case, the tap configuration in mixed case, the destination an internal load balancer frontend, and the tap configuration\'s join/action (not an alert).',
  platforms: ['azure'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const { layout, upper } = layoutOf(ctx, 'eventhub');
    const actor = azureUser(ctx.rng, 'a.rahman@contoso.com', 'Aisha Rahman', '203.0.113.201');
    tapAndConfig(
      p,
      {
        actor,
        group: 'rg-shared-net',
        tap: 'tap-core',
        destination: { kind: 'lb', id: lbFrontendId(ctx.subscription, 'rg-shared-net', 'ilb-inspect', 'fe-mirror'), name: 'fe-mirror' },
        nic: { group: 'rg-payments', name: 'pay-db-02-nic' },
        config: 'tapcfg1',
        casing: 'lower',
      },
      upper,
    );
    // Referencing the tap from the NIC checks `join/action` on it (events.md §2.1): logged, never alerted on.
    const join = azureOperationRecords(ctx.rng, {
      actor,
      subscription: ctx.subscription,
      resourceGroup: 'rg-shared-net',
      resourcePath: 'Microsoft.Network/virtualNetworkTaps/tap-core',
      operation: 'Microsoft.Network/virtualNetworkTaps/join/action',
      startMs: p.t + 150,
      durationMs: ctx.rng.int(80, 400),
      statusCode: 'OK',
      casing: 'mixed',
      upperResourceId: upper,
    });
    p.azure(join.records, 'azure-join');
    return p.done({ azureLayout: layout });
  },
};

const azureCreateThenDelete: Scenario = {
  name: 'azure-vtap-create-then-delete',
  title: 'Azure vTAP created and deleted within minutes',
  description: 'A vTAP and a tap configuration, removed again four to six minutes later (tap configuration first, then the TAP): four alerts, and the correlation of the TAP with its tap configuration.',
  platforms: ['azure'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const { layout, upper } = layoutOf(ctx, 'storage');
    const actor = azureUser(ctx.rng, 'm.keller@contoso.com', 'Max Keller', '198.51.100.23');
    const r = tapAndConfig(
      p,
      {
        actor,
        group: 'rg-netmon',
        tap: 'vtap-tmp',
        destination: { kind: 'nic', id: nicIpConfigId(ATTACKER_SUBSCRIPTION, 'rg-lab', 'collector-nic'), name: 'collector-nic' },
        nic: { group: 'rg-hr', name: 'hr-web-01-nic' },
        config: 'tmp',
        casing: 'upper',
      },
      upper,
    );
    p.step(240, 360);
    const delConfig = azureOperationRecords(ctx.rng, {
      actor,
      subscription: ctx.subscription,
      resourceGroup: 'rg-hr',
      resourcePath: r.configPath,
      operation: 'Microsoft.Network/networkInterfaces/tapConfigurations/delete',
      startMs: p.t,
      durationMs: ctx.rng.int(700, 2000),
      accepted: true,
      statusCode: 'OK',
      casing: 'upper',
      upperResourceId: upper,
    });
    p.expect('azureTapConfigDeleted', ['hr-web-01-nic'], p.azure(delConfig.records, 'azure-delete').slice(0, 1));
    const delTap = azureOperationRecords(ctx.rng, {
      actor,
      subscription: ctx.subscription,
      resourceGroup: 'rg-netmon',
      resourcePath: 'Microsoft.Network/virtualNetworkTaps/vtap-tmp',
      operation: 'Microsoft.Network/virtualNetworkTaps/delete',
      startMs: p.step(20, 60),
      durationMs: ctx.rng.int(900, 3000),
      accepted: true,
      statusCode: 'OK',
      casing: 'upper',
      upperResourceId: upper,
    });
    p.expect('azureVtapDeleted', ['vtap-tmp'], p.azure(delTap.records, 'azure-delete').slice(0, 1));
    return p.done({ azureLayout: layout });
  },
};

/** The Azure attack scenarios. */
export const AZURE_SCENARIOS: readonly Scenario[] = [azureVtap, azureMixedCase, azureCreateThenDelete];

