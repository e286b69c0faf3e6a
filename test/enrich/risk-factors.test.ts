/**
 * Every risk factor on realistic alerts: raw records go through the real readers, rules and alert builder
 * (`scanTexts`), then through `enrichAlerts`; each test checks the factor, its weight and strength, and that its
 * evidence names the identifiers an analyst needs. Negative cases show each factor stays away when it should.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { FACTORS } from '../../src/enrich/risk.js';
import { repoPath } from '../helpers/paths.js';
import { alertFor, assumedRole, cloudTrail, factor, factorNames, iamUser, MemoryBaselines, ndjson, rootUser, scanAndEnrich, tuningOf } from './helpers.js';

const NLB_OTHER = 'arn:aws:elasticloadbalancing:eu-west-1:444455556666:loadbalancer/net/ext-collector/5c1f0d8e2b7a9346';
const NLB_OWN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/ndr/0a1b2c3d4e5f6a7b';
const CLI_UA = 'aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/command#ec2.create-traffic-mirror-session';
const TF_UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.75.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2';

/** An attacker's AWS pipeline: a denied try, then target (NLB in another account), filter, rules, DNS, session. */
function pipeline(nlb = NLB_OTHER): string {
  const who = iamUser('mallory', 'AKIAQX3KD72HMALL0RY1');
  return ndjson([
    cloudTrail({
      time: '2026-11-21T14:00:00Z',
      name: 'CreateTrafficMirrorSession',
      identity: who,
      ua: CLI_UA,
      request: { NetworkInterfaceId: 'eni-0a4c1e7b93d2f5068', TrafficMirrorTargetId: 'tmt-0fffffffffffffff0', SessionNumber: 1 },
      error: ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'],
    }),
    cloudTrail({
      time: '2026-11-21T14:05:00Z',
      name: 'CreateTrafficMirrorTarget',
      identity: who,
      ua: CLI_UA,
      request: { NetworkLoadBalancerArn: nlb, ClientToken: 't1' },
      response: { trafficMirrorTarget: { trafficMirrorTargetId: 'tmt-0aaaa1111bbbb2222', networkLoadBalancerArn: nlb, type: 'network-load-balancer', ownerId: '111122223333' } },
    }),
    cloudTrail({
      time: '2026-11-21T14:05:20Z',
      name: 'CreateTrafficMirrorFilter',
      identity: who,
      ua: CLI_UA,
      request: { ClientToken: 't2' },
      response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0cccc3333dddd4444', ingressFilterRuleSet: '', egressFilterRuleSet: '' } },
    }),
    cloudTrail({
      time: '2026-11-21T14:05:40Z',
      name: 'CreateTrafficMirrorFilterRule',
      identity: who,
      ua: CLI_UA,
      request: { TrafficMirrorFilterId: 'tmf-0cccc3333dddd4444', TrafficDirection: 'ingress', RuleNumber: 100, RuleAction: 'accept', SourceCidrBlock: '0.0.0.0/0', DestinationCidrBlock: '0.0.0.0/0' },
      response: { trafficMirrorFilterRule: { trafficMirrorFilterRuleId: 'tmfr-0eeee5555ffff6666', trafficMirrorFilterId: 'tmf-0cccc3333dddd4444', trafficDirection: 'ingress', ruleAction: 'accept' } },
    }),
    cloudTrail({
      time: '2026-11-21T14:05:50Z',
      name: 'CreateTrafficMirrorFilterRule',
      identity: who,
      ua: CLI_UA,
      request: { TrafficMirrorFilterId: 'tmf-0cccc3333dddd4444', TrafficDirection: 'egress', RuleNumber: 100, RuleAction: 'accept', Protocol: 6, SourceCidrBlock: '0.0.0.0/0', DestinationCidrBlock: '0.0.0.0/0' },
      response: { trafficMirrorFilterRule: { trafficMirrorFilterRuleId: 'tmfr-0abab7777cdcd8888', trafficMirrorFilterId: 'tmf-0cccc3333dddd4444', trafficDirection: 'egress', ruleAction: 'accept', protocol: 6 } },
    }),
    cloudTrail({
      time: '2026-11-21T14:06:00Z',
      name: 'ModifyTrafficMirrorFilterNetworkServices',
      identity: who,
      ua: CLI_UA,
      request: { TrafficMirrorFilterId: 'tmf-0cccc3333dddd4444', AddNetworkService: [{ content: 'amazon-dns', tag: 1 }] },
      response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0cccc3333dddd4444', networkServiceSet: { item: 'amazon-dns' } } },
    }),
    cloudTrail({
      time: '2026-11-21T14:06:30Z',
      name: 'CreateTrafficMirrorSession',
      identity: who,
      ua: CLI_UA,
      request: { NetworkInterfaceId: 'eni-0a4c1e7b93d2f5068', TrafficMirrorTargetId: 'tmt-0aaaa1111bbbb2222', TrafficMirrorFilterId: 'tmf-0cccc3333dddd4444', SessionNumber: 1 },
      response: {
        trafficMirrorSession: {
          trafficMirrorSessionId: 'tms-0123456789abcdef0',
          trafficMirrorTargetId: 'tmt-0aaaa1111bbbb2222',
          trafficMirrorFilterId: 'tmf-0cccc3333dddd4444',
          networkInterfaceId: 'eni-0a4c1e7b93d2f5068',
          sessionNumber: 1,
        },
      },
    }),
  ]);
}

