/**
 * The HTTP senders against a real local `node:http` server written here, which checks each protocol the way the
 * collector does and misbehaves on demand: Splunk HEC (`Authorization: Splunk <token>`, `application/json`,
 * concatenated event objects and never an array, 413 above its content limit, 503 while busy, 400 code 6 with
 * `invalid-event-number` for an event it cannot read), Elasticsearch `_bulk` (action lines before documents, final
 * newline, `application/x-ndjson`, per-item 429 and mapping errors) and plain NDJSON (one object per line, 400 for a
 * whole batch with a bad line). The server stands in for Splunk and Elasticsearch, which the tests cannot reach; it
 * speaks their documented wire formats. Retries, splitting, bisection to the poison record and the reports are verified, and
 * `simulate --send` is run end to end against the same server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboundEvent } from '../../src/sinks/http-batcher.js';
import { createHttpSender, parseHttpOptions, type HttpSenderConfig, type RawHttpOptions } from '../../src/sinks/http-options.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { runCli, hasStackTrace } from '../helpers/cli.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local collector: records every request and answers with `respond`. */
async function collector(respond: (req: Received, res: ServerResponse) => void): Promise<{ url: string; requests: Received[]; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Splits concatenated JSON objects (`{…}{…}`) as HEC does; throws when the text is anything else. */
function concatenatedObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    } else if (depth === 0 && c.trim() !== '') throw new Error(`not concatenated objects at ${i}: ${JSON.stringify(c)}`);
  }
  return out;
}

function events(n: number, poison = new Set<number>()): OutboundEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    timeMs: Date.parse('2026-11-20T14:00:00Z') + i * 1000,
    dataset: 'aws.cloudtrail',
    host: 'ec2.amazonaws.com',
    event: { eventID: `id-${i}`, eventName: poison.has(i) ? 'POISON' : 'DescribeVpcs', padding: 'x'.repeat(200) },
    label: `eventID id-${i}`,
  }));
}

function config(raw: RawHttpOptions): HttpSenderConfig {
  const diags: Diagnostic[] = [];
  const c = parseHttpOptions(raw, (d) => diags.push(d));
  assert.ok(c, JSON.stringify(diags));
  return { ...c, retryBaseMs: 1, retryMaxMs: 5 };
}

const noSleep = () => Promise.resolve();

async function sendAll(c: HttpSenderConfig, evs: OutboundEvent[]) {
  const { sender, encode } = createHttpSender(c, noSleep);
  for (const e of evs) await sender.add(encode(e));
  return sender.close();
}

test('HEC: token header, JSON content type, concatenated envelopes (never an array), batches by bytes', async () => {
  const srv = await collector((r, res) => {
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/services/collector/event');
    assert.equal(r.headers.authorization, 'Splunk 11111111-2222-3333-4444-555555555555');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.notEqual(r.body.trimStart()[0], '[');
    json(res, 200, { text: 'Success', code: 0 });
  });
  try {
    const report = await sendAll(config({ url: srv.url, format: 'hec', token: '11111111-2222-3333-4444-555555555555', batchSize: '4k' }), events(40));
    assert.equal(report.delivered, 40);
    assert.deepEqual(report.rejected, []);
    assert.ok(srv.requests.length > 1, 'split into several batches by bytes');
    for (const r of srv.requests) assert.ok(Buffer.byteLength(r.body) <= 4096, 'no batch above --batch-size');
    const all = srv.requests.flatMap((r) => concatenatedObjects(r.body));
    assert.equal(all.length, 40);
    assert.deepEqual(Object.keys(all[0]), ['time', 'host', 'source', 'sourcetype', 'event']);
    assert.equal(all[0].time, Date.parse('2026-11-20T14:00:00Z') / 1000, 'epoch seconds');
    assert.equal(all[0].sourcetype, 'aws:cloudtrail');
    assert.deepEqual(all.map((e) => (e.event as { eventID: string }).eventID), events(40).map((e) => (e.event as { eventID: string }).eventID), 'order kept');
  } finally {
    await srv.close();
  }
});

