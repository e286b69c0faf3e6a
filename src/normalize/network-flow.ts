/**
 * Network events (`network.pcap` conversations, tunnels and copy streams; `network.flow` records from VPC Flow
 * Logs, Zeek and nfdump) seen two ways:
 *
 * - `flowOf`: one source-independent view the analytics read (addresses, ports, protocol number, packets and
 *   IP-level bytes per direction, start and end), so beacon scoring, first-seen and shadow-flow matching are written
 *   once. Records keep their own field names in `Event.fields` (Zeek's `id.orig_h`, nfdump's `sa`, AWS's
 *   `srcaddr`), as rules written for those sources expect.
 * - the ECS view, after Elastic's integrations: `source.*`/`destination.*` with `bytes` and `packets`,
 *   `network.transport`/`iana_number`/`bytes`/`packets`, `event.category: network`, `cloud.*` for VPC Flow Logs
 *   (elastic/integrations `aws` vpcflow, `zeek` connection, `netflow` log).
 *
 * Byte counts are IP-level everywhere: Zeek `orig_ip_bytes` (not `orig_bytes`, the payload), NetFlow `IN_BYTES`,
 * VPC `bytes`, and the IP total length for captures — the unit RITA scores and the unit in which a VXLAN copy is
 * exactly 50 bytes larger per packet.
 */
import type { Event } from '../core/event.js';
import type { EcsDocument } from './index.js';

/** Where a flow record came from. */
export type FlowSource = 'pcap' | 'zeek' | 'nfdump' | 'vpc';

/** The source-independent view of a network event. */
export interface FlowView {
  source: FlowSource;
  /** `conn`: a flow or conversation; `tunnel`: a tunnel (capture tunnel event, Zeek tunnel.log); `copy`: an L3 copy stream. */
  kind: 'conn' | 'tunnel' | 'copy';
  startMs: number;
  endMs: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IP protocol number (NaN when unknown). */
  proto: number;
  /** Packets and IP bytes from `src` to `dst`. */
  packets: number;
  bytes: number;
  /** The reverse direction, for records that cover both (Zeek, captures); undefined for one-way records (NetFlow, VPC). */
  respPackets?: number;
  respBytes?: number;
  /** Zeek `service` (vxlan, dns, …) or the capture's tunnel carried by the conversation. */
  service?: string;
  uid?: string;
  /** Zeek `tunnel_parents`: the uids of the tunnels an inner connection was carried in. */
  tunnelParents?: string[];
  /** Capture tunnel events and Zeek tunnel.log: the encapsulation (`vxlan`, `erspan-ii`, … or Zeek's `Tunnel::GRE`). */
  encapsulation?: string;
  /** A capture conversation that is itself an L3 copy of someone else's traffic. */
  l3Copy?: boolean;
  /** VPC Flow Logs: the network interface, account and action. */
  interfaceId?: string;
  accountId?: string;
  action?: string;
}

const cache = new WeakMap<Event, FlowView | null>();

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function int(v: unknown): number {
  const n = num(v);
  return Number.isFinite(n) ? n : 0;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** `YYYY-MM-DD[ T]HH:MM:SS[.f]` read as if UTC: only differences of two such times are used. */
function wallMs(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  return Date.parse(`${v.trim().replace(' ', 'T')}Z`);
}

/** Protocol numbers by name (Zeek `proto`, nfdump `pr`). */
function protoNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = text(v).trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  switch (s) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'icmp':
      return 1;
    case 'icmp6':
    case 'ipv6-icmp':
      return 58;
    case 'gre':
      return 47;
    case 'esp':
      return 50;
    case 'sctp':
      return 132;
    default:
      return NaN;
  }
}

/** The flow view of a network event (undefined for events of other datasets or records without addresses). */
export function flowOf(ev: Event): FlowView | undefined {
  if (ev.dataset !== 'network.flow' && ev.dataset !== 'network.pcap') return undefined;
  const hit = cache.get(ev);
  if (hit !== undefined) return hit ?? undefined;
  const view = build(ev);
  cache.set(ev, view ?? null);
  return view;
}

