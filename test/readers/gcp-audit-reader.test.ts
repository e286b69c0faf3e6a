import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event } from '../../src/core/event.js';
import { gcpAuditEcs } from '../../src/normalize/gcp-audit.js';
import { azureActivityReader } from '../../src/readers/azure-activity.js';
import { cloudtrailDigestReader, cloudtrailReader } from '../../src/readers/cloudtrail.js';
import { gcpAuditReader, unwrapPubSub } from '../../src/readers/gcp-audit.js';
import type { RawRecord } from '../../src/readers/types.js';
import { haveSamples } from '../helpers/paths.js';
import { at, CHUNKINGS, fixture, readWith, sample, type ReadResult } from './json-records-harness.js';

const SINK = 'cloudaudit.googleapis.com/activity/2024/05/14/13-00-00_13-59-59_S0.json';
const PROJECT = 'acme-prod-network-4821';
const LOG = `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Factivity`;
const OP_INSERT = 'operation-1715693141234-6185a3e0b1c2d-4f7e9a2b-8c3d5e61';
const OP_PATCH = 'operation-1715694402187-6185a8937f5e1-9a2c4d7b-1e6f3a08';

function read(rel: string): ReadResult {
  return readWith(gcpAuditReader, fixture(rel), 'whole', rel);
}

function summary(events: Event[]): Array<[unknown, unknown, unknown]> {
  return events.map((e) => [at(e.fields, 'protoPayload.methodName'), e.fields.insertId, e.actionKey]);
}

