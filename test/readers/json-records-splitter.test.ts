import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { NOT_JSON, parseJsonRecord } from '../../src/readers/json-records.js';
import { CHUNKINGS, fixture, splitAll, type ReadResult } from './json-records-harness.js';

/** The records as [text, line, column, record] tuples, for compact assertions. */
function shape(r: ReadResult): Array<[string, number | undefined, number | undefined, number | undefined]> {
  return r.records.map((x) => [x.text, x.origin.line, x.origin.column, x.origin.record]);
}

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.code}@${d.line}:${d.column}`);
}

/** Asserts that every chunking gives the same records and diagnostics as reading the text whole. */
function assertChunkInvariant(text: string, maxRecordChars?: number): ReadResult {
  const whole = splitAll(text, 'whole', maxRecordChars);
  for (const how of CHUNKINGS) {
    const r = splitAll(text, how, maxRecordChars);
    assert.deepEqual(r.records, whole.records, `records differ for chunking ${JSON.stringify(how).slice(0, 40)}`);
    assert.deepEqual(r.diagnostics, whole.diagnostics, `diagnostics differ for chunking ${JSON.stringify(how).slice(0, 40)}`);
  }
  return whole;
}

describe('JSON record splitter: layouts', () => {
  test('NDJSON lines are one record each, with line and column', () => {
    const r = assertChunkInvariant('{"a":1}\n  {"b":"x y"}\r\n\n{"c":[1,2]}');
    assert.deepEqual(shape(r), [
      ['{"a":1}', 1, 1, undefined],
      ['{"b":"x y"}', 2, 3, undefined],
      ['{"c":[1,2]}', 4, 1, undefined],
    ]);
    assert.deepEqual(r.diagnostics, []);
  });

  test('concatenated values on one line (Firehose) are split, with or without blanks between them', () => {
    const r = assertChunkInvariant('{"a":{"b":"}{"}}{"c":2} {"d":3}\n');
    assert.deepEqual(shape(r), [
      ['{"a":{"b":"}{"}}', 1, 1, undefined],
      ['{"c":2}', 1, 17, undefined],
      ['{"d":3}', 1, 25, undefined],
    ]);
  });

  test('a top-level array yields its elements with their index, line and column', () => {
    const text = '[\n  {\n    "insertId": "a",\n    "x": [{"y": 1}]\n  },\n  {"insertId": "b"}\n]\n';
    const r = assertChunkInvariant(text);
    assert.equal(r.records.length, 2);
    assert.deepEqual(JSON.parse(r.records[0].text), { insertId: 'a', x: [{ y: 1 }] });
    assert.deepEqual(r.records.map((x) => [x.origin.line, x.origin.column, x.origin.record]), [
      [2, 3, 0],
      [6, 3, 1],
    ]);
  });

  test('a container key need not come first, and the other members are ignored', () => {
    const text = '{"NextToken":"eyJ9","Events":[{"EventId":"1"},{"EventId":"2","x":"]}"}],"ResponseMetadata":{"RequestId":"r"}}';
    const r = assertChunkInvariant(text);
    assert.deepEqual(shape(r), [
      ['{"EventId":"1"}', 1, 31, 0],
      ['{"EventId":"2","x":"]}"}', 1, 47, 1],
    ]);
  });

  test('a container key after nested members is still found (depth is tracked, not guessed)', () => {
    const text = '{\n  "QueryStatus": "FINISHED",\n  "QueryStatistics": {"ResultsCount": 2, "x": [{"y": {}}]},\n  "QueryResultRows": [\n    [{"eventID": "a"}],\n    [{"eventID": "b"}]\n  ]\n}\n';
    const r = assertChunkInvariant(text);
    assert.deepEqual(shape(r), [
      ['[{"eventID": "a"}]', 5, 5, 0],
      ['[{"eventID": "b"}]', 6, 5, 1],
    ]);
  });

  test('every container key is recognised, each container numbering its own records', () => {
    for (const key of ['Records', 'records', 'Events', 'QueryResultRows', 'entries', 'value', 'receivedMessages', 'messages']) {
      const r = splitAll(`{"${key}":[{"n":1},[{"eventID":"e"}]]}\n{"${key}": []}\n{"other":[{"n":3}]}`);
      assert.deepEqual(
        r.records.map((x) => [x.text, x.origin.record]),
        [
          ['{"n":1}', 0],
          ['[{"eventID":"e"}]', 1],
          ['{"other":[{"n":3}]}', undefined],
        ],
        key,
      );
    }
  });

  test('container keys count only at depth 1 and only with an array value', () => {
    const r = assertChunkInvariant('{"detail":{"Records":[{"a":1}]}}\n{"value":"Succeeded","localizedValue":"Succeeded"}\n{"x":[{"records":[1]}]}\n');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"detail":{"Records":[{"a":1}]}}', '{"value":"Succeeded","localizedValue":"Succeeded"}', '{"x":[{"records":[1]}]}'],
    );
  });

  test('several Event Hubs batches, one per line, stream their records', () => {
    const r = assertChunkInvariant('{"records":[{"n":1},{"n":2}]}\n{"records":[{"n":3}]}\n');
    assert.deepEqual(shape(r), [
      ['{"n":1}', 1, 13, 0],
      ['{"n":2}', 1, 21, 1],
      ['{"n":3}', 2, 13, 0],
    ]);
  });

  test('escapes inside strings never end a string or a record, wherever the chunks are cut', () => {
    const values = ['\\"', '\\\\', '\\\\\\"}', 'a\\\\', '}]{[', '\\u0022', '\\/\\b\\n'];
    const text = `{"Records":[${values.map((v) => `{"v":"${v}","w":"${v}"}`).join(',')}]}`;
    const r = assertChunkInvariant(text);
    assert.deepEqual(
      r.records.map((x) => JSON.parse(x.text) as unknown),
      values.map((v) => {
        const s = JSON.parse(`"${v}"`) as string;
        return { v: s, w: s };
      }),
    );
  });

  test('records of a single-line S3 file carry their column and index', () => {
    const recs = Array.from({ length: 40 }, (_, i) => JSON.stringify({ eventID: `e-${i}`, requestParameters: { n: i, s: 'a"b' } }));
    const text = `{"Records":[${recs.join(',')}]}`;
    const r = assertChunkInvariant(text);
    assert.equal(r.records.length, 40);
    let from = 0;
    r.records.forEach((x, i) => {
      const at = text.indexOf(recs[i], from);
      from = at + 1;
      assert.deepEqual(x, { text: recs[i], origin: { file: 'input.json', line: 1, column: at + 1, record: i }, offset: at });
    });
  });

  test('a byte order mark before the first value is skipped and is not a column', () => {
    const r = assertChunkInvariant('\uFEFF{"a":1}\n{"b":2}\n');
    assert.deepEqual(shape(r), [
      ['{"a":1}', 1, 1, undefined],
      ['{"b":2}', 2, 1, undefined],
    ]);
  });

  test('a line longer than the fast-path limit takes the state machine and gives the same record', () => {
    const big = { eventID: 'big', requestParameters: { items: Array.from({ length: 50000 }, (_, i) => ({ id: `i-${i}`, v: 'x\\"y' })) } };
    const line = JSON.stringify(big);
    assert.ok(line.length > 1 << 20);
    const text = `${line}\n{"eventID":"small"}\n`;
    const whole = splitAll(text);
    assert.deepEqual(
      whole.records.map((x) => x.text),
      [line, '{"eventID":"small"}'],
    );
    assert.deepEqual(splitAll(text, [65536, 4093, 7]).records, whole.records);
  });
});

describe('JSON record splitter: malformed input', () => {
  test('an unterminated string costs one NDJSON line, reported with its line', () => {
    const r = assertChunkInvariant('{"a":1}\n{"b":"cut off\n{"c":3}\n');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"a":1}', '{"c":3}'],
    );
    assert.deepEqual(codes(r.diagnostics), ['MW2103@2:14']);
    assert.equal(r.diagnostics[0].severity, 'error');
    assert.equal(r.diagnostics[0].file, 'input.json');
  });

  test('a line missing its closing brace is reported where the next record starts, and that record is read', () => {
    const r = assertChunkInvariant('{"a":{"b":1},\n{"c":2}\n{"d":3}\n');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"c":2}', '{"d":3}'],
    );
    assert.deepEqual(codes(r.diagnostics), ['MW2104@2:1']);
  });

  test('text between values is reported once per run and skipped to the next line that starts a record', () => {
    const r = assertChunkInvariant('{"a":1}\nnot json at all\nstill not\n  {"b":2} trailing words\n{"c":3}\n');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"a":1}', '{"b":2}', '{"c":3}'],
    );
    assert.deepEqual(codes(r.diagnostics), ['MW2102@2:1', 'MW2102@4:11']);
  });

  test('a closing bracket that does not match is a structural error', () => {
    const r = assertChunkInvariant('{"Records":[{"a":[1,2}},{"b":2}]}\n{"c":3}\n');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"c":3}'],
    );
    assert.deepEqual(codes(r.diagnostics), ['MW2104@1:22']);
    assert.match(r.diagnostics[0].message, /does not close the array/);
  });

  test('a {…} line is taken whole without a full scan: its JSON errors are left to JSON.parse', () => {
    const r = assertChunkInvariant('{"a":[1,2}\n{"b":2}\n');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"a":[1,2}', '{"b":2}'],
    );
    assert.deepEqual(r.diagnostics, []);
    const ds: Diagnostic[] = [];
    assert.equal(parseJsonRecord(r.records[0], (d) => ds.push(d)), NOT_JSON);
    assert.deepEqual(
      ds.map((d) => [d.code, d.line]),
      [['MW2110', 1]],
    );
  });

  test('a truncated {"Records":[… keeps the records before the cut and reports the cut-off one', () => {
    const text = fixture('cloudtrail-truncated-records.json');
    const r = assertChunkInvariant(text);
    assert.equal(r.records.length, 2);
    assert.deepEqual(
      r.records.map((x) => (JSON.parse(x.text) as { eventName: string }).eventName),
      ['CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter'],
    );
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0];
    assert.equal(d.code, 'MW2105');
    assert.equal(d.record, 2);
    assert.equal(d.line, 1);
    assert.equal(d.column, text.lastIndexOf('{"eventVersion"') + 1);
  });

  test('input ending inside a container after a complete record reports the container', () => {
    const r = assertChunkInvariant('{"records":[{"a":1},');
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"a":1}'],
    );
    assert.deepEqual(codes(r.diagnostics), ['MW2105@1:1']);
    assert.match(r.diagnostics[0].message, /top-level JSON object/);
  });

  test('a record larger than the limit is reported once and skipped, the next one is read', () => {
    const huge = `{"blob":"${'z'.repeat(5000)}","n":[${'1,'.repeat(300)}1]}`;
    const text = `{"a":1}\n${huge}\n{"b":2}\n{"Records":[{"c":3},${huge},{"d":4}]}\n`;
    const r = assertChunkInvariant(text, 1000);
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}'],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.column, d.record]),
      [
        ['MW2101', 2, 1, undefined],
        ['MW2101', 4, 21, 1],
      ],
    );
    assert.match(r.diagnostics[0].message, new RegExp(`${huge.length} characters is larger than the limit of 1000`));
  });

  test('a huge line of garbage is one diagnostic and is never collected', () => {
    const text = `${'#'.repeat(300_000)}\n{"ok":true}\n{${'"k":'.repeat(100_000)}\n{"ok":2}\n`;
    const r = splitAll(text, 65536, 1000);
    assert.deepEqual(
      r.records.map((x) => x.text),
      ['{"ok":true}', '{"ok":2}'],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['MW2102', 'MW2104'],
    );
  });

  test('a broken element of a pretty-printed array costs that element only', () => {
    const text = ['[', '  {', '    "a": 1,', '    "b": 2 3', '  },', '  {', '    "c": 3', '  }', ']', ''].join('\n');
    const r = assertChunkInvariant(text);
    assert.deepEqual(
      r.records.map((x) => [JSON.parse(x.text) as unknown, x.origin.line, x.origin.record]),
      [[{ c: 3 }, 6, 1]],
    );
    assert.deepEqual(codes(r.diagnostics), ['MW2104@4:12']);
  });

  test('malformed inputs give the same records and diagnostics for every chunking', () => {
    const texts = [
      '{"a":1}\n{"b":"x\\',
      '{"a":"\\\\\\"\n{"b":1}\n',
      '[{"a":1},,{"b":2}]\n{"c":3}\n',
      '{"records":[{"a":1} {"b":2}]}\n{"c":1}',
      '{"a":}\n{"b":tru}\n',
      ']\n}\n{"x":1}',
      '{"value":[{"a":1}],"value":[{"b":2}]}',
      fixture('cloudtrail-records-bad-line.ndjson'),
    ];
    for (const t of texts) assertChunkInvariant(t);
    for (const t of texts) assertChunkInvariant(t, 12);
  });
});

describe('parseJsonRecord', () => {
  test('a syntax error is reported at its line and column inside the file', () => {
    const ds: Diagnostic[] = [];
    const v = parseJsonRecord({ text: '{"a":1,"b":tru}', origin: { file: 'x.ndjson', line: 3, column: 5 } }, (d) => ds.push(d));
    assert.equal(v, NOT_JSON);
    assert.equal(ds.length, 1);
    assert.equal(ds[0].code, 'MW2110');
    assert.equal(ds[0].line, 3);
    // The `t` of `tru` is character 12 of the record, which starts at column 5.
    assert.equal(ds[0].column, 16);
  });

  test('an error on a later line of a pretty-printed record points at that line', () => {
    const ds: Diagnostic[] = [];
    parseJsonRecord({ text: '{\n  "a": 1,\n  "b": x\n}', origin: { file: 'x.json', line: 10, column: 3, record: 4 } }, (d) => ds.push(d));
    assert.equal(ds[0].line, 12);
    assert.equal(ds[0].column, 8);
    assert.equal(ds[0].record, 4);
  });

  test('errors V8 gives no position for are still located (unterminated string, bad escape, trailing comma)', () => {
    const cases: Array<[string, number]> = [
      ['{"a":"x', 8],
      ['{"a":"\\q"}', 8],
      ['{"a":[1,]}', 9],
      ['{"a":1} x', 9],
      ['{"a" 1}', 6],
      ['[01]', 3],
    ];
    for (const [text, column] of cases) {
      const ds: Diagnostic[] = [];
      assert.equal(parseJsonRecord({ text, origin: { file: 'x', line: 1, column: 1 } }, (d) => ds.push(d)), NOT_JSON, text);
      assert.equal(ds[0].column, column, text);
    }
  });

  test('valid JSON, even null, is returned as parsed', () => {
    assert.equal(parseJsonRecord({ text: 'null', origin: { file: 'x' } }, () => assert.fail('no report')), null);
    assert.deepEqual(parseJsonRecord({ text: '{"a":[1]}', origin: { file: 'x' } }, () => assert.fail('no report')), { a: [1] });
  });
});
