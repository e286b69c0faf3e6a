/**
 * The pieces under the analytics, one behaviour each: the approved-collector file, the payload checks behind the
 * protocol-mismatch analytic, tunnel recognition by header shape on unexpected ports, shadow-flow overheads of each
 * encapsulation, and the first-seen baseline when a state store already knows a host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { MemoryBaseline } from '../../src/analytics/baseline.js';
import { parseCollectors } from '../../src/analytics/collectors.js';
import { overheadsFor } from '../../src/analytics/shadow-flow.js';
import { Layer } from '../../src/readers/pcap/decode.js';
import { checkPayload } from '../../src/readers/pcap/payload.js';
import { detectTunnel, TunnelHeader } from '../../src/readers/pcap/tunnels.js';
import { alertTable, details, netFixture, scanNetwork } from './helpers.js';

test('collectors file: addresses and CIDR blocks with names and comments; mistakes located by line', () => {
  const diags: Diagnostic[] = [];
  const c = parseCollectors('# NDR\n10.20.0.2 sensor one\n\n192.0.2.0/28   # farm\n2001:db8::/32\n10.0.0.0/0\n10.1.1.1/40\nnot-an-ip\n', 'c.txt', (d) => diags.push(d));
  assert.deepEqual(c.entries.map((e) => [e.cidr, e.name ?? '', e.where]), [
    ['10.20.0.2', 'sensor one', 'c.txt:2'],
    ['192.0.2.0/28', '', 'c.txt:4'],
    ['2001:db8::/32', '', 'c.txt:5'],
  ]);
  assert.deepEqual(diags.map((d) => [d.code, d.line]), [['MW3082', 6], ['MW3082', 7], ['MW3082', 8]]);
  assert.equal(c.approves('192.0.2.14')?.cidr, '192.0.2.0/28');
  assert.equal(c.approves('192.0.2.16'), undefined);
  assert.equal(c.approves('2001:db8:ffff::1')?.cidr, '2001:db8::/32');
  assert.equal(c.approves('02:00:00:00:00:01'), undefined, 'a MAC address is never approved');
});

test('collectors file in YAML: strings and maps; an empty list is a warning', () => {
  const diags: Diagnostic[] = [];
  const c = parseCollectors('collectors:\n  - 10.20.0.2\n  - address: 172.31.9.0/24\n    name: sensors\n  - name: no address\n', 'c.yml', (d) => diags.push(d));
  assert.deepEqual(c.entries.map((e) => e.cidr), ['10.20.0.2', '172.31.9.0/24']);
  assert.deepEqual(diags.map((d) => [d.code, d.line]), [['MW3082', 5]]);
  const empty: Diagnostic[] = [];
  parseCollectors('# nothing yet\n', 'e.txt', (d) => empty.push(d));
  assert.deepEqual(empty.map((d) => [d.code, d.severity]), [['MW3083', 'warning']]);
});

function verdict(p: Parameters<typeof checkPayload>[0], bytes: Buffer | string, fromClient: boolean, tcp = true): string {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1');
  const v = checkPayload(p, b, 0, b.length, fromClient, tcp, true);
  return v.kind === 'mismatch' ? `mismatch: ${v.reason}` : v.kind;
}

test('payload checks: DNS over UDP and TCP, TLS records and SSLv2 hellos, HTTP/1 and the HTTP/2 preface, SSH banners', () => {
  const query = Buffer.from('abcd01000001000000000000076578616d706c6503636f6d0000010001', 'hex');
  assert.equal(verdict('dns', query, true, false), 'ok');
  assert.equal(verdict('dns', Buffer.concat([Buffer.from([0, query.length]), query]), true), 'ok', 'TCP length prefix');
  assert.match(verdict('dns', Buffer.from('abcd01000001000000000000506578616d706c6500', 'hex'), true, false), /DNS label of 80 bytes/);
  assert.match(verdict('dns', Buffer.from('abcd81800001000000000000', 'hex'), true, false), /response bit/);
  assert.equal(verdict('tls', Buffer.from('8077010301', 'hex'), true), 'ok', 'SSLv2-compatible ClientHello');
  assert.match(verdict('tls', Buffer.from('170303001a', 'hex'), true), /first TLS record is type 23/);
  assert.equal(verdict('tls', Buffer.from('1503030002', 'hex'), false), 'ok', 'a server may start with an alert');
  assert.equal(verdict('http', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', true), 'ok');
  assert.equal(verdict('http', 'OPTIONS * HTTP/1.1\r\n', true), 'ok');
  assert.match(verdict('http', 'GET /index.html FOO\r\n', true), /does not end in an HTTP version/);
  assert.equal(verdict('ssh', 'Welcome to host\r\nSSH-2.0-OpenSSH_9.2\r\n', false), 'ok', 'other lines before the server banner');
  assert.match(verdict('ssh', 'Welcome to host\r\nSSH-2.0-x\r\n', true), /not an SSH identification string/);
  assert.equal(checkPayload('ssh', Buffer.from('SS'), 0, 2, true, true, false).kind, 'unknown', 'too short to tell');
});

/** A decoded UDP packet whose payload is `payload`, for tunnel recognition. */
function udpLayer(payload: Buffer, dport: number): { buf: Buffer; l: Layer } {
  const l = new Layer();
  l.ipVersion = 4;
  l.proto = 17;
  l.sport = 50000;
  l.dport = dport;
  l.payloadOff = 0;
  l.payloadLen = payload.length;
  l.payloadWire = payload.length;
  return { buf: payload, l };
}

