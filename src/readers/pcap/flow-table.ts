/**
 * The flow table: packets are aggregated here, inside the reader, so a capture of millions of packets becomes a
 * few events per conversation or tunnel rather than one per packet.
 *
 * - **Conversations** (one per bidirectional 5-tuple, like a Zeek `conn.log` entry): packet and IP-byte counts per
 *   direction, first/last time, TCP handshake and close flags, the Ethernet addresses of each direction (plain L3
 *   copies give themselves away there), and a check of the first payload of each direction against the protocol
 *   the server port implies. A conversation ends after Zeek's default inactivity timeouts (TCP 5 min, UDP and ICMP
 *   1 min; `scripts/base/init-bare.zeek` `tcp_inactivity_timeout`, `udp_inactivity_timeout`,
 *   `icmp_inactivity_timeout`), 5 s after a TCP close (`tcp_close_delay`), or at the end of the file; a SYN on a
 *   closed 5-tuple starts a new one.
 * - **Tunnels** (one per encapsulation, outer source and destination, port, VNI or ERSPAN session): packets, bytes,
 *   outer source ports, ERSPAN header facts and GRE sequence gaps, and the inner conversations and hosts being
 *   carried (bounded), including copies cut short by the mirror (inner IP length larger than the bytes present).
 * - **L3 copy streams**: conversations whose two directions arrived with the same Ethernet source and destination —
 *   what a host cloning packets towards one collector (iptables `TEE`, nft `dup to` an address, a Junos next-hop)
 *   produces, and what normal forwarding never does (each direction is addressed to the next hop of that direction).
 *
 * Memory is bounded: conversations expire as capture time advances (a sweep every 10 s of capture time), the
 * table holds at most `maxConversations` (the oldest are reported early when it is full), and per-tunnel inner
 * lists are capped.
 */
import { addrText, isGroupMac, type Addr, type Layer } from './decode.js';
import { checkPayload, expectedProtocol, printable, type AppProtocol } from './payload.js';
import type { Encapsulation, TunnelHeader } from './tunnels.js';

/** Inactivity timeouts (ms), after Zeek's defaults. */
export const TIMEOUTS = { tcp: 300_000, tcpClosed: 5_000, udp: 60_000, icmp: 60_000, other: 60_000 } as const;

/** How often (in capture time) idle conversations are looked for. */
const SWEEP_EVERY_MS = 10_000;

/** Caps on what one tunnel or copy stream keeps in detail. */
export const INNER_CONVERSATIONS_KEPT = 2_000;
const INNER_HOSTS_KEPT = 2_000;
const SOURCE_PORTS_KEPT = 4_096;

// TCP flag bits (RFC 9293 §3.1).
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

// Conversation state bits.
const S_SYN = 1; // orig sent SYN
const S_SYNACK = 2; // resp sent SYN+ACK
const S_FIN_O = 4;
const S_FIN_R = 8;
const S_RST_O = 16;
const S_RST_R = 32;

/** Per-direction payload check states. */
const Check = { Pending: 0, Ok: 1, Mismatch: 2, Unknown: 3 } as const;
/** One per-direction payload check state. */
type CheckState = (typeof Check)[keyof typeof Check];

/** One bidirectional conversation. `a`/`ap` is the originator (the sender of the first packet seen). */
export class Conversation {
  state = 0;
  op = 0;
  ob = 0;
  rp = 0;
  rb = 0;
  lastMs: number;
  /** Ethernet addresses of the first packet of each direction (-1 unknown). */
  oSrc = -1;
  oDst = -1;
  rSrc = -1;
  rDst = -1;
  tunnel: Encapsulation | undefined = undefined;
  /** Packets captured shorter than they were on the wire (a snap length). */
  snapped = 0;
  app: AppProtocol | undefined = undefined;
  /** True when the originator is the server (the first packet seen came from the well-known port). */
  serverIsOrig = false;
  origCheck: CheckState = Check.Pending;
  respCheck: CheckState = Check.Pending;
  /** 0-based index of the conversation's first packet in the file (Wireshark's frame number minus one). */
  firstFrame = 0;
  reason = '';
  head = '';
  origIsn = -1;
  respIsn = -1;
  icmpType = -1;
  icmpCode = -1;