/** Every leaf of `expected` is present with the same value in `actual` (arrays compared whole). */
function assertSubset(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) {
    for (const [k, v] of Object.entries(expected)) assertSubset((actual as Record<string, unknown> | undefined)?.[k], v, path ? `${path}.${k}` : k);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

describe('GCP audit log sniffing', () => {
  test('recognises sink files, gcloud arrays and Pub/Sub pull and push messages by content', () => {
    for (const rel of [SINK, 'gcp-gcloud-logging-read.json', 'gcp-pubsub-pull.json', 'gcp-pubsub-push.ndjson']) {
      assert.deepEqual(gcpAuditReader.sniff(fixture(rel), rel), { kind: 'read' }, rel);
      for (const other of [cloudtrailReader, cloudtrailDigestReader, azureActivityReader]) {
        assert.deepEqual(other.sniff(fixture(rel), rel), { kind: 'no' }, `${other.format} ${rel}`);
      }
    }
  });

  test('Pub/Sub messages that do not carry LogEntries, and other clouds, are not claimed', () => {
    const data = Buffer.from(JSON.stringify({ orderId: 42, status: 'shipped' })).toString('base64');
    const text = JSON.stringify({ message: { data, messageId: '1', publishTime: '2024-05-14T13:00:00Z' }, subscription: 'projects/p/subscriptions/orders' });
    assert.deepEqual(gcpAuditReader.sniff(text, 'push.json'), { kind: 'no' });
    for (const rel of ['cloudtrail-records.ndjson', 'azure-eventhub-activity-batch.json']) {
      assert.deepEqual(gcpAuditReader.sniff(fixture(rel), rel), { kind: 'no' }, rel);
    }
  });
});

describe('GCP sink file', () => {
  const r = read(SINK);

  test('each line is a LogEntry; first and last of one operation share the action key, not the record key', () => {
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(summary(r.events), [
      ['v1.compute.packetMirrorings.insert', '-x2q7bte1c4a', `gcp:op:${OP_INSERT}`],
      ['v1.compute.packetMirrorings.insert', '-3fv1mxe4b7k2', `gcp:op:${OP_INSERT}`],
      ['beta.compute.packetMirrorings.patch', '-9kq4c2e1h0vz', `gcp:op:${OP_PATCH}`],
      ['beta.compute.packetMirrorings.patch', '-1b8vzqe3a9s4', `gcp:op:${OP_PATCH}`],
      ['v1.compute.packetMirrorings.delete', '-7hq2vke6d1p8', `gcp:${LOG}:-7hq2vke6d1p8`],
    ]);
    assert.deepEqual(
      r.events.map((e) => e.recordKey),
      r.events.map((e) => `gcp:${LOG}:${String(e.fields.insertId)}`),
    );
    assert.deepEqual(
      r.events.map((e) => e.origin.line),
      [1, 2, 3, 4, 5],
    );
    const [first] = r.events;
    assert.deepEqual(first.logsource, { product: 'gcp', service: 'gcp.audit' });
    assert.equal(first.time, '2024-05-14T13:25:41.328714Z');
    assert.equal(first.timeMs, Date.UTC(2024, 4, 14, 13, 25, 41, 328));
    assert.equal(first.raw, first.fields);
    assert.equal(at(first.fields, 'protoPayload.request.collectorIlb.url'), `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/us-central1/forwardingRules/pm-collector-fr`);
  });

  test('ECS: the first entry of an insert is outcome unknown, a session start; the provider is the log type', () => {
    const ecs = gcpAuditEcs(r.events[0]);
    assert.equal(at(ecs, 'event.action'), 'v1.compute.packetMirrorings.insert');
    assert.equal(at(ecs, 'event.provider'), 'activity');
    assert.equal(at(ecs, 'event.outcome'), 'unknown');
    assert.deepEqual(at(ecs, 'event.category'), ['session']);
    assert.deepEqual(at(ecs, 'event.type'), ['start']);
    assert.equal(at(ecs, 'event.id'), '-x2q7bte1c4a');
    assert.equal(at(ecs, 'cloud.provider'), 'gcp');
    assert.equal(at(ecs, 'cloud.project.id'), PROJECT);
    assert.equal(at(ecs, 'cloud.account.id'), undefined);
    assert.equal(at(ecs, 'user.email'), 'l.okafor@acme-corp.com');
    assert.equal(at(ecs, 'client.user.id'), 'user:l.okafor@acme-corp.com');
    assert.equal(at(ecs, 'source.ip'), '198.51.100.77');
    assert.deepEqual(at(ecs, 'related.ip'), ['198.51.100.77']);
    assert.deepEqual(at(ecs, 'related.user'), ['l.okafor@acme-corp.com']);
    assert.equal(at(ecs, 'service.name'), 'compute.googleapis.com');
    assert.equal(at(ecs, 'gcp.audit.logentry_operation.id'), OP_INSERT);
    assert.equal(at(ecs, 'gcp.audit.request.filter.direction'), 'BOTH');
    assert.equal(at(ecs, 'gcp.audit.response.status_value'), 'RUNNING');
    assert.equal(at(ecs, 'gcp.audit.response.status'), undefined);
    assert.equal(at(ecs, 'log.level'), 'NOTICE');
    assert.equal((at(ecs, 'gcp.audit.authorization_info') as Array<Record<string, unknown>>)[0].resource_attributes !== undefined, true);
    const last = gcpAuditEcs(r.events[1]);
    assert.deepEqual(at(last, 'event.type'), ['end']);
    assert.equal(at(last, 'event.outcome'), 'unknown');
  });

  test('ECS: a beta patch with one granted permission is a success; a denied delete is a failure without source.ip', () => {
    const patch = gcpAuditEcs(r.events[2]);
    assert.equal(at(patch, 'event.action'), 'beta.compute.packetMirrorings.patch');
    assert.equal(at(patch, 'event.outcome'), 'success');
    assert.deepEqual(at(patch, 'event.category'), ['session', 'network', 'configuration']);
    assert.deepEqual(at(patch, 'event.type'), ['start', 'access', 'allowed']);
    assert.equal(at(patch, 'gcp.audit.request.enable'), 'FALSE');
    const denied = gcpAuditEcs(r.events[4]);
    assert.equal(at(denied, 'event.outcome'), 'failure');
    assert.equal(at(denied, 'gcp.audit.status.code'), 7);
    assert.deepEqual(at(denied, 'event.type'), ['access', 'denied']);
    assert.equal(at(denied, 'source.ip'), undefined, 'gce-internal-ip is not a source address');
    assert.equal(at(denied, 'user.email'), `ci-runner@${PROJECT}.iam.gserviceaccount.com`);
    assert.equal(at(denied, 'log.level'), 'ERROR');
    assert.equal(at(denied, 'gcp.audit.logentry_operation'), undefined);
  });

  test('chunking does not change the events', () => {
    const text = fixture(SINK);
    const whole = readWith(gcpAuditReader, text);
    for (const how of CHUNKINGS) assert.deepEqual(readWith(gcpAuditReader, text, how).events, whole.events);
  });
});

describe('gcloud and Pub/Sub layouts', () => {
  const sink = read(SINK).events;

  test('a gcloud logging read array gives its entries in file order; other logs are counted in one note', () => {
    const r = read('gcp-gcloud-logging-read.json');
    assert.deepEqual(
      r.events.map((e) => [e.fields.insertId, e.origin.record]),
      [
        ['-7hq2vke6d1p8', 0],
        ['-1b8vzqe3a9s4', 1],
        ['-9kq4c2e1h0vz', 2],
        ['-3fv1mxe4b7k2', 4],
        ['-x2q7bte1c4a', 5],
      ],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.message]),
      [['MW2402', 'info', '1 LogEntry that is not a Cloud Audit Log was skipped']],
    );
    const byId = new Map(sink.map((e) => [e.recordKey, e.fields]));
    for (const e of r.events) assert.deepEqual(e.fields, byId.get(e.recordKey));
  });

  test('a Pub/Sub pull response yields the decoded LogEntries, located at their envelopes', () => {
    const r = read('gcp-pubsub-pull.json');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [e.recordKey, e.origin.line, e.origin.record]),
      [
        [sink[0].recordKey, 3, 0],
        [sink[1].recordKey, 14, 1],
      ],
    );
    assert.deepEqual(
      r.events.map((e) => e.fields),
      [sink[0].fields, sink[1].fields],
    );
    // The engine prefilters on the raw record text: it must be the decoded LogEntry, never base64.
    for (const rec of r.records) {
      assert.ok(rec.text.startsWith('{"protoPayload"'));
      assert.ok(rec.text.includes('v1.compute.packetMirrorings.insert'));
    }
  });

  test('Pub/Sub push envelopes, one per line, yield the decoded LogEntries', () => {
    const r = read('gcp-pubsub-push.ndjson');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.events.map((e) => [at(e.fields, 'protoPayload.methodName'), e.actionKey, e.origin.line]),
      [
        ['beta.compute.packetMirrorings.patch', `gcp:op:${OP_PATCH}`, 1],
        ['beta.compute.packetMirrorings.patch', `gcp:op:${OP_PATCH}`, 2],
      ],
    );
    assert.ok(r.records.every((rec) => rec.text.includes('beta.compute.packetMirrorings.patch')));
    const text = fixture('gcp-pubsub-push.ndjson');
    for (const how of CHUNKINGS) assert.deepEqual(readWith(gcpAuditReader, text, how, 'gcp-pubsub-push.ndjson').events, r.events);
  });

  test('Pub/Sub messages without a LogEntry are reported and dropped; LogEntries pass untouched', () => {
    const ds: Diagnostic[] = [];
    const origin = { file: 'push.ndjson', line: 7, column: 1 };
    const rec = (o: unknown): RawRecord => ({ text: JSON.stringify(o), origin });
    const entry = { logName: LOG, insertId: 'x', data: 'keep' };
    assert.deepEqual(unwrapPubSub(rec(entry), (d) => ds.push(d)), rec(entry));
    assert.equal(unwrapPubSub(rec({ message: { messageId: '9' }, subscription: 's' }), (d) => ds.push(d)), undefined);
    assert.equal(unwrapPubSub(rec({ message: { data: 'not base64!', messageId: '10' } }), (d) => ds.push(d)), undefined);
    const notJson = Buffer.from('plain text payload').toString('base64');
    assert.equal(unwrapPubSub(rec({ message: { data: notJson, messageId: '11' } }), (d) => ds.push(d)), undefined);
    const decoded = unwrapPubSub(rec({ data: Buffer.from('{"logName":"l"}').toString('base64'), messageId: '12', publishTime: 't' }), (d) => ds.push(d));
    assert.deepEqual(decoded, { text: '{"logName":"l"}', origin });
    assert.deepEqual(
      ds.map((d) => [d.code, d.severity, d.line, /message (\d+)/.exec(d.message)?.[1]]),
      [
        ['MW2403', 'error', 7, '9'],
        ['MW2403', 'error', 7, '10'],
        ['MW2403', 'error', 7, '11'],
      ],
    );
  });

  test('values that are not LogEntries are reported; a LogEntry without a timestamp keeps an unknown time', () => {
    const text = [
      '{"insertId":"a"}',
      `{"logName":"${LOG}","insertId":"b","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"v1.compute.packetMirrorings.delete"}}`,
    ].join('\n');
    const r = readWith(gcpAuditReader, text, 'whole', 'x.json');
    assert.deepEqual(
      r.events.map((e) => [e.fields.insertId, e.time, Number.isNaN(e.timeMs)]),
      [['b', '', true]],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.line]),
      [
        ['MW2401', 'warning', 1],
        ['MW2111', 'warning', 2],
      ],
    );
  });
});

