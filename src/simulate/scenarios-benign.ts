/**
 * Benign scenarios from the seed's false-positive lists. They are legitimate, and mirrorwatch still alerts on them
 * until the user's tuning file approves the pipeline, the scanner or the capture: their manifests list the alerts an
 * untuned scan raises and are marked `benign: true`.
 * - An approved NDR deployment by infrastructure-as-code pipelines: Terraform under a CI role (AWS), a
 *   CloudFormation stack acting for a deployer (`invokedBy: cloudformation.amazonaws.com`, still a change worth an
 *   alert), Pulumi under a service account (GCP) and a deployment service principal (Azure).
 * - CSPM enumeration: a scanner role's `DescribeTrafficMirror*` reads (low) and GCP `list`/`aggregatedList` reads in
 *   Data Access logs (informational), beside AWS Config's own reads (`invokedBy`), which raise nothing.
 * - A short-lived incident-response capture: a SOC role mirrors a compromised instance to a forensic ENI and removes
 *   everything 40–50 minutes later; on a switch the team spans the port to a forensic laptop and runs an Embedded
 *   Packet Capture, then removes the session.
 */
import { assumedRole, createSession, deleteMirrorResource, describeMirrors, ec2Id, nlbArn, TERRAFORM_AWS_AGENT } from './aws-records.js';
import { servicePrincipal, lbFrontendId } from './azure-records.js';
import { DeviceLog, type Operator } from './device-lines.js';
import { gcpAuditEntries, PULUMI_GOOGLE_AGENT, type GcpActor } from './gcp-records.js';
import { awsPipeline, cliActor, EVERYTHING_BOTH_WAYS, fixedActor, Plan } from './scenario-kit.js';
import { expectTapJoined, layoutOf, writeTapConfig, writeVtap } from './scenarios-azure.js';
import { iosConfigure } from './scenarios-devices.js';
import { mirroringCall, policyBody } from './scenarios-gcp.js';
import type { Scenario } from './types.js';

const ndrPipeline: Scenario = {
  name: 'ndr-pipeline',
  title: 'Approved NDR deployment by infrastructure-as-code pipelines',
  description:
    "The NDR team's pipelines build their sensor feeds: Terraform (GitHub Actions role ci-terraform-deploy) creates a target on the sensors' NLB, a filter, two rules and three sessions; a CloudFormation stack adds a fourth session; Pulumi creates a GCP packet mirroring policy; a Terraform service principal creates an Azure vTAP and two tap configurations. Legitimate, and alerted on until tuned.",
  platforms: ['aws', 'gcp', 'azure'],
  benign: true,
  build(ctx) {
    const p = new Plan(ctx);
    const run = `gha-run-${ctx.rng.int(40000, 99999)}`;
    const tf = assumedRole(ctx.rng, ctx.account, 'ci-terraform-deploy', run, { createdMs: ctx.startMs - 120_000 });
    const terraform = fixedActor({ identity: tf, sourceIPAddress: '4.175.18.230', userAgent: TERRAFORM_AWS_AGENT });
    const nlb = nlbArn(ctx.rng, ctx.region, ctx.account, 'ndr-sensors');
    const ids = awsPipeline(p, terraform, {
      target: { kind: 'nlb', arn: nlb },
      rules: EVERYTHING_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni'), ec2Id(ctx.rng, 'eni'), ec2Id(ctx.rng, 'eni')],
      description: 'ndr-sensor-feed (managed by Terraform)',
      who: ['AssumedRole ci-terraform-deploy'],
      why: 'Terraform under the CI role: approve it in the tuning file',
    });
    p.step(60, 180);
    const cfnIdentity = assumedRole(ctx.rng, ctx.account, 'cfn-ndr-stack-exec', 'AWSCloudFormation', { createdMs: p.t - 60_000, invokedBy: 'cloudformation.amazonaws.com' });
    const cfn = { identity: cfnIdentity, sourceIPAddress: 'cloudformation.amazonaws.com', userAgent: 'cloudformation.amazonaws.com' };
    const eni = ec2Id(ctx.rng, 'eni');
    const s = createSession(ctx.rng, { actor: cfn, timeMs: p.step(), region: ctx.region, account: ctx.account }, { eni, targetId: ids.targetId, filterId: ids.filterId, sessionNumber: 4, description: 'ndr-sensor-feed (stack ndr-feeds)' });
    p.expect('awsSession', ['cloudformation.amazonaws.com', s.sessionId, eni], [p.aws(s.record, p.t, 'aws-session')], 'CloudFormation acting for a deployer still alerts (only AWS services acting on their own are filtered)');
    // GCP, Pulumi under a deployment service account.
    const pulumi: GcpActor = { email: `pulumi-deployer@${ctx.project}.iam.gserviceaccount.com`, kind: 'serviceAccount', ip: '34.76.51.8', userAgent: PULUMI_GOOGLE_AGENT };
    const policy = { name: 'pm-ndr-sensors', network: 'prod-vpc', collector: { project: ctx.project, name: 'fr-ndr-sensors' }, subnets: ['prod-app', 'prod-data'], direction: 'BOTH' as const };
    const insert = mirroringCall(p, pulumi, 'v1', 'insert', policy.name, policyBody(ctx.project, ctx.gcpRegion, policy));
    p.expect('gcpCreated', ['pm-ndr-sensors', 'fr-ndr-sensors'], p.gcp(gcpAuditEntries(ctx.rng, { ...insert, timeMs: p.step(30, 90) }).entries, 'gcp-insert'), 'Pulumi under the deployment service account');
    // Azure, a Terraform service principal.
    const { layout, upper } = layoutOf(ctx, 'storage');
    const sp = servicePrincipal(ctx.rng, 'sp-terraform-netops', '20.54.106.4', 'Network Contributor');
    const destination = { kind: 'lb' as const, id: lbFrontendId(ctx.subscription, 'rg-ndr', 'ilb-ndr-sensors', 'fe-ndr'), name: 'fe-ndr' };
    const vtap = writeVtap(p, { actor: sp, group: 'rg-ndr', tap: 'vtap-ndr', destination, casing: 'upper' }, upper);
    for (const nic of ['app-prod-01-nic', 'app-prod-02-nic']) {
      p.step(20, 60);
      const config = writeTapConfig(p, { actor: sp, tap: 'vtap-ndr', nic: { group: 'rg-app-prod', name: nic }, config: 'ndr', casing: 'upper' }, vtap.tapId, upper);
      // The TAP write pairs with the first tap configuration only: one correlation alert.
      if (nic === 'app-prod-01-nic') expectTapJoined(p, { tap: 'vtap-ndr', destination, nic: { group: 'rg-app-prod', name: nic }, config: 'ndr' }, vtap.refs, config.refs, 'the deployment service principal: approve it in the tuning file');
    }
    return p.done({ azureLayout: layout });
  },
};

