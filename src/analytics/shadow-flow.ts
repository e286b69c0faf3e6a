/**
 * Shadow flows: a traffic mirror seen in flow records, without payload (NetFlow/IPFIX via nfdump, Zeek conn.log
 * entries Zeek did not decapsulate). Shared reference network.md §3 ideas 2 and 3:
 *
 * - **Shadow matching.** The outer source port of a VXLAN mirror is a hash of the inner flow, so a flow exporter
 *   records one tunnel flow per inner flow and direction, repeating its packet count and timing; each copy is the
 *   inner IP packet plus a fixed overhead. For host H, a tunnel flow H → X (UDP 4789/8472/4790/6081/7932/37008 or
 *   GRE) *shadows* another flow F of H when F ↔ X is not itself the tunnel, the packet counts are equal (or equal
 *   the two directions of one conversation together, when both went into one tunnel flow), start and end agree within
 *   `SHADOW_TOLERANCE_MS`, and bytes(T) − bytes(F) = overhead × packets with a per-packet overhead the encapsulation
 *   allows (`OVERHEADS`: VXLAN over IPv4 50, over IPv6 70, +4 per inner VLAN tag; GENEVE 50 plus options; ERSPAN I 38,
 *   II 50, III 54 or 62; TZSP 47 and up; HP ERM 50 or 54). Lab: a 20-packet / 2480-byte beacon flow and its
 *   20-packet / 3480-byte mirror flow.
 * - **Volume ratio.** A mirror copies both directions of a host's traffic, so the host sends more to the collector
 *   than all its own traffic: tunnel bytes(H → X) ≥ own bytes(H) (both directions, every other flow) raises the alert
 *   (`VOLUME_RATIO`), with the expected value own bytes + 50 × own packets in the details.
 * - **One-way tunnel flows** to an unapproved destination with neither of the above (the host's own flows are not
 *   in the data) are reported at medium: the port alone says tunnel, nothing confirms a mirror.
 *
 * VPC Flow Logs are never read here: they do not record mirrored traffic (AWS "Traffic Mirroring limitations"), so
 * a shadow flow can never be claimed from them. Captures are the mirror-stream analytic's (their tunnels are decoded).
 */
import type { Event } from '../core/event.js';
import type { Analytic, AnalyticFinding, AnalyticInfo } from '../detect/analytic.js';
import { flowOf, type FlowView } from '../normalize/network-flow.js';
import type { ApprovedCollectors } from './collectors.js';
import { bytesText, EvidenceList, isoOf, isTunnelFlow, listText, plural, REFERENCES, TAGS, tunnelTransport } from './common.js';

/** The analytic's metadata. */
export const SHADOW_FLOW_INFO: AnalyticInfo = {
  id: 'a146da74-562e-44a9-8332-0cffb42c2feb',
  title: 'Shadow Flows: Tunnel Copies of a Host\'s Own Traffic',
  description:
    'In flow records (NetFlow/IPFIX, Zeek conn.log), a host sends tunnel flows (VXLAN, GENEVE, GRE/ERSPAN) to a destination that is not an approved collector, one way, and they repeat the packet counts and timing of the host\'s own flows with a fixed per-packet overhead, or carry more bytes than all of the host\'s own traffic: a traffic mirror.',
  level: 'high',
  tags: TAGS,
  references: [...REFERENCES, 'https://docs.aws.amazon.com/vpc/latest/mirroring/traffic-mirroring-packet-formats.html'],
  falsepositives: ['An approved NDR sensor missing from --collectors', 'A one-way tunnel of an overlay network whose return path is not exported'],
};

/** Start and end of a copy and its original agree within this (flow timestamps are often whole seconds). */
export const SHADOW_TOLERANCE_MS = 2_000;
/** Tunnel bytes at least this multiple of the host's own bytes raise the volume-ratio check. */
export const VOLUME_RATIO = 1;
/** Own flows held for matching (each counted under both endpoints); beyond it, matching uses those held. */
const OWN_FLOWS_KEPT = 2_000_000;

