import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { Event } from '../../src/core/event.js';
import { cloudtrailEcs, javaMapString } from '../../src/normalize/aws-cloudtrail.js';
import { azureActivityReader } from '../../src/readers/azure-activity.js';
import { cloudtrailDigestReader, cloudtrailReader } from '../../src/readers/cloudtrail.js';
import { gcpAuditReader } from '../../src/readers/gcp-audit.js';
import { haveSamples, samplesDir } from '../helpers/paths.js';
import { at, CHUNKINGS, fixture, readWith, sample, type ReadResult } from './json-records-harness.js';

const ACCT = '111122223333';
const S3_FILE = `AWSLogs/${ACCT}/CloudTrail/us-east-1/2024/05/14/${ACCT}_CloudTrail_us-east-1_20240514T1335Z_Xk3p9LmQ2vR8sT1a.json`;
const DIGEST_FILE = `AWSLogs/${ACCT}/CloudTrail-Digest/us-east-1/2024/05/14/${ACCT}_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240514T140211Z.json`;
const SESSION_ID = '6b0e3a9d-4c71-4f2e-9a58-c3d7e1b2f094';

function read(rel: string): ReadResult {
  return readWith(cloudtrailReader, fixture(rel), 'whole', rel);
}

function byName(events: Event[], name: string): Event[] {
  return events.filter((e) => e.fields.eventName === name);
}

describe('CloudTrail sniffing', () => {
  test('recognises every CloudTrail layout by content', () => {
    for (const rel of [
      S3_FILE,
      'cloudtrail-lookup-events.json',
      'cloudtrail-lake-query-results.json',
      'cloudtrail-lake-export.json',
      'cloudtrail-records.ndjson',
      'cloudtrail-eventbridge-event.json',
    ]) {
      assert.deepEqual(cloudtrailReader.sniff(fixture(rel), rel), { kind: 'read' }, rel);
      assert.deepEqual(cloudtrailDigestReader.sniff(fixture(rel), rel), { kind: 'no' }, rel);
      assert.deepEqual(azureActivityReader.sniff(fixture(rel), rel), { kind: 'no' }, rel);
      assert.deepEqual(gcpAuditReader.sniff(fixture(rel), rel), { kind: 'no' }, rel);
    }
    assert.deepEqual(cloudtrailReader.sniff('{"Records":[]}', 'x.json'), { kind: 'read' });
  });

  test('a digest file is skipped quietly by the digest reader and refused by the CloudTrail reader', () => {
    const text = fixture(DIGEST_FILE);
    assert.deepEqual(cloudtrailReader.sniff(text, DIGEST_FILE), { kind: 'no' });
    const verdict = cloudtrailDigestReader.sniff(text, DIGEST_FILE);
    assert.equal(verdict.kind, 'skip');
    assert.match(verdict.kind === 'skip' ? verdict.reason : '', /digest/i);
    assert.equal(cloudtrailDigestReader.format, 'cloudtrail-digest');
  });

  test('Azure and GCP files are not CloudTrail', () => {
    for (const rel of ['azure-eventhub-activity-batch.json', 'gcp-gcloud-logging-read.json', 'gcp-pubsub-pull.json']) {
      assert.deepEqual(cloudtrailReader.sniff(fixture(rel), rel), { kind: 'no' }, rel);
    }
  });
});

