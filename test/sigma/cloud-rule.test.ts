import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compileRule } from '../../src/sigma/compile.js';
import type { CompiledRule } from '../../src/sigma/compile.js';
import { loadRuleText } from '../../src/sigma/load.js';
import { objectTarget } from '../../src/sigma/match-target.js';
import { haveSamples, repoPath, samplesDir } from '../helpers/paths.js';

function loadFixtureRule(...p: string[]): CompiledRule {
  const file = repoPath('test', 'fixtures', 'sigma', 'rules', ...p);
  const r = loadRuleText(readFileSync(file, 'utf8'), file);
  assert.deepEqual(r.diagnostics, []);
  return compileRule(r.rules[0]);
}

/** A CloudTrail management event as CloudTrail writes it (fields abridged to what matters, values realistic). */
function cloudTrailEvent(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'alice',
    },
    eventTime: '2024-05-01T10:15:42Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTrafficMirrorSession',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.create-traffic-mirror-session',
    requestParameters: {
      CreateTrafficMirrorSessionRequest: {
        NetworkInterfaceId: 'eni-0a1b2c3d4e5f60718',
        TrafficMirrorTargetId: 'tmt-0f1e2d3c4b5a69788',
        TrafficMirrorFilterId: 'tmf-0123456789abcdef0',
        SessionNumber: 1,
        ClientToken: '6b7c9f55-b6b5-4a6e-9d2f-1a2b3c4d5e6f',
      },
    },
    responseElements: {
      CreateTrafficMirrorSessionResponse: {
        trafficMirrorSession: { trafficMirrorSessionId: 'tms-0d1c2b3a495867f00', sessionNumber: 1 },
      },
    },
    requestID: 'e1a5b6c7-d8e9-4f0a-b1c2-d3e4f5a6b7c8',
    eventID: 'a7f0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...overrides,
  };
}

describe('SigmaHQ-style AWS CloudTrail rule', () => {
  const rule = loadFixtureRule('aws', 'aws_ec2_traffic_mirror_session_created.yml');

  test('a traffic mirror session created by a user matches, with an explanation', () => {
    const ev = cloudTrailEvent({});
    assert.equal(rule.match(objectTarget(ev)), true);
    const e = rule.explain(objectTarget(ev));
    assert.deepEqual(
      e.identifiers.map((i) => [i.name, i.matched]),
      [
        ['selection', true],
        ['filter_main_failed', false],
        ['filter_optional_aws_service', false],
      ],
    );
    assert.deepEqual(e.identifiers[0].items.map((i) => [i.field, i.actual]), [
      ['eventSource', 'ec2.amazonaws.com'],
      ['eventName', 'CreateTrafficMirrorSession'],
    ]);
  });

  test('the filters exclude failed calls and AWS service principals', () => {
    assert.equal(rule.match(objectTarget(cloudTrailEvent({ errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized' }))), false);
    assert.equal(
      rule.match(objectTarget(cloudTrailEvent({ userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } }))),
      false,
    );
  });

  test('other EC2 calls and other services do not match', () => {
    assert.equal(rule.match(objectTarget(cloudTrailEvent({ eventName: 'DescribeTrafficMirrorSessions', readOnly: true }))), false);
    assert.equal(rule.match(objectTarget(cloudTrailEvent({ eventSource: 'vpc-lattice.amazonaws.com' }))), false);
  });

  test('every matched record holds a prefilter literal', () => {
    assert.ok(rule.literals !== null && rule.literals.length > 0);
    const ev = cloudTrailEvent({ eventName: 'ModifyTrafficMirrorSession' });
    assert.equal(rule.match(objectTarget(ev)), true);
    const text = JSON.stringify(ev).toLowerCase();
    assert.ok(rule.literals.some((l) => text.includes(l)));
  });

  test('the reference CloudTrail samples match as their source expects', { skip: !haveSamples && 'reference samples not present' }, () => {
    const expected: Record<string, boolean> = {
      aws_cloudtrail_CreateTrafficMirrorFilterRule_assumedrole_panther: true,
      aws_cloudtrail_CreateTrafficMirrorFilter_assumedrole_panther: true,
      aws_cloudtrail_CreateTrafficMirrorTarget_eni_panther: true,
      aws_cloudtrail_ModifyTrafficMirrorSession_RemoveField_panther: true,
      // Failed with Client.NetworkInterfaceNotSupported: the filter leaves it out.
      aws_cloudtrail_CreateTrafficMirrorSession_error_NetworkInterfaceNotSupported_panther: false,
      aws_cloudtrail_DeleteTrafficMirrorTarget_panther: false,
      aws_cloudtrail_DescribeTrafficMirrorTargets_console_panther: false,
      aws_cloudtrail_DescribeTrafficMirrorTargets_invokedBy_config_panther: false,
      aws_cloudtrail_codebuild_UpdateProjectVisibility_negative_panther: false,
      aws_cloudtrail_ec2_denied_UnauthorizedOperation_stratus_RunInstances: false,
    };
    for (const [name, want] of Object.entries(expected)) {
      const text = readFileSync(join(samplesDir, `${name}.json`), 'utf8');
      const doc = JSON.parse(text) as { record?: Record<string, unknown> };
      const record = doc.record ?? (doc as Record<string, unknown>);
      assert.equal(rule.match(objectTarget(record)), want, name);
      if (want) {
        const lower = JSON.stringify(record).toLowerCase();
        assert.ok(rule.literals?.some((l) => lower.includes(l)), `${name} holds a literal`);
      }
    }
  });
});

describe('SigmaHQ-style GCP audit rule', () => {
  const rule = loadFixtureRule('gcp', 'gcp_compute_packet_mirroring_insert.yml');
  const audit = (methodName: string): Record<string, unknown> => ({
    insertId: '-x1y2z3a4b5c',
    logName: 'projects/prod-net/logs/cloudaudit.googleapis.com%2Factivity',
    operation: { first: true, id: 'operation-1714558542000-6175a1b2c3d4e-5f6a7b8c-9d0e1f2a', producer: 'compute.googleapis.com' },
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: 'mallory@example.com' },
      methodName,
      resourceName: 'projects/prod-net/regions/us-central1/packetMirrorings/pm-exfil',
      serviceName: 'compute.googleapis.com',
    },
    resource: { type: 'gce_packet_mirroring', labels: { project_id: 'prod-net', region: 'us-central1' } },
    severity: 'NOTICE',
    timestamp: '2024-05-01T10:15:42.123456Z',
  });

  test('matches the v1 insert and patch methods case-insensitively but not beta', () => {
    assert.equal(rule.match(objectTarget(audit('v1.compute.packetMirrorings.insert'))), true);
    assert.equal(rule.match(objectTarget(audit('v1.compute.packetMirrorings.patch'))), true);
    assert.equal(rule.match(objectTarget(audit('beta.compute.packetMirrorings.insert'))), false);
    assert.equal(rule.match(objectTarget(audit('v1.compute.packetMirrorings.delete'))), false);
  });
});