/** Per-packet overheads (outer IP header to the start of the inner IP packet) each transport allows. */
export function overheadsFor(proto: number, dport: number): ReadonlySet<number> {
  const vlan = (xs: number[]) => xs.flatMap((x) => [x, x + 4, x + 8]);
  if (proto === 47) return new Set(vlan([38, 50, 54, 62, 58, 70, 74, 82])); // ERSPAN I/II/III (+8 sub-header), IPv6 outer +20
  switch (dport) {
    case 4789:
    case 8472:
      return new Set(vlan([50, 70]));
    case 4790:
      return new Set([...vlan([50, 70]), 36, 56]); // VXLAN-GPE with an Ethernet or a bare IP payload
    case 6081: {
      const out: number[] = [];
      for (let opt = 0; opt <= 64; opt += 4) out.push(50 + opt, 70 + opt, 36 + opt, 56 + opt);
      return new Set(vlan(out));
    }
    case 37008: {
      const out: number[] = [];
      for (let tags = 0; tags <= 32; tags++) out.push(47 + tags, 33 + tags);
      return new Set(out);
    }
    case 7932:
      return new Set(vlan([50, 54, 70, 74]));
    default:
      return new Set();
  }
}

interface TunnelFlow {
  v: FlowView;
  event: Event;
}

interface OwnFlow {
  /** The host's side and its peer. */
  host: string;
  peer: string;
  v: FlowView;
  event: Event;
}

/** Creates the analytic. */
export function createShadowFlowAnalytic(collectors: ApprovedCollectors): Analytic {
  const tunnels: TunnelFlow[] = [];
  const tunnelKeys = new Set<string>();
  const own = new Map<string, OwnFlow[]>();
  const ownBytes = new Map<string, { bytes: number; packets: number; flows: number }>();
  let kept = 0;

  const accept = (ev: Event): FlowView | undefined => {
    const v = flowOf(ev);
    if (!v || v.kind !== 'conn') return undefined;
    if (v.source !== 'nfdump' && v.source !== 'zeek') return undefined;
    // Zeek connections inside a decoded tunnel, and the tunnels Zeek decoded, belong to the mirror-stream analytic.
    if (v.tunnelParents && v.tunnelParents.length > 0) return undefined;
    if (v.source === 'zeek' && v.service && /(^|,)(vxlan|geneve)(,|$)/.test(v.service)) return undefined;
    return v;
  };

  return {
    info: SHADOW_FLOW_INFO,
    datasets: ['network.flow'],
    observe(ev: Event): void {
      const v = accept(ev);
      if (!v) return;
      if (isTunnelFlow(v.proto, v.dport)) {
        tunnels.push({ v, event: ev });
        tunnelKeys.add(`${v.src}|${v.dst}|${v.proto}|${v.proto === 47 ? 0 : v.dport}`);
        return;
      }
      for (const [host, peer] of [
        [v.src, v.dst],
        [v.dst, v.src],
      ]) {
        const agg = ownBytes.get(host) ?? { bytes: 0, packets: 0, flows: 0 };
        agg.bytes += v.bytes + (v.respBytes ?? 0);
        agg.packets += v.packets + (v.respPackets ?? 0);
        agg.flows++;
        ownBytes.set(host, agg);
        if (kept < OWN_FLOWS_KEPT) {
          let list = own.get(host);
          if (!list) {
            list = [];
            own.set(host, list);
          }
          list.push({ host, peer, v, event: ev });
          kept++;
        }
      }
    },
    finish(): AnalyticFinding[] {
      const groups = new Map<string, TunnelFlow[]>();
      for (const t of tunnels) {
        const key = `${t.v.src}|${t.v.dst}|${t.v.proto}|${t.v.proto === 47 ? 0 : t.v.dport}`;
        const list = groups.get(key);
        if (list) list.push(t);
        else groups.set(key, [t]);
      }
      const out: AnalyticFinding[] = [];
      for (const [key, list] of groups) {
        const { src: host, dst: collector, proto, dport } = list[0].v;
        if (collectors.approves(collector)) continue;
        const reverse = tunnelKeys.has(`${collector}|${host}|${proto}|${proto === 47 ? 0 : dport}`);
        const replies = list.reduce((a, t) => a + (t.v.respPackets ?? 0), 0);
        const oneWay = !reverse && replies === 0;
        const matches = shadowMatches(list, own.get(host) ?? [], collector);
        const packets = list.reduce((a, t) => a + t.v.packets, 0);
        const bytes = list.reduce((a, t) => a + t.v.bytes, 0);
        const mine = ownBytes.get(host);
        const ratio = mine && mine.bytes > 0 ? bytes / mine.bytes : undefined;
        const volume = ratio !== undefined && ratio >= VOLUME_RATIO;
        if (!oneWay && matches.matched.size === 0 && !volume) continue;
        out.push(finding(key, list, { host, collector, proto, dport, oneWay, replies, reverse, packets, bytes, matches, mine, ratio, volume, collectors }));
      }
      return out;
    },
  };
}