test('HEC: retries 503 "server is busy" with backoff, splits on 413, and bisects code 6 to the poison event', async () => {
  let busy = 2;
  const srv = await collector((r, res) => {
    if (busy > 0) {
      busy--;
      json(res, 503, { text: 'Server is busy', code: 9 }, { 'Retry-After': '0' });
      return;
    }
    if (Buffer.byteLength(r.body) > 3000) {
      res.writeHead(413);
      res.end('Content-Length of 9000 too large (maximum is 3000)');
      return;
    }
    const evs = concatenatedObjects(r.body);
    const bad = evs.findIndex((e) => (e.event as { eventName: string }).eventName === 'POISON');
    // HEC answers for a batch with an unreadable event with code 6 and the event's number; the batch is refused.
    if (bad >= 0) json(res, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': bad });
    else json(res, 200, { text: 'Success', code: 0 });
  });
  try {
    const report = await sendAll(config({ url: `${srv.url}/`, format: 'hec', token: 't', batchSize: '8k' }), events(30, new Set([17])));
    assert.equal(report.delivered, 29);
    assert.deepEqual(report.rejected.map((r) => r.label), ['eventID id-17']);
    assert.match(report.rejected[0].reason, /Invalid data format \(HEC code 6\)/);
    assert.equal(report.retries, 2);
    assert.ok(report.splits >= 1, 'a 413 splits the batch');
    assert.equal(report.aborted, undefined);
    // Every good event arrived exactly once.
    const accepted = srv.requests.filter((r) => Buffer.byteLength(r.body) <= 3000).flatMap((r) => concatenatedObjects(r.body)).filter((e) => (e.event as { eventName: string }).eventName !== 'POISON');
    const seen = new Set<string>();
    for (const e of accepted) seen.add((e.event as { eventID: string }).eventID);
    assert.equal(seen.size, 29);
  } finally {
    await srv.close();
  }
});

test('HEC: a 400 without an event number is bisected; a bad token stops delivery with a clear error', async () => {
  const srv = await collector((r, res) => {
    if (r.headers.authorization === 'Splunk wrong') {
      json(res, 403, { text: 'Invalid token', code: 4 });
      return;
    }
    const evs = concatenatedObjects(r.body);
    if (evs.some((e) => (e.event as { eventName: string }).eventName === 'POISON')) json(res, 400, { text: 'Event field cannot be blank', code: 13 });
    else json(res, 200, { text: 'Success', code: 0 });
  });
  try {
    const report = await sendAll(config({ url: srv.url, format: 'hec', token: 'good' }), events(64, new Set([5, 50])));
    assert.equal(report.delivered, 62);
    assert.deepEqual(report.rejected.map((r) => r.label).sort(), ['eventID id-5', 'eventID id-50']);
    // Bisection takes about log2(64) requests per poison event, not one per event.
    assert.ok(srv.requests.length <= 1 + 2 * 2 * Math.log2(64), `${srv.requests.length} requests`);
    const denied = await sendAll(config({ url: srv.url, format: 'hec', token: 'wrong' }), events(5));
    assert.equal(denied.delivered, 0);
    assert.match(String(denied.aborted), /HEC refused the token: Invalid token \(HEC code 4\)/);
    assert.equal(denied.unsent, 5);
  } finally {
    await srv.close();
  }
});

test('bulk: /_bulk, x-ndjson, create action lines before each document, final newline; retries 429 items, reports rejected items', async () => {
  let first = true;
  const srv = await collector((r, res) => {
    assert.equal(r.url, '/_bulk');
    assert.equal(r.headers['content-type'], 'application/x-ndjson');
    assert.equal(r.headers.authorization, 'ApiKey a2V5OnNlY3JldA==');
    assert.ok(r.body.endsWith('\n'), 'the body ends with a newline');
    const lines = r.body.slice(0, -1).split('\n');
    assert.equal(lines.length % 2, 0);
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]) as { create?: { _index?: string } };
      assert.deepEqual(Object.keys(action), ['create'], 'data streams take create actions');
      assert.equal(action.create?._index, 'logs-aws.cloudtrail-default');
      const doc = JSON.parse(lines[i + 1]) as { '@timestamp': string; message: string };
      assert.match(doc['@timestamp'], /^\d{4}-\d{2}-\d{2}T/);
      const inner = JSON.parse(doc.message) as { eventName: string; eventID: string };
      if (inner.eventName === 'POISON') items.push({ create: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [eventName]' } } });
      else if (first && i === 0) items.push({ create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } } });
      else items.push({ create: { status: 201 } });
    }
    first = false;
    json(res, 200, { took: 3, errors: items.some((x) => (x as { create: { status: number } }).create.status >= 300), items });
  });
  try {
    const report = await sendAll(config({ url: srv.url, format: 'bulk', token: 'a2V5OnNlY3JldA==' }), events(12, new Set([7])));
    assert.equal(report.delivered, 11);
    assert.deepEqual(report.rejected.map((r) => r.label), ['eventID id-7']);
    assert.match(report.rejected[0].reason, /400 mapper_parsing_exception/);
    assert.equal(report.retries, 1);
    assert.equal(srv.requests.length, 2, 'only the refused item is sent again');
    assert.equal(srv.requests[1].body.split('\n').length - 1, 2, 'one action and one document');
  } finally {
    await srv.close();
  }
});

