/**
 * Regressions found by running SigmaHQ's cloud and Cisco AAA rules (copied outside the repository) through the engine.
 * The rules below are written for these tests in SigmaHQ's style; no SigmaHQ rule text is reproduced.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event, RawRecord } from '../../src/core/event.js';
import { loadAliases } from '../../src/detect/rule-set.js';
import { eventTarget } from '../../src/detect/target.js';
import { normalizeAzureActivity } from '../../src/normalize/azure-activity.js';
import { normalizeGcpAudit } from '../../src/normalize/gcp-audit.js';
import { compileRule } from '../../src/sigma/compile.js';
import { loadRuleText } from '../../src/sigma/load.js';
import { objectTarget } from '../../src/sigma/match-target.js';
import { repoPath } from '../helpers/paths.js';
import { compile, dedent } from './sigma-helpers.js';

/** A PutBucketVersioning record as CloudTrail writes it (requestParameters is an object, not text). */
function putBucketVersioning(status: string): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice' },
    eventTime: '2026-03-10T09:12:44Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'PutBucketVersioning',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: '[aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22]',
    requestParameters: {
      bucketName: 'acme-backups',
      Host: 'acme-backups.s3.eu-west-1.amazonaws.com',
      versioning: '',
      VersioningConfiguration: { Status: status, xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
    },
    responseElements: null,
    eventID: '3f1e2d4c-5b6a-4798-8a9b-0c1d2e3f4a5b',
    readOnly: false,
    eventType: 'AwsApiCall',
  };
}

describe('SigmaHQ cloud rules: fields that hold objects', () => {
  test('contains on an object field looks at every scalar inside it, as SIEMs holding the member as text do', () => {
    const c = compile(`
      selection:
          eventSource: s3.amazonaws.com
          eventName: PutBucketVersioning
          requestParameters|contains: 'Suspended'
      condition: selection
    `);
    assert.equal(c.match(objectTarget(putBucketVersioning('Suspended'))), true);
    assert.equal(c.match(objectTarget(putBucketVersioning('Enabled'))), false);
  });

  test('contains|all may be met by different scalars; member names are not values', () => {
    const all = compile(`
      selection:
          requestParameters|contains|all:
              - 'Suspended'
              - 'acme-backups'
      condition: selection
    `);
    assert.equal(all.match(objectTarget(putBucketVersioning('Suspended'))), true);
    const key = compile(`
      selection:
          requestParameters|contains: 'VersioningConfiguration'
      condition: selection
    `);
    assert.equal(key.match(objectTarget(putBucketVersioning('Suspended'))), false);
  });

  test('a filter on an object field excludes, and a JSON string inside the object keeps its quotes', () => {
    const c = compile(`
      selection:
          eventName: PutUserPolicy
          requestParameters|contains|all:
              - '"s3:GetObject"'
              - '"Allow"'
      filter_failed:
          responseElements|contains: 'Failure'
      condition: selection and not 1 of filter_*
    `);
    const policy = '{\n  "Statement": [\n    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::drop/*"}\n  ]\n}';
    const ok = { eventName: 'PutUserPolicy', requestParameters: { userName: 'bob', policyName: 'p', policyDocument: policy }, responseElements: null };
    assert.equal(c.match(objectTarget(ok)), true);
    const failed = { ...ok, responseElements: { result: { state: 'Failure', code: 7 } } };
    assert.equal(c.match(objectTarget(failed)), false);
  });

  test('an object nested past any sane depth is not walked forever', () => {
    let deep: Record<string, unknown> = { v: 'needle' };
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    const c = compile(`
      selection:
          requestParameters|contains: needle
      condition: selection
    `);
    assert.equal(c.match(objectTarget({ requestParameters: deep })), false);
    assert.equal(c.match(objectTarget({ requestParameters: { a: { b: ['x', { c: 'a needle here' }] } } })), true);
  });
});

describe('SigmaHQ rules: metadata never costs a rule its detection', () => {
  test('an unquoted ": " in a false-positive note is read as text with a warning, and the rule loads', () => {
    const text = dedent(`
      title: Device Copy From Hidden Namespace
      id: 5b0f6a8e-2c1d-4e3f-9a7b-8c6d5e4f3a21
      status: experimental
      logsource:
          product: cisco
          service: aaa
      detection:
          keywords:
              - 'copy hidden:/'
          condition: keywords
      falsepositives:
          - Admins copying from hidden: during audits. Check what followed.
          - 42
      level: high
    `);
    const r = loadRuleText(text, 'note.yml');
    assert.equal(r.rules.length, 1);
    assert.deepEqual(
      r.diagnostics.map((d: Diagnostic) => [d.code, d.severity, d.line]),
      [['MW1012', 'warning', 12]],
    );
    assert.deepEqual(r.rules[0].falsepositives, ['Admins copying from hidden: during audits. Check what followed.', '42']);
    const c = compileRule(r.rules[0]);
    assert.equal(c.match(objectTarget({}, 'stop\ttask_id=9\tservice=shell\tcmd=copy hidden:/x flash: <cr>')), true);
  });

  test('tags that are not text are still an error', () => {
    const r = loadRuleText('title: t\ntags:\n    - {a: b}\nlogsource: {product: aws}\ndetection: {sel: {a: 1}, condition: sel}\n', 't.yml');
    assert.equal(r.rules.length, 0);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['MW1005']);
  });
});

