/**
 * Runbooks for the seed's four tests: the commands a purple team runs to create a real mirror in its own
 * environment, the clean-up, the telemetry it leaves and the mirrorwatch alerts to expect, filled in with the user's
 * identifiers. mirrorwatch prints them and never runs them.
 *
 * Commands and flags are from the tools' references:
 * - AWS CLI v2 `ec2 create-traffic-mirror-target` (`--network-interface-id`, `--description`), `create-traffic-mirror-
 *   filter`, `create-traffic-mirror-filter-rule` (`--traffic-mirror-filter-id --traffic-direction --rule-number
 *   --rule-action [--protocol] --destination-cidr-block --source-cidr-block`), `create-traffic-mirror-session`
 *   (`--network-interface-id --traffic-mirror-target-id --traffic-mirror-filter-id --session-number`), and the
 *   `delete-traffic-mirror-*` commands (https://docs.aws.amazon.com/cli/latest/reference/ec2/);
 * - Azure CLI, virtual-network-tap extension: `az network vnet tap create --resource-group --name --destination
 *   [--port] [--location]` and `az network nic vtap-config create --resource-group --nic-name --name --vnet-tap`, with
 *   their `delete` commands (https://learn.microsoft.com/cli/azure/network/vnet/tap,
 *   https://learn.microsoft.com/cli/azure/network/nic/vtap-config);
 * - gcloud `compute packet-mirrorings create NAME --collector-ilb --network [--region] [--mirrored-subnets]
 *   [--filter-direction] [--description]` and `delete` (https://cloud.google.com/sdk/gcloud/reference/compute/
 *   packet-mirrorings/create);
 * - Cisco IOS-XE ERSPAN source sessions (`monitor session N type erspan-source`, `source interface`, `destination`,
 *   `erspan-id`, `ip address`, `origin ip address`; Catalyst 9400 17.14 configuration guide, events.md §4.1) and
 *   archive logging / TACACS+ command accounting (events.md §4.2–4.3).
 */
import { expectedRule, type RuleKey } from './expected-rules.js';
import type { IdentifierName } from './identifiers.js';

/** One identifier a runbook is filled in with. */
export interface RunbookParam {
  /** The command-line option, e.g. `--eni`. */
  option: string;
  kind: IdentifierName;
  description: string;
  /** Used when the option is not given; without a default a placeholder is printed. */
  default?: string;
}

/** A runbook. */
export interface Runbook {
  name: string;
  title: string;
  seedTest: string;
  params: readonly RunbookParam[];
  /** Renders the runbook; `v` maps each option to its value or to a `<placeholder>`. */
  render(v: Readonly<Record<string, string>>): string;
}

/** An alert line: severity, rule, and what it says. */
function alert(rule: RuleKey, what: string, times = 1): string {
  const r = expectedRule(rule);
  return `- ${r.level.padEnd(6)} ${r.name}${times > 1 ? ` (×${times})` : ''}: ${what}`;
}

/** A fenced block: shell commands (`sh`) or device configuration (`text`). */
function sh(lines: string[], lang: 'sh' | 'text' = 'sh'): string {
  return [`\`\`\`${lang}`, ...lines, '```'].join('\n');
}

const DESC = 'mirrorwatch purple-team test';

