/**
 * `mirrorwatch runbook`: each of the four tests prints the real commands with the tools' real flags, the clean-up,
 * the telemetry and the mirrorwatch alerts to expect, filled in with the user's identifiers; malformed identifiers are
 * numbered diagnostics naming the option, and nothing is printed then.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTIFIERS } from '../../src/simulate/identifiers.js';
import { RUNBOOKS } from '../../src/simulate/runbooks.js';
import { CORRELATIONS, RULES } from '../../src/simulate/expected-rules.js';
import { runCli, hasStackTrace } from '../helpers/cli.js';

function section(text: string, title: string): string {
  const start = text.indexOf(`## ${title}`);
  assert.ok(start >= 0, `section ${title}`);
  const next = text.indexOf('\n## ', start + 3);
  return text.slice(start, next < 0 ? undefined : next);
}

test('runbook --list names the four tests and their identifier options', async () => {
  const r = await runCli(['runbook', '--list']);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['aws-session', 'azure-vtap', 'gcp-packet-mirroring', 'cisco-span']) assert.match(r.stdout, new RegExp(`^${name} `, 'm'));
  for (const o of ['--account', '--eni', '--target-eni', '--subscription', '--resource-group', '--nic', '--collector-nic', '--project', '--network', '--subnet', '--collector-ilb', '--device', '--interface', '--destination-ip']) {
    assert.match(r.stdout, new RegExp(`^ +${o} <`, 'm'), o);
  }
});

test('aws-session: the AWS CLI calls with their flags and the user\'s ids, the clean-up, CloudTrail events and alerts', async () => {
  const r = await runCli(['runbook', 'aws-session', '--account', '444455556666', '--region', 'us-east-2', '--eni', 'eni-0123456789abcdef0', '--target-eni', 'eni-0fedcba9876543210']);
  assert.equal(r.code, 0, r.stderr);
  const run = section(r.stdout, 'Run');
  assert.match(run, /aws ec2 create-traffic-mirror-target --network-interface-id eni-0fedcba9876543210 /);
  assert.match(run, /aws ec2 create-traffic-mirror-filter --description /);
  assert.match(run, /aws ec2 create-traffic-mirror-filter-rule --traffic-mirror-filter-id "\$FILTER_ID" --traffic-direction ingress --rule-number 100 --rule-action accept --protocol 6 --source-cidr-block 0\.0\.0\.0\/0 --destination-cidr-block 0\.0\.0\.0\/0/);
  assert.match(run, /--traffic-direction egress/);
  assert.match(run, /aws ec2 create-traffic-mirror-session --network-interface-id eni-0123456789abcdef0 --traffic-mirror-target-id "\$TARGET_ID" --traffic-mirror-filter-id "\$FILTER_ID" --session-number 1/);
  assert.match(run, /export AWS_REGION=us-east-2/);
  const clean = section(r.stdout, 'Clean up');
  for (const c of ['delete-traffic-mirror-session --traffic-mirror-session-id', 'delete-traffic-mirror-filter-rule --traffic-mirror-filter-rule-id', 'delete-traffic-mirror-filter --traffic-mirror-filter-id', 'delete-traffic-mirror-target --traffic-mirror-target-id']) {
    assert.ok(clean.includes(`aws ec2 ${c}`), c);
  }
  const telemetry = section(r.stdout, 'Telemetry to expect');
  for (const e of ['CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule', 'CreateTrafficMirrorSession', 'DeleteTrafficMirrorSession']) assert.ok(telemetry.includes(e), e);
  assert.match(telemetry, /AWSLogs\/444455556666\/CloudTrail\/us-east-2\//);
  const alerts = section(r.stdout, 'mirrorwatch alerts to expect');
  for (const k of ['awsTarget', 'awsFilter', 'awsSession', 'awsDeleted'] as const) assert.ok(alerts.includes(RULES[k].name), RULES[k].name);
  for (const k of ['awsPipeline', 'awsSessionHitAndRun'] as const) assert.ok(alerts.includes(CORRELATIONS[k].name), CORRELATIONS[k].name);
  assert.doesNotMatch(r.stdout, /<(account|region|eni|target-eni)>/, 'no placeholder left when every identifier is given');
  assert.doesNotMatch(r.stdout, /Placeholders left/);
});

test('azure-vtap, gcp-packet-mirroring and cisco-span: az, gcloud and IOS-XE commands with the user\'s identifiers and clean-up', async () => {
  const az = await runCli(['runbook', 'azure-vtap', '--subscription', '6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b', '--resource-group', 'rg-netmon', '--nic', 'fin-api-01-nic', '--collector-nic', 'collector-nic']);
  assert.equal(az.code, 0, az.stderr);
  assert.match(section(az.stdout, 'Run'), /az network vnet tap create --resource-group rg-netmon --name mw-test-vtap --destination "\$COLLECTOR_IPCONFIG" --port 4789 --location westeurope/);
  assert.match(section(az.stdout, 'Run'), /az network nic vtap-config create --resource-group rg-netmon --nic-name fin-api-01-nic --name mw-test-tapcfg --vnet-tap mw-test-vtap/);
  assert.match(section(az.stdout, 'Clean up'), /az network nic vtap-config delete --resource-group rg-netmon --nic-name fin-api-01-nic --name mw-test-tapcfg/);
  assert.match(section(az.stdout, 'Clean up'), /az network vnet tap delete --resource-group rg-netmon --name mw-test-vtap/);
  assert.match(section(az.stdout, 'Telemetry to expect'), /MICROSOFT\.NETWORK\/VIRTUALNETWORKTAPS\/WRITE/);
  assert.ok(section(az.stdout, 'mirrorwatch alerts to expect').includes(RULES.azureVtapWritten.name));
  assert.ok(section(az.stdout, 'mirrorwatch alerts to expect').includes(CORRELATIONS.azureVtapWithTapConfig.name));
  const gcp = await runCli(['runbook', 'gcp-packet-mirroring', '--project', 'payments-prod-4821', '--network', 'prod-vpc', '--subnet', 'prod-app', '--collector-ilb', 'collector-ilb', '--region', 'us-central1']);
  assert.equal(gcp.code, 0, gcp.stderr);
  assert.match(section(gcp.stdout, 'Run'), /gcloud compute packet-mirrorings create mw-test-pm --project=payments-prod-4821 --region=us-central1 --network=prod-vpc --collector-ilb=collector-ilb --mirrored-subnets=prod-app --filter-direction=both/);
  assert.match(section(gcp.stdout, 'Clean up'), /gcloud compute packet-mirrorings delete mw-test-pm --project=payments-prod-4821 --region=us-central1 --quiet/);
  assert.match(section(gcp.stdout, 'Telemetry to expect'), /v1\.compute\.packetMirrorings\.insert/);
  const cisco = await runCli(['runbook', 'cisco-span', '--device', 'sw-core-1', '--interface', 'TenGigabitEthernet1/1/3', '--destination-ip', '192.0.2.10', '--origin-ip', '10.255.0.1']);
  assert.equal(cisco.code, 0, cisco.stderr);
  const run = section(cisco.stdout, 'Run');
  for (const l of ['monitor session 10 type erspan-source', ' source interface TenGigabitEthernet1/1/3 both', ' no shutdown', ' destination', '  erspan-id 10', '  ip address 192.0.2.10', '  origin ip address 10.255.0.1']) assert.ok(run.includes(`\n${l}\n`), l);
  assert.match(section(cisco.stdout, 'Clean up'), /no monitor session 10/);
  assert.match(section(cisco.stdout, 'Telemetry to expect'), /%PARSER-5-CFGLOG_LOGGEDCMD: User:<you> {2}logged command:monitor session 10 type erspan-source/);
  assert.ok(section(cisco.stdout, 'mirrorwatch alerts to expect').includes(RULES.remoteDestination.name));
});

test('malformed identifiers are numbered diagnostics naming the option; missing ones are placeholders; unused ones a warning', async () => {
  const bad = await runCli(['runbook', 'aws-session', '--account', '12345', '--eni', 'eni-XYZ', '--target-eni', 'i-0123456789abcdef0']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^MW3122 error --account: "12345" is not a valid AWS account id: an AWS account id has 12 digits/m);
  assert.match(bad.stderr, /^MW3122 error --eni: "eni-XYZ" is not a valid ENI id/m);
  assert.match(bad.stderr, /^MW3122 error --target-eni: "i-0123456789abcdef0"/m);
  assert.equal(hasStackTrace(bad.stderr), false);
  const partial = await runCli(['runbook', 'gcp-packet-mirroring', '--project', 'payments-prod-4821', '--eni', 'eni-0123456789abcdef0']);
  assert.equal(partial.code, 0, partial.stderr);
  assert.match(partial.stdout, /Placeholders left: <network> \(--network\), <subnet> \(--subnet\), <collector-ilb> \(--collector-ilb\)/);
  assert.match(partial.stderr, /MW3123 warning --eni: the gcp-packet-mirroring runbook does not use --eni; ignored/);
  const unknown = await runCli(['runbook', 'aws']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /MW3121 error <input>: no runbook "aws": aws-session, azure-vtap, gcp-packet-mirroring, cisco-span/);
});

test('identifier formats accept the documented forms and reject near misses', () => {
  const ok: [keyof typeof IDENTIFIERS, string][] = [
    ['eni', 'eni-12345678'],
    ['eni', 'eni-0123456789abcdef0'],
    ['nic', '/subscriptions/6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/collector-nic'],
    ['collectorIlb', 'projects/payments-prod-4821/regions/europe-west1/forwardingRules/collector-ilb'],
    ['collectorIlb', 'https://www.googleapis.com/compute/v1/projects/payments-prod-4821/regions/europe-west1/forwardingRules/fr-1'],
    ['interface', 'Gi1/0/5'],
    ['ip', '2001:db8::10'],
    ['region', 'us-gov-west-1'],
  ];
  for (const [k, v] of ok) assert.equal(IDENTIFIERS[k].check(v), undefined, `${k} ${v}`);
  const bad: [keyof typeof IDENTIFIERS, string][] = [
    ['eni', 'eni-0123456789ABCDEF0'],
    ['subscription', '6f2a8c4e1b3d4e5f9a7b0c1d2e3f4a5b'],
    ['resourceGroup', 'rg.'],
    ['project', 'Payments'],
    ['network', 'Prod_VPC'],
    ['interface', 'GigabitEthernet'],
    ['ip', '192.0.2.300'],
    ['session', '0'],
  ];
  for (const [k, v] of bad) assert.notEqual(IDENTIFIERS[k].check(v), undefined, `${k} ${v}`);
  for (const r of RUNBOOKS) for (const p of r.params) assert.equal(IDENTIFIERS[p.kind].check(IDENTIFIERS[p.kind].example), undefined, `${p.kind} example`);
});