const cspm: Scenario = {
  name: 'cspm-enumeration',
  title: 'CSPM enumeration of mirroring configuration',
  description:
    "A posture-management scanner's role reads every traffic-mirroring collection (DescribeTrafficMirrorSessions, Targets, Filters, FilterRules: low-severity enumeration alerts), AWS Config reads the same with invokedBy config.amazonaws.com (nothing), and the scanner's GCP service account lists packet mirrorings (Data Access log, informational).",
  platforms: ['aws', 'gcp'],
  benign: true,
  build(ctx) {
    const p = new Plan(ctx);
    const scanner = cliActor(assumedRole(ctx.rng, ctx.account, 'cspm-readonly-scanner', `scan-${ctx.rng.hex(8)}`, { createdMs: ctx.startMs - 30_000 }), '34.241.76.122');
    for (const what of ['Sessions', 'Targets', 'Filters', 'FilterRules'] as const) {
      const ref = p.aws(describeMirrors(ctx.rng, { actor: scanner(`ec2.describe-traffic-mirror-${what.toLowerCase()}`), timeMs: p.step(1, 3), region: ctx.region, account: ctx.account }, what), p.t, 'aws-describe');
      p.expect('awsEnumeration', ['AssumedRole cspm-readonly-scanner'], [ref], 'the scanner role is a caller like any other until tuned');
    }
    const config = fixedActor({
      identity: assumedRole(ctx.rng, ctx.account, 'AWSServiceRoleForConfig', 'AWSConfig-Describe', { createdMs: ctx.startMs - 600_000, invokedBy: 'config.amazonaws.com', path: 'aws-service-role/config.amazonaws.com/' }),
      sourceIPAddress: 'config.amazonaws.com',
      userAgent: 'config.amazonaws.com',
    });
    p.step(60, 120);
    for (const what of ['Sessions', 'Targets', 'Filters', 'FilterRules'] as const) {
      p.aws(describeMirrors(ctx.rng, { actor: config(''), timeMs: p.step(1, 3), region: ctx.region, account: ctx.account }, what), p.t, 'aws-config-describe');
    }
    const sa: GcpActor = { email: `cspm-reader@security-tools-1101.iam.gserviceaccount.com`, kind: 'serviceAccount', ip: '35.187.22.16', userAgent: 'google-api-python-client/2.149.0 (gzip),gzip(gfe)' };
    for (const method of ['aggregatedList', 'list'] as const) {
      const res = method === 'aggregatedList' ? `projects/${ctx.project}/aggregated/packetMirrorings` : `projects/${ctx.project}/regions/${ctx.gcpRegion}/packetMirrorings`;
      const entries = gcpAuditEntries(ctx.rng, {
        actor: sa,
        project: ctx.project,
        timeMs: p.step(2, 6),
        methodName: `v1.compute.packetMirrorings.${method}`,
        serviceName: 'compute.googleapis.com',
        resourceName: res,
        permissions: [{ permission: 'compute.packetMirrorings.list', resource: `projects/${ctx.project}`, type: 'compute.packetMirrorings' }],
        resource: { type: 'audited_resource', labels: { method: `v1.compute.packetMirrorings.${method}`, project_id: ctx.project, service: 'compute.googleapis.com' } },
        logType: 'data_access',
      }).entries;
      p.expect('gcpRead', ['cspm-reader@security-tools-1101.iam.gserviceaccount.com'], p.gcp(entries, 'gcp-read', 'data_access'), 'reads are informational (below the default --min-level low)');
    }
    return p.done();
  },
};