describe('SigmaHQ field names for Azure and GCP map onto canonical fields (mappings/aliases.yml)', () => {
  const raw = (value: unknown): RawRecord => ({ text: JSON.stringify(value), origin: { file: 'test.json', line: 1 } });
  const aliases = loadAliases(repoPath('mappings'), () => undefined);

  test('Sentinel AzureActivity column names reach a REST-form activity log record', async () => {
    const record = {
      authorization: { action: 'Microsoft.ADHybridHealthService/services/delete', scope: '/providers/Microsoft.ADHybridHealthService/services/AdFederationService-contoso.com' },
      caller: 'mallory@contoso.com',
      category: { localizedValue: 'Administrative', value: 'Administrative' },
      correlationId: '1e2d3c4b-5a69-4788-9a6b-5c4d3e2f1a0b',
      eventDataId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      eventTimestamp: '2026-03-10T11:02:03.1234567Z',
      level: 'Informational',
      operationName: { localizedValue: 'Delete service', value: 'Microsoft.ADHybridHealthService/services/delete' },
      resourceProviderName: { localizedValue: 'Microsoft.ADHybridHealthService', value: 'Microsoft.ADHybridHealthService' },
      resourceId: '/providers/Microsoft.ADHybridHealthService/services/AdFederationService-contoso.com',
      status: { localizedValue: 'Succeeded', value: 'Succeeded' },
      subscriptionId: '',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    };
    const ev = normalizeAzureActivity(record, raw(record), () => undefined) as Event;
    assert.ok(ev);
    const c = compile(`
      selection:
          CategoryValue: 'Administrative'
          ResourceProviderValue: 'Microsoft.ADHybridHealthService'
          ResourceId|contains: 'AdFederationService'
          OperationNameValue: 'Microsoft.ADHybridHealthService/services/delete'
      condition: selection
    `);
    assert.equal(c.match(eventTarget(ev, await aliases)), true);
    const other = normalizeAzureActivity({ ...record, resourceId: '/providers/Microsoft.ADHybridHealthService/services/AdDomainService-contoso.com' }, raw(record), () => undefined) as Event;
    assert.equal(c.match(eventTarget(other, await aliases)), false);
  });

  test('Splunk-style data.protoPayload paths and the proto name source_ranges reach a GCP LogEntry', async () => {
    const entry = (sourceRanges: string[]): Record<string, unknown> => ({
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        authenticationInfo: { principalEmail: 'mallory@acme.example' },
        serviceName: 'compute.googleapis.com',
        methodName: 'v1.compute.firewalls.insert',
        authorizationInfo: [{ permission: 'compute.firewalls.create', granted: true, resourceAttributes: {} }],
        resourceName: 'projects/acme-prod/global/firewalls/allow-ssh',
        request: {
          '@type': 'type.googleapis.com/compute.firewalls.insert',
          name: 'allow-ssh',
          direction: 'INGRESS',
          sourceRanges,
          alloweds: [{ IPProtocol: 'tcp', ports: ['22'] }],
        },
      },
      insertId: '-x7q2k3e00001',
      resource: { type: 'gce_firewall_rule', labels: { project_id: 'acme-prod' } },
      timestamp: '2026-03-10T12:01:05.094Z',
      severity: 'NOTICE',
      logName: 'projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity',
    });
    const c = compile(`
      selection_method:
          gcp.audit.method_name|endswith: '.firewalls.insert'
          data.protoPayload.authorizationInfo.granted: 'true'
      selection_config:
          gcp.audit.request.source_ranges: '0.0.0.0/0'
          gcp.audit.request.alloweds.ports: 22
      condition: all of selection_*
    `);
    const open = entry(['0.0.0.0/0']);
    const ev = normalizeGcpAudit(open, raw(open), () => undefined) as Event;
    assert.equal(c.match(eventTarget(ev, await aliases)), true);
    const corp = entry(['203.0.113.0/24']);
    const ev2 = normalizeGcpAudit(corp, raw(corp), () => undefined) as Event;
    assert.equal(c.match(eventTarget(ev2, await aliases)), false);
  });
});