const awsSession: Runbook = {
  name: 'aws-session',
  title: 'AWS Traffic Mirroring session (Test 1)',
  seedTest: 'Test 1',
  params: [
    { option: '--account', kind: 'account', description: 'AWS account to test in' },
    { option: '--region', kind: 'region', description: 'region of the ENIs', default: 'eu-west-1' },
    { option: '--eni', kind: 'eni', description: 'source ENI to mirror (attached to a Nitro instance)' },
    { option: '--target-eni', kind: 'eni', description: 'ENI of the collector instance that receives the copies' },
  ],
  render(v) {
    const r = v['--region'];
    const q = (path: string) => `--query ${path} --output text`;
    return [
      `# ${this.title}`,
      '',
      `Account ${v['--account']}, region ${r}: mirror ${v['--eni']} to a target on ${v['--target-eni']} through a filter that copies TCP both ways, then remove everything.`,
      'Printed only: mirrorwatch never runs these commands. Use a test account or an approved change window.',
      '',
      '## Before you start',
      `- A CloudTrail trail logs management events of ${v['--account']} in ${r} (\`aws cloudtrail get-event-selectors --trail-name <trail>\`).`,
      '- Your principal may call ec2:CreateTrafficMirror*, ec2:DeleteTrafficMirror* and ec2:Describe*.',
      `- ${v['--eni']} is attached to a Nitro-based instance (otherwise the session fails with Client.NetworkInterfaceNotSupported, still an alert).`,
      `- The collector ${v['--target-eni']} accepts VXLAN (UDP 4789) from the source's subnet.`,
      '',
      '## Run',
      sh([
        `export AWS_REGION=${r}`,
        `aws sts get-caller-identity   # must print account ${v['--account']}`,
        `TARGET_ID=$(aws ec2 create-traffic-mirror-target --network-interface-id ${v['--target-eni']} --description "${DESC}" ${q('TrafficMirrorTarget.TrafficMirrorTargetId')})`,
        `FILTER_ID=$(aws ec2 create-traffic-mirror-filter --description "${DESC}" ${q('TrafficMirrorFilter.TrafficMirrorFilterId')})`,
        `RULE_IN=$(aws ec2 create-traffic-mirror-filter-rule --traffic-mirror-filter-id "$FILTER_ID" --traffic-direction ingress --rule-number 100 --rule-action accept --protocol 6 --source-cidr-block 0.0.0.0/0 --destination-cidr-block 0.0.0.0/0 ${q('TrafficMirrorFilterRule.TrafficMirrorFilterRuleId')})`,
        `RULE_OUT=$(aws ec2 create-traffic-mirror-filter-rule --traffic-mirror-filter-id "$FILTER_ID" --traffic-direction egress --rule-number 100 --rule-action accept --protocol 6 --source-cidr-block 0.0.0.0/0 --destination-cidr-block 0.0.0.0/0 ${q('TrafficMirrorFilterRule.TrafficMirrorFilterRuleId')})`,
        `SESSION_ID=$(aws ec2 create-traffic-mirror-session --network-interface-id ${v['--eni']} --traffic-mirror-target-id "$TARGET_ID" --traffic-mirror-filter-id "$FILTER_ID" --session-number 1 --description "${DESC}" ${q('TrafficMirrorSession.TrafficMirrorSessionId')})`,
        'echo "$TARGET_ID $FILTER_ID $RULE_IN $RULE_OUT $SESSION_ID"',
      ]),
      '',
      '## Clean up',
      sh([
        'aws ec2 delete-traffic-mirror-session --traffic-mirror-session-id "$SESSION_ID"',
        'aws ec2 delete-traffic-mirror-filter-rule --traffic-mirror-filter-rule-id "$RULE_IN"',
        'aws ec2 delete-traffic-mirror-filter-rule --traffic-mirror-filter-rule-id "$RULE_OUT"',
        'aws ec2 delete-traffic-mirror-filter --traffic-mirror-filter-id "$FILTER_ID"',
        'aws ec2 delete-traffic-mirror-target --traffic-mirror-target-id "$TARGET_ID"',
        'aws ec2 describe-traffic-mirror-sessions --filters Name=description,Values="' + DESC + '"   # expect an empty list',
      ]),
      '',
      '## Telemetry to expect',
      `CloudTrail management events, eventSource ec2.amazonaws.com, recipientAccountId ${v['--account']}, awsRegion ${r}, about five minutes after each call (not guaranteed), in s3://<trail-bucket>/AWSLogs/${v['--account']}/CloudTrail/${r}/YYYY/MM/DD/:`,
      `- CreateTrafficMirrorTarget: requestParameters.CreateTrafficMirrorTargetRequest.NetworkInterfaceId ${v['--target-eni']}; responseElements.CreateTrafficMirrorTargetResponse.trafficMirrorTarget.trafficMirrorTargetId = $TARGET_ID`,
      '- CreateTrafficMirrorFilter, then CreateTrafficMirrorFilterRule twice (TrafficDirection ingress and egress, RuleAction accept, Protocol 6, 0.0.0.0/0)',
      `- CreateTrafficMirrorSession: NetworkInterfaceId ${v['--eni']}, TrafficMirrorTargetId, TrafficMirrorFilterId, SessionNumber 1; trafficMirrorSessionId = $SESSION_ID`,
      '- every record: userIdentity (type, arn), sourceIPAddress, userAgent aws-cli/… command/ec2.create-traffic-mirror-…, eventTime, eventID',
      '- clean-up: DeleteTrafficMirrorSession, DeleteTrafficMirrorFilterRule (×2), DeleteTrafficMirrorFilter, DeleteTrafficMirrorTarget',
      '',
      '## mirrorwatch alerts to expect',
      alert('awsTarget', `"… created traffic mirror target $TARGET_ID pointing at network interface ${v['--target-eni']} in account ${v['--account']} ${r}"`),
      alert('awsFilter', 'the filter, and each of the two rules ("accept ingress tcp from 0.0.0.0/0 to 0.0.0.0/0 (rule 100)")', 3),
      alert('awsSession', `"… created traffic mirror session $SESSION_ID copying ${v['--eni']} to target $TARGET_ID through filter $FILTER_ID …"`),
      alert('awsPipeline', '"… (userIdentity.arn <your ARN>; 3 of 3 linked steps within 1h): at … created traffic mirror target $TARGET_ID …; then … filter $FILTER_ID …; then … session $SESSION_ID …" (the three steps by one principal within an hour)'),
      alert('awsDeleted', 'after clean-up, one per deleted session, rule, filter and target', 5),
      alert('awsSessionHitAndRun', '"… (session_id $SESSION_ID; 2 of 2 steps in order within 30m) …", only when the clean-up deletes the session within 30 minutes of its creation'),
      '',
      '## Check',
      sh([
        `aws s3 sync s3://<trail-bucket>/AWSLogs/${v['--account']}/CloudTrail/${r}/$(date -u +%Y/%m/%d)/ ./cloudtrail/`,
        'mirrorwatch scan ./cloudtrail/',
        `# or, without bucket access (last 90 days, 50 events a page):`,
        `aws cloudtrail lookup-events --region ${r} --lookup-attributes AttributeKey=EventSource,AttributeValue=ec2.amazonaws.com --start-time "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" --output json > lookup.json && mirrorwatch scan lookup.json`,
      ]),
      'Rehearse first without an AWS account: `mirrorwatch simulate aws-session --out ./sim && mirrorwatch scan ./sim`.',
    ].join('\n');
  },
};