describe('CloudTrail S3 log file', () => {
  const r = read(S3_FILE);

  test('every record of the single-line {"Records":[…]} file is an event with its column and index', () => {
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.events.length, 9);
    const text = fixture(S3_FILE);
    r.events.forEach((e, i) => {
      assert.equal(e.dataset, 'aws.cloudtrail');
      assert.deepEqual(e.logsource, { product: 'aws', service: 'cloudtrail' });
      assert.equal(e.origin.line, 1);
      assert.equal(e.origin.record, i);
      assert.equal(text.slice((e.origin.column ?? 0) - 1).startsWith('{"eventVersion":"1.09"'), true);
    });
  });

  test('the canonical fields are the record as CloudTrail wrote it, nested parameters included', () => {
    const [session] = byName(r.events, 'CreateTrafficMirrorSession').filter((e) => e.fields.eventID === SESSION_ID);
    assert.equal(at(session.fields, 'requestParameters.CreateTrafficMirrorSessionRequest.NetworkInterfaceId'), 'eni-0a1b2c3d4e5f60718');
    assert.equal(at(session.fields, 'requestParameters.CreateTrafficMirrorSessionRequest.TrafficMirrorTargetId'), 'tmt-0a7e3f91c2b45d680');
    assert.equal(at(session.fields, 'responseElements.CreateTrafficMirrorSessionResponse.trafficMirrorSession.trafficMirrorSessionId'), 'tms-0c5e8a2f9b1d34e76');
    assert.equal(at(session.fields, 'userIdentity.sessionContext.sessionIssuer.userName'), 'NetOpsAdmin');
    assert.equal(session.raw, session.fields);
    assert.equal(session.time, '2024-05-14T13:25:41Z');
    assert.equal(session.timeMs, Date.UTC(2024, 4, 14, 13, 25, 41));
  });

  test('a record delivered twice keeps its eventID as record key; each record is its own action', () => {
    const copies = r.events.filter((e) => e.fields.eventID === SESSION_ID);
    assert.equal(copies.length, 2);
    assert.equal(copies[0].recordKey, `aws:${SESSION_ID}`);
    assert.equal(copies[1].recordKey, copies[0].recordKey);
    assert.equal(copies[0].actionKey, copies[0].recordKey);
    assert.notDeepEqual(copies[0].origin, copies[1].origin);
    assert.equal(new Set(r.events.map((e) => e.recordKey)).size, 8);
  });

  test('ECS view of an assumed-role mirror session follows Elastic: role name as user, caller account, Map-string parameters', () => {
    const [session] = r.events.filter((e) => e.fields.eventID === SESSION_ID);
    const ecs = cloudtrailEcs(session);
    assert.equal(at(ecs, 'event.action'), 'CreateTrafficMirrorSession');
    assert.equal(at(ecs, 'event.provider'), 'ec2.amazonaws.com');
    assert.equal(at(ecs, 'event.outcome'), 'success');
    assert.equal(at(ecs, 'event.kind'), 'event');
    assert.deepEqual(at(ecs, 'event.type'), ['info']);
    assert.equal(at(ecs, 'event.id'), SESSION_ID);
    assert.equal(at(ecs, 'cloud.provider'), 'aws');
    assert.equal(at(ecs, 'cloud.account.id'), ACCT);
    assert.equal(at(ecs, 'cloud.region'), 'us-east-1');
    assert.equal(at(ecs, 'user.name'), 'NetOpsAdmin');
    assert.equal(at(ecs, 'user.id'), 'AROAYK3QX7EXAMPLE4NRT:maria.garcia@example.com');
    assert.equal(at(ecs, 'source.ip'), '198.51.100.23');
    assert.deepEqual(at(ecs, 'related.ip'), ['198.51.100.23']);
    assert.deepEqual(at(ecs, 'related.user'), ['NetOpsAdmin']);
    assert.equal(at(ecs, 'aws.cloudtrail.user_identity.arn'), `arn:aws:sts::${ACCT}:assumed-role/NetOpsAdmin/maria.garcia@example.com`);
    assert.equal(at(ecs, 'aws.cloudtrail.user_identity.session_context.session_issuer.arn'), `arn:aws:iam::${ACCT}:role/NetOpsAdmin`);
    assert.equal(
      at(ecs, 'aws.cloudtrail.request_parameters'),
      '{CreateTrafficMirrorSessionRequest={NetworkInterfaceId=eni-0a1b2c3d4e5f60718, TrafficMirrorTargetId=tmt-0a7e3f91c2b45d680, ' +
        'TrafficMirrorFilterId=tmf-04c9b2e7a1d3f5860, SessionNumber=1, VirtualNetworkId=7159709, ClientToken=4a9c2e7b-1d3f-4e86-b5a0-8c2d9f1e3b47}}',
    );
    assert.equal(at(ecs, 'aws.cloudtrail.flattened.request_parameters.CreateTrafficMirrorSessionRequest.TrafficMirrorTargetId'), 'tmt-0a7e3f91c2b45d680');
    // Empty values are dropped before mapping: the response's "tagSet": "" is gone.
    const flatSession = at(ecs, 'aws.cloudtrail.flattened.response_elements.CreateTrafficMirrorSessionResponse.trafficMirrorSession') as Record<string, unknown>;
    assert.equal(flatSession.trafficMirrorSessionId, 'tms-0c5e8a2f9b1d34e76');
    assert.equal('tagSet' in flatSession, false);
    assert.equal(at(ecs, 'aws.cloudtrail.read_only'), false);
    assert.equal(at(ecs, 'tls.version'), '1.3');
    assert.equal(at(ecs, 'tls.version_protocol'), 'tls');
    assert.equal(at(ecs, '@timestamp'), '2024-05-14T13:25:41Z');
  });

  test('a DryRun probe is a failure with its error code', () => {
    const [dry] = byName(r.events, 'CreateTrafficMirrorSession').filter((e) => e.fields.errorCode !== undefined);
    const ecs = cloudtrailEcs(dry);
    assert.equal(at(ecs, 'event.outcome'), 'failure');
    assert.equal(at(ecs, 'aws.cloudtrail.error_code'), 'Client.DryRunOperation');
    assert.equal(at(ecs, 'user.name'), 'jdoe');
    assert.deepEqual(at(ecs, 'related.user'), ['jdoe']);
    assert.equal(at(ecs, 'aws.cloudtrail.user_identity.type'), 'IAMUser');
    assert.equal(at(ecs, 'aws.cloudtrail.flattened.response_elements'), undefined);
  });

  test('an AWS Config read has a service as source address and no source.ip', () => {
    const [describeEvent] = byName(r.events, 'DescribeTrafficMirrorSessions');
    const ecs = cloudtrailEcs(describeEvent);
    assert.equal(at(ecs, 'source.address'), 'config.amazonaws.com');
    assert.equal(at(ecs, 'source.ip'), undefined);
    assert.equal(at(ecs, 'related.ip'), undefined);
    assert.equal(at(ecs, 'aws.cloudtrail.user_identity.invoked_by'), 'config.amazonaws.com');
    assert.equal(at(ecs, 'aws.cloudtrail.read_only'), true);
  });

  test('a root caller has no user name; an IPv6 caller is a source.ip', () => {
    const [nlb] = byName(r.events, 'CreateTrafficMirrorTarget').filter((e) => e.fields.userIdentity && at(e.fields, 'userIdentity.type') === 'Root');
    const ecs = cloudtrailEcs(nlb);
    assert.equal(at(ecs, 'user.name'), undefined);
    assert.equal(at(ecs, 'user.id'), ACCT);
    assert.equal(at(ecs, 'cloud.account.id'), ACCT);
    assert.equal(at(ecs, 'source.ip'), '2001:db8:4f1e:92::17');
    assert.equal(
      at(ecs, 'aws.cloudtrail.flattened.request_parameters.CreateTrafficMirrorTargetRequest.NetworkLoadBalancerArn'),
      'arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/net/mirror-collector/50dc6c495c0c9188',
    );
  });

  test('chunking does not change the events', () => {
    const text = fixture(S3_FILE);
    const whole = readWith(cloudtrailReader, text);
    for (const how of CHUNKINGS) {
      const r2 = readWith(cloudtrailReader, text, how);
      assert.deepEqual(r2.events, whole.events);
      assert.deepEqual(r2.diagnostics, whole.diagnostics);
    }
  });
});

