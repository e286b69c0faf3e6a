/**
 * Mirror stream to an unapproved collector. The copies a traffic mirror makes leave the mirrored host again,
 * wrapped in a tunnel, towards the collector — a steady one-way stream (shared reference network.md §1, §3, idea 1).
 * Reads decoded tunnels: capture tunnel events and plain L3 copy streams (`network.pcap`), and Zeek's `tunnel.log`
 * with the `conn.log` entries of the outer connections and of the inner connections they carried.
 *
 * A tunnel is a mirror stream when any of these holds (thresholds: none — each is a fact of the traffic):
 * - its encapsulation exists only to carry copies (ERSPAN I/II/III, TZSP, HP ERM);
 * - it is one-way: no packet of the same encapsulation comes back from the destination (an overlay network's
 *   tunnels carry traffic both ways; a mirror's never do);
 * - it carries both directions of an inner conversation towards the same destination (an overlay tunnel carries
 *   one host's side; a mirror copies requests and replies alike).
 * It raises an alert (high) unless the destination is on the approved-collector list. Plain L3 copies (both
 * directions of conversations sent from one Ethernet address to one other) are reported the same way.
 *
 * Flow records without payload (NetFlow, VPC) are the shadow-flow analytic's; VPC Flow Logs never show mirrored
 * traffic at all.
 */
import type { Event } from '../core/event.js';
import type { Analytic, AnalyticFinding, AnalyticInfo } from '../detect/analytic.js';
import { flowOf } from '../normalize/network-flow.js';
import type { ApprovedCollectors } from './collectors.js';
import { bytesText, EvidenceList, isoOf, listText, plural, REFERENCES, TAGS } from './common.js';

/** The analytic's metadata. */
export const MIRROR_STREAM_INFO: AnalyticInfo = {
  id: '182555be-8973-42a9-9514-36b6809b7c52',
  title: 'Mirror Stream to an Unapproved Collector',
  description:
    'A host sends a one-way tunnel (VXLAN, GENEVE, ERSPAN, TZSP, HP ERM) or plain L3 copies of other conversations to a destination that is not an approved collector: the traffic of a mirroring session (AWS Traffic Mirroring, Azure vTAP, GCP Packet Mirroring, SPAN/ERSPAN, iptables TEE, nft dup).',
  level: 'high',
  tags: TAGS,
  references: [...REFERENCES, 'https://docs.aws.amazon.com/vpc/latest/mirroring/traffic-mirroring-packet-formats.html', 'https://datatracker.ietf.org/doc/html/draft-foschiano-erspan-03'],
  falsepositives: [
    'An approved NDR sensor or packet broker missing from --collectors',
    'An overlay network captured in one direction only (a capture filter on the destination) looks one-way',
  ],
};

/** Inner conversations and hosts listed in details. */
const LISTED = 10;

interface InnerRecord {
  proto?: string;
  a?: string;
  b?: string;
  text?: string;
  packets_ab?: number;
  packets_ba?: number;
  both_directions?: boolean;
}

/** Zeek tunnel state gathered across tunnel.log and conn.log. */
interface ZeekTunnel {
  src: string;
  dst: string;
  type: string;
  port: number;
  uids: Set<string>;
  evidence: EvidenceList;
  firstMs: number;
}

interface ZeekOuter {
  packets: number;
  bytes: number;
  respPackets: number;
  event: Event;
}

interface ZeekInner {
  text: string;
  a: string;
  b: string;
  respPackets: number;
  parents: string[];
  event: Event;
}

const ZEEK_TUNNEL_SERVICES = new Set(['vxlan', 'geneve', 'ayiya', 'teredo', 'gtpv1']);

