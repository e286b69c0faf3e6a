import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../src/core/event.js';
import { cloudtrailReader } from '../../src/readers/cloudtrail.js';
import { CloudTrailS3Splitter, parseS3Record, S3_FILE_START } from '../../src/readers/cloudtrail-s3.js';
import { CHUNKINGS, chunksOf, fixture, readWith, splitAll, type Chunking } from './json-records-harness.js';

const S3_FILE = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14/111122223333_CloudTrail_us-east-1_20240514T1335Z_Xk3p9LmQ2vR8sT1a.json';

/** A CloudTrail record as CloudTrail writes it: `eventVersion` first. */
function rec(id: string, name = 'CreateTrafficMirrorSession', extra = ''): string {
  return (
    `{"eventVersion":"1.10","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ops"},` +
    `"eventTime":"2024-05-14T13:35:0${id.length % 10}Z","eventSource":"ec2.amazonaws.com","eventName":"${name}",` +
    `"awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","requestParameters":{"note":"a \\"quoted\\" ,{\\"eventVersion\\":\\"x\\" text"${extra}},` +
    `"eventID":"${id}","recipientAccountId":"111122223333"}`
  );
}

function file(...records: string[]): string {
  return `{"Records":[${records.join(',')}]}`;
}

function ids(text: string, how: Chunking = 'whole', maxRecordChars?: number) {
  const r = readWith(cloudtrailReader, text, how, 'ct.json', maxRecordChars);
  return { ...r, ids: r.events.map((e) => e.fields.eventID) };
}

describe('CloudTrail S3 fast path', () => {
  test('a CloudTrail-written file takes the fast path', () => {
    assert.ok(file(rec('a')).startsWith(S3_FILE_START));
  });

  test('cuts the same records, at the same places, as the general splitter, however the text is chunked', () => {
    const texts = [fixture(S3_FILE), file(rec('a'), rec('b'), rec('c')), `${file(rec('a'), rec('b'))}\n`];
    for (const text of texts) {
      assert.ok(text.startsWith(S3_FILE_START));
      const general = splitAll(text).records.map(outline);
      assert.ok(general.length > 0);
      for (const how of CHUNKINGS) {
        const fast = readWith(cloudtrailReader, text, how, 'input.json');
        assert.deepEqual(fast.diagnostics, [], `chunking ${JSON.stringify(how).slice(0, 20)}`);
        assert.deepEqual(fast.records.map(outline), general, `chunking ${JSON.stringify(how).slice(0, 20)}`);
        for (const r of fast.records) assert.equal(text.slice(r.offset ?? -1, (r.offset ?? -1) + r.text.length), r.text);
      }
    }
  });

  test('an escaped record marker inside a string does not cut a record', () => {
    const r = ids(file(rec('a'), rec('b')));
    assert.deepEqual(r.ids, ['a', 'b']);
    assert.match(String((r.events[0].fields.requestParameters as Record<string, unknown>).note), /eventVersion/);
  });

  test('a record that does not start with eventVersion is merged by the cut and still read, with no error', () => {
    const odd = rec('b').replace('{"eventVersion":"1.10",', '{').replace('"recipientAccountId"', '"eventVersion":"1.10","recipientAccountId"');
    for (const how of CHUNKINGS) {
      const r = ids(file(rec('a'), odd, rec('c')), how);
      assert.deepEqual(r.ids, ['a', 'b', 'c']);
      assert.deepEqual(r.diagnostics, []);
    }
    assert.equal(parseS3Record(`${rec('a')},${odd}`)?.length, 2);
    assert.equal(parseS3Record('{"a":'), undefined);
  });

  test('concatenated files are read whole, each record with its own line', () => {
    const text = `${file(rec('a'), rec('b'))}\n${file(rec('c'))}\n${file()}\n${file(rec('d'))}`;
    for (const how of CHUNKINGS) {
      const r = ids(text, how);
      assert.deepEqual(r.ids, ['a', 'b', 'c', 'd']);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(
        r.records.map((x) => x.origin.line),
        [1, 1, 2, 4],
      );
      assert.equal(r.records[2].origin.record, 0);
    }
  });

  test('a nested {"Records":[ inside a request stays part of its record', () => {
    const nested = rec('b', 'PutRecords', `,"inner":{"Records":[{"x":1}]}`);
    for (const how of CHUNKINGS) {
      const r = ids(file(rec('a'), nested, rec('c')), how);
      assert.deepEqual(r.ids, ['a', 'b', 'c']);
      assert.deepEqual(r.diagnostics, []);
    }
  });

  test('a truncated file keeps every complete record and reports the one cut off', () => {
    const text = file(rec('a'), rec('b'), rec('c')).slice(0, -40);
    for (const how of CHUNKINGS) {
      const r = ids(text, how);
      assert.deepEqual(r.ids, ['a', 'b']);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.record]),
        [['MW2105', 2]],
      );
    }
  });

  test('a malformed record is reported with its place and the others are read', () => {
    const bad = rec('b').replace('"eventName":', '"eventName" ');
    const text = file(rec('a'), bad, rec('c'));
    const r = ids(text);
    assert.deepEqual(r.ids, ['a', 'c']);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].code, 'MW2110');
    assert.equal(r.diagnostics[0].record, 1);
    // The column (1-based) is that of the JSON error itself: the quote that stands where the colon should be.
    assert.equal(r.diagnostics[0].column, text.indexOf(bad) + bad.indexOf('"eventName" ') + '"eventName" '.length + 1);
  });

  test('an oversized record is reported once and skipped; the records around it are read', () => {
    const big = rec('b', 'CreateTrafficMirrorSession', `,"pad":"${'x'.repeat(5000)}"`);
    for (const how of [1, 7, 512, 'whole'] as Chunking[]) {
      const r = ids(file(rec('a'), big, rec('c')), how, 2000);
      assert.deepEqual(r.ids, ['a', 'c'], `chunking ${String(how)}`);
      assert.deepEqual(
        r.diagnostics.map((d) => d.code),
        ['MW2101'],
        `chunking ${String(how)}`,
      );
    }
  });

  test('records the prefilter rejects are never emitted', () => {
    const text = file(rec('a'), rec('b', 'DescribeInstances'), rec('c'));
    for (const how of CHUNKINGS) {
      const out: RawRecord[] = [];
      const s = new CloudTrailS3Splitter({
        file: 'ct.json',
        maxRecordChars: 1 << 20,
        report: () => assert.fail('no diagnostics expected'),
        emit: (r) => out.push(r),
        mayMatch: (t) => t.includes('TrafficMirror'),
      });
      const chunks = chunksOf(text, how);
      // The splitter is given the file from its first byte, as the reader does once it has seen the start.
      let head = '';
      let i = 0;
      while (head.length < S3_FILE_START.length) head += chunks[i++];
      s.push(head);
      for (; i < chunks.length; i++) s.push(chunks[i]);
      s.end();
      assert.deepEqual(
        out.map((r) => r.origin.record),
        [0, 2],
      );
    }
  });
});

function outline(r: RawRecord) {
  return { text: r.text, offset: r.offset, origin: r.origin };
}