test('cross-account-destination: an NLB target in another account, and a session whose target resolves to it', async () => {
  const { alerts } = await scanAndEnrich([{ name: 'ct.ndjson', text: pipeline() }]);
  const target = alertFor(alerts, 'CreateTrafficMirrorTarget');
  const f = factor(target, 'cross-account-destination');
  assert.ok(f, factorNames(target).join(', '));
  assert.equal(f.weight, 30);
  assert.equal(f.strength, 'strong');
  assert.match(f.evidence, /owned by account 444455556666, while the mirror is in account 111122223333/);
  const session = alertFor(alerts, 'CreateTrafficMirrorSession', 'success');
  const s = factor(session, 'cross-account-destination');
  assert.ok(s);
  assert.match(s.evidence, /tmt-0aaaa1111bbbb2222, which points at network load balancer ext-collector/);
  // The denied attempt named a target that resolves nowhere in this scan: no ownership is claimed.
  const denied = alerts.find((a) => (a.mirrorwatch.mirror as { outcome?: string }).outcome === 'denied');
  assert.ok(denied);
  assert.equal(factor(denied, 'cross-account-destination'), undefined);
  const own = await scanAndEnrich([{ name: 'ct.ndjson', text: pipeline(NLB_OWN) }]);
  assert.equal(factor(alertFor(own.alerts, 'CreateTrafficMirrorTarget'), 'cross-account-destination'), undefined);
  assert.equal(factor(alertFor(own.alerts, 'CreateTrafficMirrorSession', 'success'), 'cross-account-destination'), undefined);
});