  constructor(
    readonly key: string,
    readonly proto: number,
    readonly ipVersion: number,
    readonly a: Addr,
    readonly ap: number,
    readonly b: Addr,
    readonly bp: number,
    readonly firstSec: number,
    readonly firstNsec: number,
    readonly firstMs: number,
  ) {
    this.lastMs = firstMs;
  }

  /** Zeek-style connection state (a subset: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, SH, OTH). */
  connState(): string {
    if (this.proto !== 6) return this.rp === 0 ? 'S0' : 'SF';
    const s = this.state;
    if (!(s & S_SYN)) return 'OTH';
    if (!(s & S_SYNACK)) {
      if (s & S_RST_R) return 'REJ';
      if (s & S_FIN_O) return 'SH';
      return 'S0';
    }
    if (s & S_RST_O) return 'RSTO';
    if (s & S_RST_R) return 'RSTR';
    if (s & S_FIN_O && s & S_FIN_R) return 'SF';
    if (s & S_FIN_O) return 'S2';
    if (s & S_FIN_R) return 'S3';
    return 'S1';
  }

  closed(): boolean {
    return (this.state & (S_RST_O | S_RST_R)) !== 0 || (this.state & S_FIN_O && this.state & S_FIN_R) !== 0;
  }

  /** The payload verdict: a mismatch in either direction wins, then ok, then unknown. */
  appVerdict(): 'ok' | 'mismatch' | 'unknown' | undefined {
    if (this.app === undefined) return undefined;
    if (this.origCheck === Check.Mismatch || this.respCheck === Check.Mismatch) return 'mismatch';
    if (this.origCheck === Check.Ok || this.respCheck === Check.Ok) return 'ok';
    return 'unknown';
  }

  /** True when both directions travelled with the same Ethernet source and destination (a plain L3 copy). */
  isL3Copy(): boolean {
    return (
      this.oSrc > 0 &&
      this.rSrc >= 0 &&
      this.oSrc === this.rSrc &&
      this.oDst === this.rDst &&
      this.oSrc !== this.oDst &&
      this.oDst > 0 &&
      !isGroupMac(this.oDst)
    );
  }
}

/** A conversation seen inside a tunnel. */
export interface InnerConversation {
  proto: number;
  a: Addr;
  ap: number;
  b: Addr;
  bp: number;
  /** Packets and inner IP bytes a→b and b→a. */
  pab: number;
  pba: number;
  bab: number;
  bba: number;
  firstMs: number;
  lastMs: number;
}

/** One tunnel: an encapsulation from one outer source to one outer destination, per VNI or ERSPAN session. */
export class Tunnel {
  packets = 0;
  bytes = 0;
  lastMs: number;
  readonly sourcePorts = new Set<number>();
  sourcePortsMore = false;
  readonly inner = new Map<string, InnerConversation>();
  innerDropped = 0;
  readonly innerHosts = new Map<Addr, number>();
  innerHostsDropped = 0;
  /** Inner frames that are not IP (ARP, LLDP, …). */
  nonIp = 0;
  /** Copies cut short by the mirror (inner IP length larger than the bytes present). */
  truncatedCopies = 0;
  minCopyBytes = Infinity;
  maxCopyBytes = 0;
  /** ERSPAN header facts. */
  erspanVersions = new Set<number>();
  erspanVlans = new Set<number>();
  erspanTruncatedFlag = 0;
  erspanDirections = [0, 0];
  erspanGra = -1;
  erspanHwId = -1;
  erspanFirstTimestamp = -1;
  erspanLastTimestamp = -1;
  erspanIndexes = new Set<number>();
  greSeqFirst = -1;
  greSeqLast = -1;
  greSeqMissing = 0;
  /** Packets of the same encapsulation from this tunnel's destination back to its source (set at the end). */
  reversePackets = 0;
  innerVlans = new Set<number>();
  /** 0-based index of the tunnel's first packet in the file. */
  firstFrame = 0;

  constructor(
    readonly key: string,
    readonly kind: Encapsulation,
    readonly ipVersion: number,
    readonly src: Addr,
    readonly dst: Addr,
    readonly port: number,
    readonly standardPort: boolean,
    readonly vni: number,
    readonly session: number,
    readonly firstSec: number,
    readonly firstNsec: number,
    readonly firstMs: number,
  ) {
    this.lastMs = firstMs;
  }
}