test('ndjson: one object per line and a final newline; connection failures are retried, then delivery stops', async () => {
  const srv = await collector((r, res) => {
    assert.equal(r.headers['content-type'], 'application/x-ndjson');
    assert.equal(r.headers.authorization, 'Bearer tok');
    assert.ok(r.body.endsWith('\n'));
    const docs = r.body.slice(0, -1).split('\n').map((l) => JSON.parse(l) as { eventName: string });
    if (docs.some((d) => d.eventName === 'POISON')) {
      res.writeHead(400);
      res.end('bad line');
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  try {
    const report = await sendAll(config({ url: `${srv.url}/ingest`, format: 'ndjson', token: 'tok' }), events(20, new Set([3])));
    assert.equal(report.delivered, 19);
    assert.deepEqual(report.rejected.map((r) => r.label), ['eventID id-3']);
    assert.equal(srv.requests[0].url, '/ingest');
    const docs = srv.requests[0].body.trim().split('\n').map((l) => JSON.parse(l) as { eventID: string });
    assert.equal(docs[0].eventID, 'id-0', 'records are sent as the source wrote them');
  } finally {
    await srv.close();
  }
  // Nothing listens there any more: connection refused, retried `--retries` times, then a clear stop.
  const gone = await sendAll({ ...config({ url: srv.url, format: 'ndjson', retries: '2' }) }, events(3));
  assert.equal(gone.delivered, 0);
  assert.equal(gone.retries, 2);
  assert.match(String(gone.aborted), /gave up after 2 retries: connection failed: ECONNREFUSED/);
});

test('options are validated before anything is sent', () => {
  const diags: Diagnostic[] = [];
  const r = parseHttpOptions({ url: 'ftp://x', format: 'hec', batchSize: '10', retries: 'many', index: 'Bad Index' }, (d) => diags.push(d));
  assert.equal(r, undefined);
  assert.deepEqual(diags.map((d) => [d.code, d.file]), [
    ['MW3141', '--send'],
    ['MW3143', '--token'],
    ['MW3144', '--batch-size'],
    ['MW3145', '--retries'],
  ]);
  const d2: Diagnostic[] = [];
  assert.equal(parseHttpOptions({ url: 'http://es:9200', format: 'bulk', index: 'Bad Index' }, (d) => d2.push(d)), undefined);
  assert.deepEqual(d2.map((d) => d.code), ['MW3146']);
  const ok = parseHttpOptions({ url: 'https://es.example.com:9200/prefix/', format: 'bulk' }, () => undefined);
  assert.equal(ok?.url.href, 'https://es.example.com:9200/prefix/_bulk');
});

test('simulate --send replays a scenario to HEC with times shifted to now; bad options are numbered diagnostics', async () => {
  const srv = await collector((_r, res) => json(res, 200, { text: 'Success', code: 0 }));
  try {
    const before = Date.now();
    const r = await runCli(['simulate', 'aws-session', '--send', srv.url, '--format', 'hec', '--token', 'abc']);
    assert.equal(r.code, 0, r.stderr);
    const all = srv.requests.flatMap((x) => concatenatedObjects(x.body));
    assert.equal(all.length, 5, 'the five calls of the scenario');
    const times = all.map((e) => Number(e.time) * 1000);
    assert.ok(Math.max(...times) <= Date.now() && Math.max(...times) >= before - 10 * 60_000, 'the last record is about now');
    assert.match(r.stdout, /5 of 5 record\(s\) delivered/);
  } finally {
    await srv.close();
  }
  const bad = await runCli(['simulate', 'aws-session', '--send', 'localhost:8088', '--format', 'splunk']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /MW3141 error --send: "localhost:8088" is a localhost: URL/);
  assert.match(bad.stderr, /MW3142 error --format: unknown format "splunk"/);
  assert.equal(hasStackTrace(bad.stderr), false);
});