test('filter factors: accept-all rules, a rule without a protocol, both directions, and DNS mirroring carry over to the session', async () => {
  const { alerts } = await scanAndEnrich([{ name: 'ct.ndjson', text: pipeline() }]);
  const rules = alerts.filter((a) => (a.event as { action?: string }).action === 'CreateTrafficMirrorFilterRule');
  assert.equal(rules.length, 2);
  const [ingress, egress] = rules;
  assert.match(factor(ingress, 'filter-accepts-all-traffic')?.evidence ?? '', /tmfr-0eeee5555ffff6666 accepts ingress traffic from 0\.0\.0\.0\/0 to 0\.0\.0\.0\/0/);
  assert.ok(factor(ingress, 'filter-all-protocols'), 'no Protocol means every protocol');
  assert.equal(factor(egress, 'filter-all-protocols'), undefined, 'Protocol 6 is TCP only');
  assert.ok(factor(egress, 'filter-accepts-all-traffic'));
  assert.match(factor(egress, 'filter-both-directions')?.evidence ?? '', /tmf-0cccc3333dddd4444 accepts all traffic in both directions/);
  const dns = alertFor(alerts, 'ModifyTrafficMirrorFilterNetworkServices');
  assert.match(factor(dns, 'dns-mirroring')?.evidence ?? '', /amazon-dns/);
  const session = alertFor(alerts, 'CreateTrafficMirrorSession', 'success');
  for (const name of ['filter-accepts-all-traffic', 'filter-all-protocols', 'filter-both-directions', 'dns-mirroring']) {
    assert.ok(factor(session, name), `${name} on the session: ${factorNames(session).join(', ')}`);
  }
  assert.equal(factor(session, 'dns-mirroring')?.weight, FACTORS['dns-mirroring'].weight);
});