function build(ev: Event): FlowView | undefined {
  const f = ev.fields;
  const start = ev.timeMs;
  if (ev.dataset === 'network.pcap') {
    const path = f._path;
    if (path === 'copy') {
      return {
        source: 'pcap',
        kind: 'copy',
        startMs: start,
        endMs: start + num(f.duration) * 1000,
        src: text(f.sender_mac),
        dst: text(f.receiver_mac),
        sport: 0,
        dport: 0,
        proto: NaN,
        packets: int(f.packets),
        bytes: int(f.ip_bytes),
      };
    }
    const tunnel = path === 'tunnel';
    return {
      source: 'pcap',
      kind: tunnel ? 'tunnel' : 'conn',
      startMs: start,
      endMs: start + num(f.duration) * 1000,
      src: text(f['id.orig_h']),
      dst: text(f['id.resp_h']),
      sport: int(f['id.orig_p']),
      dport: int(f['id.resp_p']),
      proto: tunnel ? int(f.ip_proto) : protoNumber(f.ip_proto ?? f.proto),
      packets: tunnel ? int(f.packets) : int(f.orig_pkts),
      bytes: tunnel ? int(f.ip_bytes) : int(f.orig_ip_bytes),
      ...(tunnel ? { encapsulation: text(f.encapsulation) } : { respPackets: int(f.resp_pkts), respBytes: int(f.resp_ip_bytes) }),
      ...(f.service !== undefined ? { service: text(f.service) } : {}),
      uid: text(f.uid),
      ...(f.l3_copy === true ? { l3Copy: true } : {}),
    };
  }
  switch (ev.logsource.product) {
    case 'zeek': {
      const src = text(f['id.orig_h']);
      const dst = text(f['id.resp_h']);
      if (!src || !dst) return undefined;
      if (ev.logsource.service === 'tunnel') {
        return {
          source: 'zeek',
          kind: 'tunnel',
          startMs: start,
          endMs: start,
          src,
          dst,
          sport: int(f['id.orig_p']),
          dport: int(f['id.resp_p']),
          proto: int(f['id.resp_p']) === 0 ? 47 : 17,
          packets: 0,
          bytes: 0,
          encapsulation: text(f.tunnel_type),
          uid: text(f.uid),
        };
      }
      const parents = f.tunnel_parents;
      return {
        source: 'zeek',
        kind: 'conn',
        startMs: start,
        endMs: start + (Number.isFinite(num(f.duration)) ? num(f.duration) * 1000 : 0),
        src,
        dst,
        sport: int(f['id.orig_p']),
        dport: int(f['id.resp_p']),
        proto: protoNumber(f.proto),
        packets: int(f.orig_pkts),
        bytes: f.orig_ip_bytes !== undefined ? int(f.orig_ip_bytes) : int(f.orig_bytes),
        respPackets: int(f.resp_pkts),
        respBytes: f.resp_ip_bytes !== undefined ? int(f.resp_ip_bytes) : int(f.resp_bytes),
        ...(f.service !== undefined ? { service: text(f.service) } : {}),
        uid: text(f.uid),
        ...(Array.isArray(parents) ? { tunnelParents: parents.map(text) } : typeof parents === 'string' && parents ? { tunnelParents: parents.split(',') } : {}),
      };
    }
    case 'nfdump': {
      const json = f.first !== undefined || f.src4_addr !== undefined || f.src6_addr !== undefined;
      const src = json ? text(f.src4_addr ?? f.src6_addr) : text(f.sa);
      const dst = json ? text(f.dst4_addr ?? f.dst6_addr) : text(f.da);
      if (!src || !dst) return undefined;
      const duration = json ? wallMs(f.last) - wallMs(f.first) : num(f.td) * 1000;
      const opk = json ? int(f.out_packets) : int(f.opkt);
      const oby = json ? int(f.out_bytes) : int(f.obyt);
      return {
        source: 'nfdump',
        kind: 'conn',
        startMs: start,
        endMs: start + (Number.isFinite(duration) ? duration : 0),
        src,
        dst,
        sport: json ? int(f.src_port) : int(f.sp),
        dport: json ? int(f.dst_port) : int(f.dp),
        proto: protoNumber(json ? f.proto : f.pr),
        packets: json ? int(f.in_packets) : f.ipkt !== undefined ? int(f.ipkt) : int(f.pkt),
        bytes: json ? int(f.in_bytes) : f.ibyt !== undefined ? int(f.ibyt) : int(f.byt),
        // NSEL / bidirectional IPFIX fill the out counters; plain NetFlow leaves them zero (one-way records).
        ...(opk > 0 || oby > 0 ? { respPackets: opk, respBytes: oby } : {}),
      };
    }
    case 'aws': {
      const src = text(f.srcaddr);
      const dst = text(f.dstaddr);
      if (!src || !dst) return undefined;
      return {
        source: 'vpc',
        kind: 'conn',
        startMs: start,
        endMs: Number.isFinite(num(f.end)) ? num(f.end) * 1000 : start,
        src,
        dst,
        sport: int(f.srcport),
        dport: int(f.dstport),
        proto: protoNumber(f.protocol),
        packets: int(f.packets),
        bytes: int(f.bytes),
        ...(f['interface-id'] !== undefined ? { interfaceId: text(f['interface-id']) } : {}),
        ...(f['account-id'] !== undefined ? { accountId: text(f['account-id']) } : {}),
        ...(f.action !== undefined ? { action: text(f.action) } : {}),
      };
    }
    default:
      return undefined;
  }
}

