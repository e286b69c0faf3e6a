/**
 * The alert table of every network fixture: on captures with a mirror (VXLAN via tc mirred and nft dup, iptables
 * TEE, ERSPAN I/II/III, GENEVE, TZSP, HP ERM, VXLAN on a custom port) and on flow records (NetFlow via softflowd and
 * nfdump, VPC Flow Logs, Zeek), exactly the expected alerts fire — and on captures without one (ordinary traffic, a
 * two-way VXLAN overlay, the decapsulated inner frames), nothing does. Details the alert must name are checked too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertTable, details, netFixture, scanNetwork } from './helpers.js';
import { parseCollectors } from '../../src/analytics/collectors.js';

const MIRROR = 'Mirror Stream to an Unapproved Collector';
const SHADOW = "Shadow Flows: Tunnel Copies of a Host's Own Traffic";
const BEACON = 'Beaconing: Fixed-Size Connections at Regular Intervals';
const NEW_DEST = 'Large Volume to a Destination Never Seen from the Host';
const MISMATCH = 'Traffic That Does Not Follow the Protocol of Its Port';

interface Case {
  path: string[];
  table: string[];
  /** Details of the alerts, in table order (a subset of keys is compared). */
  details?: (Record<string, unknown> | undefined)[];
}

const CASES: Record<string, Case> = {
  'lab: VXLAN mirror built with tc mirred (VNI 4242)': {
    path: ['lab', 'A-vxlan-outer.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ encapsulation: 'vxlan', vni: 4242, source: '10.20.0.1', collector: '10.20.0.2', one_way: true, inner_conversations_total: 5, inner_hosts: ['10.10.1.1', '10.10.1.2'] }],
  },
  'lab: the same traffic decapsulated (no mirror in it)': { path: ['lab', 'A-vxlan-inner.pcap'], table: [] },
  'lab: VXLAN mirror built with nft dup (VNI 77)': {
    path: ['lab', 'B-nftdup-vxlan.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ encapsulation: 'vxlan', vni: 77, source: '10.20.0.1', collector: '10.20.0.2', inner_conversations_both_directions: 1 }],
  },
  'lab: iptables TEE plain L3 copies': {
    path: ['lab', 'C-tee.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ kind: 'l3-copy', encapsulation: 'none', conversations_total: 1, copied_hosts: ['10.10.1.1', '10.10.1.2'] }],
  },
  'lab: ERSPAN type II (session 100)': {
    path: ['lab', 'D-erspan2.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ encapsulation: 'erspan-ii', erspan_session: 100, erspan_type: 'II', source: '10.20.0.1', collector: '10.20.0.2' }],
  },
  'lab: ERSPAN type III (session 200)': {
    path: ['lab', 'D-erspan3.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ encapsulation: 'erspan-iii', erspan_session: 200, erspan_type: 'III' }],
  },
  'lab: AWS-style VXLAN mirror with a truncated copy': {
    path: ['lab', 'aws_vxlan_mirror.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ vni: 12345, source: '172.31.5.10', collector: '172.31.9.20', truncated_copies: 1, inner_conversations_total: 3 }],
  },
  'lab: ERSPAN types I, II and III around the same frame': {
    path: ['lab', 'erspan_types.pcap'],
    table: [`${MIRROR} | high`, `${MIRROR} | high`, `${MIRROR} | high`],
    details: [{ encapsulation: 'erspan-i' }, { encapsulation: 'erspan-ii', erspan_session: 100 }, { encapsulation: 'erspan-iii', erspan_session: 100 }],
  },
  'lab: a beacon and its VXLAN mirror': {
    path: ['lab', 'beacon_mirrored.pcap'],
    table: [`${BEACON} | low`, `${MIRROR} | high`, `${BEACON} | medium`],
    details: [{ source: '172.31.5.10', destination: '93.184.216.34', connections: 20, score: 1 }, { vni: 777 }, { source: '172.31.5.10', destination: '172.31.9.20', score: 1 }],
  },
  'crafted: ordinary office traffic': { path: ['crafted', 'benign-office.pcap'], table: [] },
  'crafted: a two-way VXLAN overlay is not a mirror': { path: ['crafted', 'vxlan-overlay.pcap'], table: [] },
  'crafted: ERSPAN III in a Linux cooked capture': {
    path: ['crafted', 'cooked-erspan3.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ encapsulation: 'erspan-iii', erspan_session: 42, source: '10.255.0.1', collector: '10.255.0.99' }],
  },
  'crafted: GENEVE (GCP NSI style, VNI 0)': {
    path: ['crafted', 'geneve-gcp-nsi.pcap'],
    table: [`${MIRROR} | high`],
    details: [{ encapsulation: 'geneve', vni: 0, port: 6081, inner_conversations_both_directions: 1 }],
  },
  'crafted: HP ERM': { path: ['crafted', 'hp-erm.pcap'], table: [`${MIRROR} | high`], details: [{ encapsulation: 'hp-erm', port: 7932 }] },
  'crafted: TZSP (MikroTik sniff)': { path: ['crafted', 'tzsp-mikrotik.pcap'], table: [`${MIRROR} | high`], details: [{ encapsulation: 'tzsp', port: 37008 }] },
  'crafted: QinQ-tagged IPv6 VXLAN in pcapng': {
    path: ['crafted', 'qinq-ipv6-vxlan.pcapng'],
    table: [`${MIRROR} | high`],
    details: [{ source: 'fd00::10', collector: 'fd00::20', vni: 9000, inner_hosts: ['2001:db8:1::1', '2001:db8:1::2'] }],
  },
  'crafted: TEE copies in a nanosecond pcap': { path: ['crafted', 'tee-nanosecond.pcap'], table: [`${MIRROR} | high`], details: [{ kind: 'l3-copy' }] },
  'crafted: VXLAN on UDP 8888 (Azure vTAP custom port)': {
    path: ['crafted', 'vxlan-port-8888.pcap'],
    table: [`${MIRROR} | high`, `${MISMATCH} | medium`],
    details: [{ vni: 6000, port: 8888, standard_port: false }, { kind: 'tunnel-port', port: 8888, encapsulation: 'vxlan' }],
  },
  'crafted: wrong protocols on SSH, TLS, HTTP and DNS ports': {
    path: ['crafted', 'protocol-mismatch.pcap'],
    table: [`${MISMATCH} | medium`, `${MISMATCH} | medium`, `${MISMATCH} | medium`, `${MISMATCH} | medium`],
    details: [
      { server: '10.0.0.80', port: 22, expected_protocol: 'ssh', clients: ['10.0.0.5'] },
      { server: '10.0.0.80', port: 443, expected_protocol: 'tls' },
      { server: '10.0.0.80', port: 80, expected_protocol: 'http' },
      { server: '10.0.0.53', port: 53, expected_protocol: 'dns', transport: 'udp' },
    ],
  },
  'flows: nfdump CSV of the 26-hour day': {
    path: ['flows', 'day-nfdump.csv'],
    table: [`${SHADOW} | high`, `${BEACON} | low`, `${BEACON} | medium`, `${NEW_DEST} | low`],
    details: [
      { source: '172.31.5.10', collector: '172.31.9.20', flows: 312, shadow_matches: 312, overhead_per_packet: [50], one_way: true },
      { destination: '93.184.216.34', connections: 312, score: 1 },
      { destination: '172.31.9.20', connections: 312, score: 1 },
      { host: '172.31.5.14', new_destinations_total: 1 },
    ],
  },
  'flows: nfdump JSON of the 26-hour day': {
    path: ['flows', 'day-nfdump.json'],
    table: [`${SHADOW} | high`, `${BEACON} | low`, `${BEACON} | medium`, `${NEW_DEST} | low`],
  },
  'flows: VPC Flow Logs of the day (S3 layout, gzip): never a shadow flow': {
    path: ['flows', 'day-vpc'],
    table: [`${BEACON} | low`, `${NEW_DEST} | low`],
    details: [{ destination: '93.184.216.34', connections: 312 }, { host: '172.31.5.14' }],
  },
  'flows: VPC Flow Logs in a custom format': { path: ['flows', 'day-vpc-custom.log'], table: [`${BEACON} | low`] },
  'flows: Zeek conn.log JSON of the day': {
    path: ['flows', 'day-zeek-conn.json'],
    table: [`${BEACON} | low`, `${MIRROR} | high`, `${BEACON} | medium`, `${NEW_DEST} | low`],
    details: [undefined, { kind: 'zeek-tunnel', source: '172.31.5.10', collector: '172.31.9.20', packets: 312 }],
  },
  'flows: Zeek conn.log and tunnel.log of a VXLAN mirror at its collector': {
    path: ['flows', 'mirror-zeek'],
    table: [`${MIRROR} | high`],
    details: [{ kind: 'zeek-tunnel', encapsulation: 'Tunnel::VXLAN', packets: 33, one_way: true, inner_conversations_total: 4, inner_conversations_both_directions: 2 }],
  },
  'flows: nfdump of lab capture A (tunnel flows only)': {
    path: ['flows', 'lab-A-vxlan-outer-nfdump.csv'],
    table: [`${SHADOW} | medium`],
    details: [{ source: '10.20.0.1', collector: '10.20.0.2', flows: 5, shadow_matches: 0, one_way: true }],
  },
  'flows: nfdump JSON of lab capture A': { path: ['flows', 'lab-A-vxlan-outer-nfdump.json'], table: [`${SHADOW} | medium`] },
  'flows: nfdump of the lab beacon with its mirror': {
    path: ['flows', 'lab-beacon_mirrored-nfdump.csv'],
    table: [`${SHADOW} | high`, `${BEACON} | low`, `${BEACON} | medium`],
    details: [{ shadow_matches: 20, overhead_per_packet: [50], own_bytes: 2480 }],
  },
  'flows: nfdump of lab ERSPAN II (GRE flows)': {
    path: ['flows', 'lab-D-erspan2-nfdump.csv'],
    table: [`${SHADOW} | medium`],
    details: [{ ip_proto: 47, flows: 1, packets: 4 }],
  },
};

function subset(actual: Record<string, unknown>, expected: Record<string, unknown>, where: string): void {
  for (const [k, v] of Object.entries(expected)) {
    if (Array.isArray(v) && Array.isArray(actual[k]) && k.endsWith('hosts')) {
      for (const x of v) assert.ok((actual[k] as unknown[]).includes(x), `${where}: ${k} lacks ${String(x)} (has ${JSON.stringify(actual[k])})`);
    } else assert.deepEqual(actual[k], v, `${where}: ${k}`);
  }
}

for (const [name, c] of Object.entries(CASES)) {
  test(name, async () => {
    const { alerts, diagnostics } = await scanNetwork([netFixture(...c.path)]);
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
      'no input errors',
    );
    assert.deepEqual(alertTable(alerts), c.table);
    c.details?.forEach((d, i) => {
      if (d) subset(details(alerts[i]), d, `${name}, alert ${i + 1}`);
    });
    for (const a of alerts) {
      assert.ok(a.message.length > 40 && /\.$/.test(a.message), `plain-words message: ${a.message}`);
      assert.ok(a.mirrorwatch.evidence.length > 0, 'evidence');
      assert.equal((a.threat as { technique?: { id: string[] } }).technique?.id.includes('T1020'), true, 'ATT&CK technique');
      assert.match(String(a.event.dataset), /^network\.(pcap|flow)$/);
    }
  });
}

test('an approved collector raises nothing; one elsewhere still does', async () => {
  const list = parseCollectors('10.20.0.2   lab collector\n', 'collectors.txt', () => undefined);
  const approved = await scanNetwork([netFixture('lab', 'A-vxlan-outer.pcap'), netFixture('lab', 'D-erspan2.pcap'), netFixture('lab', 'aws_vxlan_mirror.pcap')], { collectors: list });
  assert.deepEqual(alertTable(approved.alerts), [`${MIRROR} | high`]);
  assert.equal(details(approved.alerts[0]).collector, '172.31.9.20');
  assert.match(approved.alerts[0].message, /not on the approved-collector list/);
  const cidr = parseCollectors('collectors:\n  - address: 172.31.9.0/24\n    name: sensors\n', 'c.yml', () => undefined);
  const none = await scanNetwork([netFixture('flows', 'lab-beacon_mirrored-nfdump.csv')], { collectors: cidr });
  assert.deepEqual(alertTable(none.alerts), [`${BEACON} | low`, `${BEACON} | medium`], 'the shadow flow to an approved collector is not alerted; the beacons still are');
});

test('control plane + traffic: the ERSPAN configuration and the stream it causes raise each other to critical', async () => {
  const { alerts } = await scanNetwork([netFixture('control-plane', 'sw-lab-1.log'), netFixture('lab', 'D-erspan2.pcap'), netFixture('lab', 'D-erspan3.pcap')]);
  assert.deepEqual(alertTable(alerts), ['Mirrored Traffic Sent to a Remote IP Destination (ERSPAN or GRE) | critical', `${MIRROR} | critical`, `${MIRROR} | high`]);
  const [config, stream, other] = alerts;
  const linked = stream.mirrorwatch.correlated_with as { why: string }[];
  assert.equal(linked.length, 1);
  assert.match(linked[0].why, /destination 10\.20\.0\.2, ERSPAN session 100, origin 10\.20\.0\.1/);
  assert.equal((config.mirrorwatch.correlated_with as unknown[]).length, 1);
  assert.equal(config.event.severity, 4);
  assert.match(stream.message, /Linked to "Mirrored Traffic Sent to a Remote IP Destination/);
  assert.equal(other.mirrorwatch.correlated_with, undefined, 'session 200 is not the configured erspan-id 100');
  assert.ok(stream.mirrorwatch.risk_factors.some((r) => r.name === 'control-plane-and-traffic'));
});

test('control plane + traffic: CreateTrafficMirrorSession and the VXLAN stream with its VNI', async () => {
  const { alerts } = await scanNetwork([netFixture('control-plane', 'cloudtrail-create-session.json'), netFixture('lab', 'aws_vxlan_mirror.pcap')]);
  assert.deepEqual(alertTable(alerts), ['AWS Traffic Mirror Session Created | critical', `${MIRROR} | critical`]);
  assert.match((alerts[1].mirrorwatch.correlated_with as { why: string }[])[0].why, /VXLAN network identifier 12345/);
});

test('control plane + traffic: a change long before the traffic is not linked', async () => {
  const late = (await import('node:fs')).readFileSync(netFixture('control-plane', 'cloudtrail-create-session.json'), 'utf8').replace('2023-11-14T22:12:41Z', '2023-11-14T19:12:41Z');
  const { alerts } = await scanNetwork([netFixture('lab', 'aws_vxlan_mirror.pcap')], { texts: [{ name: 'ct.json', text: late }] });
  assert.deepEqual(alertTable(alerts), ['AWS Traffic Mirror Session Created | high', `${MIRROR} | high`]);
});
