/**
 * GCP attack scenarios: the seed's Test 3 (`v1.compute.packetMirrorings.insert`, first and last entries sharing
 * `operation.id`), the `beta.` client with a widening patch, a firewall-policy packet mirroring rule (Network
 * Security Integration), and create-then-delete.
 */
import { computeUrl, gcloudAgent, gcpAuditEntries, packetMirroringResource, type GcpActor, type GcpCall } from './gcp-records.js';
import { Plan } from './scenario-kit.js';
import type { Scenario } from './types.js';

/** A packet mirroring policy as `gcloud compute packet-mirrorings create` builds it (REST PacketMirroring, events.md §3.3). */
export interface MirroringPolicy {
  name: string;
  network: string;
  collector: { project: string; name: string };
  subnets?: string[];
  tags?: string[];
  cidrs?: string[];
  protocols?: string[];
  direction: 'INGRESS' | 'EGRESS' | 'BOTH';
}

/** The REST body of a policy. */
export function policyBody(project: string, region: string, m: MirroringPolicy): Record<string, unknown> {
  const mirrored: Record<string, unknown> = {};
  if (m.subnets) mirrored.subnetworks = m.subnets.map((s) => ({ url: computeUrl(project, `regions/${region}/subnetworks/${s}`) }));
  if (m.tags) mirrored.tags = m.tags;
  const filter: Record<string, unknown> = { direction: m.direction };
  if (m.cidrs) filter.cidrRanges = m.cidrs;
  if (m.protocols) filter.IPProtocols = m.protocols;
  return {
    name: m.name,
    region: computeUrl(project, `regions/${region}`),
    network: { url: computeUrl(project, `global/networks/${m.network}`) },
    priority: 1000,
    collectorIlb: { url: computeUrl(m.collector.project, `regions/${region}/forwardingRules/${m.collector.name}`) },
    mirroredResources: mirrored,
    filter,
    enable: 'TRUE',
  };
}

/** One `packetMirrorings.<method>` call (`v1.` or `beta.`), as a long-running operation. */
export function mirroringCall(
  p: Plan,
  actor: GcpActor,
  version: 'v1' | 'beta',
  method: 'insert' | 'patch' | 'delete',
  name: string,
  request?: Record<string, unknown>,
): Omit<GcpCall, 'timeMs'> {
  const { ctx } = p;
  const res = `projects/${ctx.project}/regions/${ctx.gcpRegion}/packetMirrorings/${name}`;
  const permission = method === 'insert' ? 'compute.packetMirrorings.create' : method === 'patch' ? 'compute.packetMirrorings.update' : 'compute.packetMirrorings.delete';
  return {
    actor,
    project: ctx.project,
    methodName: `${version}.compute.packetMirrorings.${method}`,
    serviceName: 'compute.googleapis.com',
    resourceName: res,
    permissions: [{ permission, resource: res, type: 'compute.packetMirrorings' }],
    request,
    resource: packetMirroringResource(ctx.project, ctx.gcpRegion, ctx.rng),
    logType: 'activity',
    operation: { durationMs: ctx.rng.int(8000, 25000), operationType: method, targetLink: computeUrl(ctx.project, `regions/${ctx.gcpRegion}/packetMirrorings/${name}`), region: ctx.gcpRegion },
    location: ctx.gcpRegion,
  };
}

/** A person running gcloud from outside. */
function gcloudUser(p: Plan, email: string, ip: string, command: string, beta = false): GcpActor {
  return { email, kind: 'user', ip, userAgent: gcloudAgent(p.ctx.rng, command, beta) };
}

const gcpPacketMirroring: Scenario = {
  name: 'gcp-packet-mirroring',
  title: 'GCP packet mirroring policy',
  description:
    "The seed's Test 3: a person runs gcloud compute packet-mirrorings create, mirroring a production subnetwork in both directions to an internal load balancer's forwarding rule. Cloud Audit Logs write a first and a last entry sharing operation.id: one alert.",
  platforms: ['gcp'],
  benign: false,
  seedTest: 'Test 3',
  build(ctx) {
    const p = new Plan(ctx);
    const actor = gcloudUser(p, 'j.doe@example.com', '203.0.113.60', 'compute.packet-mirrorings.create');
    const policy: MirroringPolicy = { name: 'pm-diag', network: 'prod-vpc', collector: { project: ctx.project, name: 'collector-ilb' }, subnets: ['prod-app'], direction: 'BOTH' };
    const call = mirroringCall(p, actor, 'v1', 'insert', policy.name, policyBody(ctx.project, ctx.gcpRegion, policy));
    const refs = p.gcp(gcpAuditEntries(ctx.rng, { ...call, timeMs: p.step() }).entries, 'gcp-insert');
    p.expect('gcpCreated', ['pm-diag', 'collector-ilb', 'prod-app'], refs, 'first and last entries of one operation are one alert');
    return p.done();
  },
};

