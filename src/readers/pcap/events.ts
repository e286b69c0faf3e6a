/**
 * Events of the `network.pcap` dataset, built from the flow table. Three record types, told apart by `_path` as in
 * Zeek's JSON logs:
 *
 * - `conn`: a conversation, with Zeek `conn.log` field names (`id.orig_h`, `orig_pkts`, `orig_ip_bytes`,
 *   `conn_state`, `service`, …; https://docs.zeek.org/en/master/scripts/base/protocols/conn/main.zeek.html) so
 *   flow analytics read captures and Zeek logs alike, plus the payload check (`app_*`) and Ethernet addresses.
 * - `tunnel`: a mirror or overlay tunnel, with Zeek `tunnel.log` names (`tunnel_type`) plus what a capture shows
 *   beyond Zeek: VNI, ERSPAN type and session, packets and bytes, reverse traffic, and the inner conversations and
 *   hosts being carried.
 * - `copy`: a plain L3 copy stream (see `flow-table.ts`).
 *
 * `origin.record` is the 0-based index of the first packet in the file (Wireshark's frame number minus one);
 * `first_frame` gives Wireshark's 1-based number.
 */
import type { Event } from '../../core/event.js';
import { addrText, macText, protoName, type Addr } from './decode.js';
import { innerText, type Conversation, type CopyStream, type InnerConversation, type Tunnel } from './flow-table.js';
import { ENCAPSULATION_LABEL, MIRROR_ONLY, type Encapsulation } from './tunnels.js';

/** Inner conversations and hosts listed per tunnel event (the rest are counted). */
export const LISTED = 50;

/** ISO 8601 with microseconds, or nanoseconds when the capture has them. */
export function isoTime(sec: number, nsec: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  const frac = nsec % 1000 === 0 ? String(nsec / 1000).padStart(6, '0') : String(nsec).padStart(9, '0');
  return `${base}.${frac}Z`;
}

/** Seconds with at most microsecond digits (float noise from millisecond arithmetic removed). */
function seconds(ms: number): number {
  return Math.max(0, Math.round(ms * 1000) / 1e6);
}

function msIso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/** Zeek's `tunnel_type` enum value for an encapsulation (GRE-carried ERSPAN is `Tunnel::GRE` in Zeek). */
export function zeekTunnelType(kind: Encapsulation): string {
  switch (kind) {
    case 'vxlan':
    case 'vxlan-gpe':
      return 'Tunnel::VXLAN';
    case 'geneve':
      return 'Tunnel::GENEVE';
    case 'erspan-i':
    case 'erspan-ii':
    case 'erspan-iii':
    case 'gre-teb':
      return 'Tunnel::GRE';
    case 'tzsp':
      return 'Tunnel::TZSP';
    case 'hp-erm':
      return 'Tunnel::HP_ERM';
  }
}

function base(file: string, uid: string, record: number, sec: number, nsec: number, fields: Record<string, unknown>): Event {
  return {
    dataset: 'network.pcap',
    logsource: { category: 'network_traffic', product: 'pcap' },
    raw: fields,
    fields,
    time: isoTime(sec, nsec),
    timeMs: sec * 1000 + nsec / 1e6,
    origin: { file, record },
    recordKey: `${file}#${uid}`,
    actionKey: `${file}#${uid}`,
  };
}