/** Creates the analytic. */
export function createMirrorStreamAnalytic(collectors: ApprovedCollectors): Analytic {
  const tunnels: Event[] = [];
  const copies: Event[] = [];
  const zeekTunnels = new Map<string, ZeekTunnel>();
  const zeekOuter = new Map<string, ZeekOuter>();
  const zeekInner: ZeekInner[] = [];
  const zeekServiceConns: Event[] = [];

  return {
    info: MIRROR_STREAM_INFO,
    datasets: ['network.pcap', 'network.flow'],
    observe(ev: Event): void {
      if (ev.dataset === 'network.pcap') {
        const path = ev.fields._path;
        if (path === 'tunnel') tunnels.push(ev);
        else if (path === 'copy') copies.push(ev);
        return;
      }
      if (ev.logsource.product !== 'zeek') return;
      const v = flowOf(ev);
      if (!v) return;
      if (v.kind === 'tunnel') {
        const key = `${v.src}|${v.dst}|${v.encapsulation}|${v.dport}`;
        let t = zeekTunnels.get(key);
        if (!t) {
          t = { src: v.src, dst: v.dst, type: v.encapsulation ?? '', port: v.dport, uids: new Set(), evidence: new EvidenceList(), firstMs: v.startMs };
          zeekTunnels.set(key, t);
        }
        if (v.uid) t.uids.add(v.uid);
        t.evidence.add(ev);
        if (v.startMs < t.firstMs) t.firstMs = v.startMs;
        return;
      }
      if (v.service && ZEEK_TUNNEL_SERVICES.has(v.service.split(',')[0]) && v.uid) {
        const prev = zeekOuter.get(v.uid);
        zeekOuter.set(v.uid, { packets: (prev?.packets ?? 0) + v.packets, bytes: (prev?.bytes ?? 0) + v.bytes, respPackets: (prev?.respPackets ?? 0) + (v.respPackets ?? 0), event: ev });
        if (zeekServiceConns.length < 100_000) zeekServiceConns.push(ev);
      }
      if (v.tunnelParents && v.tunnelParents.length > 0 && zeekInner.length < 200_000) {
        const proto = String(ev.fields.proto ?? '').toUpperCase();
        const text = proto === 'TCP' || proto === 'UDP' ? `${v.src}:${v.sport} ↔ ${v.dst}:${v.dport} ${proto}` : `${v.src} ↔ ${v.dst} ${proto}`;
        zeekInner.push({ text, a: v.src, b: v.dst, respPackets: v.respPackets ?? 0, parents: v.tunnelParents, event: ev });
      }
    },
    finish(): AnalyticFinding[] {
      const out: AnalyticFinding[] = [];
      for (const ev of tunnels) {
        const f = pcapTunnelFinding(ev, collectors);
        if (f) out.push(f);
      }
      for (const ev of copies) {
        const f = copyFinding(ev, collectors);
        if (f) out.push(f);
      }
      out.push(...zeekFindings(zeekTunnels, zeekOuter, zeekInner, zeekServiceConns, collectors));
      return out;
    },
  };
}

function collectorNote(collectors: ApprovedCollectors): string {
  return collectors.isEmpty ? 'no --collectors list was given' : 'it is not on the approved-collector list';
}

/** `a VXLAN`, `an ERSPAN type II`, `an HP ERM`: the article as the name is spoken. */
export function withArticle(name: string): string {
  return /^(E|H|[AIOU])/.test(name) ? `an ${name}` : `a ${name}`;
}

function pcapTunnelFinding(ev: Event, collectors: ApprovedCollectors): AnalyticFinding | undefined {
  const f = ev.fields;
  const src = String(f['id.orig_h']);
  const dst = String(f['id.resp_h']);
  if (collectors.approves(dst)) return undefined;
  const inner = (f.inner ?? {}) as { conversations?: InnerRecord[]; conversations_total?: number; conversations_both_directions?: number; hosts?: string[]; hosts_total?: number; truncated_copies?: number; copy_bytes?: { min: number; max: number } };
  const mirrorOnly = f.mirror_only === true;
  const oneWay = f.one_way === true;
  const both = inner.conversations_both_directions ?? 0;
  if (!mirrorOnly && !oneWay && both === 0) return undefined;
  const encap = String(f.encapsulation_name ?? f.encapsulation);
  const erspan = f.erspan as { session_id?: number; type?: string } | undefined;
  const port = Number(f['id.resp_p']);
  const label = [
    typeof f.vni === 'number' ? `VNI ${f.vni}` : undefined,
    erspan?.session_id !== undefined ? `session ${erspan.session_id}` : undefined,
    port > 0 ? `UDP/${port}${f.standard_port === false ? ', not a tunnel port' : ''}` : 'GRE',
  ]
    .filter(Boolean)
    .join(', ');
  const convs = inner.conversations ?? [];
  const total = inner.conversations_total ?? convs.length;
  const hosts = inner.hosts ?? [];
  const why: string[] = [];
  if (mirrorOnly) why.push(`${encap} exists only to carry copies`);
  if (oneWay) why.push('nothing comes back from the destination');
  if (both > 0) why.push(`both directions of ${plural(both, 'conversation')} travel to the same destination`);
  const truncated = inner.truncated_copies ?? 0;
  const copied = total > 0 ? `, copying ${plural(total, 'conversation')} (${listText(convs.map((c) => c.text ?? ''), 3)})` : '';
  const message =
    `${src} is sending ${withArticle(encap)} mirror stream (${label}) to ${dst}, which is not an approved collector (${collectorNote(collectors)}): ` +
    `${plural(Number(f.packets), 'packet')}, ${bytesText(Number(f.ip_bytes))}${oneWay ? ' one way' : ''}${copied}` +
    `${truncated > 0 ? `; ${plural(truncated, 'copy', 'copies')} cut to ${copyBytesText(inner.copy_bytes)} by the mirror (a packet-length limit)` : ''}.`;
  return {
    analytic: MIRROR_STREAM_INFO,
    events: [ev],
    count: 1,
    message,
    details: {
      kind: 'tunnel',
      source: src,
      collector: dst,
      encapsulation: f.encapsulation,
      ...(typeof f.vni === 'number' ? { vni: f.vni } : {}),
      ...(erspan?.session_id !== undefined ? { erspan_session: erspan.session_id, erspan_type: erspan.type } : {}),
      port,
      standard_port: f.standard_port,
      packets: f.packets,
      bytes: f.ip_bytes,
      first: ev.time,
      last: f.last_ts,
      one_way: oneWay,
      reverse_packets: f.reverse_packets,
      inner_conversations: convs.slice(0, LISTED),
      inner_conversations_total: total,
      inner_conversations_both_directions: both,
      inner_hosts: hosts.slice(0, 20),
      inner_hosts_total: inner.hosts_total ?? hosts.length,
      source_in_inner: f.source_in_inner,
      truncated_copies: truncated,
      why,
      approved_collectors_configured: !collectors.isEmpty,
    },
    riskFactors: [
      { name: 'unapproved-collector', weight: 30, evidence: `${dst}: ${collectorNote(collectors)}` },
      ...(mirrorOnly ? [{ name: 'mirror-only-encapsulation', weight: 20, evidence: encap }] : []),
      ...(oneWay ? [{ name: 'one-way-tunnel', weight: 20, evidence: `${plural(Number(f.packets), 'packet')} out, 0 back` }] : []),
      ...(both > 0 ? [{ name: 'both-directions-copied', weight: 20, evidence: `${plural(both, 'conversation')} copied in both directions` }] : []),
    ],
  };
}

