/**
 * The seed queries' defects (reference events.md §8.1 for the Elastic EQL, §8.2 for the QRadar AQL), one test each:
 * the case the seed gets wrong, what mirrorwatch does with the same records, and — where the seed can be evaluated
 * on the record — proof that the seed really gets it wrong (so the test would notice if the case were not a defect).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ecsOf } from '../../src/normalize/index.js';
import { readEvents, ruleNames, scanTexts } from '../helpers/engine.js';
import { seedAqlMatches, seedEqlMatches } from '../../src/export/seed-queries.js';

const ACCT = '111122223333';

function trail(eventName: string, extra: Record<string, unknown> = {}, n = Math.floor(Math.random() * 1e9)): Record<string, unknown> {
  return {
    eventVersion: '1.10',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAQ3EXAMPLE5TESTER', arn: `arn:aws:iam::${ACCT}:user/tester`, accountId: ACCT, accessKeyId: 'AKIAQ3EXAMPLETESTER1', userName: 'tester' },
    eventTime: '2026-11-22T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.30',
    userAgent: 'aws-cli/2.19.1',
    requestParameters: { [`${eventName}Request`]: { TrafficMirrorFilterId: 'tmf-0123456789abcdef0', TrafficMirrorTargetId: 'tmt-0123456789abcdef0', TrafficMirrorFilterRuleId: 'tmfr-0123456789abcdef0' } },
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `6a7e0a52-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: eventName.startsWith('Describe'),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCT,
    ...extra,
  };
}

function azure(operationName: string, resultType: string, correlationId: string, time: string): Record<string, unknown> {
  return {
    time,
    resourceId: '/SUBSCRIPTIONS/6F2A8C4E-1B3D-4E5F-9A7B-0C1D2E3F4A5B/RESOURCEGROUPS/RG-NET/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/VTAP1',
    operationName,
    category: 'Administrative',
    resultType,
    resultSignature: resultType === 'Start' ? 'Started.' : 'Succeeded.Created',
    callerIpAddress: '203.0.113.8',
    correlationId,
    identity: { claims: { 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'ops@contoso.com' } },
    level: 'Information',
    location: 'global',
    properties: { statusCode: 'Created' },
  };
}

function gcp(methodName: string, op?: { id: string; first?: boolean; last?: boolean }, logType = 'activity'): Record<string, unknown> {
  return {
    insertId: `ins${Math.floor(Math.random() * 1e9)}`,
    logName: `projects/p1/logs/cloudaudit.googleapis.com%2F${logType}`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: 'eve@example.com' },
      methodName,
      resourceName: 'projects/p1/regions/us-central1/packetMirrorings/pm1',
      serviceName: 'compute.googleapis.com',
      requestMetadata: { callerIp: '203.0.113.10' },
    },
    resource: { type: 'gce_packet_mirroring', labels: { project_id: 'p1' } },
    severity: 'NOTICE',
    timestamp: '2026-11-22T11:00:00Z',
    ...(op ? { operation: { producer: 'compute.googleapis.com', ...op } } : {}),
  };
}

const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Evaluates both seeds on every record of an in-memory file. */
function seeds(name: string, text: string): { eql: number; aql: number } {
  const ecs = readEvents(name, text).map(ecsOf);
  return { eql: ecs.filter(seedEqlMatches).length, aql: ecs.filter(seedAqlMatches).length };
}