test('attempts-before-success: a denied call by the same principal precedes the successes, not the attempt itself', async () => {
  const { alerts } = await scanAndEnrich([{ name: 'ct.ndjson', text: pipeline() }]);
  const denied = alerts.find((a) => (a.mirrorwatch.mirror as { outcome?: string }).outcome === 'denied');
  assert.ok(denied);
  assert.equal(factor(denied, 'attempts-before-success'), undefined);
  const target = alertFor(alerts, 'CreateTrafficMirrorTarget');
  const f = factor(target, 'attempts-before-success');
  assert.ok(f);
  assert.match(f.evidence, /denied CreateTrafficMirrorSession at 2026-11-21T14:00:00Z \(Client\.UnauthorizedOperation\)/);
  // Another principal's success does not inherit someone else's attempts.
  const other = ndjson([
    cloudTrail({ time: '2026-11-21T14:00:00Z', name: 'CreateTrafficMirrorFilter', identity: iamUser('eve'), request: {}, error: ['Client.DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'] }),
    cloudTrail({ time: '2026-11-21T14:01:00Z', name: 'CreateTrafficMirrorFilter', identity: iamUser('bob'), request: {}, response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0b0b0b0b0b0b0b0b0' } } }),
    cloudTrail({ time: '2026-11-21T14:02:00Z', name: 'CreateTrafficMirrorFilter', identity: iamUser('eve'), request: {}, response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0e0e0e0e0e0e0e0e0' } } }),
  ]);
  const r = await scanAndEnrich([{ name: 'o.ndjson', text: other }]);
  const successes = r.alerts.filter((a) => (a.mirrorwatch.mirror as { outcome?: string }).outcome === 'success');
  const byName = new Map(successes.map((a) => [String((a.mirrorwatch.mirror as { actor: { name: string } }).actor.name), a]));
  assert.equal(factor(byName.get('bob') as never, 'attempts-before-success'), undefined);
  assert.match(factor(byName.get('eve') as never, 'attempts-before-success')?.evidence ?? '', /dry run of CreateTrafficMirrorFilter/);
});

test('long-lived keys, root, CLI, console and infrastructure-as-code clients', async () => {
  const text = ndjson([
    cloudTrail({ time: '2026-11-21T10:00:00Z', name: 'CreateTrafficMirrorFilter', identity: rootUser(), request: {}, response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0r0r0r0r0r0r0r0r0' } } }),
    cloudTrail({
      time: '2026-11-21T10:01:00Z',
      name: 'CreateTrafficMirrorFilter',
      identity: assumedRole('NetAdmins', 'k.ito', 'ASIAQX3KD72HKITO0001'),
      ip: 'AWS Internal',
      ua: 'AWS Internal',
      request: {},
      response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0c0c0c0c0c0c0c0c0' } },
      extra: { sessionCredentialFromConsole: 'true' },
    }),
    cloudTrail({
      time: '2026-11-21T10:02:00Z',
      name: 'CreateTrafficMirrorFilter',
      identity: assumedRole('ci-terraform', 'gha-1', 'ASIAQX3KD72HTERRA001'),
      ua: TF_UA,
      request: {},
      response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0d0d0d0d0d0d0d0d0' } },
    }),
    cloudTrail({
      time: '2026-11-21T10:03:00Z',
      name: 'CreateTrafficMirrorFilter',
      identity: { ...assumedRole('deployer', 'cfn', 'ASIAQX3KD72HCFN00001'), invokedBy: 'cloudformation.amazonaws.com' },
      ip: 'cloudformation.amazonaws.com',
      ua: 'cloudformation.amazonaws.com',
      request: {},
      response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0f0f0f0f0f0f0f0f0' } },
    }),
  ]);
  const { alerts } = await scanAndEnrich([{ name: 'c.ndjson', text }]);
  const byFilter = (id: string) => alerts.find((a) => (a.mirrorwatch.mirror as { objectId?: string }).objectId === id) as (typeof alerts)[number];
  const root = byFilter('tmf-0r0r0r0r0r0r0r0r0');
  assert.equal(factor(root, 'root-credentials')?.strength, 'strong');
  assert.match(factor(root, 'long-lived-access-key')?.evidence ?? '', /AKIAQX3KD72HROOT0001/);
  const console = byFilter('tmf-0c0c0c0c0c0c0c0c0');
  assert.match(factor(console, 'console-session')?.evidence ?? '', /AWS Management Console/);
  assert.equal(factor(console, 'long-lived-access-key'), undefined, 'ASIA keys are temporary');
  const tf = byFilter('tmf-0d0d0d0d0d0d0d0d0');
  assert.equal(factor(tf, 'iac-client')?.weight, 0);
  assert.match(factor(tf, 'iac-client')?.evidence ?? '', /Terraform/);
  const cfn = byFilter('tmf-0f0f0f0f0f0f0f0f0');
  assert.match(factor(cfn, 'iac-client')?.evidence ?? '', /CloudFormation/);
  const cli = await scanAndEnrich([{ name: 'p.ndjson', text: pipeline() }]);
  assert.match(factor(alertFor(cli.alerts, 'CreateTrafficMirrorTarget'), 'cli-client')?.evidence ?? '', /AWS CLI/);
  // An approved pipeline agent mitigates.
  const { tuning } = tuningOf("infrastructure_as_code:\n  - id: tf\n    user_agent: '*Terraform/*'\n    reason: pipelines\n");
  const approved = await scanAndEnrich([{ name: 'c.ndjson', text }], { tuning });
  const tf2 = approved.alerts.find((a) => (a.mirrorwatch.mirror as { objectId?: string }).objectId === 'tmf-0d0d0d0d0d0d0d0d0');
  assert.ok(tf2);
  assert.equal(factor(tf2, 'approved-iac-client')?.weight, -10);
  assert.equal(factor(tf2, 'approved-iac-client')?.strength, 'mitigating');
  assert.match(factor(tf2, 'approved-iac-client')?.evidence ?? '', /"tf" \(t\.yml:2:5\)/);
});

test('new-principal and new-source-ip follow the baseline, and the scan is remembered afterwards', async () => {
  const text = pipeline();
  const fresh = await scanAndEnrich([{ name: 'ct.ndjson', text }]);
  const target = alertFor(fresh.alerts, 'CreateTrafficMirrorTarget');
  assert.match(factor(target, 'new-principal')?.evidence ?? '', /IAM user mallory has no earlier aws mirroring change/);
  assert.equal(factor(target, 'new-source-ip'), undefined, 'a new principal is not also a new source IP');
  const key = 'arn:aws:iam::111122223333:user/mallory';
  assert.equal(fresh.baselines.firstSeen('principal-mirroring', key, 'aws'), Date.parse('2026-11-21T14:05:00Z'), 'the first success, not the denied try');
  assert.equal(fresh.baselines.firstSeen('principal-source-ip', key, '198.51.100.77'), Date.parse('2026-11-21T14:05:00Z'));

  // Known principal, known IP: neither factor. Known principal, other IP: new-source-ip.
  const known = new MemoryBaselines();
  known.remember('principal-mirroring', key, 'aws', Date.parse('2026-10-01T00:00:00Z'));
  known.remember('principal-source-ip', key, '198.51.100.77', Date.parse('2026-10-01T00:00:00Z'));
  const again = await scanAndEnrich([{ name: 'ct.ndjson', text }], { baselines: known });
  const t2 = alertFor(again.alerts, 'CreateTrafficMirrorTarget');
  assert.equal(factor(t2, 'new-principal'), undefined);
  assert.equal(factor(t2, 'new-source-ip'), undefined);
  const moved = new MemoryBaselines();
  moved.remember('principal-mirroring', key, 'aws', Date.parse('2026-10-01T00:00:00Z'));
  moved.remember('principal-source-ip', key, '203.0.113.9', Date.parse('2026-10-01T00:00:00Z'));
  const third = await scanAndEnrich([{ name: 'ct.ndjson', text }], { baselines: moved });
  assert.match(factor(alertFor(third.alerts, 'CreateTrafficMirrorTarget'), 'new-source-ip')?.evidence ?? '', /never from 198\.51\.100\.77/);
});

test('Azure: a vTAP sending to a NIC in another subscription, and a NIC tap configuration feeding that vTAP', async () => {
  const file = 'examples/azure/insights-activity-logs/resourceId=/SUBSCRIPTIONS/6F2A8C4E-1B3D-4E5F-9A7B-0C1D2E3F4A5B/y=2026/m=11/d=20/h=14/m=00/PT1H.json';
  const { alerts } = await scanAndEnrich([{ name: file, text: readFileSync(repoPath(file), 'utf8') }]);
  const vtap = alertFor(alerts, /VIRTUALNETWORKTAPS\/WRITE/i);
  assert.match(factor(vtap, 'cross-account-destination')?.evidence ?? '', /owned by subscription 0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e, while the mirror is in subscription 6f2a8c4e/);
  assert.match(factor(vtap, 'cli-client')?.evidence ?? '', /Azure CLI/, 'appid 04b07795-… is the Azure CLI');
  const cfg = alertFor(alerts, /tapConfigurations\/write/i);
  assert.match(factor(cfg, 'cross-account-destination')?.evidence ?? '', /vtap-diag.*which sends to collector-nic\/ipconfig1/);
});

test('GCP: a collector ILB in another project, default filters, and a service-account key', async () => {
  const file = 'examples/gcp/cloudaudit.googleapis.com/activity/2026/11/20/14-00-00_14-59-59_S0.json';
  const text = readFileSync(repoPath(file), 'utf8');
  const { alerts } = await scanAndEnrich([{ name: file, text }]);
  const insert = alertFor(alerts, 'v1.compute.packetMirrorings.insert');
  assert.match(factor(insert, 'cross-account-destination')?.evidence ?? '', /owned by project shadow-lab-7719, while the mirror is in project payments-prod-4821/);
  assert.ok(factor(insert, 'filter-accepts-all-traffic'), 'no cidrRanges: all traffic');
  assert.ok(factor(insert, 'filter-all-protocols'), 'no IPProtocols: all protocols');
  assert.ok(factor(insert, 'filter-both-directions'));
  assert.match(factor(insert, 'cli-client')?.evidence ?? '', /gcloud/);
  const patch = alertFor(alerts, 'beta.compute.packetMirrorings.patch');
  assert.match(factor(patch, 'cross-account-destination')?.evidence ?? '', /set when policy pm-diag was created/);
  assert.match(factor(patch, 'filter-accepts-all-traffic')?.evidence ?? '', /0\.0\.0\.0\/0/);
  // Same project, and a user-managed key.
  const same = text
    .replaceAll('projects/shadow-lab-7719/', 'projects/payments-prod-4821/')
    .replace(
      '"principalSubject":"serviceAccount:build-bot@payments-prod-4821.iam.gserviceaccount.com"},"authorizationInfo":[{"granted":true,"permission":"compute.packetMirrorings.create"',
      '"principalSubject":"serviceAccount:build-bot@payments-prod-4821.iam.gserviceaccount.com","serviceAccountKeyName":"//iam.googleapis.com/projects/payments-prod-4821/serviceAccounts/build-bot@payments-prod-4821.iam.gserviceaccount.com/keys/8f1c2a3b4d5e6f708192a3b4c5d6e7f8a9b0c1d2"},"authorizationInfo":[{"granted":true,"permission":"compute.packetMirrorings.create"',
    );
  const r = await scanAndEnrich([{ name: file, text: same }]);
  const i2 = alertFor(r.alerts, 'v1.compute.packetMirrorings.insert');
  assert.equal(factor(i2, 'cross-account-destination'), undefined);
  assert.match(factor(i2, 'long-lived-access-key')?.evidence ?? '', /service account key 8f1c2a3b/);
});

test('devices: a public ERSPAN destination, approved and unapproved collectors', async () => {
  const file = 'examples/devices/syslog/network-2026-11-20.log';
  const text = readFileSync(repoPath(file), 'utf8');
  const { tuning } = tuningOf('approved_collectors:\n  - id: noc\n    collector: 10.250.0.0/24\n    reason: NOC packet brokers\n');
  const { alerts } = await scanAndEnrich([{ name: file, text }], { tuning });
  const erspan = alertFor(alerts, /monitor session 1 type erspan-source/);
  assert.equal(factor(erspan, 'public-destination')?.strength, 'strong');
  assert.match(factor(erspan, 'public-destination')?.evidence ?? '', /203\.0\.113\.66/);
  assert.match(factor(erspan, 'unapproved-destination')?.evidence ?? '', /203\.0\.113\.66 is not in the approved_collectors of t\.yml/);
  assert.ok(factor(erspan, 'filter-both-directions'));
  // A local analyzer port is not a remote destination: no destination factor at all.
  const junos = alertFor(alerts, /analyzer LEGAL-HOLD/);
  assert.equal(factor(junos, 'unapproved-destination'), undefined);
  assert.equal(factor(junos, 'public-destination'), undefined);
  const internal = text.replace('ip address 203.0.113.66', 'ip address 10.250.0.10');
  const r = await scanAndEnrich([{ name: file, text: internal }], { tuning });
  const e2 = alertFor(r.alerts, /monitor session 1 type erspan-source/);
  assert.equal(factor(e2, 'public-destination'), undefined);
  assert.equal(factor(e2, 'unapproved-destination'), undefined);
  assert.match(factor(e2, 'approved-destination')?.evidence ?? '', /approved collector "noc" \(t\.yml:2:5\)/);
});

test('every factor the module defines is produced by at least one test scenario above', () => {
  // Keeps the table in risk.ts and these tests in step: a new factor needs a test.
  const covered = new Set([
    'cross-account-destination',
    'public-destination',
    'unapproved-destination',
    'approved-destination',
    'filter-accepts-all-traffic',
    'filter-all-protocols',
    'filter-both-directions',
    'dns-mirroring',
    'new-principal',
    'new-source-ip',
    'root-credentials',
    'long-lived-access-key',
    'console-session',
    'cli-client',
    'iac-client',
    'approved-iac-client',
    'attempts-before-success',
  ]);
  assert.deepEqual(Object.keys(FACTORS).sort(), [...covered].sort());
});