test('a VXLAN-shaped header on an unexpected port counts only when a well-formed frame follows it', () => {
  const frame = Buffer.from('02000000000102000000000208004500001c000100004001' + '0000' + '0a0000010a00000208004d5600010001', 'hex');
  // The inner IPv4 header checksum (RFC 1071), so the frame is well formed.
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += frame.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  frame.writeUInt16BE(~sum & 0xffff, 24);
  const good = Buffer.concat([Buffer.from('0800000000177000', 'hex'), frame]);
  const t = new TunnelHeader();
  const a = udpLayer(good, 8888);
  assert.equal(detectTunnel(a.buf, a.l, t), true);
  assert.deepEqual([t.kind, t.vni, t.standardPort, t.port], ['vxlan', 0x1770, false, 8888]);
  const junk = Buffer.concat([Buffer.from('0800000000177000', 'hex'), Buffer.alloc(frame.length, 0x41)]);
  const b = udpLayer(junk, 8888);
  assert.equal(detectTunnel(b.buf, b.l, t), false, 'random bytes after an 0x08 flag byte are not a tunnel');
  const badSum = Buffer.from(good);
  badSum[14 + 8 + 10] ^= 0xff; // corrupt the inner IPv4 header checksum
  const c = udpLayer(badSum, 8888);
  assert.equal(detectTunnel(c.buf, c.l, t), false, 'an inner IPv4 header with a wrong checksum is not accepted on an unexpected port');
  const d = udpLayer(badSum, 4789);
  assert.equal(detectTunnel(d.buf, d.l, t), true, 'on the VXLAN port the header alone decides');
});

test('shadow-flow overheads: VXLAN 50 (70 over IPv6, +4 per VLAN tag), ERSPAN I 38, II 50, III 54 or 62', () => {
  const vxlan = overheadsFor(17, 4789);
  for (const x of [50, 54, 70]) assert.ok(vxlan.has(x), `VXLAN ${x}`);
  assert.ok(!vxlan.has(38));
  const gre = overheadsFor(47, 0);
  for (const x of [38, 50, 54, 62]) assert.ok(gre.has(x), `GRE ${x}`);
  assert.equal(overheadsFor(17, 443).size, 0, 'UDP/443 is no tunnel port');
});

test('shadow flows with an ERSPAN III overhead of 54 bytes per packet, from NetFlow records', async () => {
  const header = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt';
  const rows = [header];
  for (let i = 0; i < 5; i++) {
    const t = `2026-11-23 10:0${i}:00`;
    rows.push(`${t},${t},0.500,10.0.0.7,198.51.100.44,5000${i},443,TCP,.AP.SF,0,0,12,4000,0,0`);
    rows.push(`${t},${t},0.500,10.0.0.7,203.0.113.250,0,0,GRE,........,0,0,12,${4000 + 54 * 12},0,0`);
  }
  const { alerts } = await scanNetwork([], { texts: [{ name: 'erspan3.csv', text: `${rows.join('\n')}\n` }] });
  assert.deepEqual(alertTable(alerts), ["Shadow Flows: Tunnel Copies of a Host's Own Traffic | high"]);
  const d = details(alerts[0]);
  assert.deepEqual([d.shadow_matches, d.overhead_per_packet, d.transport], [5, [54], 'GRE (IP protocol 47, used by ERSPAN)']);
});

test('new destination: a host the stored baseline already knows needs no learning period; its known peers stay quiet', async () => {
  const baseline = new MemoryBaseline();
  const before = Date.parse('2023-11-01T00:00:00Z');
  baseline.remember('host-destination', '172.31.5.10', '*', before);
  baseline.remember('host-destination', '172.31.5.10', '93.184.216.34', before);
  const { alerts } = await scanNetwork([netFixture('lab', 'beacon_mirrored.pcap')], { baseline, minNewDestinationBytes: 1000 });
  const fresh = alerts.filter((a) => /Never Seen/.test(String((a.rule as { name: string }).name)));
  assert.equal(fresh.length, 1);
  const d = details(fresh[0]);
  assert.equal(d.host, '172.31.5.10');
  assert.equal(d.baseline, 'stored');
  assert.deepEqual((d.new_destinations as { destination: string; tunnel_port: boolean }[]).map((x) => [x.destination, x.tunnel_port]), [['172.31.9.20', true]]);
  assert.equal(fresh[0].mirrorwatch.severity, 'medium', 'a new destination on a tunnel port');
  assert.ok(baseline.firstSeen('host-destination', '172.31.5.10', '172.31.9.20') !== undefined, 'the scan remembered what it saw');
});

test('new destination: without enough history nothing is judged (a 10-minute capture)', async () => {
  const { alerts } = await scanNetwork([netFixture('lab', 'beacon_mirrored.pcap')], { minNewDestinationBytes: 1 });
  assert.ok(!alerts.some((a) => /Never Seen/.test(String((a.rule as { name: string }).name))));
});