describe('seed EQL defects (events.md §8.1)', () => {
  test('#1 `in` is case-sensitive: mirrorwatch matches an event name in any case', async () => {
    const text = ndjson([trail('createTrafficMirrorSession')]);
    const { alerts } = await scanTexts([{ name: 'ct.json', text }]);
    assert.deepEqual(ruleNames(alerts), ['AWS Traffic Mirror Session Created']);
  });

  test('#2 the seed\'s google.compute.v1.PacketMirrorings.* names do not exist: mirrorwatch matches the real v1./beta./alpha. names', async () => {
    const text = ndjson([
      gcp('v1.compute.packetMirrorings.insert', { id: 'operation-1', first: true }),
      gcp('beta.compute.packetMirrorings.insert', { id: 'operation-2', first: true }),
      gcp('alpha.compute.packetMirrorings.insert', { id: 'operation-3', first: true }),
    ]);
    const { alerts } = await scanTexts([{ name: 'gcp.json', text }]);
    assert.deepEqual(ruleNames(alerts), Array(3).fill('GCP Packet Mirroring Policy Created'));
  });

  test('#3 the explicit AWS list misses five mutating calls: mirrorwatch alerts on each', async () => {
    const names = ['CreateTrafficMirrorFilterRule', 'ModifyTrafficMirrorFilterNetworkServices', 'DeleteTrafficMirrorTarget', 'DeleteTrafficMirrorFilter', 'DeleteTrafficMirrorFilterRule'];
    const { alerts } = await scanTexts([{ name: 'ct.json', text: ndjson(names.map((n, i) => trail(n, {}, i + 1))) }]);
    assert.equal(alerts.length, 5);
    assert.deepEqual(alerts.map((a) => (a.event as { action: string }).action).sort(), [...names].sort());
  });

  test('#4 `*TrafficMirror*` flags every Describe*, AWS Config\'s included: mirrorwatch ignores AWS Config and rates a person\'s read low', async () => {
    const config = trail('DescribeTrafficMirrorTargets', { userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCT}:assumed-role/AWSServiceRoleForConfig/AWSConfig-Describe`, accountId: ACCT, invokedBy: 'config.amazonaws.com' }, sourceIPAddress: 'config.amazonaws.com', userAgent: 'config.amazonaws.com' }, 1);
    const person = trail('DescribeTrafficMirrorFilterRules', {}, 2);
    const text = ndjson([config, person]);
    const { alerts } = await scanTexts([{ name: 'ct.json', text }]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].mirrorwatch.severity, 'low');
    assert.equal((alerts[0].event as { action: string }).action, 'DescribeTrafficMirrorFilterRules');
    assert.equal(seeds('ct.json', text).eql, 2, 'the seed flags both reads');
  });

  test('#5 failed and dry-run calls look like successes to the seed: mirrorwatch labels them', async () => {
    const text = ndjson([
      trail('CreateTrafficMirrorSession', { errorCode: 'Client.DryRunOperation', errorMessage: 'Request would have succeeded, but DryRun flag is set.' }, 1),
      trail('CreateTrafficMirrorSession', { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' }, 2),
      trail('CreateTrafficMirrorSession', { errorCode: 'Client.NetworkInterfaceNotSupported', errorMessage: 'eni-0c61fbc84fca4138f must be attached to a supported instance' }, 3),
    ]);
    const { alerts } = await scanTexts([{ name: 'ct.json', text }]);
    assert.deepEqual(ruleNames(alerts), ['AWS Traffic Mirror Session Created', 'AWS Traffic Mirroring Call Denied', 'AWS Traffic Mirroring Dry-Run Probe']);
    for (const a of alerts) assert.equal((a.event as { outcome: string }).outcome, 'failure');
    const attempt = alerts.find((a) => (a.rule as { name: string }).name === 'AWS Traffic Mirror Session Created');
    assert.match(String(attempt?.message), /tried to create/);
  });

  test('#7 Azure writes Start and Success for one operation: mirrorwatch raises one alert with both records', async () => {
    const text = ndjson([
      azure('MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE', 'Start', 'corr-1', '2026-11-22T12:00:00.1000000Z'),
      azure('MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE', 'Accept', 'corr-1', '2026-11-22T12:00:01.1000000Z'),
      azure('MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE', 'Success', 'corr-1', '2026-11-22T12:00:09.1000000Z'),
    ]);
    const { alerts } = await scanTexts([{ name: 'PT1H.json', text }]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].mirrorwatch.evidence.length, 3);
    assert.equal((alerts[0].event as { outcome: string }).outcome, 'success');
    assert.equal(seeds('PT1H.json', text).eql, 3, 'the seed alerts three times');
  });

  test('#8 `*virtualNetworkTaps*` also matches join/action: mirrorwatch does not alert on it', async () => {
    const text = ndjson([azure('Microsoft.Network/virtualNetworkTaps/join/action', 'Success', 'corr-2', '2026-11-22T12:05:00.0000000Z')]);
    const { alerts } = await scanTexts([{ name: 'PT1H.json', text }]);
    assert.equal(alerts.length, 0);
    assert.equal(seeds('PT1H.json', text).eql, 1);
  });

  test('#9 `*PacketMirror*` flags get/list/aggregatedList/testIamPermissions: mirrorwatch rates them informational', async () => {
    const reads = ['v1.compute.packetMirrorings.get', 'v1.compute.packetMirrorings.list', 'v1.compute.packetMirrorings.aggregatedList', 'v1.compute.packetMirrorings.testIamPermissions'];
    const text = ndjson(reads.map((m) => gcp(m, undefined, 'data_access')));
    const { alerts } = await scanTexts([{ name: 'gcp.json', text }]);
    assert.equal(alerts.length, 4);
    for (const a of alerts) assert.equal(a.mirrorwatch.severity, 'informational');
    assert.equal(seeds('gcp.json', text).eql, 4);
  });

  test('#10 GCP logs first and last entries per operation, and first entries have no outcome: one alert, not filtered out', async () => {
    const text = ndjson([gcp('v1.compute.packetMirrorings.insert', { id: 'operation-9', first: true }), gcp('v1.compute.packetMirrorings.insert', { id: 'operation-9', last: true })]);
    const { alerts } = await scanTexts([{ name: 'gcp.json', text }]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].mirrorwatch.evidence.length, 2);
    assert.equal(seeds('gcp.json', text).eql, 2);
    const onlyFirst = await scanTexts([{ name: 'gcp.json', text: ndjson([gcp('v1.compute.packetMirrorings.insert', { id: 'operation-10', first: true })]) }]);
    assert.equal(onlyFirst.alerts.length, 1, 'an operation whose last entry has not arrived still alerts');
  });

  test('#11 firewall-policy mirroring rules are covered', async () => {
    const text = ndjson([gcp('v1.compute.networkFirewallPolicies.addPacketMirroringRule', { id: 'operation-11', first: true })]);
    const { alerts } = await scanTexts([{ name: 'gcp.json', text }]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].mirrorwatch.severity, 'high');
  });

  test('#12 device data is outside the seed\'s dataset filter: mirrorwatch alerts on SPAN/ERSPAN configuration', async () => {
    const text = '<189>77: sw-1: Nov 22 2026 13:00:00.000: %PARSER-5-CFGLOG_LOGGEDCMD: User:eve  logged command:monitor session 4 source interface Gi1/0/4 both\n';
    const { alerts } = await scanTexts([{ name: 'sw.log', text }]);
    assert.deepEqual(ruleNames(alerts), ['SPAN, RSPAN or ERSPAN Monitor Session Configured']);
    assert.equal(seeds('sw.log', text).eql, 0);
  });
});

describe('seed AQL defects (events.md §8.2)', () => {
  test('#1, #2, #6 mirrorwatch matches the record\'s own operation value, not a display or QID name', async () => {
    // REST form: the display name has spaces ("Create or Update Virtual Network Tap"); the value is what matters.
    const rest = {
      authorization: { action: 'Microsoft.Network/virtualNetworkTaps/write', scope: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkTaps/t1' },
      caller: 'ops@contoso.com',
      correlationId: 'corr-rest',
      eventDataId: 'ed-1',
      eventTimestamp: '2026-11-22T12:30:00.0000000Z',
      operationName: { value: 'Microsoft.Network/virtualNetworkTaps/write', localizedValue: 'Create or Update Virtual Network Tap' },
      resourceId: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkTaps/t1',
      status: { value: 'Succeeded', localizedValue: 'Succeeded' },
      subStatus: { value: 'Created', localizedValue: 'Created (HTTP Status Code: 201)' },
      category: { value: 'Administrative', localizedValue: 'Administrative' },
      httpRequest: { clientIpAddress: '203.0.113.8' },
      level: 'Informational',
    };
    const { alerts } = await scanTexts([{ name: 'activity.json', text: JSON.stringify([rest]) }]);
    assert.deepEqual(ruleNames(alerts), ['Azure Virtual Network TAP Created or Updated']);
  });

  test('#3 `%insertpacketmirroring%` never matches a real method: mirrorwatch alerts, the seed does not', async () => {
    const text = ndjson([gcp('v1.compute.packetMirrorings.insert', { id: 'operation-20', first: true }), gcp('beta.compute.packetMirrorings.patch', { id: 'operation-21', first: true }), gcp('v1.compute.packetMirrorings.delete', { id: 'operation-22', first: true })]);
    const { alerts } = await scanTexts([{ name: 'gcp.json', text }]);
    assert.equal(alerts.length, 3);
    assert.equal(seeds('gcp.json', text).aql, 0, 'the AQL has no GCP coverage at all');
  });

  test('#4 the AQL misses four AWS mutating calls: mirrorwatch alerts on each', async () => {
    const names = ['ModifyTrafficMirrorFilterNetworkServices', 'DeleteTrafficMirrorTarget', 'DeleteTrafficMirrorFilter', 'DeleteTrafficMirrorFilterRule'];
    const text = ndjson(names.map((n, i) => trail(n, {}, 100 + i)));
    const { alerts } = await scanTexts([{ name: 'ct.json', text }]);
    assert.equal(alerts.length, 4);
    assert.equal(seeds('ct.json', text).aql, 0);
  });

  test('#5 no source scoping: mirrorwatch requires the EC2 service, so a lookalike name from another source does not alert', async () => {
    // CloudTrail Lake accepts custom events from any source; only ec2.amazonaws.com mirrors traffic.
    const text = ndjson([trail('CreateTrafficMirrorSession', { eventSource: 'inventory.example.com' }, 300)]);
    const { alerts } = await scanTexts([{ name: 'ct.json', text }]);
    assert.equal(alerts.length, 0);
    assert.equal(seeds('ct.json', text).aql, 1);
  });

  test('#7 no duplicate handling: a CloudTrail record delivered twice and a GCP operation are one alert each', async () => {
    const session = trail('CreateTrafficMirrorSession', {}, 400);
    const ct = await scanTexts([
      { name: 'a.json', text: ndjson([session]) },
      { name: 'b.json', text: ndjson([session]) },
    ]);
    assert.equal(ct.alerts.length, 1);
    assert.deepEqual(ct.alerts[0].mirrorwatch.evidence[0].duplicates, ['b.json:1']);
    assert.equal(seeds('a.json', ndjson([session, session])).aql, 2);
  });
});