const azureVtap: Runbook = {
  name: 'azure-vtap',
  title: 'Azure virtual network TAP (Test 2)',
  seedTest: 'Test 2',
  params: [
    { option: '--subscription', kind: 'subscription', description: 'subscription to test in' },
    { option: '--resource-group', kind: 'resourceGroup', description: 'resource group of the TAP and of the NIC' },
    { option: '--nic', kind: 'nic', description: 'source NIC whose traffic is copied' },
    { option: '--collector-nic', kind: 'nic', description: 'NIC (name in the resource group, or resource id) of the collector VM' },
    { option: '--location', kind: 'location', description: 'Azure region of the virtual network', default: 'westeurope' },
  ],
  render(v) {
    const g = v['--resource-group'];
    const collector = v['--collector-nic'];
    const show = collector.startsWith('/subscriptions/') ? `--ids ${collector}` : `--resource-group ${g} --name ${collector}`;
    return [
      `# ${this.title}`,
      '',
      `Subscription ${v['--subscription']}, resource group ${g}: a virtual network TAP sending VXLAN copies to ${collector}, and a tap configuration on ${v['--nic']}; then both removed.`,
      'Printed only: mirrorwatch never runs these commands. Use a test subscription or an approved change window.',
      '',
      '## Before you start',
      '- The Azure CLI with the virtual-network-tap extension (installed on first use of `az network vnet tap`).',
      '- Network Contributor (Microsoft.Network/virtualNetworkTaps/*, networkInterfaces/tapConfigurations/*, virtualNetworkTaps/join/action) on the resource group.',
      `- Virtual network TAP is available in ${v['--location']} (it has long been a preview feature with limited regions), the source NIC belongs to a running VM, and the collector is in the same or a peered virtual network.`,
      '- The Activity Log of the subscription is exported (diagnostic setting to a storage account or Event Hub), or read it with `az monitor activity-log list`.',
      '',
      '## Run',
      sh([
        `az account set --subscription ${v['--subscription']}`,
        `COLLECTOR_IPCONFIG=$(az network nic show ${show} --query "ipConfigurations[0].id" --output tsv)`,
        `az network vnet tap create --resource-group ${g} --name mw-test-vtap --destination "$COLLECTOR_IPCONFIG" --port 4789 --location ${v['--location']}`,
        `az network nic vtap-config create --resource-group ${g} --nic-name ${v['--nic']} --name mw-test-tapcfg --vnet-tap mw-test-vtap`,
      ]),
      '',
      '## Clean up',
      sh([
        `az network nic vtap-config delete --resource-group ${g} --nic-name ${v['--nic']} --name mw-test-tapcfg`,
        `az network vnet tap delete --resource-group ${g} --name mw-test-vtap`,
        `az network vnet tap list --resource-group ${g} --output table   # mw-test-vtap must be gone`,
      ]),
      '',
      '## Telemetry to expect',
      `Activity Log, category Administrative, subscription ${v['--subscription']}, a few minutes after each operation (reports say 3 to 20; unverified), each operation as Start, possibly Accept, and Success records sharing a correlationId:`,
      `- MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE on …/RESOURCEGROUPS/${g.toUpperCase()}/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/MW-TEST-VTAP (storage exports upper-case operation names and resource ids; Event Hub and REST show mixed case)`,
      `- MICROSOFT.NETWORK/NETWORKINTERFACES/TAPCONFIGURATIONS/WRITE on …/NETWORKINTERFACES/${v['--nic'].toUpperCase()}/TAPCONFIGURATIONS/MW-TEST-TAPCFG, possibly with VIRTUALNETWORKTAPS/JOIN/ACTION`,
      '- every record: caller in identity.claims (upn for a person, appid for a service principal), callerIpAddress, correlationId, resultType, resultSignature; properties.requestbody holds the destination when logged',
      '- clean-up: TAPCONFIGURATIONS/DELETE and VIRTUALNETWORKTAPS/DELETE',
      '',
      '## mirrorwatch alerts to expect',
      alert('azureVtapWritten', `"… created virtual network TAP mw-test-vtap sending copies to NIC IP configuration … on UDP port 4789 in subscription ${v['--subscription']} (resource group ${g})" (Start, Accept and Success are one alert)`),
      alert('azureTapConfigWritten', `"… created NIC tap configuration mw-test-tapcfg copying NIC ${v['--nic']} to virtual network TAP mw-test-vtap …"`),
      alert('azureVtapWithTapConfig', `"… (vtap_id <the TAP's resource id, in the case the export writes it>; 2 of 2 steps in order within 1h): at … created virtual network TAP mw-test-vtap …; then … created NIC tap configuration mw-test-tapcfg copying NIC ${v['--nic']} …" (the tap configuration within an hour of the TAP; the Start record's request body joins them)`),
      alert('azureTapConfigDeleted', 'after clean-up'),
      alert('azureVtapDeleted', 'after clean-up'),
      '',
      '## Check',
      sh([
        `az monitor activity-log list --resource-group ${g} --offset 2h --output json > activity.json`,
        'mirrorwatch scan activity.json',
        `# or the storage export: insights-activity-logs/resourceId=/SUBSCRIPTIONS/${v['--subscription'].toUpperCase()}/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json`,
      ]),
      'Rehearse first without a subscription: `mirrorwatch simulate azure-vtap --out ./sim && mirrorwatch scan ./sim`.',
    ].join('\n');
  },
};