/** One plain L3 copy stream: conversations cloned from one Ethernet sender to one Ethernet receiver. */
export class CopyStream {
  packets = 0;
  bytes = 0;
  firstMs = Infinity;
  lastMs = -Infinity;
  firstSec = 0;
  firstNsec = 0;
  firstFrame = 0;
  readonly conversations: Conversation[] = [];
  conversationsTotal = 0;
  readonly hosts = new Set<Addr>();
  constructor(
    readonly senderMac: number,
    readonly receiverMac: number,
  ) {}
}

/** Options of the flow table. */
export interface FlowTableOptions {
  /** Track conversations (false: tunnels only, for `pcap-summary`). */
  conversations: boolean;
  maxConversations: number;
}

/** Timestamps of the current packet. */
export interface PacketClock {
  sec: number;
  nsec: number;
  ms: number;
  /** 0-based index of the packet in the file. */
  frame: number;
}

/** The reader's aggregation state for one file. */
export class FlowTable {
  private readonly convs = new Map<string, Conversation>();
  readonly tunnels = new Map<string, Tunnel>();
  readonly copies = new Map<string, CopyStream>();
  /** MAC → IPv4 addresses learnt from ARP senders. */
  readonly arp = new Map<number, Set<number>>();
  private nextSweepMs = -Infinity;
  /** Conversations reported early because the table was full. */
  evicted = 0;

  constructor(
    private readonly opts: FlowTableOptions,
    private readonly onConversation: (c: Conversation) => void,
  ) {}

  /** Remembers an ARP sender binding. */
  learnArp(macAddr: number, ip: number): void {
    if (macAddr === 0 || ip === 0) return;
    let set = this.arp.get(macAddr);
    if (!set) {
      if (this.arp.size > 10_000) return;
      set = new Set();
      this.arp.set(macAddr, set);
    }
    if (set.size < 16) set.add(ip);
  }

  /** Accounts one IP packet (outer layer decoded; `t`/`inner` when it carries a tunnel). */
  packet(l: Layer, t: TunnelHeader | undefined, inner: Layer | undefined, buf: Buffer, end: number, clock: PacketClock, snapped: boolean): void {
    if (t && t.kind !== undefined) this.tunnelPacket(l, t, inner as Layer, end, clock, snapped);
    if (!this.opts.conversations) return;
    if (clock.ms >= this.nextSweepMs) {
      if (Number.isFinite(this.nextSweepMs)) this.sweep(clock.ms);
      this.nextSweepMs = clock.ms + SWEEP_EVERY_MS;
    }
    this.conversationPacket(l, t?.kind, buf, clock, snapped);
  }

