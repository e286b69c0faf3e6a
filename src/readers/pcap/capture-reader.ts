/**
 * One capture file read end to end: container records → link/IP/transport decoding → tunnel recognition and inner
 * decoding → the flow table. Shared by the scan reader (which turns the table's conversations, tunnels and copy
 * streams into events) and `pcap-summary` (which prints the tunnels). Per packet it allocates nothing but the
 * conversation key string; packets themselves are never kept.
 */
import type { Diagnostic } from '../../core/diagnostic.js';
import { CaptureParser, type ContainerKind } from './container.js';
import { decodeEthernet, decodeLink, Layer, linkTypeSupported } from './decode.js';
import { PCAP } from './diagnostic-codes.js';
import { FlowTable, type Conversation, type PacketClock } from './flow-table.js';
import { detectTunnel, TunnelHeader } from './tunnels.js';

/** Options of a capture read. */
export interface CaptureOptions {
  /** Track conversations (needed by the analytics; `pcap-summary` only needs tunnels). */
  conversations: boolean;
  /** Most conversations held at once. */
  maxConversations?: number;
}

/** Counters of one capture. */
export interface CaptureStats {
  packets: number;
  ipPackets: number;
  tunnelPackets: number;
  /** Frames that are not IP (ARP, LLDP, STP, …). */
  nonIp: number;
  /** IP headers that could not be read. */
  malformed: number;
  /** Packets of link types not decoded, by link type. */
  unsupported: Map<number, number>;
  firstMs: number;
  lastMs: number;
}

/** Reads one capture file. */
export class CaptureReader {
  readonly table: FlowTable;
  readonly stats: CaptureStats = { packets: 0, ipPackets: 0, tunnelPackets: 0, nonIp: 0, malformed: 0, unsupported: new Map(), firstMs: Infinity, lastMs: -Infinity };
  private readonly parser: CaptureParser;
  private readonly outer = new Layer();
  private readonly inner = new Layer();
  private readonly header = new TunnelHeader();
  private readonly clock: PacketClock = { sec: 0, nsec: 0, ms: 0, frame: 0 };

  constructor(
    kind: ContainerKind,
    private readonly file: string,
    options: CaptureOptions,
    onConversation: (c: Conversation) => void,
    private readonly report: (d: Diagnostic) => void,
  ) {
    this.table = new FlowTable({ conversations: options.conversations, maxConversations: options.maxConversations ?? 250_000 }, onConversation);
    this.parser = new CaptureParser(kind, file, (lt, sec, nsec, buf, off, end, orig) => this.onPacket(lt, sec, nsec, buf, off, end, orig), report);
  }

  /** Feeds decompressed bytes. */
  push(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  /** Ends the file; the table reports what it still holds. */
  end(): void {
    this.parser.end();
    this.table.end();
    for (const [lt, n] of this.stats.unsupported) {
      this.report({
        code: PCAP.linkType.code,
        severity: PCAP.linkType.severity,
        message: `${n} packet(s) of link type ${lt} were skipped: mirrorwatch decodes Ethernet (1), Linux cooked (113, 276), raw IP (101, 228, 229) and loopback (0, 108) captures`,
        file: this.file,
      });
    }
    if (this.table.evicted > 0) {
      this.report({
        code: PCAP.tableFull.code,
        severity: PCAP.tableFull.severity,
        message: `${this.table.evicted} conversation(s) were reported before they ended because more were open at once than the table holds`,
        file: this.file,
      });
    }
  }

  private onPacket(linkType: number, sec: number, nsec: number, data: Buffer, off: number, end: number, origLen: number): void {
    const st = this.stats;
    const frame = st.packets;
    st.packets++;
    if (!linkTypeSupported(linkType)) {
      st.unsupported.set(linkType, (st.unsupported.get(linkType) ?? 0) + 1);
      return;
    }
    const l = this.outer;
    if (!decodeLink(linkType, data, off, end, l)) {
      st.malformed++;
      return;
    }
    if (l.arpSenderMac !== 0) this.table.learnArp(l.arpSenderMac, l.arpSenderIp);
    if (l.ipVersion === 0) {
      st.nonIp++;
      return;
    }
    if (l.ipVersion < 0) {
      st.malformed++;
      return;
    }
    st.ipPackets++;
    const clock = this.clock;
    clock.sec = sec;
    clock.nsec = nsec;
    clock.ms = sec * 1000 + nsec / 1e6;
    clock.frame = frame;
    if (clock.ms < st.firstMs) st.firstMs = clock.ms;
    if (clock.ms > st.lastMs) st.lastMs = clock.ms;
    const snapped = end - off < origLen;
    const t = this.header;
    if (detectTunnel(data, l, t)) {
      st.tunnelPackets++;
      const inner = this.inner;
      decodeInner(data, t.innerOff, end, t.innerEthernet, inner);
      this.table.packet(l, t, inner, data, end, clock, snapped);
    } else {
      this.table.packet(l, undefined, undefined, data, end, clock, snapped);
    }
  }
}

/** Decodes the frame a tunnel carries: Ethernet, or a bare IP packet. */
export function decodeInner(buf: Buffer, off: number, end: number, ethernet: boolean, l: Layer): void {
  if (ethernet) {
    l.reset();
    decodeEthernet(buf, off, end, l);
    return;
  }
  // A bare IP packet: decode it as the raw-IP link type does.
  decodeLink(101, buf, off, end, l);
}
