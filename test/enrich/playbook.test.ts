/**
 * The playbook in every alert: plain-words summary, questions with read-only queries and containment commands filled
 * in with the alert's identifiers, for AWS, Azure, GCP and each device dialect (IOS-XE, NX-OS, IOS-XR, Arista EOS,
 * Junos analyzer and port mirroring); values from logs are shell-quoted (checked by running the command through
 * /bin/sh with `printf` in place of the tool); ATT&CK mitigations and the CTID mappings are in every alert.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import type { AlertDocument } from '../../src/core/alert.js';
import type { Playbook, PlaybookCommand } from '../../src/enrich/playbook.js';
import { repoPath } from '../helpers/paths.js';
import { alertFor, assumedRole, cloudTrail, filesUnder, ndjson, NOW, scanAndEnrich } from './helpers.js';

function playbook(a: AlertDocument): Playbook {
  const p = a.mirrorwatch.playbook as Playbook | undefined;
  assert.ok(p, `no playbook on ${a.message}`);
  return p;
}

function investigate(a: AlertDocument): PlaybookCommand[] {
  return playbook(a).investigate.flatMap((q) => q.commands);
}

function contain(a: AlertDocument): PlaybookCommand[] {
  return playbook(a).contain.flatMap((q) => q.commands);
}

function has(commands: PlaybookCommand[], text: string, readOnly: boolean): void {
  const c = commands.find((x) => x.command === text);
  assert.ok(c, `missing\n  ${text}\namong\n  ${commands.map((x) => x.command).join('\n  ')}`);
  assert.equal(c.read_only, readOnly, text);
}

let examples: Promise<Awaited<ReturnType<typeof scanAndEnrich>>> | undefined;
function enrichedExamples(): ReturnType<typeof scanAndEnrich> {
  examples ??= scanAndEnrich(filesUnder('examples'));
  return examples;
}

test('AWS: lookups by user and key, the target owner, and deleting the session, target and filter', async () => {
  const { alerts } = await enrichedExamples();
  const session = alertFor(alerts, 'CreateTrafficMirrorSession', 'success');
  const p = playbook(session);
  assert.match(p.what_happened, /copied to tmt-07d2f0a9c41e5b836, which points at network load balancer ext-collector/);
  assert.match(p.what_happened, /belongs to account 444455556666, not 111122223333/);
  assert.match(p.why_this_severity, /rule level high \(73\); strong: cross-account-destination \+30/);
  const q = investigate(session);
  has(q, 'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=Username,AttributeValue=svc-backup --start-time 2026-11-19T14:04:02Z --end-time 2026-11-21T14:04:02Z', true);
  has(q, 'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=AKIA2EXAMPLE7QF3ZK4M --start-time 2026-11-19T14:04:02Z --end-time 2026-11-21T14:04:02Z', true);
  has(q, 'aws ec2 describe-network-interfaces --region eu-west-1 --network-interface-ids eni-0a4c1e7b93d2f5068', true);
  has(q, 'aws ec2 describe-traffic-mirror-sessions --region eu-west-1 --filters Name=traffic-mirror-target-id,Values=tmt-07d2f0a9c41e5b836', true);
  has(q, 'aws organizations describe-account --account-id 444455556666', true);
  has(q, 'aws iam get-access-key-last-used --access-key-id AKIA2EXAMPLE7QF3ZK4M', true);
  const c = contain(session);
  has(c, 'aws ec2 delete-traffic-mirror-session --region eu-west-1 --traffic-mirror-session-id tms-0e81b3c6f2a4d9157', false);
  has(c, 'aws ec2 delete-traffic-mirror-target --region eu-west-1 --traffic-mirror-target-id tmt-07d2f0a9c41e5b836', false);
  has(c, 'aws ec2 delete-traffic-mirror-filter --region eu-west-1 --traffic-mirror-filter-id tmf-0c5e19a3b7d84f260', false);
  has(c, 'aws iam update-access-key --user-name svc-backup --access-key-id AKIA2EXAMPLE7QF3ZK4M --status Inactive', false);
  assert.ok(investigate(session).every((x) => x.read_only), 'investigation never changes anything');
});

test('AWS: a denied or dry-run attempt gets no delete command, and a role gets its sessions revoked as of the scan clock', async () => {
  const { alerts } = await enrichedExamples();
  const denied = alerts.find((a) => (a.mirrorwatch.mirror as { outcome?: string }).outcome === 'denied');
  assert.ok(denied);
  assert.ok(!contain(denied).some((x) => /delete-traffic-mirror/.test(x.command)));
  const revoke = contain(denied).find((x) => x.command.startsWith('aws iam put-role-policy --role-name developer-readonly --policy-name AWSRevokeOlderSessions'));
  assert.ok(revoke);
  assert.ok(revoke.command.includes(`"aws:TokenIssueTime":"${NOW.toISOString().replace(".000Z", "Z")}"`), revoke.command);
  has(investigate(denied), 'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=Username,AttributeValue=k.ito --start-time 2026-11-19T14:11:48Z --end-time 2026-11-21T14:11:48Z', true);
  const dry = alerts.find((a) => (a.mirrorwatch.mirror as { outcome?: string }).outcome === 'dry-run');
  assert.ok(dry);
  assert.ok(!contain(dry).some((x) => /delete-traffic-mirror/.test(x.command)));
  assert.match(playbook(dry).what_happened, /dry run/);
});

test('Azure: activity log by caller, the collector NIC in the other subscription, removing the tap configuration and the vTAP', async () => {
  const { alerts } = await enrichedExamples();
  const cfg = alertFor(alerts, /tapConfigurations\/write/i);
  has(investigate(cfg), 'az monitor activity-log list --caller m.keller@contoso.com --start-time 2026-11-19T14:33:40Z --end-time 2026-11-21T14:33:40Z --subscription 6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b', true);
  has(investigate(cfg), 'az role assignment list --assignee m.keller@contoso.com --all', true);
  has(contain(cfg), 'az network nic vtap-config delete --name diag --nic-name fin-api-01-nic --resource-group rg-finance --subscription 6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b', false);
  has(contain(cfg), 'az network vnet tap delete --name vtap-diag --resource-group rg-netmon --subscription 6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b', false);
  const vtap = alertFor(alerts, /VIRTUALNETWORKTAPS\/WRITE/i);
  has(investigate(vtap), 'az network nic show --ids /subscriptions/0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e/resourceGroups/rg-lab/providers/Microsoft.Network/networkInterfaces/collector-nic', true);
  has(investigate(vtap), 'az account show --subscription 0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e', true);
  has(contain(vtap), 'az ad user update --id m.keller@contoso.com --account-enabled false', false);
});

test('GCP: logging read by principal, the collector in the other project, deleting or disabling the policy', async () => {
  const { alerts } = await enrichedExamples();
  const insert = alertFor(alerts, 'v1.compute.packetMirrorings.insert');
  has(
    investigate(insert),
    `gcloud logging read 'protoPayload.authenticationInfo.principalEmail="build-bot@payments-prod-4821.iam.gserviceaccount.com" AND timestamp>="2026-11-19T14:41:52Z" AND timestamp<="2026-11-21T14:41:52Z"' --project payments-prod-4821 --format=json`,
    true,
  );
  has(investigate(insert), 'gcloud compute forwarding-rules describe collector-ilb --region europe-west1 --project shadow-lab-7719', true);
  has(investigate(insert), 'gcloud compute networks subnets describe payments-app --region europe-west1 --project payments-prod-4821', true);
  has(contain(insert), 'gcloud compute packet-mirrorings delete pm-diag --region europe-west1 --project payments-prod-4821', false);
  has(contain(insert), 'gcloud compute packet-mirrorings update pm-diag --region europe-west1 --project payments-prod-4821 --no-enable', false);
  has(contain(insert), 'gcloud iam service-accounts disable build-bot@payments-prod-4821.iam.gserviceaccount.com --project payments-prod-4821', false);
  const read = alertFor(alerts, 'v1.compute.packetMirrorings.aggregatedList');
  assert.ok(!contain(read).some((x) => !x.read_only), 'a read gets no change command');
  assert.match(playbook(read).contain[0].action, /Nothing was changed/);
});

test('devices: show and no-monitor-session commands per dialect (IOS-XE, NX-OS, IOS-XR, Arista, Junos)', async () => {
  const { alerts } = await enrichedExamples();
  const ios = alertFor(alerts, /monitor session 1 type erspan-source/);
  has(investigate(ios), 'show monitor session 1 detail', true);
  has(investigate(ios), 'show archive log config all', true);
  has(investigate(ios), 'show ip route 203.0.113.66', true);
  has(contain(ios), 'configure terminal\nno monitor session 1\nend', false);
  assert.match(playbook(ios).contain.map((x) => x.action).join('\n'), /Block encapsulated copies \(GRE, IP protocol 47\) from 10\.255\.0\.1 to 203\.0\.113\.66/);
  const nxos = alertFor(alerts, /monitor session 2 type erspan-source/);
  has(investigate(nxos), 'show accounting log', true);
  has(investigate(nxos), 'show monitor session 2', true);
  has(contain(nxos), 'configure terminal\nno monitor session 2\nend', false);
  const xr = alertFor(alerts, /monitor-session SPAN-EDGE/);
  has(investigate(xr), 'show monitor-session SPAN-EDGE status detail', true);
  has(contain(xr), 'configure\ninterface HundredGigE0/0/0/4\n no monitor-session SPAN-EDGE\n exit\nno monitor-session SPAN-EDGE\ncommit\nend', false);
  const junos = alertFor(alerts, /analyzer LEGAL-HOLD/);
  has(investigate(junos), 'show forwarding-options analyzer LEGAL-HOLD', true);
  has(investigate(junos), 'show system commit', true);
  has(contain(junos), 'configure\ndelete forwarding-options analyzer LEGAL-HOLD\ncommit', false);

  const arista = await scanAndEnrich([{ name: 'test/fixtures/devices/arista-eos.log', text: readFileSync(repoPath('test/fixtures/devices/arista-eos.log'), 'utf8') }]);
  const eos = alertFor(arista.alerts, /monitor session S1/);
  has(investigate(eos), 'show monitor session S1', true);
  has(contain(eos), 'configure terminal\nno monitor session S1\nend', false);
  const pm = await scanAndEnrich([
    { name: 'test/fixtures/devices/junos-port-mirroring-5424.log', text: readFileSync(repoPath('test/fixtures/devices/junos-port-mirroring-5424.log'), 'utf8') },
  ]);
  const instance = pm.alerts.find((a) => contain(a).some((x) => x.command.includes('port-mirroring instance PM1')));
  assert.ok(instance, pm.alerts.map((a) => JSON.stringify(contain(a))).join('\n'));
  has(contain(instance), 'configure\ndelete forwarding-options port-mirroring instance PM1\ncommit', false);
});

test('values from logs are shell-quoted: a hostile session name stays one argument', async () => {
  const session = `x'; touch /tmp/pwned; echo '$(id)`;
  const text = ndjson([
    cloudTrail({
      time: '2026-11-21T10:00:00Z',
      name: 'CreateTrafficMirrorFilter',
      identity: assumedRole('NetAdmins', session),
      request: {},
      response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0a0a0a0a0a0a0a0a0' } },
    }),
  ]);
  const { alerts } = await scanAndEnrich([{ name: 'h.ndjson', text }]);
  const lookup = investigate(alerts[0]).find((x) => x.command.includes('AttributeKey=Username'));
  assert.ok(lookup);
  // Run it with printf in place of aws: each argument on its own line, nothing executed.
  const r = spawnSync('/bin/sh', ['-c', lookup.command.replace(/^aws /, "printf '%s\\n' ")], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const argv = r.stdout.split('\n');
  assert.ok(argv.includes(`AttributeKey=Username,AttributeValue=${session}`), r.stdout);
});

test('every alert carries the ATT&CK mitigations and the CTID mappings with their scores', async () => {
  const { alerts } = await enrichedExamples();
  assert.ok(alerts.length >= 17);
  for (const a of alerts) {
    const p = playbook(a);
    assert.deepEqual(p.mitigations.map((m) => m.id), ['M1041', 'M1018', 'M1057']);
    assert.ok(p.mitigations.every((m) => m.advice.length > 0 && m.url.startsWith('https://attack.mitre.org/mitigations/')));
    const ids = p.mappings.map((m) => `${m.framework}:${m.id}:${m.category ?? '-'}/${m.score ?? '-'}`);
    assert.deepEqual(ids, [
      'VERIS:attribute.confidentiality.data_disclosure:-/-',
      'VERIS:action.malware.variety.Export data:-/-',
      'AWS:aws_config:protect/partial',
      'AWS:aws_iot_device_defender:protect/partial',
    ]);
    assert.ok(p.what_happened.length > 20);
    assert.ok(p.investigate.length >= 2, a.message);
    assert.ok(p.contain.length >= 1, a.message);
  }
  // Platform advice of M1018 fits the alert.
  const gcp = alertFor(alerts, 'v1.compute.packetMirrorings.insert');
  const m1018 = playbook(gcp).mitigations.find((m) => m.id === 'M1018');
  assert.ok(m1018?.advice.every((line) => !/^(AWS|Azure|Network devices):/.test(line)));
  assert.ok(m1018?.advice.some((line) => /^GCP:/.test(line)));
});