  private conversationPacket(l: Layer, tunnel: Encapsulation | undefined, buf: Buffer, clock: PacketClock, snapped: boolean): void {
    let sp = l.sport;
    let dp = l.dport;
    if (l.proto === 1 || l.proto === 58) {
      // Echo request and reply share their identifier; other ICMP messages are keyed by type and code.
      if (l.icmpId >= 0) {
        sp = l.icmpId;
        dp = l.icmpId;
      } else {
        sp = l.icmpType < 0 ? 0 : l.icmpType;
        dp = l.icmpCode < 0 ? 0 : l.icmpCode;
      }
    } else if (l.fragment || (l.proto !== 6 && l.proto !== 17)) {
      sp = 0;
      dp = 0;
    }
    const src = l.src;
    const dst = l.dst;
    const fwd = src < dst || (src === dst && sp <= dp);
    const key = fwd ? flowKey(l.proto, src, sp, dst, dp) : flowKey(l.proto, dst, dp, src, sp);
    let c = this.convs.get(key);
    if (c && l.proto === 6 && (l.tcpFlags & (SYN | ACK)) === SYN && c.closed()) {
      // A new connection on a 5-tuple whose previous connection has closed.
      this.convs.delete(key);
      this.finish(c);
      c = undefined;
    }
    if (!c) {
      if (this.convs.size >= this.opts.maxConversations) this.evictOldest();
      c = new Conversation(key, l.proto, l.ipVersion, src, sp, dst, dp, clock.sec, clock.nsec, clock.ms);
      c.firstFrame = clock.frame;
      if (l.proto === 1 || l.proto === 58) {
        c.icmpType = l.icmpType;
        c.icmpCode = l.icmpCode;
      } else if (!l.fragment) {
        c.app = expectedProtocol(l.proto, dp);
        if (c.app === undefined) {
          c.app = expectedProtocol(l.proto, sp);
          if (c.app !== undefined && sp < dp) c.serverIsOrig = true;
          else c.app = undefined;
        }
      }
      this.convs.set(key, c);
    }
    const fromOrig = src === c.a && sp === c.ap && (src !== c.b || dp === c.bp);
    if (fromOrig) {
      c.op++;
      c.ob += l.ipLen;
      if (l.hasMac && c.oSrc < 0) {
        c.oSrc = l.srcMac;
        c.oDst = l.dstMac;
      }
    } else {
      c.rp++;
      c.rb += l.ipLen;
      if (l.hasMac && c.rSrc < 0) {
        c.rSrc = l.srcMac;
        c.rDst = l.dstMac;
      }
    }
    if (clock.ms > c.lastMs) c.lastMs = clock.ms;
    if (snapped) c.snapped++;
    if (tunnel !== undefined && c.tunnel === undefined) c.tunnel = tunnel;
    if (l.proto === 6) {
      const f = l.tcpFlags;
      if (f & SYN) {
        if (f & ACK) {
          if (!fromOrig) {
            c.state |= S_SYNACK;
            c.respIsn = l.tcpSeq;
          }
        } else if (fromOrig) {
          c.state |= S_SYN;
          c.origIsn = l.tcpSeq;
        }
      }
      if (f & FIN) c.state |= fromOrig ? S_FIN_O : S_FIN_R;
      if (f & RST) c.state |= fromOrig ? S_RST_O : S_RST_R;
    }
    if (c.app !== undefined && l.payloadWire > 0) this.checkApp(c, l, buf, fromOrig);
  }

  private checkApp(c: Conversation, l: Layer, buf: Buffer, fromOrig: boolean): void {
    const fromClient = fromOrig !== c.serverIsOrig;
    const pending = fromOrig ? c.origCheck === Check.Pending : c.respCheck === Check.Pending;
    if (!pending) return;
    const tcp = l.proto === 6;
    if (tcp) {
      // Only the start of a byte stream says what protocol it is: the handshake must have been seen and this
      // segment must be the first one after it.
      const isn = fromOrig ? c.origIsn : c.respIsn;
      if (isn < 0 || !(c.state & S_SYN) || l.tcpSeq !== ((isn + 1) >>> 0)) {
        if (isn < 0 || !(c.state & S_SYN)) this.setCheck(c, fromOrig, Check.Unknown);
        return;
      }
    }
    const v = checkPayload(c.app as AppProtocol, buf, l.payloadOff, l.payloadLen, fromClient, tcp, l.payloadLen >= l.payloadWire);
    switch (v.kind) {
      case 'ok':
        this.setCheck(c, fromOrig, Check.Ok);
        return;
      case 'unknown':
        this.setCheck(c, fromOrig, Check.Unknown);
        return;
      case 'mismatch':
        this.setCheck(c, fromOrig, Check.Mismatch);
        if (!c.reason) {
          c.reason = `from the ${fromClient ? 'client' : 'server'}, ${v.reason}`;
          c.head = printable(buf.toString('latin1', l.payloadOff, l.payloadOff + Math.min(l.payloadLen, 24)));
        }
        return;
    }
  }

  private setCheck(c: Conversation, fromOrig: boolean, v: CheckState): void {
    if (fromOrig) c.origCheck = v;
    else c.respCheck = v;
  }

