/**
 * describeMirror: what was mirrored, to where, by whom, for every platform and object type, on hand-built events
 * whose fields have the canonical shapes (CloudTrail records, Azure Event Hub records with parsed properties, GCP
 * LogEntries, flat device records with command_line).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMirror } from '../../src/enrich/mirror.js';
import type { Dataset, Event } from '../../src/core/event.js';
import { haveSamples, samplesDir } from '../helpers/paths.js';

let seq = 0;
/** An event as a reader would emit it; `fields` is the canonical view. */
function event(dataset: Dataset, fields: Record<string, unknown>): Event {
  seq++;
  return {
    dataset,
    logsource: {},
    raw: fields,
    fields,
    time: '2026-11-23T02:41:07Z',
    timeMs: Date.parse('2026-11-23T02:41:07Z'),
    origin: { file: 'test.json', line: seq },
    recordKey: `r${seq}`,
    actionKey: 'a',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// AWS

const ACCT = '111122223333';
const consoleRole = {
  type: 'AssumedRole',
  principalId: 'AROA57JLR4M2SBAPVC4BO:MakeStuffPublic',
  arn: `arn:aws:sts::${ACCT}:assumed-role/MakeStuffPublic`,
  accountId: ACCT,
  accessKeyId: 'ASIA57JLR4M2ZZDJUXY3',
  sessionContext: {
    sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCT}:role/MakeStuffPublic`, accountId: ACCT, userName: 'MakeStuffPublic' },
    attributes: { creationDate: '2026-11-23T02:00:00Z', mfaAuthenticated: 'true' },
  },
};
const sdkRole = {
  type: 'AssumedRole',
  principalId: 'AROA2XQJ7WZK4HPLNV3TE:i-0d4f1e2a3b5c67890',
  arn: `arn:aws:sts::${ACCT}:assumed-role/app-backend-ec2/i-0d4f1e2a3b5c67890`,
  accountId: ACCT,
  sessionContext: { sessionIssuer: { type: 'Role', userName: 'app-backend-ec2' } },
};
const iamUser = { type: 'IAMUser', arn: `arn:aws:iam::${ACCT}:user/j.doe`, accountId: ACCT, userName: 'j.doe' };

/** A CloudTrail record for a traffic-mirroring call. */
function ct(eventName: string, o: Record<string, unknown> = {}): Event {
  const { request, response, identity, console: fromConsole, ...rest } = o;
  return event('aws.cloudtrail', {
    eventVersion: '1.09',
    userIdentity: identity ?? consoleRole,
    eventTime: '2026-11-23T02:41:07Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: fromConsole === false ? '203.0.113.77' : 'AWS Internal',
    userAgent: fromConsole === false ? 'aws-cli/2.15.30 Python/3.11.8' : 'AWS Internal',
    requestParameters: request === undefined ? null : { [`${eventName}Request`]: request },
    responseElements:
      response === undefined || 'errorCode' in rest
        ? null
        : { [`${eventName}Response`]: { ...(response as object), requestId: 'b56e2421-1fed-4052-b3ac-82daf374964c' } },
    eventID: '2212e8b1-b053-4388-9d3a-1bf963b1f075',
    readOnly: eventName.startsWith('Describe'),
    recipientAccountId: ACCT,
    ...(fromConsole === false ? {} : { sessionCredentialFromConsole: 'true' }),
    ...rest,
  });
}

const sessionRequest = {
  ClientToken: 'c773e3fd-0611-4fb0-a436-67fbef29031e',
  NetworkInterfaceId: 'eni-0c61fbc84fca4138f',
  SessionNumber: 1,
  TrafficMirrorFilterId: 'tmf-010db9a7d8056cc2d',
  TrafficMirrorTargetId: 'tmt-0fd4b591901182794',
};
const sessionResponse = {
  clientToken: 'c773e3fd-0611-4fb0-a436-67fbef29031e',
  trafficMirrorSession: {
    trafficMirrorSessionId: 'tms-05e1e21760419ecb6',
    trafficMirrorTargetId: 'tmt-0fd4b591901182794',
    trafficMirrorFilterId: 'tmf-010db9a7d8056cc2d',
    networkInterfaceId: 'eni-0c61fbc84fca4138f',
    ownerId: ACCT,
    packetLength: 128,
    sessionNumber: 1,
    virtualNetworkId: 7159709,
    tagSet: '',
  },
};

describe('AWS traffic mirroring', () => {
  test('a console session creating a session reads as "who copied which ENI to which target through which filter"', () => {
    const d = describeMirror([ct('CreateTrafficMirrorSession', { request: sessionRequest, response: sessionResponse })]);
    assert.equal(d.platform, 'aws');
    assert.equal(d.action, 'CreateTrafficMirrorSession');
    assert.equal(d.operation, 'create');
    assert.equal(d.objectType, 'session');
    assert.equal(d.objectId, 'tms-05e1e21760419ecb6');
    assert.deepEqual(d.sources, [{ kind: 'eni', id: 'eni-0c61fbc84fca4138f' }]);
    assert.deepEqual(d.destination, { kind: 'mirror-target', id: 'tmt-0fd4b591901182794' });
    assert.deepEqual(d.filter, { id: 'tmf-010db9a7d8056cc2d' });
    assert.equal(d.sessionNumber, 1);
    assert.equal(d.packetLength, 128);
    assert.equal(d.vni, 7159709);
    assert.equal(d.outcome, 'success');
    assert.equal(d.account, ACCT);
    assert.equal(d.region, 'us-east-1');
    assert.deepEqual(d.actor, {
      name: 'MakeStuffPublic',
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCT}:assumed-role/MakeStuffPublic`,
      console: true,
      userAgent: 'AWS Internal',
    });
    assert.equal(
      d.summary,
      'AssumedRole MakeStuffPublic (console) created traffic mirror session tms-05e1e21760419ecb6 copying ' +
        'eni-0c61fbc84fca4138f to target tmt-0fd4b591901182794 through filter tmf-010db9a7d8056cc2d in account ' +
        '111122223333 us-east-1',
    );
  });

  test('a failed creation is an attempt with the error code, taken from the request alone', () => {
    const d = describeMirror([
      ct('CreateTrafficMirrorSession', {
        request: sessionRequest,
        errorCode: 'Client.NetworkInterfaceNotSupported',
        errorMessage: 'eni-0c61fbc84fca4138f must be attached to a supported instance',
      }),
    ]);
    assert.equal(d.outcome, 'failure');
    assert.equal(d.outcomeReason, 'Client.NetworkInterfaceNotSupported');
    assert.equal(d.objectId, undefined);
    assert.deepEqual(d.sources, [{ kind: 'eni', id: 'eni-0c61fbc84fca4138f' }]);
    assert.match(d.summary, /^AssumedRole MakeStuffPublic \(console\) tried to create traffic mirror session copying eni-0c61fbc84fca4138f /);
    assert.match(d.summary, /\(Client\.NetworkInterfaceNotSupported\)$/);
  });

  test('denied and DryRun calls are labelled as such, never as a working mirror', () => {
    const denied = describeMirror([
      ct('CreateTrafficMirrorSession', { identity: sdkRole, console: false, request: sessionRequest, errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' }),
    ]);
    assert.equal(denied.outcome, 'denied');
    assert.match(denied.summary, /^AssumedRole app-backend-ec2 \(session i-0d4f1e2a3b5c67890\) was denied permission to create traffic mirror session /);
    const accessDenied = describeMirror([ct('DeleteTrafficMirrorFilter', { request: { TrafficMirrorFilterId: 'tmf-1' }, errorCode: 'AccessDenied' })]);
    assert.equal(accessDenied.outcome, 'denied');
    const dry = describeMirror([
      ct('CreateTrafficMirrorTarget', { request: { NetworkInterfaceId: 'eni-0fd6cc8547555878f', DryRun: true }, errorCode: 'Client.DryRunOperation', errorMessage: 'Request would have succeeded, but DryRun flag is set.' }),
    ]);
    assert.equal(dry.outcome, 'dry-run');
    assert.match(dry.summary, /checked with a dry run whether it may create traffic mirror target pointing at network interface eni-0fd6cc8547555878f/);
  });

  test('a target on a Network Load Balancer of another account names that account', () => {
    const nlb = 'arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/net/collector-nlb/4f2a9c1e7b3d5a60';
    const d = describeMirror([
      ct('CreateTrafficMirrorTarget', {
        identity: iamUser,
        console: false,
        request: { NetworkLoadBalancerArn: nlb, ClientToken: 'x' },
        response: { trafficMirrorTarget: { trafficMirrorTargetId: 'tmt-0b8e4d27c9a1f6e35', networkLoadBalancerArn: nlb, type: 'network-load-balancer', ownerId: ACCT, tagSet: '' } },
      }),
    ]);
    assert.equal(d.objectType, 'target');
    assert.equal(d.objectId, 'tmt-0b8e4d27c9a1f6e35');
    assert.deepEqual(d.destination, { kind: 'nlb', id: nlb, name: 'collector-nlb', account: '444455556666', crossAccount: true });
    assert.deepEqual(d.actor, {
      name: 'j.doe',
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCT}:user/j.doe`,
      sourceIp: '203.0.113.77',
      userAgent: 'aws-cli/2.15.30 Python/3.11.8',
    });
    assert.match(d.summary, /^IAMUser j\.doe created traffic mirror target tmt-0b8e4d27c9a1f6e35 pointing at network load balancer arn:.* \(owned by another account: 444455556666\) in account 111122223333 us-east-1$/);
  });

  test('ENI and Gateway Load Balancer endpoint targets', () => {
    const eni = describeMirror([
      ct('CreateTrafficMirrorTarget', {
        request: { NetworkInterfaceId: 'eni-0fd6cc8547555878f' },
        response: { trafficMirrorTarget: { networkInterfaceId: 'eni-0fd6cc8547555878f', trafficMirrorTargetId: 'tmt-0a45c694b91bcea54', type: 'network-interface' } },
      }),
    ]);
    assert.deepEqual(eni.destination, { kind: 'eni', id: 'eni-0fd6cc8547555878f' });
    const gwlb = describeMirror([ct('CreateTrafficMirrorTarget', { request: { GatewayLoadBalancerEndpointId: 'vpce-0e2f4a6c8b1d3f570' }, response: {} })]);
    assert.deepEqual(gwlb.destination, { kind: 'gwlb-endpoint', id: 'vpce-0e2f4a6c8b1d3f570' });
  });

  test('filters, filter rules (protocol names, CIDRs, ports) and network services', () => {
    const filter = describeMirror([
      ct('CreateTrafficMirrorFilter', {
        request: { ClientToken: 't', Description: 'ndr' },
        response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-010db9a7d8056cc2d', egressFilterRuleSet: '', ingressFilterRuleSet: '', networkServiceSet: '', tagSet: '' } },
      }),
    ]);
    assert.equal(filter.objectType, 'filter');
    assert.equal(filter.objectId, 'tmf-010db9a7d8056cc2d');
    assert.equal(filter.description, 'ndr');

    const rule = describeMirror([
      ct('CreateTrafficMirrorFilterRule', {
        request: {
          DestinationCidrBlock: '0.0.0.0/0',
          DestinationPortRange: { FromPort: 443, ToPort: 443 },
          Protocol: 6,
          RuleAction: 'accept',
          RuleNumber: 100,
          SourceCidrBlock: '10.0.0.0/8',
          SourcePortRange: { FromPort: 1024, ToPort: 65535 },
          TrafficDirection: 'egress',
          TrafficMirrorFilterId: 'tmf-010db9a7d8056cc2d',
        },
        response: { trafficMirrorFilterRule: { trafficMirrorFilterRuleId: 'tmfr-01669e70d44b9705a', trafficMirrorFilterId: 'tmf-010db9a7d8056cc2d' } },
      }),
    ]);
    assert.equal(rule.objectType, 'filter-rule');
    assert.equal(rule.objectId, 'tmfr-01669e70d44b9705a');
    assert.deepEqual(rule.filter, {
      id: 'tmf-010db9a7d8056cc2d',
      direction: 'egress',
      action: 'accept',
      ruleNumber: 100,
      protocols: ['tcp'],
      sourceCidrs: ['10.0.0.0/8'],
      destinationCidrs: ['0.0.0.0/0'],
      sourcePorts: '1024-65535',
      destinationPorts: '443',
    });
    assert.match(rule.summary, /filter rule tmfr-01669e70d44b9705a: accept egress tcp from 10\.0\.0\.0\/8 port 1024-65535 to 0\.0\.0\.0\/0 port 443 \(rule 100\)/);

    const modifyRule = describeMirror([
      ct('ModifyTrafficMirrorFilterRule', {
        request: { TrafficMirrorFilterRuleId: 'tmfr-0a2c4e6f8b1d3f5a7', SourceCidrBlock: '0.0.0.0/0', RemoveField: [{ content: 'destination-port-range', tag: 1 }, { content: 'protocol', tag: 2 }] },
        response: { trafficMirrorFilterRule: { trafficMirrorFilterRuleId: 'tmfr-0a2c4e6f8b1d3f5a7', protocol: 17 } },
      }),
    ]);
    assert.equal(modifyRule.operation, 'modify');
    assert.deepEqual(modifyRule.removedFields, ['destination-port-range', 'protocol']);
    assert.deepEqual(modifyRule.filter?.protocols, ['udp']);

    // A one-element list arrives as a bare {content, tag} object.
    const services = describeMirror([
      ct('ModifyTrafficMirrorFilterNetworkServices', {
        identity: { type: 'Root', principalId: ACCT, arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT },
        console: false,
        request: { TrafficMirrorFilterId: 'tmf-0e5c1a93b7d24f681', AddNetworkService: { content: 'amazon-dns', tag: 1 } },
        response: { trafficMirrorFilter: { trafficMirrorFilterId: 'tmf-0e5c1a93b7d24f681' } },
      }),
    ]);
    assert.equal(services.objectType, 'network-services');
    assert.deepEqual(services.filter, { id: 'tmf-0e5c1a93b7d24f681', addNetworkServices: ['amazon-dns'] });
    assert.deepEqual(services.actor.name, 'root');
    assert.equal(
      services.summary,
      'Root user modified the network services of traffic mirror filter tmf-0e5c1a93b7d24f681: added amazon-dns in account 111122223333 us-east-1',
    );
  });

  test('a session modification shows the resulting session and the removed fields', () => {
    const d = describeMirror([
      ct('ModifyTrafficMirrorSession', {
        request: { TrafficMirrorSessionId: 'tms-0a1b2c3d4e5f60789', TrafficMirrorTargetId: 'tmt-0b8e4d27c9a1f6e35', RemoveField: { content: 'packet-length', tag: 1 }, VirtualNetworkId: 12348395.0 },
        response: { trafficMirrorSession: { trafficMirrorSessionId: 'tms-0a1b2c3d4e5f60789', networkInterfaceId: 'eni-0a9b8c7d6e5f40312', trafficMirrorTargetId: 'tmt-0b8e4d27c9a1f6e35', trafficMirrorFilterId: 'tmf-0123456789abcdef0', sessionNumber: 1 } },
      }),
    ]);
    assert.equal(d.operation, 'modify');
    assert.equal(d.objectId, 'tms-0a1b2c3d4e5f60789');
    assert.equal(d.vni, 12348395);
    assert.deepEqual(d.removedFields, ['packet-length']);
    assert.deepEqual(d.sources, [{ kind: 'eni', id: 'eni-0a9b8c7d6e5f40312' }]);
    assert.match(d.summary, /modified traffic mirror session tms-0a1b2c3d4e5f60789 copying eni-0a9b8c7d6e5f40312 to target tmt-0b8e4d27c9a1f6e35 through filter tmf-0123456789abcdef0, removing packet-length in account/);
  });

  test('deletions of each resource name the deleted id', () => {
    const cases: [string, string, string, string][] = [
      ['DeleteTrafficMirrorSession', 'TrafficMirrorSessionId', 'tms-0a7f3c91e2d4b5860', 'session'],
      ['DeleteTrafficMirrorTarget', 'TrafficMirrorTargetId', 'tmt-0fd4b591901182794', 'target'],
      ['DeleteTrafficMirrorFilter', 'TrafficMirrorFilterId', 'tmf-04b6d8f0a2c4e6f81', 'filter'],
      ['DeleteTrafficMirrorFilterRule', 'TrafficMirrorFilterRuleId', 'tmfr-0a2c4e6f8b1d3f5a7', 'filter-rule'],
    ];
    for (const [name, reqKey, id, type] of cases) {
      const responseKey = reqKey.charAt(0).toLowerCase() + reqKey.slice(1);
      const d = describeMirror([ct(name, { request: { [reqKey]: id }, response: { [responseKey]: id } })]);
      assert.equal(d.operation, 'delete', name);
      assert.equal(d.objectType, type, name);
      assert.equal(d.objectId, id, name);
      assert.match(d.summary, new RegExp(`deleted traffic mirror .*${id}`), name);
    }
  });

  test('Describe calls are reads, in the plural, with the AWS service that made them', () => {
    const d = describeMirror([
      ct('DescribeTrafficMirrorFilterRules', {
        identity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/SomeAWSConfig/ConfigResourceCompositionSession',
          accountId: '123456789012',
          invokedBy: 'config.amazonaws.com',
          sessionContext: { sessionIssuer: { userName: 'PantherAWSConfig' } },
        },
        console: false,
        sourceIPAddress: 'config.amazonaws.com',
        request: { MaxResults: 1000 },
        recipientAccountId: '123456789012',
      }),
    ]);
    assert.equal(d.operation, 'read');
    assert.equal(d.objectType, 'filter-rule');
    assert.equal(d.actor.invokedBy, 'config.amazonaws.com');
    assert.equal(d.actor.sourceIp, undefined, 'a service name is not an IP');
    assert.equal(
      d.summary,
      'AssumedRole PantherAWSConfig (session ConfigResourceCompositionSession) via config.amazonaws.com listed traffic mirror filter rules in account 123456789012 us-east-1',
    );
  });

  test('the same record delivered twice describes like one', () => {
    const one = ct('CreateTrafficMirrorSession', { request: sessionRequest, response: sessionResponse });
    assert.deepEqual(describeMirror([one, { ...one }]), describeMirror([one]));
  });

  test('an unrelated call or broken fields never throw and say what happened', () => {
    const other = describeMirror([ct('RunInstances', { request: undefined, errorCode: 'Client.UnauthorizedOperation' })]);
    assert.equal(other.operation, 'other');
    assert.equal(other.objectType, 'unknown');
    assert.match(other.summary, /^AssumedRole MakeStuffPublic \(console\) was denied RunInstances in account/);
    const broken = describeMirror([
      event('aws.cloudtrail', { eventName: 'CreateTrafficMirrorSession', requestParameters: 'not json', responseElements: 42, userIdentity: null }),
    ]);
    assert.equal(broken.operation, 'create');
    assert.deepEqual(broken.sources, []);
    assert.deepEqual(broken.actor, {});
    assert.equal(broken.summary, 'unknown caller created traffic mirror session');
  });

  test('the Panther ModifyTrafficMirrorSession sample (float VNI, RemoveField list) is read as written', { skip: !haveSamples && 'reference samples not present' }, () => {
    const sample = JSON.parse(readFileSync(join(samplesDir, 'aws_cloudtrail_ModifyTrafficMirrorSession_RemoveField_panther.json'), 'utf8')) as { record: Record<string, unknown> };
    const d = describeMirror([event('aws.cloudtrail', sample.record)]);
    assert.equal(d.objectId, 'tms-05e1e21760419ecb6');
    assert.equal(d.vni, 12348395);
    assert.equal(d.sessionNumber, 2);
    assert.deepEqual(d.removedFields, ['description', 'packet-length']);
    assert.deepEqual(d.destination, { kind: 'mirror-target', id: 'tmt-0a45c694b91bcea54' });
    assert.equal(d.account, '123123123123');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Azure

const SUB = '6f2a8c4e-1b3d-4e5f-9a7b-0c1d2e3f4a5b';
const vtapId = `/subscriptions/${SUB}/resourceGroups/rg-netmon/providers/Microsoft.Network/virtualNetworkTaps/vtap-collector`;
const nicIpconfig = `/subscriptions/${SUB}/resourceGroups/rg-netmon/providers/Microsoft.Network/networkInterfaces/nic-ndr-sensor-01/ipConfigurations/ipconfig1`;
const userIdentity = {
  authorization: { scope: vtapId, action: 'Microsoft.Network/virtualNetworkTaps/write', evidence: { role: 'Network Contributor', principalType: 'User' } },
  claims: {
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'alex.kim@contoso.com',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'alex.kim@contoso.com',
    name: 'Alex Kim',
    appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
  },
};
const spIdentity = {
  authorization: { scope: vtapId, action: 'Microsoft.Network/virtualNetworkTaps/write', evidence: { role: 'Contributor', principalType: 'ServicePrincipal' } },
  claims: { appid: '8d3f1c2b-7a6e-4f5d-9c8b-1a2e3f4d5c6b', idtyp: 'app' },
};

/** An Activity Log record (Event Hub / storage schema) with `properties` already parsed, as the reader emits it. */
function az(o: Record<string, unknown>): Event {
  return event('azure.activitylogs', {
    time: '2026-11-23T10:15:42.1234567Z',
    category: 'Administrative',
    callerIpAddress: '203.0.113.45',
    correlationId: '0c5e8f2a-3b1d-4c7e-9a6f-2d4b8e1c7a53',
    level: 'Information',
    location: 'global',
    identity: userIdentity,
    ...o,
  });
}

describe('Azure virtual network TAP', () => {
  const start = az({
    operationName: 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE',
    resourceId: vtapId.toUpperCase(),
    resultType: 'Start',
    resultSignature: 'Started.',
    properties: { requestbody: { location: 'westeurope', properties: { destinationNetworkInterfaceIPConfiguration: { id: nicIpconfig }, destinationPort: 4789 } } },
  });
  const success = az({
    operationName: 'Microsoft.Network/virtualNetworkTaps/write',
    resourceId: vtapId,
    resultType: 'Success',
    resultSignature: 'Succeeded.Created',
    properties: {
      statusCode: 'Created',
      responseBody: JSON.stringify({
        name: 'vtap-collector',
        id: vtapId,
        location: 'westeurope',
        properties: {
          destinationNetworkInterfaceIPConfiguration: { id: nicIpconfig },
          destinationPort: 4789,
          networkInterfaceTapConfigurations: [{ id: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkInterfaces/nic-web-03/tapConfigurations/ndr-tap` }],
        },
      }),
    },
  });

  test('a Start record alone is a running create-or-update, with the destination from the request body', () => {
    const d = describeMirror([start]);
    assert.equal(d.platform, 'azure');
    assert.equal(d.objectType, 'vtap');
    assert.equal(d.operation, 'create');
    assert.equal(d.outcome, 'unknown');
    // Original casing from identity.authorization.scope, not the upper-cased export.
    assert.equal(d.objectId, vtapId);
    assert.equal(d.objectName, 'vtap-collector');
    assert.equal(d.subscription, SUB);
    assert.equal(d.resourceGroup, 'rg-netmon');
    assert.equal(d.region, 'westeurope');
    assert.deepEqual(d.destination, { kind: 'nic-ipconfig', id: nicIpconfig, name: 'nic-ndr-sensor-01/ipconfig1', port: 4789, account: SUB, crossAccount: false });
    assert.deepEqual(d.actor, { name: 'alex.kim@contoso.com', type: 'User', upn: 'alex.kim@contoso.com', sourceIp: '203.0.113.45' });
    assert.equal(
      d.summary,
      'alex.kim@contoso.com started to create or update virtual network TAP vtap-collector sending copies to NIC IP ' +
        `configuration nic-ndr-sensor-01/ipconfig1 on UDP port 4789 in subscription ${SUB} (resource group rg-netmon) westeurope`,
    );
  });

  test('Start and Success of one operation merge: the final status settles create and success', () => {
    const d = describeMirror([start, success]);
    assert.equal(d.operation, 'create');
    assert.equal(d.outcome, 'success');
    assert.deepEqual(d.sources, [
      {
        kind: 'nic',
        id: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkInterfaces/nic-web-03/tapConfigurations/ndr-tap`,
        name: 'nic-web-03',
      },
    ]);
    assert.match(d.summary, /^alex\.kim@contoso\.com created virtual network TAP vtap-collector copying NIC nic-web-03 sending copies to NIC IP configuration/);
    // Order does not matter.
    assert.equal(describeMirror([success, start]).outcome, 'success');
  });

  test('an update (status OK) is a modification; a load balancer frontend in another subscription is flagged', () => {
    const other = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const lb = `/subscriptions/${other}/resourceGroups/rg-x/providers/Microsoft.Network/loadBalancers/lb-mirror-int/frontendIPConfigurations/fe-vxlan`;
    const d = describeMirror([
      az({
        operationName: 'microsoft.network/virtualnetworktaps/write',
        resourceId: vtapId.toLowerCase(),
        resultType: 'Success',
        resultSignature: 'Succeeded.OK',
        properties: { statusCode: 'OK', responseBody: { properties: { destinationLoadBalancerFrontEndIPConfiguration: { id: lb }, destinationPort: 4790 } } },
      }),
    ]);
    assert.equal(d.operation, 'modify');
    assert.deepEqual(d.destination, { kind: 'lb-frontend', id: lb, name: 'lb-mirror-int/fe-vxlan', port: 4790, account: other, crossAccount: true });
    assert.match(d.summary, /modified virtual network TAP vtap-collector sending copies to load balancer frontend lb-mirror-int\/fe-vxlan on UDP port 4790 \(owned by another subscription: 0a1b2c3d-/);
  });

  test('an AuthorizationFailed failure by a service principal is denied', () => {
    const d = describeMirror([
      az({
        identity: spIdentity,
        operationName: 'microsoft.network/virtualnetworktaps/write',
        resourceId: vtapId,
        resultType: 'Failure',
        resultSignature: 'Failed.Forbidden',
        properties: { statusCode: 'Forbidden', statusMessage: JSON.stringify({ error: { code: 'AuthorizationFailed', message: 'The client … does not have authorization' } }) },
      }),
    ]);
    assert.equal(d.outcome, 'denied');
    assert.equal(d.outcomeReason, 'AuthorizationFailed');
    assert.deepEqual(d.actor, { name: 'application 8d3f1c2b-7a6e-4f5d-9c8b-1a2e3f4d5c6b', type: 'ServicePrincipal', appId: '8d3f1c2b-7a6e-4f5d-9c8b-1a2e3f4d5c6b', sourceIp: '203.0.113.45' });
    assert.match(d.summary, /^service principal 8d3f1c2b-7a6e-4f5d-9c8b-1a2e3f4d5c6b was denied permission to create or update virtual network TAP vtap-collector .* \(AuthorizationFailed\)$/);
  });

  test('a NIC tap configuration copies its NIC to the TAP; its deletion names what it copied', () => {
    const tapcfg = `/subscriptions/${SUB}/resourceGroups/rg-prod-db/providers/Microsoft.Network/networkInterfaces/nic-sql-prod-01/tapConfigurations/tapcfg-sql`;
    const write = describeMirror([
      az({
        operationName: 'MICROSOFT.NETWORK/NETWORKINTERFACES/TAPCONFIGURATIONS/WRITE',
        resourceId: tapcfg.toUpperCase(),
        identity: { ...userIdentity, authorization: { ...userIdentity.authorization, scope: tapcfg } },
        resultType: 'Success',
        resultSignature: 'Succeeded.Created',
        properties: { statusCode: 'Created', requestbody: JSON.stringify({ properties: { virtualNetworkTap: { id: vtapId } } }) },
      }),
    ]);
    assert.equal(write.objectType, 'tap-configuration');
    assert.equal(write.objectName, 'tapcfg-sql');
    assert.deepEqual(write.sources, [{ kind: 'nic', id: tapcfg.slice(0, tapcfg.indexOf('/tapConfigurations/')), name: 'nic-sql-prod-01' }]);
    assert.deepEqual(write.destination, { kind: 'vtap', id: vtapId, name: 'vtap-collector' });
    assert.equal(
      write.summary,
      `alex.kim@contoso.com created NIC tap configuration tapcfg-sql copying NIC nic-sql-prod-01 to virtual network TAP vtap-collector in subscription ${SUB} (resource group rg-prod-db)`,
    );
    const del = describeMirror([
      az({ operationName: 'Microsoft.Network/networkInterfaces/tapConfigurations/delete', resourceId: tapcfg, resultType: 'Success', resultSignature: 'Succeeded.OK', properties: { statusCode: 'OK' } }),
    ]);
    assert.equal(del.operation, 'delete');
    assert.match(del.summary, /deleted NIC tap configuration tapcfg-sql that copied NIC nic-sql-prod-01 in subscription/);
  });

  test('vTAP deletion, join/action and the REST form of operationName', () => {
    const del = describeMirror([az({ operationName: 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/DELETE', resourceId: vtapId.toUpperCase(), resultType: 'Start' })]);
    assert.equal(del.operation, 'delete');
    assert.match(del.summary, /started to delete virtual network TAP vtap-collector/);
    const join = describeMirror([az({ operationName: 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/JOIN/ACTION', resourceId: vtapId, resultType: 'Success' })]);
    assert.equal(join.operation, 'other');
    assert.match(join.summary, /performed MICROSOFT\.NETWORK\/VIRTUALNETWORKTAPS\/JOIN\/ACTION on virtual network TAP vtap-collector/);
    const rest = describeMirror([
      event('azure.activitylogs', {
        operationName: { value: 'Microsoft.Network/virtualNetworkTaps/delete', localizedValue: 'Delete Virtual Network Tap' },
        status: { value: 'Succeeded' },
        resourceId: vtapId,
        caller: 'rob@contoso.com',
      }),
    ]);
    assert.equal(rest.operation, 'delete');
    assert.equal(rest.outcome, 'success');
    assert.equal(rest.actor.name, 'rob@contoso.com');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// GCP

const P = 'acme-prod-network';
const url = (path: string): string => `https://www.googleapis.com/compute/v1/projects/${P}/${path}`;

/** A Cloud Audit Logs LogEntry. */
function gcp(methodName: string, o: { request?: Record<string, unknown>; resourceName?: string; op?: 'first' | 'last'; status?: Record<string, unknown>; email?: string } = {}): Event {
  const email = o.email ?? 'alex.kim@example.com';
  const resourceName = o.resourceName ?? `projects/${P}/regions/us-central1/packetMirrorings/pm-prod-debug`;
  const sa = email.endsWith('.gserviceaccount.com');
  return event('gcp.audit', {
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      ...(o.status ? { status: o.status } : {}),
      authenticationInfo: { principalEmail: email, principalSubject: `${sa ? 'serviceAccount' : 'user'}:${email}` },
      requestMetadata: { callerIp: sa ? 'private' : '203.0.113.45', callerSuppliedUserAgent: 'google-cloud-sdk gcloud/497.0.0' },
      serviceName: 'compute.googleapis.com',
      methodName,
      resourceName,
      ...(o.request ? { request: { '@type': `type.googleapis.com/compute.${methodName.split('.').slice(2).join('.')}`, ...o.request } } : {}),
    },
    insertId: '-8k2f1xe4b7qa',
    resource: resourceName.includes('/packetMirrorings/')
      ? { type: 'gce_packet_mirroring', labels: { project_id: P, packet_mirroring_id: '4837261943650128765', region: 'us-central1' } }
      : { type: 'audited_resource', labels: { method: methodName, project_id: P, service: 'compute.googleapis.com' } },
    severity: 'NOTICE',
    logName: `projects/${P}/logs/cloudaudit.googleapis.com%2Factivity`,
    ...(o.op ? { operation: { id: 'operation-1795486512837-62a9f3c41d7e2-5b8e91c4-7f0a2d63', producer: 'compute.googleapis.com', [o.op]: true } } : {}),
  });
}

const insertBody = {
  name: 'pm-prod-debug',
  network: { url: url('global/networks/prod-vpc') },
  priority: 1000,
  collectorIlb: { url: url('regions/us-central1/forwardingRules/fr-collector-ilb') },
  mirroredResources: {
    subnetworks: [{ url: url('regions/us-central1/subnetworks/prod-payments') }],
    instances: [{ url: url('zones/us-central1-a/instances/db-1') }],
    tags: ['pci-db'],
  },
  filter: { direction: 'BOTH', cidrRanges: ['0.0.0.0/0'], IPProtocols: ['tcp', 'udp'] },
  enable: 'TRUE',
};

describe('GCP packet mirroring', () => {
  test('the first entry of an insert: subnetworks, instances and tags copied to the collector ILB through the filter', () => {
    const d = describeMirror([gcp('v1.compute.packetMirrorings.insert', { request: insertBody, op: 'first' })]);
    assert.equal(d.platform, 'gcp');
    assert.equal(d.operation, 'create');
    assert.equal(d.objectType, 'packet-mirroring');
    assert.equal(d.objectId, `projects/${P}/regions/us-central1/packetMirrorings/pm-prod-debug`);
    assert.equal(d.objectName, 'pm-prod-debug');
    assert.deepEqual(d.sources, [
      { kind: 'subnet', id: url('regions/us-central1/subnetworks/prod-payments'), name: 'prod-payments' },
      { kind: 'instance', id: url('zones/us-central1-a/instances/db-1'), name: 'db-1' },
      { kind: 'tag', id: 'pci-db' },
    ]);
    assert.deepEqual(d.destination, { kind: 'ilb', id: url('regions/us-central1/forwardingRules/fr-collector-ilb'), name: 'fr-collector-ilb' });
    assert.deepEqual(d.filter, { direction: 'BOTH', cidrs: ['0.0.0.0/0'], protocols: ['tcp', 'udp'] });
    assert.equal(d.enabled, true);
    assert.equal(d.priority, 1000);
    assert.equal(d.outcome, 'unknown', 'a first entry is still RUNNING');
    assert.equal(d.project, P);
    assert.equal(d.region, 'us-central1');
    assert.deepEqual(d.actor, { name: 'alex.kim@example.com', type: 'user', email: 'alex.kim@example.com', sourceIp: '203.0.113.45', userAgent: 'google-cloud-sdk gcloud/497.0.0' });
    assert.equal(
      d.summary,
      'alex.kim@example.com started to create packet mirroring policy pm-prod-debug copying subnetwork prod-payments, ' +
        'instance db-1, tag pci-db to internal load balancer fr-collector-ilb (filter BOTH; 0.0.0.0/0; tcp, udp) in project ' +
        'acme-prod-network us-central1',
    );
  });

  test('first and last entries of one operation merge into a success; beta and alpha names are recognised', () => {
    const d = describeMirror([
      gcp('beta.compute.packetMirrorings.insert', { request: insertBody, op: 'first' }),
      gcp('beta.compute.packetMirrorings.insert', { op: 'last' }),
    ]);
    assert.equal(d.outcome, 'success');
    assert.equal(d.operation, 'create');
    assert.match(d.summary, /^alex\.kim@example\.com created packet mirroring policy pm-prod-debug copying/);
    assert.equal(describeMirror([gcp('alpha.compute.packetMirrorings.delete', { op: 'last' })]).operation, 'delete');
  });

  test('a patch with enable FALSE says mirroring was switched off', () => {
    const d = describeMirror([gcp('v1.compute.packetMirrorings.patch', { request: { enable: 'FALSE' }, op: 'first', email: 'terraform-ci@acme-prod-network.iam.gserviceaccount.com' })]);
    assert.equal(d.operation, 'modify');
    assert.equal(d.enabled, false);
    assert.equal(d.actor.type, 'serviceAccount');
    assert.equal(d.actor.sourceIp, undefined, '"private" is not an IP');
    assert.equal(
      d.summary,
      'service account terraform-ci@acme-prod-network.iam.gserviceaccount.com started to modify packet mirroring policy pm-prod-debug, switching mirroring off (enable FALSE) in project acme-prod-network us-central1',
    );
  });

  test('a denied insert (status code 7) is denied with the status message', () => {
    const d = describeMirror([
      gcp('v1.compute.packetMirrorings.insert', { request: { name: 'pm-x' }, status: { code: 7, message: "Required 'compute.packetMirrorings.create' permission" } }),
    ]);
    assert.equal(d.outcome, 'denied');
    assert.equal(d.outcomeReason, "Required 'compute.packetMirrorings.create' permission");
    assert.match(d.summary, /was denied permission to create packet mirroring policy pm-x/);
  });

  test('reads: get names one policy, aggregatedList lists them all', () => {
    const get = describeMirror([gcp('v1.compute.packetMirrorings.get')]);
    assert.equal(get.operation, 'read');
    assert.equal(get.outcome, 'success');
    assert.match(get.summary, /^alex\.kim@example\.com read packet mirroring policy pm-prod-debug in project/);
    const list = describeMirror([gcp('v1.compute.packetMirrorings.aggregatedList', { resourceName: `projects/${P}/aggregated/packetMirrorings` })]);
    assert.equal(list.objectId, undefined);
    assert.match(list.summary, /^alex\.kim@example\.com listed packet mirroring policies in project acme-prod-network$/);
  });

  test('firewall-policy mirroring rules: match, action, profile group, priority', () => {
    const fp = `projects/${P}/global/firewallPolicies/fp-global-egress`;
    const add = describeMirror([
      gcp('v1.compute.networkFirewallPolicies.addPacketMirroringRule', {
        resourceName: fp,
        op: 'first',
        request: {
          priority: 100,
          ruleName: 'mirror-all-egress',
          action: 'mirror',
          direction: 'EGRESS',
          match: { srcIpRanges: ['10.20.0.0/16'], destIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['443', '5432'] }, { ipProtocol: 'udp' }] },
          securityProfileGroup: '//networksecurity.googleapis.com/organizations/482910374651/locations/global/securityProfileGroups/spg-custom-mirroring',
          disabled: false,
        },
      }),
    ]);
    assert.equal(add.objectType, 'mirroring-rule');
    assert.equal(add.operation, 'create');
    assert.equal(add.objectId, `${fp}#100`);
    assert.equal(add.objectName, 'mirror-all-egress (priority 100) in firewall policy fp-global-egress');
    assert.deepEqual(add.filter, { action: 'mirror', direction: 'EGRESS', sourceCidrs: ['10.20.0.0/16'], destinationCidrs: ['0.0.0.0/0'], protocols: ['tcp/443,5432', 'udp'] });
    assert.equal(add.destination?.kind, 'profile-group');
    assert.equal(add.destination?.name, 'spg-custom-mirroring');
    assert.equal(add.enabled, true);
    assert.match(add.summary, /started to create firewall-policy packet mirroring rule mirror-all-egress \(priority 100\) in firewall policy fp-global-egress to security profile group spg-custom-mirroring: mirror EGRESS tcp\/443,5432, udp from 10\.20\.0\.0\/16 to 0\.0\.0\.0\/0 in project acme-prod-network$/);
    const patch = describeMirror([gcp('v1.compute.regionNetworkFirewallPolicies.patchPacketMirroringRule', { resourceName: `projects/${P}/regions/us-central1/firewallPolicies/fp-uc1`, request: { priority: 200 }, op: 'last' })]);
    assert.equal(patch.operation, 'modify');
    assert.equal(patch.region, 'us-central1');
    const remove = describeMirror([gcp('beta.compute.firewallPolicies.removePacketMirroringRule', { resourceName: 'locations/global/firewallPolicies/917364025183', request: { priority: 10 }, op: 'last' })]);
    assert.equal(remove.operation, 'delete');
    assert.equal(remove.objectType, 'mirroring-rule');
    const plainRule = describeMirror([gcp('v1.compute.networkFirewallPolicies.addRule', { resourceName: fp, request: { priority: 1000, action: 'allow' } })]);
    assert.equal(plainRule.operation, 'other');
    assert.equal(plainRule.objectType, 'unknown');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Network devices

/** A device line as the syslog reader emits it: `command_line` is `config_context ; command`. */
function dev(command: string, context = '', o: Record<string, unknown> = {}): Event {
  const dataset = (o.dataset as Dataset | undefined) ?? 'cisco_ios.log';
  return event(dataset, {
    host: 'sw-core-1',
    vendor: 'cisco',
    os: 'ios',
    log_type: 'syslog',
    facility: 'PARSER',
    severity: 5,
    mnemonic: 'CFGLOG_LOGGEDCMD',
    user: 'admin',
    source_ip: '',
    command,
    config_context: context,
    command_line: context === '' ? command : `${context} ; ${command}`,
    status: '',
    ...o,
  });
}

describe('network devices', () => {
  test('an IOS-XE ERSPAN session typed in sub-mode reads as one sentence', () => {
    const parent = 'monitor session 1 type erspan-source';
    const d = describeMirror([
      dev(parent),
      dev('source interface Gi1/0/1 rx', parent),
      dev('no shutdown', parent),
      dev('destination', parent),
      dev('erspan-id 100', `${parent} ; destination`),
      dev('ip address 192.0.2.10', `${parent} ; destination`),
    ]);
    assert.equal(d.platform, 'network-device');
    assert.equal(d.operation, 'configure');
    assert.equal(d.objectType, 'erspan');
    assert.equal(d.objectId, '1');
    assert.equal(d.sessionNumber, 1);
    assert.equal(d.erspanId, 100);
    assert.equal(d.enabled, true);
    assert.deepEqual(d.sources, [{ kind: 'interface', id: 'Gi1/0/1', direction: 'rx' }]);
    assert.deepEqual(d.destination, { kind: 'ip', id: '192.0.2.10' });
    assert.equal(d.action, parent);
    assert.equal(d.device, 'sw-core-1');
    assert.equal(d.outcome, 'unknown');
    assert.equal(d.summary, 'admin on sw-core-1 configured ERSPAN session 1 copying Gi1/0/1 (rx) to 192.0.2.10 (erspan-id 100)');
  });

  test('typed abbreviations and interface lists are understood', () => {
    const d = describeMirror([dev('mon ses 1 sou int gi1/0/1 , gi1/0/3 - 5 tx')]);
    assert.equal(d.objectType, 'span');
    assert.deepEqual(d.sources, [
      { kind: 'interface', id: 'gi1/0/1', direction: 'tx' },
      { kind: 'interface', id: 'gi1/0/3 - 5', direction: 'tx' },
    ]);
    const dest = describeMirror([dev('monitor session 1 destination interface GigabitEthernet1/0/24 encapsulation replicate')]);
    assert.deepEqual(dest.destination, { kind: 'interface', id: 'GigabitEthernet1/0/24' });
    const vlans = describeMirror([dev('monitor session 2 source vlan 10 - 12 rx'), dev('monitor session 2 filter vlan 10')]);
    assert.deepEqual(vlans.sources, [{ kind: 'vlan', id: '10 - 12', direction: 'rx' }]);
    assert.deepEqual(vlans.filter, { vlans: ['10'] });
  });

  test('NX-OS accounting: mode path with "configure terminal", destination ip and the SUCCESS/FAILURE status', () => {
    const nx = { dataset: 'cisco_nxos.log', host: 'n9k-agg-1', os: 'nxos', log_type: 'nxos_accounting', user: 'netops', source_ip: '198.51.100.24', status: 'success' };
    const ctx = 'configure terminal ; monitor session 2 type erspan-source';
    const d = describeMirror([
      dev('monitor session 2 type erspan-source', 'configure terminal', nx),
      dev('erspan-id 100', ctx, nx),
      dev('vrf default', ctx, nx),
      dev('destination ip 192.0.2.10', ctx, nx),
      dev('source interface ethernet 1/5 both', ctx, nx),
    ]);
    assert.equal(d.objectType, 'erspan');
    assert.equal(d.outcome, 'success');
    assert.deepEqual(d.destination, { kind: 'ip', id: '192.0.2.10', vrf: 'default' });
    assert.deepEqual(d.sources, [{ kind: 'interface', id: 'ethernet 1/5', direction: 'both' }]);
    assert.deepEqual(d.actor, { name: 'netops', type: 'device-user', sourceIp: '198.51.100.24' });
    assert.equal(d.summary, 'netops on n9k-agg-1 configured ERSPAN session 2 copying ethernet 1/5 (both) to 192.0.2.10 (erspan-id 100, vrf default)');
    const failed = describeMirror([dev('monitor session 1 source interface Ethernet1/99 both', 'configure terminal', { ...nx, status: 'FAILURE' })]);
    assert.equal(failed.outcome, 'failure');
    assert.match(failed.summary, /^netops on n9k-agg-1 tried to configure SPAN session 1 copying Ethernet1\/99 \(both\)/);
  });

  test('RSPAN: remote VLAN destination and source, and the RSPAN VLAN itself', () => {
    const src = describeMirror([dev('monitor session 1 source interface Gi1/0/5 both'), dev('monitor session 1 destination remote vlan 901')]);
    assert.equal(src.objectType, 'rspan');
    assert.deepEqual(src.destination, { kind: 'vlan', id: '901' });
    assert.equal(src.summary, 'admin on sw-core-1 configured RSPAN session 1 copying Gi1/0/5 (both) to remote VLAN 901');
    const dst = describeMirror([dev('monitor session 2 source remote vlan 901')]);
    assert.deepEqual(dst.sources, [{ kind: 'remote-vlan', id: '901' }]);
    const vlan = describeMirror([dev('vlan 901'), dev('remote-span', 'vlan 901')]);
    assert.equal(vlan.objectType, 'rspan');
    assert.equal(vlan.summary, 'admin on sw-core-1 configured RSPAN VLAN 901');
  });

  test('Arista GRE tunnel destination', () => {
    const eos = { dataset: 'tacacs.accounting', host: '10.20.0.9', vendor: 'cisco', os: 'aaa', log_type: 'tacacs_accounting' };
    const d = describeMirror([dev('monitor session S1 destination tunnel mode gre source 10.0.0.1 destination 192.0.2.10', '', eos)]);
    assert.equal(d.objectType, 'erspan');
    assert.equal(d.objectId, 'S1');
    assert.equal(d.sessionNumber, undefined);
    assert.deepEqual(d.destination, { kind: 'gre', id: '192.0.2.10', origin: '10.0.0.1' });
    assert.equal(d.summary, 'admin on 10.20.0.9 configured ERSPAN session S1 to 192.0.2.10 over GRE (origin 10.0.0.1)');
  });

  test('IOS-XR: global monitor-session with its destination, interface attachment, tunnel-ip and removal', () => {
    const xr = { dataset: 'cisco_iosxr.log', host: 'asr9k-pe1', os: 'iosxr' };
    const global = describeMirror([dev('monitor-session SPAN1 ethernet', '', xr), dev('destination interface GigabitEthernet0/0/0/1', 'monitor-session SPAN1 ethernet', xr)]);
    assert.equal(global.objectType, 'span');
    assert.deepEqual(global.destination, { kind: 'interface', id: 'GigabitEthernet0/0/0/1' });
    const attach = describeMirror([dev('monitor-session SPAN1 ethernet direction rx-only', 'interface GigabitEthernet0/0/0/0', xr)]);
    assert.equal(attach.objectId, 'SPAN1');
    assert.deepEqual(attach.sources, [{ kind: 'interface', id: 'GigabitEthernet0/0/0/0', direction: 'rx' }]);
    assert.equal(attach.summary, 'admin on asr9k-pe1 configured SPAN session SPAN1 copying GigabitEthernet0/0/0/0 (rx)');
    const tunnel = describeMirror([dev('destination interface tunnel-ip1', 'monitor-session ERSPAN1 ethernet', xr)]);
    assert.equal(tunnel.objectType, 'erspan');
    const removed = describeMirror([dev('no monitor-session SPAN1', '', xr)]);
    assert.equal(removed.operation, 'remove');
    assert.equal(removed.summary, 'admin on asr9k-pe1 removed SPAN session SPAN1');
  });

  test('Junos analyzer and port mirroring, absolute and edit-relative, and their deletion', () => {
    const junos = { dataset: 'juniper.log', host: 'ex4300-dc1', vendor: 'juniper', os: 'junos', mnemonic: 'UI_CMDLINE_READ_LINE', user: 'jnpr-admin' };
    const analyzer = describeMirror([
      dev('set forwarding-options analyzer A1 input ingress interface ge-0/0/1.0', '', junos),
      dev('set forwarding-options analyzer A1 input egress interface ge-0/0/2.0', '', junos),
      dev('set forwarding-options analyzer A1 output ip-address 192.0.2.10', '', junos),
    ]);
    assert.equal(analyzer.objectType, 'analyzer');
    assert.equal(analyzer.objectId, 'A1');
    assert.deepEqual(analyzer.sources, [
      { kind: 'interface', id: 'ge-0/0/1.0', direction: 'rx' },
      { kind: 'interface', id: 'ge-0/0/2.0', direction: 'tx' },
    ]);
    assert.deepEqual(analyzer.destination, { kind: 'ip', id: '192.0.2.10' });
    assert.equal(analyzer.summary, 'jnpr-admin on ex4300-dc1 configured analyzer A1 copying ge-0/0/1.0 (rx), ge-0/0/2.0 (tx) to 192.0.2.10');
    const relative = describeMirror([dev('set analyzer A2 output interface ge-0/0/10.0', 'edit forwarding-options', junos)]);
    assert.equal(relative.objectId, 'A2');
    assert.deepEqual(relative.destination, { kind: 'interface', id: 'ge-0/0/10.0' });
    const nested = describeMirror([dev('set output ip-address 192.0.2.10', 'edit forwarding-options analyzer A2', junos)]);
    assert.equal(nested.objectId, 'A2');
    assert.deepEqual(nested.destination, { kind: 'ip', id: '192.0.2.10' });
    const navigation = describeMirror([dev('edit analyzer A2', 'edit forwarding-options', junos)]);
    assert.equal(navigation.operation, 'other', 'moving to an edit level changes nothing');
    const pm = describeMirror([dev('set groups MIRRORING forwarding-options port-mirroring instance pm1 family inet output interface ge-0/0/2.0 next-hop 10.0.0.2', '', junos)]);
    assert.equal(pm.objectType, 'port-mirroring');
    assert.deepEqual(pm.destination, { kind: 'interface', id: 'ge-0/0/2.0', nextHop: '10.0.0.2' });
    const term = describeMirror([dev('set firewall family inet filter MIRROR term all then port-mirror', '', junos)]);
    assert.equal(term.objectType, 'port-mirroring');
    assert.deepEqual(term.filter, { acl: 'MIRROR term all' });
    const del = describeMirror([dev('delete forwarding-options analyzer A1', '', { ...junos, mnemonic: 'UI_CFG_AUDIT_OTHER' })]);
    assert.equal(del.operation, 'remove');
    const show = describeMirror([dev('show configuration forwarding-options analyzer', '', junos)]);
    assert.equal(show.operation, 'other');
  });

  test('removal, legacy CatOS SPAN and Embedded Packet Capture', () => {
    const no = describeMirror([dev('no monitor session 1')]);
    assert.equal(no.operation, 'remove');
    assert.equal(no.objectId, '1');
    assert.equal(no.summary, 'admin on sw-core-1 removed SPAN session 1');
    const span = describeMirror([dev('set span 1/1 2/1 both')]);
    assert.deepEqual(span.sources, [{ kind: 'interface', id: '1/1', direction: 'both' }]);
    assert.deepEqual(span.destination, { kind: 'interface', id: '2/1' });
    const rspan = describeMirror([dev('set rspan source 3/1-4 901 rx')]);
    assert.equal(rspan.objectType, 'rspan');
    assert.deepEqual(rspan.destination, { kind: 'vlan', id: '901' });
    const epc = describeMirror([dev('monitor capture CAP interface GigabitEthernet1/0/1 both')]);
    assert.equal(epc.objectType, 'capture');
    assert.equal(epc.summary, 'admin on sw-core-1 configured packet capture CAP copying GigabitEthernet1/0/1 (both)');
    const point = describeMirror([dev('!exec: monitor capture point ip cef POINT1 GigabitEthernet0/1 both')]);
    assert.equal(point.objectId, 'POINT1');
  });

  test('SPAN state messages have no user and no command', () => {
    const d = describeMirror([
      event('cisco_ios.log', { host: 'sw-core-1', vendor: 'cisco', os: 'ios', log_type: 'syslog', facility: 'SPAN', severity: 6, mnemonic: 'SESSION_UP', message: 'Session 1 is up', user: '', command: '', config_context: '', command_line: '' }),
    ]);
    assert.equal(d.operation, 'state');
    assert.equal(d.objectType, 'span');
    assert.equal(d.objectId, '1');
    assert.deepEqual(d.actor, {});
    assert.equal(d.summary, 'sw-core-1 reported SPAN session 1 up (%SPAN-6-SESSION_UP)');
  });

  test('a show command describes as an action, not a mirror', () => {
    const d = describeMirror([dev('show monitor session all')]);
    assert.equal(d.operation, 'other');
    assert.equal(d.summary, 'admin on sw-core-1 performed show monitor session all');
  });
});

describe('contract', () => {
  test('an alert without evidence is a bug', () => {
    assert.throws(() => describeMirror([]), /at least one event/);
  });

  test('events of different platforms in one alert are a bug', () => {
    assert.throws(() => describeMirror([ct('CreateTrafficMirrorSession'), dev('monitor session 1 source interface Gi1/0/1')]), /share a platform/);
  });
});