describe('CloudTrail lookup-events, Lake and other layouts', () => {
  test('lookup-events: the record is the parsed CloudTrailEvent, timed by its eventTime, not the local EventTime', () => {
    const r = read('cloudtrail-lookup-events.json');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [e.fields.eventName, e.time, e.origin.record]),
      [
        ['CreateTrafficMirrorSession', '2024-05-14T13:25:41Z', 0],
        ['CreateTrafficMirrorFilterRule', '2024-05-14T13:23:02Z', 1],
        ['CreateTrafficMirrorTarget', '2024-05-14T13:21:07Z', 2],
      ],
    );
    const [session] = r.events;
    assert.equal((session.raw as { EventTime: string }).EventTime, '2024-05-14T06:25:41-07:00');
    assert.equal(typeof (session.raw as { CloudTrailEvent: unknown }).CloudTrailEvent, 'string');
    assert.equal('CloudTrailEvent' in session.fields, false);
    assert.equal(at(session.fields, 'userIdentity.type'), 'AssumedRole');
    // The same API call read from S3 and from lookup-events has one record key.
    const s3 = read(S3_FILE).events.find((e) => e.fields.eventID === SESSION_ID);
    assert.equal(session.recordKey, s3?.recordKey);
    assert.deepEqual(session.fields, s3?.fields);
  });

  test('Lake get-query-results rows are merged, JSON columns parsed, strings made booleans, Lake time read as UTC', () => {
    const r = read('cloudtrail-lake-query-results.json');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.events.length, 3);
    const [session, describeEvent] = r.events;
    assert.equal(session.fields.eventName, 'CreateTrafficMirrorSession');
    assert.equal(session.time, '2024-05-14T13:25:41.000Z');
    assert.equal(session.timeMs, Date.UTC(2024, 4, 14, 13, 25, 41));
    assert.equal(session.fields.readOnly, false);
    assert.equal(describeEvent.fields.readOnly, true);
    assert.equal(at(session.fields, 'requestParameters.CreateTrafficMirrorSessionRequest.NetworkInterfaceId'), 'eni-0a1b2c3d4e5f60718');
    assert.equal(session.recordKey, `aws:${SESSION_ID}`);
    assert.ok(Array.isArray(session.raw));
    const ecs = cloudtrailEcs(session);
    assert.equal(at(ecs, 'event.action'), 'CreateTrafficMirrorSession');
    assert.equal(at(ecs, 'source.ip'), '198.51.100.23');
    assert.equal(at(ecs, 'cloud.region'), 'us-east-1');
    assert.equal(at(ecs, 'cloud.account.id'), undefined);
  });

  test('a Lake export with lower-case columns gets CloudTrail casing back', () => {
    const r = read('cloudtrail-lake-export.json');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [e.fields.eventName, e.fields.eventSource, e.fields.readOnly, e.fields.managementEvent, e.time]),
      [
        ['CreateTrafficMirrorTarget', 'ec2.amazonaws.com', false, true, '2024-05-14T13:21:07.000Z'],
        ['CreateTrafficMirrorSession', 'ec2.amazonaws.com', false, true, '2024-05-14T13:25:41.000Z'],
      ],
    );
    assert.equal(at(r.events[1].fields, 'userIdentity.arn'), `arn:aws:sts::${ACCT}:assumed-role/NetOpsAdmin/maria.garcia@example.com`);
  });

  test('NDJSON records carry their line numbers', () => {
    const r = read('cloudtrail-records.ndjson');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [e.fields.eventName, e.origin.line, e.origin.column, e.origin.record]),
      [
        ['CreateTrafficMirrorTarget', 1, 1, undefined],
        ['CreateTrafficMirrorFilter', 2, 1, undefined],
        ['CreateTrafficMirrorFilterRule', 3, 1, undefined],
        ['CreateTrafficMirrorSession', 4, 1, undefined],
      ],
    );
  });

  test('an EventBridge "AWS API Call via CloudTrail" event yields its detail', () => {
    const r = read('cloudtrail-eventbridge-event.json');
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].fields.eventID, SESSION_ID);
    assert.equal((r.events[0].raw as Record<string, unknown>)['detail-type'], 'AWS API Call via CloudTrail');
  });
});