/** The event of one conversation. */
export function conversationEvent(c: Conversation, file: string, uid: string): Event {
  const icmp = c.proto === 1 || c.proto === 58;
  const fields: Record<string, unknown> = {
    _path: 'conn',
    ts: isoTime(c.firstSec, c.firstNsec),
    uid,
    'id.orig_h': addrText(c.a),
    'id.orig_p': icmp ? Math.max(c.icmpType, 0) : c.ap,
    'id.resp_h': addrText(c.b),
    'id.resp_p': icmp ? Math.max(c.icmpCode, 0) : c.bp,
    proto: protoName(c.proto),
    ip_proto: c.proto,
    duration: seconds(c.lastMs - c.firstMs),
    orig_pkts: c.op,
    orig_ip_bytes: c.ob,
    resp_pkts: c.rp,
    resp_ip_bytes: c.rb,
    conn_state: c.connState(),
    first_frame: c.firstFrame + 1,
  };
  if (c.tunnel !== undefined) {
    fields.service = c.tunnel;
    fields.tunnel = c.tunnel;
  }
  const verdict = c.appVerdict();
  if (verdict !== undefined) {
    fields.app_expected = c.app;
    fields.app_verdict = verdict;
    if (verdict === 'mismatch') {
      fields.app_reason = c.reason;
      fields.app_head = c.head;
    }
  }
  if (c.oSrc >= 0 || c.rSrc >= 0) {
    fields.l2 = {
      ...(c.oSrc >= 0 ? { orig_src_mac: macText(c.oSrc), orig_dst_mac: macText(c.oDst) } : {}),
      ...(c.rSrc >= 0 ? { resp_src_mac: macText(c.rSrc), resp_dst_mac: macText(c.rDst) } : {}),
    };
  }
  if (c.isL3Copy()) fields.l3_copy = true;
  if (c.snapped > 0) fields.snapped_pkts = c.snapped;
  return base(file, uid, c.firstFrame, c.firstSec, c.firstNsec, fields);
}

function innerRecord(c: InnerConversation): Record<string, unknown> {
  const icmp = c.proto === 1 || c.proto === 58;
  return {
    proto: protoName(c.proto),
    a: addrText(c.a),
    ...(icmp || c.proto === 6 || c.proto === 17 ? { a_port: c.ap, b_port: c.bp } : {}),
    b: addrText(c.b),
    packets_ab: c.pab,
    packets_ba: c.pba,
    bytes_ab: c.bab,
    bytes_ba: c.bba,
    both_directions: c.pab > 0 && c.pba > 0,
    first: msIso(c.firstMs),
    text: innerText(c),
  };
}