function copyBytesText(c: { min: number; max: number } | undefined): string {
  if (!c) return 'fewer bytes';
  return c.min === c.max ? `${c.min} bytes` : `${c.min}–${c.max} bytes`;
}

function copyFinding(ev: Event, collectors: ApprovedCollectors): AnalyticFinding | undefined {
  const f = ev.fields;
  const receiverIps = (f.receiver_ips as string[] | undefined) ?? [];
  if (receiverIps.some((ip) => collectors.approves(ip))) return undefined;
  const senderIps = (f.sender_ips as string[] | undefined) ?? [];
  const sender = `${String(f.sender_mac)}${senderIps.length ? ` (${senderIps.join(', ')})` : ''}`;
  const receiver = `${String(f.receiver_mac)}${receiverIps.length ? ` (${receiverIps.join(', ')})` : ''}`;
  const convs = (f.conversations as { orig: string; resp: string; proto: string; orig_port?: number; resp_port?: number }[] | undefined) ?? [];
  const total = Number(f.conversations_total ?? convs.length);
  const convText = convs.map((c) => `${c.orig}${c.orig_port !== undefined ? `:${c.orig_port}` : ''} ↔ ${c.resp}${c.resp_port !== undefined ? `:${c.resp_port}` : ''} ${c.proto.toUpperCase()}`);
  const message =
    `The host with Ethernet address ${sender} is sending plain copies of other hosts' packets to ${receiver}: ` +
    `both directions of ${plural(total, 'conversation')} (${listText(convText, 3)}) arrived from the same sender to the same receiver, ` +
    `which forwarding never does (iptables TEE, nft dup to an address); ${plural(Number(f.packets), 'packet')}, ${bytesText(Number(f.ip_bytes))}.`;
  return {
    analytic: MIRROR_STREAM_INFO,
    events: [ev],
    count: 1,
    message,
    details: {
      kind: 'l3-copy',
      sender_mac: f.sender_mac,
      receiver_mac: f.receiver_mac,
      sender_ips: senderIps,
      receiver_ips: receiverIps,
      ...(receiverIps.length === 1 ? { collector: receiverIps[0] } : {}),
      ...(senderIps.length === 1 ? { source: senderIps[0] } : {}),
      encapsulation: 'none',
      packets: f.packets,
      bytes: f.ip_bytes,
      first: ev.time,
      last: f.last_ts,
      conversations: convs.slice(0, LISTED),
      conversations_total: total,
      copied_hosts: f.hosts,
      approved_collectors_configured: !collectors.isEmpty,
    },
    riskFactors: [
      { name: 'unapproved-collector', weight: 30, evidence: `${receiver}: ${collectorNote(collectors)}` },
      { name: 'both-directions-copied', weight: 30, evidence: `${plural(total, 'conversation')} copied in both directions` },
    ],
  };
}