interface Matches {
  /** Tunnel flows that shadow an own flow, with what they shadow and the overhead. */
  matched: Map<TunnelFlow, { originals: OwnFlow[]; overhead: number }>;
}

function near(a: number, b: number): boolean {
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= SHADOW_TOLERANCE_MS;
}

/** The packets and bytes of one side of an own flow: what the host sent (`out`) or received. */
function side(o: OwnFlow, out: boolean): { packets: number; bytes: number } | undefined {
  const v = o.v;
  const hostIsSrc = v.src === o.host;
  if (out === hostIsSrc) return { packets: v.packets, bytes: v.bytes };
  if (v.respPackets === undefined) return undefined;
  return { packets: v.respPackets, bytes: v.respBytes ?? 0 };
}

function shadowMatches(tunnels: readonly TunnelFlow[], own: readonly OwnFlow[], collector: string): Matches {
  const matched = new Map<TunnelFlow, { originals: OwnFlow[]; overhead: number }>();
  if (own.length === 0) return { matched };
  const overheads = overheadsFor(tunnels[0].v.proto, tunnels[0].v.dport);
  // Sorted by start so each tunnel flow looks only at own flows starting within the tolerance.
  const candidates = own.filter((o) => o.peer !== collector && Number.isFinite(o.v.startMs)).sort((a, b) => a.v.startMs - b.v.startMs);
  // One-way records of the two directions of a conversation, by the conversation (for the shared-tunnel case).
  const byConversation = new Map<string, OwnFlow[]>();
  for (const o of candidates) {
    if (o.v.respPackets !== undefined) continue;
    const k = conversationKey(o.v);
    const l = byConversation.get(k);
    if (l) {
      if (!l.includes(o)) l.push(o);
    } else byConversation.set(k, [o]);
  }
  const fits = (t: TunnelFlow, packets: number, bytes: number): number | undefined => {
    if (packets !== t.v.packets || packets === 0) return undefined;
    const diff = t.v.bytes - bytes;
    if (diff <= 0 || diff % packets !== 0) return undefined;
    const per = diff / packets;
    return overheads.has(per) ? per : undefined;
  };
  for (const t of tunnels) {
    if (!Number.isFinite(t.v.startMs)) continue;
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (candidates[mid].v.startMs < t.v.startMs - SHADOW_TOLERANCE_MS) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < candidates.length && candidates[i].v.startMs <= t.v.startMs + SHADOW_TOLERANCE_MS; i++) {
      const o = candidates[i];
      if (!near(o.v.endMs, t.v.endMs)) continue;
      // One direction of the original (a one-way record, or one side of a two-way record), or both sides of a
      // two-way record when both directions went into one tunnel flow.
      const tries: { packets: number; bytes: number }[] = [];
      const outSide = side(o, true);
      const inSide = side(o, false);
      if (outSide) tries.push(outSide);
      if (inSide) tries.push(inSide);
      if (outSide && inSide && o.v.respPackets !== undefined) tries.push({ packets: outSide.packets + inSide.packets, bytes: outSide.bytes + inSide.bytes });
      let hit: number | undefined;
      for (const s of tries) {
        hit = fits(t, s.packets, s.bytes);
        if (hit !== undefined) break;
      }
      if (hit !== undefined) {
        matched.set(t, { originals: [o], overhead: hit });
        break;
      }
      // Two one-way records of one conversation together (a tunnel flow that carried both directions).
      if (o.v.respPackets === undefined) {
        const pair = byConversation.get(conversationKey(o.v)) ?? [];
        const other = pair.find((p) => p !== o && p.v.src === o.v.dst && near(p.v.startMs, t.v.startMs));
        if (other) {
          const per = fits(t, o.v.packets + other.v.packets, o.v.bytes + other.v.bytes);
          if (per !== undefined) {
            matched.set(t, { originals: [o, other], overhead: per });
            break;
          }
        }
      }
    }
  }
  return { matched };
}