/** The event of one tunnel. */
export function tunnelEvent(t: Tunnel, file: string, uid: string): Event {
  const inner = [...t.inner.values()];
  inner.sort((x, y) => y.pab + y.pba - (x.pab + x.pba) || x.firstMs - y.firstMs);
  const hosts = [...t.innerHosts.entries()].sort((x, y) => y[1] - x[1]);
  const both = inner.filter((c) => c.pab > 0 && c.pba > 0).length;
  const srcText = addrText(t.src);
  const hostTexts = hosts.map(([a]) => addrText(a));
  const fields: Record<string, unknown> = {
    _path: 'tunnel',
    ts: isoTime(t.firstSec, t.firstNsec),
    uid,
    'id.orig_h': srcText,
    'id.orig_p': 0,
    'id.resp_h': addrText(t.dst),
    'id.resp_p': t.port,
    tunnel_type: zeekTunnelType(t.kind),
    action: 'Tunnel::DISCOVER',
    encapsulation: t.kind,
    encapsulation_name: ENCAPSULATION_LABEL[t.kind],
    mirror_only: MIRROR_ONLY.has(t.kind),
    ip_proto: t.port === 0 ? 47 : 17,
    standard_port: t.standardPort,
    ...(t.vni >= 0 ? { vni: t.vni } : {}),
    packets: t.packets,
    ip_bytes: t.bytes,
    duration: seconds(t.lastMs - t.firstMs),
    last_ts: msIso(t.lastMs),
    outer_source_ports: t.sourcePorts.size,
    ...(t.sourcePortsMore ? { outer_source_ports_more: true } : {}),
    reverse_packets: t.reversePackets,
    one_way: t.reversePackets === 0,
    first_frame: t.firstFrame + 1,
    inner: {
      conversations: inner.slice(0, LISTED).map(innerRecord),
      conversations_total: inner.length + t.innerDropped,
      conversations_both_directions: both,
      hosts: hostTexts.slice(0, LISTED),
      hosts_total: hosts.length + (t.innerHostsDropped > 0 ? 1 : 0),
      non_ip_frames: t.nonIp,
      truncated_copies: t.truncatedCopies,
      ...(t.truncatedCopies > 0 ? { copy_bytes: { min: t.minCopyBytes, max: t.maxCopyBytes } } : {}),
      ...(t.innerVlans.size > 0 ? { vlans: [...t.innerVlans].sort((a, b) => a - b) } : {}),
    },
    source_in_inner: hostTexts.includes(srcText),
  };
  if (t.session >= 0 || t.erspanVersions.size > 0 || t.kind.startsWith('erspan')) {
    fields.erspan = {
      type: t.kind === 'erspan-i' ? 'I' : t.kind === 'erspan-ii' ? 'II' : t.kind === 'erspan-iii' ? 'III' : undefined,
      ...(t.erspanVersions.size > 0 ? { version: Math.max(...t.erspanVersions) } : {}),
      ...(t.session >= 0 ? { session_id: t.session } : {}),
      ...(t.erspanVlans.size > 0 ? { vlans: [...t.erspanVlans].sort((a, b) => a - b) } : {}),
      ...(t.erspanIndexes.size > 0 ? { index: [...t.erspanIndexes].sort((a, b) => a - b).slice(0, 16) } : {}),
      ...(t.erspanTruncatedFlag > 0 ? { truncated_flag_packets: t.erspanTruncatedFlag } : {}),
      ...(t.erspanFirstTimestamp >= 0
        ? {
            timestamp_first: t.erspanFirstTimestamp,
            timestamp_last: t.erspanLastTimestamp,
            granularity: ['100us', '100ns', 'ieee1588', 'other'][t.erspanGra] ?? String(t.erspanGra),
            hw_id: t.erspanHwId,
            direction: { ingress: t.erspanDirections[0], egress: t.erspanDirections[1] },
          }
        : {}),
    };
  }
  if (t.greSeqFirst >= 0) fields.gre_sequence = { first: t.greSeqFirst, last: t.greSeqLast, missing: t.greSeqMissing };
  return base(file, uid, t.firstFrame, t.firstSec, t.firstNsec, fields);
}

function ipsOf(arp: ReadonlyMap<number, ReadonlySet<number>>, mac: number): string[] {
  return [...(arp.get(mac) ?? [])].map((a) => addrText(a));
}

/** The event of one plain L3 copy stream; `arp` maps MAC addresses to IPv4 addresses learnt from ARP in the capture. */
export function copyEvent(s: CopyStream, arp: ReadonlyMap<number, ReadonlySet<number>>, file: string, uid: string): Event {
  const convs = [...s.conversations].sort((x, y) => y.op + y.rp - (x.op + x.rp));
  const fields: Record<string, unknown> = {
    _path: 'copy',
    ts: isoTime(s.firstSec, s.firstNsec),
    uid,
    sender_mac: macText(s.senderMac),
    receiver_mac: macText(s.receiverMac),
    sender_ips: ipsOf(arp, s.senderMac),
    receiver_ips: ipsOf(arp, s.receiverMac),
    packets: s.packets,
    ip_bytes: s.bytes,
    duration: seconds(s.lastMs - s.firstMs),
    last_ts: msIso(s.lastMs),
    first_frame: s.firstFrame + 1,
    conversations: convs.slice(0, LISTED).map((c) => ({
      proto: protoName(c.proto),
      orig: addrText(c.a),
      ...(c.proto === 6 || c.proto === 17 ? { orig_port: c.ap, resp_port: c.bp } : {}),
      resp: addrText(c.b),
      packets_orig: c.op,
      packets_resp: c.rp,
      bytes_orig: c.ob,
      bytes_resp: c.rb,
    })),
    conversations_total: s.conversationsTotal,
    hosts: [...s.hosts].slice(0, LISTED).map((a: Addr) => addrText(a)),
  };
  return base(file, uid, s.firstFrame, s.firstSec, s.firstNsec, fields);
}