describe('GCP reference samples', { skip: haveSamples ? false : 'shared/reference/samples is missing' }, () => {
  test("the compute insert sample maps to Elastic's expected ECS document", () => {
    const text = sample('gcp_audit_compute_v1_instances_insert_elastic_test.json');
    assert.deepEqual(gcpAuditReader.sniff(text, 'x.json'), { kind: 'read' });
    const r = readWith(gcpAuditReader, text, 'whole', 'gcp_audit_compute_v1_instances_insert_elastic_test.json');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.events.length, 1);
    const [e] = r.events;
    assert.equal(e.actionKey, 'gcp:op:operation-1732021993132-62743cba4d27a-d29b55ba-2cd69d6a');
    assert.equal(e.recordKey, 'gcp:projects/project-id/logs/cloudaudit.googleapis.com%2Factivity:-w5vrlhdm7gk');
    const ecs = gcpAuditEcs(e);
    const expected = JSON.parse(sample('gcp_audit_compute_instances_insert_ecs_expected_EXCERPT_elastic.json')) as Record<string, unknown>;
    delete expected._note;
    // Elastic's date processor keeps milliseconds; the event keeps the source's microseconds.
    const timestamp = expected['@timestamp'];
    delete expected['@timestamp'];
    assert.equal(new Date(String(ecs['@timestamp'])).toISOString(), timestamp);
    assert.equal(ecs['@timestamp'], '2024-11-19T13:13:13.176899Z');
    assertSubset(ecs, expected);
  });

  test('the expected-ECS excerpt itself is not a LogEntry and is not claimed', () => {
    const name = 'gcp_audit_compute_instances_insert_ecs_expected_EXCERPT_elastic.json';
    assert.deepEqual(gcpAuditReader.sniff(sample(name), name), { kind: 'no' });
  });
});