const gcpBeta: Scenario = {
  name: 'gcp-packet-mirroring-beta',
  title: 'GCP packet mirroring with beta. methods, widened by a patch',
  description:
    'gcloud beta creates a policy mirroring instances tagged "payments" to a collector in another project (method beta.compute.packetMirrorings.insert), then patches it to mirror two subnetworks and every address (beta.compute.packetMirrorings.patch).',
  platforms: ['gcp'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const policy: MirroringPolicy = { name: 'pm-payments', network: 'prod-vpc', collector: { project: 'shared-tools-2210', name: 'fr-collector' }, tags: ['payments'], direction: 'BOTH', protocols: ['tcp'] };
    const insert = mirroringCall(p, gcloudUser(p, 'j.doe@example.com', '203.0.113.60', 'compute.packet-mirrorings.create', true), 'beta', 'insert', policy.name, policyBody(ctx.project, ctx.gcpRegion, policy));
    const insertRefs = p.gcp(gcpAuditEntries(ctx.rng, { ...insert, timeMs: p.step() }).entries, 'gcp-insert');
    p.expect('gcpCreated', ['pm-payments', 'fr-collector'], insertRefs);
    p.step(120, 300);
    const patchBody = {
      mirroredResources: { subnetworks: ['prod-app', 'prod-data'].map((s) => ({ url: computeUrl(ctx.project, `regions/${ctx.gcpRegion}/subnetworks/${s}`) })), tags: ['payments'] },
      filter: { cidrRanges: ['0.0.0.0/0'], direction: 'BOTH' },
    };
    const patch = mirroringCall(p, gcloudUser(p, 'j.doe@example.com', '203.0.113.60', 'compute.packet-mirrorings.update', true), 'beta', 'patch', policy.name, patchBody);
    const patchRefs = p.gcp(gcpAuditEntries(ctx.rng, { ...patch, timeMs: p.t }).entries, 'gcp-patch');
    p.expect('gcpPatched', ['pm-payments', 'prod-data'], patchRefs);
    // The patch widens the filter to every address: with the insert of the same policy before it, a correlation.
    p.expect(
      'gcpCreatedThenWidened',
      [insert.resourceName, 'fr-collector', 'prod-data', '0.0.0.0/0'],
      [...insertRefs, ...patchRefs],
      'a policy inserted, then its filter widened to every address within 24 hours',
    );
    return p.done();
  },
};

const gcpFirewallPolicy: Scenario = {
  name: 'gcp-firewall-policy-mirroring',
  title: 'GCP firewall-policy packet mirroring rule (Network Security Integration)',
  description:
    'Out-of-band mirroring through a network firewall policy: addPacketMirroringRule with action mirror and a custom mirroring security profile group, removed again later. The audit method name follows the compute naming pattern (unverified on live data, events.md §3.6).',
  platforms: ['gcp'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const actor = gcloudUser(p, 'j.doe@example.com', '203.0.113.60', 'compute.network-firewall-policies.mirroring-rules.create', true);
    const policy = 'prod-fw-policy';
    const res = `projects/${ctx.project}/global/firewallPolicies/${policy}`;
    const group = `//networksecurity.googleapis.com/projects/${ctx.project}/locations/global/securityProfileGroups/spg-mirror`;
    const call = (method: string, request: Record<string, unknown> | undefined): Omit<GcpCall, 'timeMs'> => ({
      actor,
      project: ctx.project,
      methodName: `v1.compute.networkFirewallPolicies.${method}`,
      serviceName: 'compute.googleapis.com',
      resourceName: res,
      permissions: [{ permission: 'compute.firewallPolicies.update', resource: res, type: 'compute.firewallPolicies' }],
      request,
      resource: { type: 'gce_network_firewall_policy', labels: { firewall_policy_id: ctx.rng.digits(19), project_id: ctx.project } },
      logType: 'activity',
      operation: { durationMs: ctx.rng.int(5000, 15000), operationType: method, targetLink: computeUrl(ctx.project, `global/firewallPolicies/${policy}`) },
    });
    const add = call('addPacketMirroringRule', {
      priority: 1000,
      direction: 'INGRESS',
      action: 'mirror',
      match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] },
      securityProfileGroup: group,
      description: 'inspection',
    });
    const addRefs = p.gcp(gcpAuditEntries(ctx.rng, { ...add, timeMs: p.step() }).entries, 'gcp-fw-add');
    p.expect('gcpFirewallMirroringRule', [policy], addRefs);
    p.step(600, 900);
    const remove = call('removePacketMirroringRule', { priority: 1000 });
    const removeRefs = p.gcp(gcpAuditEntries(ctx.rng, { ...remove, timeMs: p.t }).entries, 'gcp-fw-remove');
    p.expect('gcpFirewallMirroringRuleRemoved', [policy], removeRefs);
    return p.done();
  },
};

const gcpCreateThenDelete: Scenario = {
  name: 'gcp-create-then-delete',
  title: 'GCP packet mirroring created and deleted within minutes',
  description: 'A policy mirroring one instance, deleted three to five minutes later.',
  platforms: ['gcp'],
  benign: false,
  build(ctx) {
    const p = new Plan(ctx);
    const actor = gcloudUser(p, 'j.doe@example.com', '203.0.113.60', 'compute.packet-mirrorings.create');
    const policy: MirroringPolicy = { name: 'pm-tmp', network: 'prod-vpc', collector: { project: ctx.project, name: 'collector-ilb' }, subnets: ['prod-data'], direction: 'BOTH' };
    const insert = mirroringCall(p, actor, 'v1', 'insert', policy.name, policyBody(ctx.project, ctx.gcpRegion, policy));
    p.expect('gcpCreated', ['pm-tmp', 'collector-ilb'], p.gcp(gcpAuditEntries(ctx.rng, { ...insert, timeMs: p.step() }).entries, 'gcp-insert'));
    p.step(180, 300);
    const del = mirroringCall(p, gcloudUser(p, 'j.doe@example.com', '203.0.113.60', 'compute.packet-mirrorings.delete'), 'v1', 'delete', policy.name);
    p.expect('gcpDeleted', ['pm-tmp'], p.gcp(gcpAuditEntries(ctx.rng, { ...del, timeMs: p.t }).entries, 'gcp-delete'));
    return p.done();
  },
};

/** The GCP attack scenarios. */
export const GCP_SCENARIOS: readonly Scenario[] = [gcpPacketMirroring, gcpBeta, gcpFirewallPolicy, gcpCreateThenDelete];