const gcpPacketMirroring: Runbook = {
  name: 'gcp-packet-mirroring',
  title: 'GCP Packet Mirroring policy (Test 3)',
  seedTest: 'Test 3',
  params: [
    { option: '--project', kind: 'project', description: 'project to test in' },
    { option: '--region', kind: 'gcpRegion', description: 'region of the subnetwork and the collector', default: 'europe-west1' },
    { option: '--network', kind: 'network', description: 'VPC network of the mirrored subnetwork' },
    { option: '--subnet', kind: 'subnet', description: 'subnetwork to mirror' },
    { option: '--collector-ilb', kind: 'collectorIlb', description: 'forwarding rule of an internal load balancer marked as mirroring collector' },
  ],
  render(v) {
    const p = v['--project'];
    const r = v['--region'];
    return [
      `# ${this.title}`,
      '',
      `Project ${p}, region ${r}: a packet mirroring policy copying subnetwork ${v['--subnet']} of ${v['--network']} in both directions to ${v['--collector-ilb']}; then deleted.`,
      'Printed only: mirrorwatch never runs these commands. Use a test project or an approved change window.',
      '',
      '## Before you start',
      '- compute.packetMirrorings.create/delete (Compute Security Admin or Compute Network Admin) and compute.forwardingRules.use on the collector.',
      `- The collector is a regional internal forwarding rule with isMirroringCollector: \`gcloud compute forwarding-rules describe ${v['--collector-ilb']} --region=${r} --project=${p} --format="value(isMirroringCollector)"\` prints True.`,
      '- Admin Activity audit logs are always on; Data Access logs (reads such as describe) only if enabled.',
      '',
      '## Run',
      sh([
        `gcloud compute packet-mirrorings create mw-test-pm --project=${p} --region=${r} --network=${v['--network']} --collector-ilb=${v['--collector-ilb']} --mirrored-subnets=${v['--subnet']} --filter-direction=both --description="${DESC}"`,
        `gcloud compute packet-mirrorings describe mw-test-pm --project=${p} --region=${r}`,
      ]),
      '',
      '## Clean up',
      sh([`gcloud compute packet-mirrorings delete mw-test-pm --project=${p} --region=${r} --quiet`, `gcloud compute packet-mirrorings list --project=${p} --filter="name=mw-test-pm"   # expect nothing`]),
      '',
      '## Telemetry to expect',
      `Cloud Audit Logs, logName projects/${p}/logs/cloudaudit.googleapis.com%2Factivity, serviceName compute.googleapis.com, within a minute or two:`,
      `- methodName v1.compute.packetMirrorings.insert (beta./alpha. with gcloud beta/alpha), resourceName projects/${p}/regions/${r}/packetMirrorings/mw-test-pm, as two entries sharing operation.id: first (with request.collectorIlb, mirroredResources.subnetworks, filter.direction BOTH) and last`,
      '- every entry: authenticationInfo.principalEmail, requestMetadata.callerIp and callerSuppliedUserAgent (google-cloud-sdk gcloud/… command/gcloud.compute.packet-mirrorings.create), authorizationInfo permission compute.packetMirrorings.create',
      '- describe: v1.compute.packetMirrorings.get in the data_access log, if Data Access logs are on',
      '- clean-up: v1.compute.packetMirrorings.delete, first and last',
      '',
      '## mirrorwatch alerts to expect',
      alert('gcpCreated', `"… created packet mirroring policy mw-test-pm copying subnetwork ${v['--subnet']} to internal load balancer … (filter BOTH) in project ${p} ${r}" (first and last entries are one alert)`),
      alert('gcpRead', 'the describe, only with Data Access logs on, below the default --min-level low'),
      alert('gcpDeleted', 'after clean-up'),
      '',
      '## Check',
      sh([
        `gcloud logging read 'protoPayload.methodName:"packetMirrorings"' --project=${p} --freshness=2h --format=json > audit.json`,
        'mirrorwatch scan audit.json',
      ]),
      'Rehearse first without a project: `mirrorwatch simulate gcp-packet-mirroring --out ./sim && mirrorwatch scan ./sim`.',
    ].join('\n');
  },
};