  private tunnelPacket(l: Layer, t: TunnelHeader, inner: Layer, end: number, clock: PacketClock, snapped: boolean): void {
    const kind = t.kind as Encapsulation;
    const key = `${kind}|${l.src}|${l.dst}|${t.port}|${t.vni}|${t.session}`;
    let tun = this.tunnels.get(key);
    if (!tun) {
      tun = new Tunnel(key, kind, l.ipVersion, l.src, l.dst, t.port, t.standardPort, t.vni, t.session, clock.sec, clock.nsec, clock.ms);
      tun.firstFrame = clock.frame;
      this.tunnels.set(key, tun);
    }
    tun.packets++;
    tun.bytes += l.ipLen;
    if (clock.ms > tun.lastMs) tun.lastMs = clock.ms;
    if (l.proto === 17) {
      if (tun.sourcePorts.size < SOURCE_PORTS_KEPT) tun.sourcePorts.add(t.port === l.dport ? l.sport : l.dport);
      else tun.sourcePortsMore = true;
    }
    if (t.erspanVersion >= 0) {
      tun.erspanVersions.add(t.erspanVersion);
      if (tun.erspanVlans.size < 64) tun.erspanVlans.add(t.erspanVlan);
      if (t.erspanTruncated) tun.erspanTruncatedFlag++;
      if (t.erspanIndex >= 0 && tun.erspanIndexes.size < 64) tun.erspanIndexes.add(t.erspanIndex);
    }
    if (t.erspanTimestamp >= 0) {
      if (tun.erspanFirstTimestamp < 0) tun.erspanFirstTimestamp = t.erspanTimestamp;
      tun.erspanLastTimestamp = t.erspanTimestamp;
      tun.erspanGra = t.erspanGra;
      tun.erspanHwId = t.erspanHwId;
      tun.erspanDirections[t.erspanDirection === 1 ? 1 : 0]++;
    }
    if (t.greSequence >= 0) {
      if (tun.greSeqFirst < 0) tun.greSeqFirst = t.greSequence;
      else if (t.greSequence > tun.greSeqLast + 1) tun.greSeqMissing += t.greSequence - tun.greSeqLast - 1;
      tun.greSeqLast = t.greSequence;
    }
    if (inner.vlan >= 0 && tun.innerVlans.size < 64) tun.innerVlans.add(inner.vlan);
    if (inner.ipVersion <= 0) {
      tun.nonIp++;
      return;
    }
    // A copy the mirror cut short: the outer packet is whole, the inner one is not (AWS PacketLength, ERSPAN MTU).
    if (!snapped && l.ipCaptured >= l.ipLen && inner.ipCaptured < inner.ipLen) {
      tun.truncatedCopies++;
      const copyBytes = end - t.innerOff;
      if (copyBytes < tun.minCopyBytes) tun.minCopyBytes = copyBytes;
      if (copyBytes > tun.maxCopyBytes) tun.maxCopyBytes = copyBytes;
    }
    this.innerHost(tun, inner.src);
    this.innerHost(tun, inner.dst);
    let sp = inner.sport;
    let dp = inner.dport;
    if (inner.proto === 1 || inner.proto === 58) {
      sp = inner.icmpId >= 0 ? inner.icmpId : Math.max(inner.icmpType, 0);
      dp = inner.icmpId >= 0 ? inner.icmpId : Math.max(inner.icmpCode, 0);
    } else if (inner.fragment || (inner.proto !== 6 && inner.proto !== 17)) {
      sp = 0;
      dp = 0;
    }
    const fwd = inner.src < inner.dst || (inner.src === inner.dst && sp <= dp);
    const ikey = fwd ? flowKey(inner.proto, inner.src, sp, inner.dst, dp) : flowKey(inner.proto, inner.dst, dp, inner.src, sp);
    let ic = tun.inner.get(ikey);
    if (!ic) {
      if (tun.inner.size >= INNER_CONVERSATIONS_KEPT) {
        tun.innerDropped++;
        return;
      }
      const icmp = inner.proto === 1 || inner.proto === 58;
      ic = {
        proto: inner.proto,
        a: inner.src,
        ap: icmp ? Math.max(inner.icmpType, 0) : sp,
        b: inner.dst,
        bp: icmp ? Math.max(inner.icmpCode, 0) : dp,
        pab: 0,
        pba: 0,
        bab: 0,
        bba: 0,
        firstMs: clock.ms,
        lastMs: clock.ms,
      };
      tun.inner.set(ikey, ic);
    }
    if (inner.src === ic.a && (inner.src !== ic.b || sp <= dp)) {
      ic.pab++;
      ic.bab += inner.ipLen;
    } else {
      ic.pba++;
      ic.bba += inner.ipLen;
    }
    if (clock.ms > ic.lastMs) ic.lastMs = clock.ms;
  }