describe('CloudTrail malformed input', () => {
  test('a cut-off NDJSON line is reported with its line; the other records are read', () => {
    const r = read('cloudtrail-records-bad-line.ndjson');
    assert.deepEqual(
      r.events.map((e) => [e.fields.eventName, e.origin.line]),
      [
        ['CreateTrafficMirrorTarget', 1],
        ['CreateTrafficMirrorFilterRule', 3],
        ['CreateTrafficMirrorSession', 4],
      ],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.file, d.line]),
      [['MW2103', 'error', 'cloudtrail-records-bad-line.ndjson', 2]],
    );
  });

  test('a truncated S3 file keeps the records before the cut', () => {
    const r = read('cloudtrail-truncated-records.json');
    assert.deepEqual(
      r.events.map((e) => e.fields.eventName),
      ['CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter'],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.record]),
      [['MW2105', 2]],
    );
  });

  test('CloudTrail Insights records are read although their API call sits in insightDetails', () => {
    const insight = {
      eventVersion: '1.07',
      eventTime: '2024-05-14T13:40:00Z',
      awsRegion: 'us-east-1',
      eventID: '5b1e9c3a-7d2f-4e86-a0b4-2c9d8f1e3a57',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: ACCT,
      sharedEventID: '9a3c7e1f-2b5d-4f68-8e0a-1d4b7c9f2e36',
      insightDetails: { state: 'Start', eventSource: 'ec2.amazonaws.com', eventName: 'CreateTrafficMirrorSession', insightType: 'ApiCallRateInsight' },
      eventCategory: 'Insight',
    };
    const r = readWith(cloudtrailReader, JSON.stringify({ Records: [insight] }));
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.events.length, 1);
    assert.equal(at(r.events[0].fields, 'insightDetails.eventName'), 'CreateTrafficMirrorSession');
    assert.equal(r.events[0].recordKey, 'aws:5b1e9c3a-7d2f-4e86-a0b4-2c9d8f1e3a57');
  });

  test('values that are not CloudTrail records are reported and skipped', () => {
    const text = [
      '{"eventVersion":"1.09","eventSource":"ec2.amazonaws.com","eventName":"DeleteTrafficMirrorSession","eventTime":"2024-05-14T13:59:00Z","eventID":"e1"}',
      '{"awsAccountId":"111122223333","digestStartTime":"2024-05-14T13:02:11Z"}',
      '{"eventSource":"ec2.amazonaws.com","eventName":"DeleteTrafficMirrorTarget","eventTime":"not a time","eventID":"e2"}',
      '{"eventSource":"ec2.amazonaws.com","eventName":"DeleteTrafficMirrorFilter","eventID":"e3"',
      '{"Events":[{"EventId":"e4","CloudTrailEvent":"{\\"eventName\\":"}]}',
      '{"QueryResultRows":[[{"eventID":"e5","eventName":"X"}],[{"principalid":"AROA"}]]}',
      '[1,2]',
    ].join('\n');
    const r = readWith(cloudtrailReader, text, 'whole', 'mixed.ndjson');
    assert.deepEqual(
      r.events.map((e) => [e.fields.eventID, e.time, Number.isNaN(e.timeMs)]),
      [
        ['e1', '2024-05-14T13:59:00Z', false],
        ['e2', '', true],
      ],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.line, d.record]),
      [
        ['MW2201', 'warning', 2, undefined],
        ['MW2111', 'warning', 3, undefined],
        // Line 4 lacks its closing brace: the error shows where line 5 starts, and line 5 is still read.
        ['MW2104', 'error', 5, undefined],
        ['MW2202', 'error', 5, 0],
        ['MW2203', 'warning', 6, 0],
        ['MW2201', 'warning', 6, 1],
        // A top-level array is a list of records; numbers are not CloudTrail records.
        ['MW2201', 'warning', 7, 0],
        ['MW2201', 'warning', 7, 1],
      ],
    );
    assert.match(r.diagnostics[2].message, /in the record that starts at line 4, column 1/);
  });
});