const ciscoSpan: Runbook = {
  name: 'cisco-span',
  title: 'Cisco IOS-XE ERSPAN source session (Test 4)',
  seedTest: 'Test 4',
  params: [
    { option: '--device', kind: 'device', description: 'the switch (host name as it appears in syslog)' },
    { option: '--interface', kind: 'interface', description: 'source interface to copy' },
    { option: '--destination-ip', kind: 'ip', description: 'ERSPAN destination (a collector you control)' },
    { option: '--origin-ip', kind: 'ip', description: "an address of the switch used as the ERSPAN packets' source" },
    { option: '--session', kind: 'session', description: 'an unused monitor session number', default: '10' },
  ],
  render(v) {
    const s = v['--session'];
    return [
      `# ${this.title}`,
      '',
      `On ${v['--device']}: an ERSPAN source session ${s} copying ${v['--interface']} (both directions) to ${v['--destination-ip']}, then removed.`,
      'Printed only: mirrorwatch never runs these commands. Paste them in an approved change window (`show monitor session all` first: the number must be free).',
      '',
      '## Before you start',
      'Make sure the commands reach your logs: archive logging of configuration commands to syslog, and TACACS+ command accounting:',
      sh([
        'configure terminal',
        'archive',
        ' log config',
        '  logging enable',
        '  notify syslog contenttype plaintext',
        '  hidekeys',
        ' exit',
        'exit',
        'aaa accounting commands 15 default start-stop group tacacs+',
        'service timestamps log datetime msec show-timezone year',
        'logging host <your-collector>',
        'end',
      ], 'text'),
      '',
      '## Run',
      sh([
        'configure terminal',
        `monitor session ${s} type erspan-source`,
        ` source interface ${v['--interface']} both`,
        ' no shutdown',
        ' destination',
        `  erspan-id ${s}`,
        `  ip address ${v['--destination-ip']}`,
        `  origin ip address ${v['--origin-ip']}`,
        ' exit',
        'end',
        `show monitor session ${s}`,
      ], 'text'),
      '',
      '## Clean up',
      sh(['configure terminal', `no monitor session ${s}`, 'end', `show monitor session ${s}`], 'text'),
      '',
      '## Telemetry to expect',
      `Syslog from ${v['--device']} (one line per command, sub-mode lines without the "monitor session" prefix; two spaces before "logged"):`,
      `- %PARSER-5-CFGLOG_LOGGEDCMD: User:<you>  logged command:monitor session ${s} type erspan-source`,
      `- … logged command:source interface ${v['--interface']} both, no shutdown, destination, erspan-id ${s}, ip address ${v['--destination-ip']}, origin ip address ${v['--origin-ip']}`,
      '- %SYS-5-CONFIG_I: Configured from console by <you> on vty0 (<your address>)',
      `- TACACS+ accounting: <date> <NAS address> <you> <tty> <your address> start|stop task_id=… service=shell priv-lvl=15 cmd=monitor session ${s} type erspan-source <cr> (one pair per command)`,
      `- clean-up: logged command:no monitor session ${s}`,
      '',
      '## mirrorwatch alerts to expect',
      alert('remoteDestination', `"<you> on ${v['--device']} configured ERSPAN session ${s} copying ${v['--interface']} (both) to ${v['--destination-ip']} (erspan-id ${s}, origin ${v['--origin-ip']})": the sub-mode lines are one alert, from syslog, and one from TACACS+ accounting if collected`),
      alert('sessionRemoved', `after clean-up: "<you> on ${v['--device']} removed … session ${s}"`),
      '',
      '## Check',
      sh(['mirrorwatch scan /var/log/network/   # the collector\'s files, and the tac_plus accounting file']),
      'Rehearse first without a switch: `mirrorwatch simulate cisco-span --out ./sim && mirrorwatch scan ./sim`.',
    ].join('\n');
  },
};

/** The runbooks, one per seed test. */
export const RUNBOOKS: readonly Runbook[] = [awsSession, azureVtap, gcpPacketMirroring, ciscoSpan];

/** The runbook of a name, or undefined. */
export function runbookNamed(name: string): Runbook | undefined {
  return RUNBOOKS.find((r) => r.name === name);
}

/** Every identifier option any runbook takes. */
export const RUNBOOK_OPTIONS: readonly string[] = [...new Set(RUNBOOKS.flatMap((r) => r.params.map((p) => p.option)))];