function zeekFindings(
  tunnels: Map<string, ZeekTunnel>,
  outer: Map<string, ZeekOuter>,
  inner: ZeekInner[],
  serviceConns: Event[],
  collectors: ApprovedCollectors,
): AnalyticFinding[] {
  const out: AnalyticFinding[] = [];
  // The direction of each tunnel uid, to tell which inner conversations travel only towards one destination.
  const uidDirection = new Map<string, string>();
  for (const t of tunnels.values()) for (const uid of t.uids) uidDirection.set(uid, `${t.src}|${t.dst}`);
  // Tunnels Zeek decoded but whose tunnel.log was not given: the outer conn.log entries stand for them.
  const covered = new Set<string>();
  for (const t of tunnels.values()) for (const uid of t.uids) covered.add(uid);
  for (const ev of serviceConns) {
    const v = flowOf(ev);
    if (!v?.uid || covered.has(v.uid)) continue;
    const key = `${v.src}|${v.dst}|${v.service}|${v.dport}`;
    let t = tunnels.get(key);
    if (!t) {
      t = { src: v.src, dst: v.dst, type: `Tunnel::${(v.service ?? '').toUpperCase()}`, port: v.dport, uids: new Set(), evidence: new EvidenceList(), firstMs: v.startMs };
      tunnels.set(key, t);
    }
    t.uids.add(v.uid);
    t.evidence.add(ev);
    uidDirection.set(v.uid, `${v.src}|${v.dst}`);
  }
  const pairs = new Set<string>();
  for (const t of tunnels.values()) pairs.add(`${t.src}|${t.dst}`);
  for (const t of tunnels.values()) {
    if (collectors.approves(t.dst)) continue;
    let packets = 0;
    let bytes = 0;
    let back = 0;
    const evidence = new EvidenceList();
    for (const e of t.evidence.events) evidence.add(e);
    for (const uid of t.uids) {
      const o = outer.get(uid);
      if (!o) continue;
      packets += o.packets;
      bytes += o.bytes;
      back += o.respPackets;
      if (!t.evidence.events.includes(o.event)) evidence.add(o.event);
    }
    const reverseTunnel = pairs.has(`${t.dst}|${t.src}`);
    const carried = inner.filter((c) => c.parents.some((p) => t.uids.has(p)));
    // An inner conversation copied in both directions to this destination: it has replies, and every tunnel that
    // carried it runs from this source to this destination.
    const both = carried.filter((c) => c.respPackets > 0 && c.parents.every((p) => uidDirection.get(p) === `${t.src}|${t.dst}`));
    const gre = t.type === 'Tunnel::GRE';
    const oneWay = !reverseTunnel && back === 0;
    if (!oneWay && both.length === 0) continue;
    for (const c of carried.slice(0, 10)) evidence.add(c.event);
    const hosts = [...new Set(carried.flatMap((c) => [c.a, c.b]))];
    const why: string[] = [];
    if (oneWay) why.push('nothing comes back from the destination');
    if (both.length > 0) why.push(`both directions of ${plural(both.length, 'conversation')} travel to the same destination`);
    const transport = gre ? 'GRE' : `UDP/${t.port}`;
    const message =
      `${t.src} is sending ${withArticle(t.type.replace('Tunnel::', ''))} tunnel (${transport}) to ${t.dst}, which is not an approved collector (${collectorNote(collectors)}), as Zeek logged it: ` +
      `${packets > 0 ? `${plural(packets, 'packet')}, ${bytesText(bytes)}${oneWay ? ' one way' : ''}, ` : ''}` +
      (carried.length > 0
        ? `carrying ${plural(carried.length, 'inner connection')} (${listText(carried.map((c) => c.text), 3)}).`
        : 'the connections it carried are not in these logs.');
    out.push({
      analytic: MIRROR_STREAM_INFO,
      events: evidence.events,
      count: evidence.count + Math.max(0, carried.length - 10),
      message,
      details: {
        kind: 'zeek-tunnel',
        source: t.src,
        collector: t.dst,
        encapsulation: t.type,
        port: t.port,
        packets,
        bytes,
        first: isoOf(t.firstMs),
        one_way: oneWay,
        tunnel_uids: [...t.uids].slice(0, 20),
        inner_conversations: carried.slice(0, LISTED).map((c) => c.text),
        inner_conversations_total: carried.length,
        inner_conversations_both_directions: both.length,
        inner_hosts: hosts.slice(0, 20),
        why,
        approved_collectors_configured: !collectors.isEmpty,
      },
      riskFactors: [
        { name: 'unapproved-collector', weight: 30, evidence: `${t.dst}: ${collectorNote(collectors)}` },
        ...(oneWay ? [{ name: 'one-way-tunnel', weight: 20, evidence: 'no reply traffic in conn.log or tunnel.log' }] : []),
        ...(both.length > 0 ? [{ name: 'both-directions-copied', weight: 20, evidence: `${plural(both.length, 'conversation')} copied in both directions` }] : []),
      ],
    });
  }
  return out;
}