describe('CloudTrail reference samples', { skip: haveSamples ? false : 'shared/reference/samples is missing' }, () => {
  /** eventName, user.name, source.address, source.ip, cloud.account.id, region, outcome, eventID, time. */
  const expected: Record<string, [string, string | undefined, string, string | undefined, string, string, string, string, string]> = {
    'aws_cloudtrail_CreateTrafficMirrorFilterRule_assumedrole_panther.json': ['CreateTrafficMirrorFilterRule', 'MakeStuffPublic', 'AWS Internal', undefined, '123123123123', 'us-east-1', 'success', '61b6e2d6-788c-4b8d-9b6f-1ce17539e05e', '2022-11-15T22:58:13Z'],
    'aws_cloudtrail_CreateTrafficMirrorFilter_assumedrole_panther.json': ['CreateTrafficMirrorFilter', 'MakeStuffPublic', 'AWS Internal', undefined, '123451234516', 'us-east-1', 'success', 'a3c6297b-3320-4d32-b224-cc45ee75d561', '2022-11-15T22:58:13Z'],
    'aws_cloudtrail_CreateTrafficMirrorSession_error_NetworkInterfaceNotSupported_panther.json': ['CreateTrafficMirrorSession', 'MakeStuffPublic', 'AWS Internal', undefined, '123123123123', 'us-east-1', 'failure', '5298b707-aa6b-4e4d-86c6-761ee19bb095', '2022-11-15T22:58:35Z'],
    'aws_cloudtrail_CreateTrafficMirrorTarget_eni_panther.json': ['CreateTrafficMirrorTarget', 'MakeStuffPublic', 'AWS Internal', undefined, '123123123123', 'us-east-1', 'success', '1ca9056c-efe7-4415-bb35-bbee893b9bd0', '2022-11-15T23:05:21Z'],
    'aws_cloudtrail_DeleteTrafficMirrorTarget_panther.json': ['DeleteTrafficMirrorTarget', 'MakeStuffPublic', 'AWS Internal', undefined, '123123123123', 'us-east-1', 'success', '2212e8b1-b053-4388-9d3a-1bf963b1f075', '2022-11-15T23:05:38Z'],
    'aws_cloudtrail_DescribeTrafficMirrorTargets_console_panther.json': ['DescribeTrafficMirrorTargets', 'MakeStuffPublic', 'AWS Internal', undefined, '123123123123', 'us-east-1', 'success', '43b5d650-dfdf-41a7-9b57-831e5cf1d190', '2022-11-15T23:05:39Z'],
    'aws_cloudtrail_DescribeTrafficMirrorTargets_invokedBy_config_panther.json': ['DescribeTrafficMirrorTargets', 'PantherAWSConfig', 'config.amazonaws.com', undefined, '123456789012', 'us-west-2', 'success', 'c98e81a7-15ee-4888-bbbb-cccccccccccc', '2023-02-10T18:08:33Z'],
    // The anonymised account id of this sample really is 9 digits: Elastic takes userIdentity.accountId as it is.
    'aws_cloudtrail_ModifyTrafficMirrorSession_RemoveField_panther.json': ['ModifyTrafficMirrorSession', 'MakeStuffPublic', 'AWS Internal', undefined, '123123123', 'us-east-1', 'success', '66c0fb61-804e-4cee-9f2e-c1d23c406a78', '2022-11-15T23:10:17Z'],
    'aws_cloudtrail_codebuild_UpdateProjectVisibility_negative_panther.json': ['UpdateProjectVisibility', undefined, '1.1.1.1', '1.1.1.1', '111122223333', 'us-east-1', 'success', '982f8066-640d-40fb-b433-ba15e14fee40', '2021-08-18T14:54:53Z'],
    // The anonymised address `06.237.252.245` has a leading zero, which no IP parser accepts: it stays an address.
    'aws_cloudtrail_ec2_denied_UnauthorizedOperation_stratus_RunInstances.json': ['RunInstances', 'stratus-red-team-ec2lui-role-idtzskbvtd', '06.237.252.245', undefined, '900138736586', 'ca-south-3r', 'failure', '1a4debbb-12e9-4bde-b8c7-ea29002bb2a7', '2024-08-01T11:30:23Z'],
  };

  test('every CloudTrail sample is one record read from its test-case wrapper', () => {
    const names = readdirSync(samplesDir).filter((n) => n.startsWith('aws_cloudtrail_'));
    assert.deepEqual(names.sort(), Object.keys(expected).sort());
    for (const name of names) {
      const text = sample(name);
      assert.deepEqual(cloudtrailReader.sniff(text, name), { kind: 'read' }, name);
      const r = readWith(cloudtrailReader, text, 'whole', name);
      assert.deepEqual(r.diagnostics, [], name);
      assert.equal(r.events.length, 1, name);
      const [event] = r.events;
      const [eventName, user, address, ip, account, region, outcome, eventId, time] = expected[name];
      const ecs = cloudtrailEcs(event);
      assert.equal(event.fields.eventName, eventName, name);
      assert.equal('_note' in event.fields || 'record' in event.fields, false, name);
      assert.equal('record' in (event.raw as object), true, `${name}: raw keeps the wrapper as read`);
      assert.equal(at(ecs, 'event.action'), eventName, name);
      assert.equal(at(ecs, 'user.name'), user, name);
      assert.equal(at(ecs, 'source.address'), address, name);
      assert.equal(at(ecs, 'source.ip'), ip, name);
      assert.equal(at(ecs, 'cloud.account.id'), account, name);
      assert.equal(at(ecs, 'cloud.region'), region, name);
      assert.equal(at(ecs, 'event.outcome'), outcome, name);
      assert.equal(event.recordKey, `aws:${eventId}`, name);
      assert.equal(at(ecs, 'event.id'), eventId, name);
      // Panther writes eventTime as "YYYY-MM-DD HH:MM:SS", which is UTC.
      assert.equal(event.time, time, name);
      assert.equal(event.timeMs, Date.parse(time), name);
      assert.ok(!Number.isNaN(event.timeMs), name);
    }
  });

  test('the failed session keeps its request and has no response; the error is in ECS', () => {
    const name = 'aws_cloudtrail_CreateTrafficMirrorSession_error_NetworkInterfaceNotSupported_panther.json';
    const [event] = readWith(cloudtrailReader, sample(name)).events;
    assert.equal(at(event.fields, 'requestParameters.CreateTrafficMirrorSessionRequest.TrafficMirrorTargetId'), 'tmt-0fd4b591901182794');
    assert.equal(event.fields.responseElements, undefined);
    const ecs = cloudtrailEcs(event);
    assert.equal(at(ecs, 'aws.cloudtrail.error_code'), 'Client.NetworkInterfaceNotSupported');
    assert.equal(at(ecs, 'aws.cloudtrail.error_message'), 'eni-0c61fbc84fca4138f must be attached to a supported instance');
  });

  test('list parameters render as Elastic stores them; anonymisation floats print as Java doubles', () => {
    const name = 'aws_cloudtrail_ModifyTrafficMirrorSession_RemoveField_panther.json';
    const [event] = readWith(cloudtrailReader, sample(name)).events;
    const ecs = cloudtrailEcs(event);
    assert.equal(
      at(ecs, 'aws.cloudtrail.request_parameters'),
      '{ModifyTrafficMirrorSessionRequest={RemoveField=[{content=description, tag=1}, {content=packet-length, tag=2}], SessionNumber=2, ' +
        'TrafficMirrorFilterId=tmf-010db9a7d8056cc2d, TrafficMirrorSessionId=tms-05e1e21760419ecb6, TrafficMirrorTargetId=tmt-0a45c694b91bcea54, VirtualNetworkId=12348395}}',
    );
    assert.equal(javaMapString({ v: 1.2348395e7 + 0.5, w: 0.25, x: 1e-4, y: null, z: [true] }), '{v=1.23483955E7, w=0.25, x=1.0E-4, y=null, z=[true]}');
  });

  test('the AWS CLI output sample is not a CloudTrail record and no reader claims it', () => {
    const name = 'aws_ec2_api_CreateTrafficMirrorSession_cli_output_awscli_example.json';
    const text = sample(name);
    for (const reader of [cloudtrailReader, cloudtrailDigestReader, azureActivityReader, gcpAuditReader]) {
      assert.deepEqual(reader.sniff(text, name), { kind: 'no' }, reader.format);
    }
  });
});