function transportName(p: number): string | undefined {
  switch (p) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    case 58:
      return 'ipv6-icmp';
    case 47:
      return 'gre';
    default:
      return Number.isFinite(p) ? String(p) : undefined;
  }
}

const MODULE: Record<FlowSource, string> = { pcap: 'pcap', zeek: 'zeek', nfdump: 'netflow', vpc: 'aws' };

/** The ECS view of a `network.flow` or `network.pcap` event. */
export function networkFlowEcs(ev: Event): EcsDocument {
  const v = flowOf(ev);
  const doc: EcsDocument = {
    '@timestamp': ev.time,
    event: {
      kind: 'event',
      category: ['network'],
      type: v?.kind === 'conn' ? ['connection'] : ['info'],
      dataset: ev.dataset,
      module: v ? MODULE[v.source] : ev.dataset,
      action: v?.kind === 'tunnel' ? 'network-tunnel' : v?.kind === 'copy' ? 'l3-copy' : 'network-flow',
      ...(v && Number.isFinite(v.startMs) ? { start: new Date(v.startMs).toISOString() } : {}),
      ...(v && Number.isFinite(v.endMs) ? { end: new Date(v.endMs).toISOString(), duration: Math.max(0, Math.round((v.endMs - v.startMs) * 1e6)) } : {}),
      ...(v?.action ? { outcome: v.action === 'ACCEPT' ? 'success' : 'failure' } : {}),
    },
  };
  if (!v) return doc;
  if (v.kind === 'copy') {
    doc.source = { mac: v.src.replace(/:/g, '-').toUpperCase() };
    doc.destination = { mac: v.dst.replace(/:/g, '-').toUpperCase() };
    doc.network = { packets: v.packets, bytes: v.bytes };
    return doc;
  }
  const transport = transportName(v.proto);
  doc.source = { ip: v.src, ...(v.sport ? { port: v.sport } : {}), packets: v.packets, bytes: v.bytes };
  doc.destination = {
    ip: v.dst,
    ...(v.dport ? { port: v.dport } : {}),
    ...(v.respPackets !== undefined ? { packets: v.respPackets, bytes: v.respBytes } : {}),
  };
  doc.network = {
    ...(transport ? { transport } : {}),
    ...(Number.isFinite(v.proto) ? { iana_number: String(v.proto) } : {}),
    packets: v.packets + (v.respPackets ?? 0),
    bytes: v.bytes + (v.respBytes ?? 0),
    ...(v.service ? { protocol: v.service } : {}),
  };
  doc.related = { ip: [...new Set([v.src, v.dst])] };
  if (v.source === 'vpc') {
    doc.cloud = { provider: 'aws', ...(v.accountId ? { account: { id: v.accountId } } : {}), ...(ev.fields.region ? { region: ev.fields.region } : {}) };
    if (v.interfaceId) doc.aws = { vpcflow: { interface_id: v.interfaceId, ...(v.action ? { action: v.action } : {}) } };
  }
  if (v.source === 'zeek' && v.uid) doc.zeek = { session_id: v.uid };
  return doc;
}