function conversationKey(v: FlowView): string {
  const a = `${v.src}:${v.sport}`;
  const b = `${v.dst}:${v.dport}`;
  return `${v.proto}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
}

function ownText(o: OwnFlow): string {
  const v = o.v;
  const proto = v.proto === 6 ? 'TCP' : v.proto === 17 ? 'UDP' : v.proto === 1 ? 'ICMP' : `proto ${v.proto}`;
  return `${v.src} → ${v.dst}${v.dport ? `:${v.dport}` : ''} ${proto}`;
}

function finding(
  _key: string,
  list: TunnelFlow[],
  o: {
    host: string;
    collector: string;
    proto: number;
    dport: number;
    oneWay: boolean;
    replies: number;
    reverse: boolean;
    packets: number;
    bytes: number;
    matches: Matches;
    mine: { bytes: number; packets: number; flows: number } | undefined;
    ratio: number | undefined;
    volume: boolean;
    collectors: ApprovedCollectors;
  },
): AnalyticFinding {
  const transport = tunnelTransport(o.proto, o.dport);
  const matched = [...o.matches.matched.entries()];
  const shadowed = [...new Set(matched.flatMap(([, m]) => m.originals.map(ownText)))];
  const overheads = [...new Set(matched.map(([, m]) => m.overhead))].sort((a, b) => a - b);
  const level = matched.length > 0 || o.volume ? 'high' : 'medium';
  const collectorNote = o.collectors.isEmpty ? 'no approved-collector list was given' : 'not an approved collector';
  const parts: string[] = [];
  parts.push(`${o.host} sent ${plural(list.length, 'flow')} (${plural(o.packets, 'packet')}, ${bytesText(o.bytes)}) to ${o.collector} on ${transport}${o.oneWay ? ' and nothing came back' : ''} (${collectorNote})`);
  if (matched.length > 0) {
    parts.push(
      `${matched.length} of them repeat the host's own flows packet for packet, ${overheads.join(' or ')} bytes larger per packet — copies of ${listText(shadowed, 3)}`,
    );
  }
  if (o.volume && o.mine) parts.push(`it sent more to ${o.collector} (${bytesText(o.bytes)}) than all its own traffic (${bytesText(o.mine.bytes)} in ${plural(o.mine.flows, 'flow')})`);
  if (matched.length === 0 && !o.volume) parts.push(`the host's own traffic is not in these records, so the copies cannot be matched to originals (flow data has no payload to confirm a mirror)`);
  const evidence = new EvidenceList();
  for (const [t, m] of matched.slice(0, 8)) {
    evidence.add(t.event);
    for (const orig of m.originals) evidence.add(orig.event);
  }
  for (const t of list) if (!evidence.events.includes(t.event)) evidence.add(t.event);
  const first = Math.min(...list.map((t) => t.v.startMs).filter(Number.isFinite));
  const last = Math.max(...list.map((t) => t.v.endMs).filter(Number.isFinite));
  return {
    analytic: SHADOW_FLOW_INFO,
    level,
    events: evidence.events,
    count: list.length + matched.reduce((a, [, m]) => a + m.originals.length, 0),
    message: `${parts.join('; ')}.`,
    details: {
      kind: 'flow',
      source: o.host,
      collector: o.collector,
      transport,
      ...(o.proto === 47 ? {} : { port: o.dport }),
      ip_proto: o.proto,
      flows: list.length,
      packets: o.packets,
      bytes: o.bytes,
      first: isoOf(first),
      last: isoOf(last),
      one_way: o.oneWay,
      reverse_tunnel_flows: o.reverse,
      shadow_matches: matched.length,
      shadowed_flows: shadowed.slice(0, 20),
      overhead_per_packet: overheads,
      ...(o.mine ? { own_bytes: o.mine.bytes, own_packets: o.mine.packets, own_flows: o.mine.flows, expected_mirror_bytes: o.mine.bytes + 50 * o.mine.packets } : {}),
      ...(o.ratio !== undefined ? { volume_ratio: Math.round(o.ratio * 1000) / 1000 } : {}),
      thresholds: { tolerance_ms: SHADOW_TOLERANCE_MS, volume_ratio: VOLUME_RATIO },
      approved_collectors_configured: !o.collectors.isEmpty,
    },
    riskFactors: [
      { name: 'unapproved-collector', weight: 30, evidence: `${o.collector}: ${collectorNote}` },
      ...(o.oneWay ? [{ name: 'one-way-tunnel', weight: 20, evidence: `${plural(list.length, 'flow')} out, none back` }] : []),
      ...(matched.length > 0 ? [{ name: 'shadow-flows', weight: 30, evidence: `${matched.length} tunnel flow(s) repeat own flows (+${overheads.join('/')} B per packet)` }] : []),
      ...(o.volume ? [{ name: 'volume-ratio', weight: 20, evidence: `${bytesText(o.bytes)} to the collector vs ${bytesText(o.mine?.bytes ?? 0)} own` }] : []),
    ],
  };
}