const irCapture: Scenario = {
  name: 'ir-capture',
  title: 'Short-lived incident-response capture',
  description:
    "The SOC's incident-response role mirrors a compromised instance to a forensic ENI (target, filter, two rules, session) and deletes all of it 40 to 50 minutes later; on the access switch the team spans the instance's port to a forensic laptop, runs an Embedded Packet Capture, and removes the session when done.",
  platforms: ['aws', 'device'],
  benign: true,
  build(ctx) {
    const p = new Plan(ctx);
    const soc = cliActor(assumedRole(ctx.rng, ctx.account, 'soc-incident-response', 'ir-case-4711', { createdMs: ctx.startMs - 300_000, mfa: true }), '198.51.100.10');
    const who = ['AssumedRole soc-incident-response'];
    const why = 'incident response: approve it with a time-boxed exception';
    const ids = awsPipeline(p, soc, {
      target: { kind: 'eni', eni: ec2Id(ctx.rng, 'eni') },
      rules: EVERYTHING_BOTH_WAYS,
      sources: [ec2Id(ctx.rng, 'eni')],
      description: 'IR-4711 forensic capture',
      who,
      why,
    });
    // The switch side, while the cloud capture runs.
    const dev = p.device({ host: 'access-sw2', os: 'ios', ip: '10.20.0.12' });
    const op: Operator = { user: 'soc-ir', tty: 'vty3', from: '198.51.100.10' };
    const log = new DeviceLog(ctx.rng);
    p.step(60, 120);
    const span = iosConfigure(p, log, dev, op, ['monitor session 5 source interface GigabitEthernet1/0/7 both', 'monitor session 5 destination interface GigabitEthernet1/0/47'], 'ir-span', false);
    const capture: string[] = [];
    for (const c of ['monitor capture IR4711 interface GigabitEthernet1/0/7 both match ipv4 any any', 'monitor capture IR4711 start']) {
      const ref = p.ref('ir-epc');
      capture.push(ref);
      log.tacacs(dev, p.step(5, 20), op, c, { startStop: false, ref });
    }
    p.expect('spanSession', ['soc-ir on access-sw2', 'GigabitEthernet1/0/7', 'GigabitEthernet1/0/47'], span.syslog, why);
    p.expect('legacySpanOrCapture', ['soc-ir on 10.20.0.12', 'IR4711'], [capture[0]], why);
    p.expect('legacySpanOrCapture', ['soc-ir on 10.20.0.12', 'IR4711'], [capture[1]], why);
    p.step(2400, 3000);
    const removed = iosConfigure(p, log, dev, op, ['no monitor session 5'], 'ir-span-removed', false);
    p.deviceLines(log, 'device');
    p.expect('sessionRemoved', ['soc-ir on access-sw2'], removed.syslog, why);
    // The cloud capture is removed as well, 40 to 50 minutes after its session: beyond the 30 minutes of the
    // created-then-deleted correlation, so no alert of it (the pipeline correlation is expected by awsPipeline).
    const call = (command: string) => ({ actor: soc(command), timeMs: p.step(), region: ctx.region, account: ctx.account });
    p.expect('awsDeleted', [...who, ids.sessionIds[0]], [p.aws(deleteMirrorResource(ctx.rng, call('ec2.delete-traffic-mirror-session'), 'Session', ids.sessionIds[0]), p.t, 'aws-delete')], why);
    p.expect('awsDeleted', [...who, ids.filterId], [p.aws(deleteMirrorResource(ctx.rng, call('ec2.delete-traffic-mirror-filter'), 'Filter', ids.filterId), p.t, 'aws-delete')], why);
    p.expect('awsDeleted', [...who, ids.targetId], [p.aws(deleteMirrorResource(ctx.rng, call('ec2.delete-traffic-mirror-target'), 'Target', ids.targetId), p.t, 'aws-delete')], why);
    return p.done();
  },
};

/** The benign scenarios. */
export const BENIGN_SCENARIOS: readonly Scenario[] = [ndrPipeline, cspm, irCapture];
