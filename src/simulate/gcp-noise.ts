/**
 * Background GCP Admin Activity entries: Compute Engine operations (instances, disks, firewalls, subnetworks) as
 * first/last pairs sharing `operation.id`, IAM policy changes and service-account keys as single entries, by people
 * with gcloud, Deployment Manager, Terraform and the GKE robot, in time order. Nothing here touches packet
 * mirroring.
 */
import { computeUrl, gcloudAgent, gcpAuditEntries, TERRAFORM_GOOGLE_AGENT, type GcpActor, type GcpCall } from './gcp-records.js';
import type { Random } from './random.js';
import type { SimRecord } from './types.js';

/** Where the noise goes. */
export interface GcpNoiseOptions {
  project: string;
  region: string;
  count: number;
  fromMs: number;
  toMs: number;
}

type Template = (rng: Random, o: GcpNoiseOptions, actors: GcpActor[]) => Omit<GcpCall, 'timeMs'>;

function instanceName(rng: Random): string {
  return `${rng.pick(['api', 'web', 'worker', 'etl', 'cache'])}-${rng.pick(['prod', 'stg'])}-${rng.chars(4, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
}

const TEMPLATES: readonly (readonly [Template, number])[] = [
  [
    (rng, o, actors) => {
      const zone = `${o.region}-${rng.pick(['a', 'b', 'c'])}`;
      const name = instanceName(rng);
      const method = rng.pick(['insert', 'delete', 'start', 'stop', 'setMetadata', 'setLabels', 'reset']);
      const res = `projects/${o.project}/zones/${zone}/instances/${name}`;
      const permission = method === 'insert' ? 'compute.instances.create' : method === 'delete' ? 'compute.instances.delete' : `compute.instances.${method}`;
      const request: Record<string, unknown> | undefined =
        method === 'insert'
          ? { name, machineType: computeUrl(o.project, `zones/${zone}/machineTypes/${rng.pick(['e2-standard-4', 'n2-standard-8', 'e2-medium'])}`), disks: [{ autoDelete: true, boot: true, initializeParams: { sourceImage: 'https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/family/debian-12' }, type: 'PERSISTENT' }], networkInterfaces: [{ network: computeUrl(o.project, 'global/networks/prod-vpc'), subnetwork: computeUrl(o.project, `regions/${o.region}/subnetworks/prod-app`) }] }
          : method === 'setLabels'
            ? { labels: { team: rng.pick(['payments', 'platform']), env: 'prod' }, labelFingerprint: rng.chars(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') + '=' }
            : undefined;
      return {
        actor: rng.pick(actors),
        project: o.project,
        methodName: `v1.compute.instances.${method}`,
        serviceName: 'compute.googleapis.com',
        resourceName: res,
        permissions: [{ permission, resource: res, type: 'compute.instances' }],
        request,
        resource: { type: 'gce_instance', labels: { instance_id: rng.digits(19), project_id: o.project, zone } },
        logType: 'activity',
        operation: { durationMs: rng.int(1500, 40000), operationType: method, targetLink: computeUrl(o.project, `zones/${zone}/instances/${name}`), zone },
        location: zone,
      };
    },
    12,
  ],
  [
    (rng, o, actors) => {
      const name = `allow-${rng.pick(['health-checks', 'iap-ssh', 'internal', 'lb-backends'])}-${rng.int(1, 9)}`;
      const method = rng.pick(['insert', 'patch', 'delete']);
      const res = `projects/${o.project}/global/firewalls/${name}`;
      return {
        actor: rng.pick(actors),
        project: o.project,
        methodName: `v1.compute.firewalls.${method}`,
        serviceName: 'compute.googleapis.com',
        resourceName: res,
        permissions: [{ permission: method === 'insert' ? 'compute.firewalls.create' : method === 'delete' ? 'compute.firewalls.delete' : 'compute.firewalls.update', resource: res, type: 'compute.firewalls' }],
        request: method === 'delete' ? undefined : { name, network: computeUrl(o.project, 'global/networks/prod-vpc'), direction: 'INGRESS', priority: 1000, allowed: [{ IPProtocol: 'tcp', ports: [String(rng.pick([22, 443, 8080]))] }], sourceRanges: [rng.pick(['35.235.240.0/20', '130.211.0.0/22', '10.10.0.0/16'])] },
        resource: { type: 'gce_firewall_rule', labels: { firewall_rule_id: rng.digits(19), project_id: o.project } },
        logType: 'activity',
        operation: { durationMs: rng.int(3000, 12000), operationType: method, targetLink: computeUrl(o.project, `global/firewalls/${name}`) },
      };
    },
    5,
  ],
  [
    (rng, o, actors) => {
      const zone = `${o.region}-${rng.pick(['a', 'b', 'c'])}`;
      const disk = `${instanceName(rng)}-data`;
      const res = `projects/${o.project}/zones/${zone}/disks/${disk}`;
      return {
        actor: rng.pick(actors),
        project: o.project,
        methodName: 'v1.compute.disks.createSnapshot',
        serviceName: 'compute.googleapis.com',
        resourceName: res,
        permissions: [{ permission: 'compute.disks.createSnapshot', resource: res, type: 'compute.disks' }, { permission: 'compute.snapshots.create', resource: `projects/${o.project}/global/snapshots/${disk}-${rng.int(1000, 9999)}`, type: 'compute.snapshots' }],
        request: { name: `${disk}-${rng.int(1000, 9999)}`, storageLocations: [o.region.split('-')[0]] },
        resource: { type: 'gce_disk', labels: { disk_id: rng.digits(19), project_id: o.project, zone } },
        logType: 'activity',
        operation: { durationMs: rng.int(20000, 90000), operationType: 'createSnapshot', targetLink: computeUrl(o.project, `zones/${zone}/disks/${disk}`), zone },
        location: zone,
      };
    },
    3,
  ],
  [
    (rng, o, actors) => {
      const sub = rng.pick(['prod-app', 'prod-data', 'prod-gke-nodes']);
      const res = `projects/${o.project}/regions/${o.region}/subnetworks/${sub}`;
      return {
        actor: rng.pick(actors),
        project: o.project,
        methodName: 'v1.compute.subnetworks.patch',
        serviceName: 'compute.googleapis.com',
        resourceName: res,
        permissions: [{ permission: 'compute.subnetworks.update', resource: res, type: 'compute.subnetworks' }],
        request: { logConfig: { enable: true, aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5 }, fingerprint: rng.chars(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') + '=' },
        resource: { type: 'gce_subnetwork', labels: { location: o.region, project_id: o.project, subnetwork_id: rng.digits(19), subnetwork_name: sub } },
        logType: 'activity',
        operation: { durationMs: rng.int(4000, 15000), operationType: 'patch', targetLink: computeUrl(o.project, `regions/${o.region}/subnetworks/${sub}`), region: o.region },
        location: o.region,
      };
    },
    2,
  ],
  [
    (rng, o, actors) => {
      const member = rng.pick([`group:data-eng@example.com`, `serviceAccount:etl-runner@${o.project}.iam.gserviceaccount.com`, 'user:a.nguyen@example.com']);
      return {
        actor: rng.pick(actors),
        project: o.project,
        methodName: 'SetIamPolicy',
        serviceName: 'cloudresourcemanager.googleapis.com',
        resourceName: `projects/${o.project}`,
        permissions: [{ permission: 'resourcemanager.projects.setIamPolicy', resource: `projects/${o.project}`, type: 'cloudresourcemanager.googleapis.com/Project' }],
        request: { resource: o.project, policy: { bindings: [{ role: rng.pick(['roles/bigquery.dataViewer', 'roles/logging.viewer', 'roles/compute.viewer']), members: [member] }], etag: rng.chars(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') + '=' } },
        resource: { type: 'project', labels: { project_id: o.project } },
        logType: 'activity',
      };
    },
    2,
  ],
  [
    (rng, o, actors) => {
      const sa = `${rng.pick(['etl-runner', 'ci-deployer', 'metrics-export'])}@${o.project}.iam.gserviceaccount.com`;
      return {
        actor: rng.pick(actors),
        project: o.project,
        methodName: rng.pick(['google.iam.admin.v1.CreateServiceAccountKey', 'google.iam.admin.v1.DeleteServiceAccountKey']),
        serviceName: 'iam.googleapis.com',
        resourceName: `projects/-/serviceAccounts/${rng.digits(21)}`,
        permissions: [{ permission: 'iam.serviceAccountKeys.create', resource: `projects/-/serviceAccounts/${sa}`, type: 'iam.googleapis.com/ServiceAccount' }],
        request: { name: `projects/-/serviceAccounts/${sa}`, private_key_type: 2 },
        resource: { type: 'service_account', labels: { email_id: sa, project_id: o.project, unique_id: rng.digits(21) } },
        logType: 'activity',
      };
    },
    1,
  ],
];

/** The callers of the noise: people with gcloud, Deployment Manager, Terraform in CI, the GKE robot. */
function actorsOf(rng: Random, project: string): GcpActor[] {
  return [
    { email: 'a.nguyen@example.com', kind: 'user', ip: '203.0.113.52', userAgent: gcloudAgent(rng, 'compute.instances.stop') },
    { email: 'r.haddad@example.com', kind: 'user', ip: '198.51.100.140', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36,gzip(gfe)' },
    { email: `${rng.digits(12)}@cloudservices.gserviceaccount.com`, kind: 'serviceAccount', ip: '35.205.4.190', userAgent: 'Google-Deployment-Manager,gzip(gfe)' },
    { email: `ci-deployer@${project}.iam.gserviceaccount.com`, kind: 'serviceAccount', ip: '34.78.12.201', userAgent: TERRAFORM_GOOGLE_AGENT },
    { email: `service-${rng.digits(12)}@container-engine-robot.iam.gserviceaccount.com`, kind: 'serviceAccount', ip: 'private', userAgent: 'GCE Managed Instance Group for GKE,gzip(gfe)' },
  ];
}

/** `count` background entries between `fromMs` and `toMs`, in time order. */
export function* gcpNoise(rng: Random, o: GcpNoiseOptions): Generator<SimRecord> {
  if (o.count <= 0) return;
  const actors = actorsOf(rng.fork('actors'), o.project);
  const calls = Math.max(1, Math.ceil(o.count / 1.8));
  const mean = Math.max(1, (o.toMs - o.fromMs) / calls);
  const pending: { timeMs: number; record: Record<string, unknown> }[] = [];
  let emitted = 0;
  let t = o.fromMs;
  const emitUpTo = function* (limit: number): Generator<SimRecord> {
    pending.sort((a, b) => a.timeMs - b.timeMs);
    while (pending.length > 0 && pending[0].timeMs <= limit && emitted < o.count) {
      const r = pending.shift() as { timeMs: number; record: Record<string, unknown> };
      emitted++;
      yield { kind: 'gcp', timeMs: r.timeMs, project: o.project, logType: 'activity', record: r.record };
    }
  };
  while (emitted < o.count) {
    t += Math.max(1, Math.round(rng.exponential(mean)));
    yield* emitUpTo(t);
    if (emitted >= o.count) break;
    const call = rng.weighted(TEMPLATES)(rng, o, actors);
    pending.push(...gcpAuditEntries(rng, { ...call, timeMs: t }).entries);
  }
  yield* emitUpTo(Infinity);
}