  private innerHost(tun: Tunnel, a: Addr): void {
    const n = tun.innerHosts.get(a);
    if (n !== undefined) tun.innerHosts.set(a, n + 1);
    else if (tun.innerHosts.size < INNER_HOSTS_KEPT) tun.innerHosts.set(a, 1);
    else tun.innerHostsDropped++;
  }

  /** Reports conversations idle past their timeout at capture time `nowMs`. */
  sweep(nowMs: number): void {
    for (const [key, c] of this.convs) {
      const idle = nowMs - c.lastMs;
      const limit = c.proto === 6 ? (c.closed() ? TIMEOUTS.tcpClosed : TIMEOUTS.tcp) : c.proto === 17 ? TIMEOUTS.udp : c.proto === 1 || c.proto === 58 ? TIMEOUTS.icmp : TIMEOUTS.other;
      if (idle > limit) {
        this.convs.delete(key);
        this.finish(c);
      }
    }
  }

  private evictOldest(): void {
    // Map iteration order is insertion order: the first entries are the oldest conversations.
    let n = Math.max(1, Math.floor(this.opts.maxConversations / 10));
    for (const [key, c] of this.convs) {
      if (n-- <= 0) break;
      this.convs.delete(key);
      this.evicted++;
      this.finish(c);
    }
  }

  private finish(c: Conversation): void {
    if (c.isL3Copy()) this.addCopy(c);
    this.onConversation(c);
  }

  private addCopy(c: Conversation): void {
    const key = `${c.oSrc}|${c.oDst}`;
    let s = this.copies.get(key);
    if (!s) {
      s = new CopyStream(c.oSrc, c.oDst);
      this.copies.set(key, s);
    }
    s.packets += c.op + c.rp;
    s.bytes += c.ob + c.rb;
    if (c.firstMs < s.firstMs) {
      s.firstMs = c.firstMs;
      s.firstSec = c.firstSec;
      s.firstNsec = c.firstNsec;
      s.firstFrame = c.firstFrame;
    }
    if (c.lastMs > s.lastMs) s.lastMs = c.lastMs;
    s.conversationsTotal++;
    if (s.conversations.length < 200) s.conversations.push(c);
    if (s.hosts.size < INNER_HOSTS_KEPT) {
      s.hosts.add(c.a);
      s.hosts.add(c.b);
    }
  }

  /** Ends the file: reports every open conversation and fills in each tunnel's reverse traffic. */
  end(): void {
    for (const c of this.convs.values()) this.finish(c);
    this.convs.clear();
    const byEndpoints = new Map<string, number>();
    for (const t of this.tunnels.values()) {
      const k = `${t.kind}|${t.src}|${t.dst}`;
      byEndpoints.set(k, (byEndpoints.get(k) ?? 0) + t.packets);
    }
    for (const t of this.tunnels.values()) t.reversePackets = byEndpoints.get(`${t.kind}|${t.dst}|${t.src}`) ?? 0;
  }

  /** Open conversations (for tests and the summary). */
  get openConversations(): number {
    return this.convs.size;
  }
}

/**
 * The table key of a 5-tuple. IPv4 keys are seven UTF-16 code units (protocol, the two halves of each address, the
 * ports): short keys hash fast and allocate little, which matters at millions of packets. IPv6 keys (longer, with
 * separators) can never equal one.
 */
function flowKey(proto: number, a: Addr, ap: number, b: Addr, bp: number): string {
  if (typeof a === 'number' && typeof b === 'number') return String.fromCharCode(proto, a >>> 16, a & 0xffff, ap, b >>> 16, b & 0xffff, bp);
  return `${proto}|${a}|${ap}|${b}|${bp}`;
}

/** Renders an inner conversation for messages: `10.10.1.1:39368 → 10.10.1.2:8080 tcp`. */
export function innerText(c: InnerConversation): string {
  const proto = c.proto === 6 ? 'TCP' : c.proto === 17 ? 'UDP' : c.proto === 1 || c.proto === 58 ? 'ICMP' : `proto ${c.proto}`;
  if (c.proto === 6 || c.proto === 17) return `${addrText(c.a)}:${c.ap} ↔ ${addrText(c.b)}:${c.bp} ${proto}`;
  return `${addrText(c.a)} ↔ ${addrText(c.b)} ${proto}`;
}
