/**
 * The flow-record readers, recognised by content: AWS VPC Flow Logs (default and custom formats, with and without a
 * header, NODATA records), Zeek conn.log and tunnel.log (TSV by `#fields`, JSON flat or nested, ISO or epoch times,
 * other Zeek logs skipped with a note) and nfdump (CSV with its summary block, JSON arrays, JSON lines, the softflowd
 * epoch artefact, local times). Each maps to the same flow view the analytics read; each bad record is one located
 * diagnostic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event, RawRecord } from '../../src/core/event.js';
import { flowOf } from '../../src/normalize/network-flow.js';
import { ecsOf } from '../../src/normalize/index.js';
import { READERS } from '../../src/readers/registry.js';
import type { FormatReader } from '../../src/readers/types.js';
import { netFixture } from './helpers.js';

function readText(name: string, text: string, timeZone = 'UTC'): { format: string; events: Event[]; diagnostics: Diagnostic[]; skipped?: string } {
  const diagnostics: Diagnostic[] = [];
  for (const reader of READERS as readonly FormatReader[]) {
    const verdict = reader.sniff(text.slice(0, 65536), name);
    if (verdict.kind === 'skip') return { format: reader.format, events: [], diagnostics, skipped: verdict.reason };
    if (verdict.kind !== 'read') continue;
    const events: Event[] = [];
    const fr = reader.open({
      file: name,
      options: { timeZone, maxRecordChars: 1 << 20, referenceTimeMs: 0 },
      report: (d) => diagnostics.push(d),
      emit: (rec: RawRecord) => events.push(...fr.parse(rec)),
    });
    fr.push(text);
    fr.end();
    if (fr.flush) events.push(...fr.flush());
    return { format: reader.format, events, diagnostics };
  }
  throw new Error(`no reader claims ${name}`);
}

const VPC_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

test('VPC Flow Logs, default format with the S3 header: fields, numbers, time, flow view and ECS', () => {
  const { format, events, diagnostics } = readText(
    'vpc.log',
    `${VPC_HEADER}\n2 123456789012 eni-0a1b2c3d4e5f60718 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n`,
  );
  assert.equal(format, 'vpc-flow');
  assert.deepEqual(diagnostics, []);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.fields.srcport, 20641);
  assert.equal(e.fields['interface-id'], 'eni-0a1b2c3d4e5f60718');
  assert.equal(e.time, '2014-12-14T04:06:50.000Z');
  assert.deepEqual(e.logsource, { category: 'network_traffic', product: 'aws', service: 'vpcflowlogs' });
  const v = flowOf(e);
  assert.deepEqual([v?.source, v?.src, v?.dst, v?.dport, v?.proto, v?.packets, v?.bytes, v?.respPackets], ['vpc', '172.31.16.139', '172.31.16.21', 22, 6, 20, 4249, undefined]);
  const ecs = ecsOf(e) as { source: { ip: string }; cloud: { account: { id: string } }; network: { transport: string } };
  assert.equal(ecs.source.ip, '172.31.16.139');
  assert.equal(ecs.cloud.account.id, '123456789012');
  assert.equal(ecs.network.transport, 'tcp');
});

test('VPC Flow Logs without a header (CloudWatch export) are read as the default format', () => {
  const { format, events } = readText('cw.log', '2 123456789012 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK\n2 123456789012 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n');
  assert.equal(format, 'vpc-flow');
  assert.equal(events.length, 2);
  assert.equal(events[1].fields.action, 'REJECT');
});

test('VPC Flow Logs: a custom format by its header, `-` fields left out, NODATA noted once, a short record an error', () => {
  const text = readFileSync(netFixture('flows', 'day-vpc-custom.log'), 'utf8') + '5 vpc-0a1b2c3d 10.0.0.1\n';
  const { events, diagnostics } = readText('custom.log', text);
  assert.equal(events.length, 42);
  assert.equal(events[0].fields['flow-direction'], 'egress');
  assert.equal(events[0].fields['pkt-srcaddr'], events[0].fields.srcaddr);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.line]),
    [
      ['MW2851', 'error', 45],
      ['MW2854', 'info', undefined],
    ],
  );
});

test('Zeek conn.log TSV: columns by #fields, unset and empty values, sets, numbers, booleans', () => {
  const { format, events, diagnostics } = readText('conn.log', readFileSync(netFixture('flows', 'mirror-zeek', 'conn.log'), 'utf8'));
  assert.equal(format, 'zeek');
  assert.deepEqual(diagnostics, []);
  assert.equal(events.length, 9);
  const outer = events.find((e) => e.fields.service === 'vxlan') as Event;
  assert.equal(outer.fields['id.resp_p'], 4789);
  assert.equal(outer.fields.local_orig, true);
  assert.equal(outer.fields.tunnel_parents, undefined, '`-` (unset) leaves the field out');
  const inner = events.find((e) => e.fields.proto === 'tcp') as Event;
  assert.equal((inner.fields.tunnel_parents as string[]).length, 2);
  assert.equal(inner.time, '2026-11-23T18:15:57.209800Z');
  const v = flowOf(inner);
  assert.deepEqual([v?.packets, v?.bytes, v?.respPackets, v?.respBytes, v?.tunnelParents?.length], [6, 389, 5, 400, 2]);
});

test('Zeek tunnel.log TSV and JSON conn records, flat or nested, epoch or ISO time', () => {
  const tunnel = readText('tunnel.log', readFileSync(netFixture('flows', 'mirror-zeek', 'tunnel.log'), 'utf8'));
  assert.equal(tunnel.events.length, 5);
  assert.equal(flowOf(tunnel.events[0])?.kind, 'tunnel');
  assert.deepEqual(tunnel.events[0].logsource, { category: 'network_traffic', product: 'zeek', service: 'tunnel' });
  const json = readText(
    'conn.json',
    [
      '{"ts":1591367999.305988,"uid":"CMdzit1AMNsmfAIiQc","id.orig_h":"192.168.4.76","id.orig_p":36844,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","service":"dns","duration":0.066851,"orig_bytes":62,"resp_bytes":141,"conn_state":"SF","missed_bytes":0,"history":"Dd","orig_pkts":2,"orig_ip_bytes":118,"resp_pkts":2,"resp_ip_bytes":197}',
      '{"ts":"2020-06-05T14:39:59.305988Z","uid":"C2","id":{"orig_h":"192.168.4.76","orig_p":36845,"resp_h":"192.168.4.1","resp_p":53},"proto":"udp","conn_state":"S0","orig_pkts":1,"orig_ip_bytes":59,"resp_pkts":0,"resp_ip_bytes":0}',
      '{"ts":1591367999.1,"uid":"C3", this is not JSON',
    ].join('\n'),
  );
  assert.equal(json.format, 'zeek');
  assert.equal(json.events.length, 2);
  assert.equal(json.events[0].time, '2020-06-05T14:39:59.305988Z');
  assert.equal(json.events[1].fields['id.orig_p'], 36845, 'nested id flattened');
  assert.equal(json.events[1].time, '2020-06-05T14:39:59.305Z');
  assert.deepEqual(json.diagnostics.map((d) => [d.code, d.line]), [['MW2851', 3]]);
});

test('other Zeek logs are recognised and skipped with a note, so a log directory scans cleanly', () => {
  const dns = readText('dns.log', '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n#fields\tts\tuid\tquery\n#types\ttime\tstring\tstring\n1.0\tC1\texample.com\n');
  assert.equal(dns.format, 'zeek');
  assert.match(dns.skipped ?? '', /Zeek dns\.log/);
});

test('nfdump CSV: the header, the Summary block ignored, the softflowd epoch artefact warned about once', () => {
  const { format, events, diagnostics } = readText('flows.csv', readFileSync(netFixture('flows', 'lab-beacon_mirrored-nfdump.csv'), 'utf8'));
  assert.equal(format, 'nfdump');
  assert.equal(events.length, 61);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['MW2853', 'warning']]);
  const epoch = events.find((e) => e.fields.sa === '192.0.2.1') as Event;
  assert.ok(Number.isNaN(epoch.timeMs), 'the 1970 flow keeps no time');
  const beacon = events.find((e) => e.fields.dp === 8443) as Event;
  assert.equal(beacon.time, '2023-11-14T22:13:49.000Z');
  assert.deepEqual(beacon.assumptions, ['nfdump times read in UTC (nfdump prints the local time of the machine that ran it; set --timezone)']);
  const v = flowOf(beacon);
  assert.deepEqual([v?.src, v?.dst, v?.dport, v?.proto, v?.packets, v?.bytes], ['172.31.5.10', '93.184.216.34', 8443, 17, 1, 124]);
});

test('nfdump times are read in --timezone: the same file in Europe/Berlin is an hour earlier in UTC', () => {
  const text = readFileSync(netFixture('flows', 'lab-A-vxlan-outer-nfdump.csv'), 'utf8');
  const utc = readText('a.csv', text).events[0];
  const berlin = readText('a.csv', text, 'Europe/Berlin').events[0];
  assert.equal(utc.timeMs - berlin.timeMs, 3600_000);
});

test('nfdump JSON, as an array and as JSON lines, maps to the same flows as the CSV', () => {
  const csv = readText('a.csv', readFileSync(netFixture('flows', 'lab-A-vxlan-outer-nfdump.csv'), 'utf8')).events.map(flowOf);
  const arrayText = readFileSync(netFixture('flows', 'lab-A-vxlan-outer-nfdump.json'), 'utf8');
  const array = readText('a.json', arrayText).events.map(flowOf);
  const lines = (JSON.parse(arrayText) as unknown[]).map((o) => JSON.stringify(o)).join('\n');
  const ndjson = readText('a.jsonl', lines).events.map(flowOf);
  const key = (v: ReturnType<typeof flowOf>) => `${v?.src}:${v?.sport}>${v?.dst}:${v?.dport}/${v?.proto} ${v?.packets}p ${v?.bytes}B @${Math.floor((v?.startMs ?? 0) / 1000)}`;
  assert.deepEqual(array.map(key).sort(), csv.map(key).sort());
  assert.deepEqual(ndjson.map(key).sort(), csv.map(key).sort());
});

test('nfdump CSV: a record with the wrong number of columns is one error with its line', () => {
  const text = readFileSync(netFixture('flows', 'lab-A-vxlan-outer-nfdump.csv'), 'utf8').replace(/\n2026-11-23 18:15:57,2026-11-23 18:15:57,0.001,10.20.0.1,10.20.0.2,33975,/, '\n2026-11-23 18:15:57,10.20.0.1,');
  const { events, diagnostics } = readText('a.csv', text);
  assert.equal(events.length, 4);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.line]), [['MW2851', 'error', 2]]);
});
