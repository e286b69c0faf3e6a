/**
 * Mirror and overlay encapsulations: recognising a tunnel header in a decoded packet and locating the frame it
 * carries. Header layouts (facts, cited):
 *
 * - VXLAN, RFC 7348 §5: 8 bytes — flags (I bit 0x08), 24 reserved bits, 24-bit VNI, 8 reserved bits; then an
 *   Ethernet frame. IANA port 4789; Linux's historical default 8472 (ip-link(8) `dstport`). Azure vTAP lets the
 *   destination port be chosen, so any UDP port whose payload is a well-formed VXLAN header followed by a
 *   well-formed frame is VXLAN (shared reference network.md §2.2).
 * - VXLAN-GPE, draft-ietf-nvo3-vxlan-gpe §3: port 4790, P bit 0x04 and a next-protocol byte (1 IPv4, 2 IPv6,
 *   3 Ethernet).
 * - GENEVE, RFC 8926 §3: Ver(2) OptLen(6, 4-byte words), O, C, protocol type (0x6558 Ethernet, 0x0800, 0x86DD),
 *   24-bit VNI, options; port 6081.
 * - GRE, RFC 2784/2890: C, R, K, S flag bits, version 0, protocol type, optional checksum, key and sequence words.
 *   ERSPAN (draft-foschiano-erspan-03; Linux include/net/erspan.h; Zeek GRE.cc): protocol 0x88BE without the S bit
 *   is type I (the Ethernet frame follows the 4-byte GRE header); 0x88BE with S is type II with an 8-byte header
 *   Ver(4)=1 VLAN(12) COS(3) En(2) T(1) Session(10) Reserved(12) Index(20); 0x22EB is type III with a 12-byte header
 *   Ver(4)=2 VLAN(12) COS(3) BSO(2) T(1) Session(10) Timestamp(32) SGT(16) P(1) FT(5) HW(6) D(1) Gra(2) O(1), plus an
 *   8-byte platform sub-header when O is set. 0x6558 is transparent Ethernet bridging (Zeek treats it like ERSPAN).
 * - TZSP (Network Chemistry application note AN001, as used by MikroTik `sniff-tzsp`): UDP 37008; version 1, type,
 *   16-bit encapsulation (1 Ethernet, 7 raw IP), tagged fields ending with tag 1 (tag 0 is one byte of padding).
 * - HP ProCurve / Aruba encapsulated remote mirroring (ERM): UDP 7932; the HP management guide puts 54 bytes in front
 *   of the mirrored frame (Ethernet 14 + IPv4 20 + UDP 8 + a 12-byte ERM header, as Wireshark's hp_erm dissector
 *   reads it); an 8-byte header was suggested in zeek/zeek#1968, so 8 is tried when 12 does not yield a frame.
 */
import { ipv4ChecksumOk, type Layer } from './decode.js';

/** The encapsulations recognised. */
export type Encapsulation = 'vxlan' | 'vxlan-gpe' | 'geneve' | 'erspan-i' | 'erspan-ii' | 'erspan-iii' | 'gre-teb' | 'tzsp' | 'hp-erm';

/** All encapsulations, for exhaustive iteration. */
export const ENCAPSULATIONS: readonly Encapsulation[] = ['vxlan', 'vxlan-gpe', 'geneve', 'erspan-i', 'erspan-ii', 'erspan-iii', 'gre-teb', 'tzsp', 'hp-erm'];

/** Names for people and Zeek-style `tunnel_type` values. */
export const ENCAPSULATION_LABEL: Record<Encapsulation, string> = {
  vxlan: 'VXLAN',
  'vxlan-gpe': 'VXLAN-GPE',
  geneve: 'GENEVE',
  'erspan-i': 'ERSPAN type I',
  'erspan-ii': 'ERSPAN type II',
  'erspan-iii': 'ERSPAN type III',
  'gre-teb': 'GRE transparent Ethernet bridging',
  tzsp: 'TZSP',
  'hp-erm': 'HP ERM',
};

/** Encapsulations that exist only to carry copies of traffic (never an overlay network's own traffic). */
export const MIRROR_ONLY: ReadonlySet<Encapsulation> = new Set(['erspan-i', 'erspan-ii', 'erspan-iii', 'tzsp', 'hp-erm']);

/** UDP ports assigned or conventional for each UDP encapsulation (a tunnel elsewhere is a protocol mismatch). */
export const TUNNEL_UDP_PORTS: ReadonlyMap<number, Encapsulation> = new Map<number, Encapsulation>([
  [4789, 'vxlan'],
  [8472, 'vxlan'],
  [4790, 'vxlan-gpe'],
  [6081, 'geneve'],
  [37008, 'tzsp'],
  [7932, 'hp-erm'],
]);

/** The tunnel header of one packet. Reused between packets; `kind` undefined means no tunnel. */
export class TunnelHeader {
  kind: Encapsulation | undefined = undefined;
  /** True when the UDP port is the encapsulation's own (always true for GRE). */
  standardPort = true;
  /** The UDP port that carried the tunnel (the destination port, or the source port for replies), 0 for GRE. */
  port = 0;
  /** VXLAN / GENEVE VNI, or -1. */
  vni = -1;
  /** ERSPAN session id (0–1023), or -1. */
  session = -1;
  /** ERSPAN header version field (1 for type II, 2 for type III), or -1. */
  erspanVersion = -1;
  /** ERSPAN original VLAN, or -1. */
  erspanVlan = -1;
  /** ERSPAN T bit: the switch truncated the copy. */
  erspanTruncated = false;
  /** ERSPAN II port index, or -1. */
  erspanIndex = -1;
  /** ERSPAN III timestamp, granularity (0 100 µs, 1 100 ns, 2 IEEE 1588, 3 other), direction (0 ingress, 1 egress), hardware id. */
  erspanTimestamp = -1;
  erspanGra = -1;
  erspanDirection = -1;
  erspanHwId = -1;
  /** GRE sequence number, or -1. */
  greSequence = -1;
  /** Offset of the carried frame and whether it starts with Ethernet (else IP). */
  innerOff = 0;
  innerEthernet = true;

  reset(): void {
    this.kind = undefined;
    this.standardPort = true;
    this.port = 0;
    this.vni = -1;
    this.session = -1;
    this.erspanVersion = -1;
    this.erspanVlan = -1;
    this.erspanTruncated = false;
    this.erspanIndex = -1;
    this.erspanTimestamp = -1;
    this.erspanGra = -1;
    this.erspanDirection = -1;
    this.erspanHwId = -1;
    this.greSequence = -1;
    this.innerOff = 0;
    this.innerEthernet = true;
  }
}

/**
 * True when the bytes at `off` hold a plausible frame: Ethernet (VLAN tags allowed) with an IPv4, IPv6 or ARP
 * payload, or a bare IP packet, whose IP header is well formed (an IPv4 header checksum must hold). Used to accept a
 * tunnel found by its header shape where a false positive would be a false alert.
 */
export function plausibleFrame(buf: Buffer, off: number, end: number, ethernet: boolean): boolean {
  let p = off;
  if (ethernet) {
    if (end - p < 14) return false;
    let et = buf.readUInt16BE(p + 12);
    p += 14;
    for (let i = 0; i < 2 && (et === 0x8100 || et === 0x88a8); i++) {
      if (end - p < 4) return false;
      et = buf.readUInt16BE(p + 2);
      p += 4;
    }
    if (et === 0x0806) return end - p >= 8 && buf.readUInt16BE(p) === 1 && buf.readUInt16BE(p + 2) === 0x0800;
    if (et === 0x0800) return plausibleIpv4(buf, p, end);
    if (et === 0x86dd) return plausibleIpv6(buf, p, end);
    return false;
  }
  if (end - p < 1) return false;
  const v = buf[p] >> 4;
  return v === 4 ? plausibleIpv4(buf, p, end) : v === 6 ? plausibleIpv6(buf, p, end) : false;
}

function plausibleIpv4(buf: Buffer, p: number, end: number): boolean {
  if (end - p < 20 || buf[p] >> 4 !== 4) return false;
  const ihl = (buf[p] & 0x0f) * 4;
  if (ihl < 20 || end - p < ihl || buf.readUInt16BE(p + 2) < ihl) return false;
  return ipv4ChecksumOk(buf, p, ihl);
}

function plausibleIpv6(buf: Buffer, p: number, end: number): boolean {
  return end - p >= 40 && buf[p] >> 4 === 6 && buf[p + 7] > 0;
}

/**
 * Looks for a tunnel in a decoded packet (UDP or GRE) and fills `t`. On a tunnel port the header must be valid; on
 * any other UDP port a VXLAN or GENEVE header is accepted only when a plausible frame follows it.
 */
export function detectTunnel(buf: Buffer, l: Layer, t: TunnelHeader): boolean {
  t.reset();
  if (l.fragment || l.payloadLen <= 0) return false;
  const off = l.payloadOff;
  const end = off + l.payloadLen;
  if (l.proto === 47) return gre(buf, off, end, t);
  if (l.proto !== 17) return false;
  const byDst = TUNNEL_UDP_PORTS.get(l.dport);
  const bySrc = byDst === undefined ? TUNNEL_UDP_PORTS.get(l.sport) : undefined;
  const known = byDst ?? bySrc;
  if (known !== undefined) {
    t.port = byDst !== undefined ? l.dport : l.sport;
    if (udpTunnel(known, buf, off, end, t, false)) return true;
    t.reset();
    return false;
  }
  // Header shape on any other port: VXLAN (flags 0x08, reserved zero) or GENEVE (version 0, Ethernet payload).
  if (end - off >= 8 + 14) {
    if (buf[off] === 0x08 && buf[off + 1] === 0 && buf[off + 2] === 0 && buf[off + 3] === 0 && buf[off + 7] === 0) {
      if (udpTunnel('vxlan', buf, off, end, t, true)) {
        t.port = l.dport;
        t.standardPort = false;
        return true;
      }
    } else if (buf[off] >> 6 === 0 && buf.readUInt16BE(off + 2) === 0x6558) {
      if (udpTunnel('geneve', buf, off, end, t, true)) {
        t.port = l.dport;
        t.standardPort = false;
        return true;
      }
    }
  }
  t.reset();
  return false;
}

function udpTunnel(kind: Encapsulation, buf: Buffer, off: number, end: number, t: TunnelHeader, strict: boolean): boolean {
  const len = end - off;
  switch (kind) {
    case 'vxlan': {
      if (len < 8 || (buf[off] & 0x08) === 0) return false;
      t.kind = 'vxlan';
      t.vni = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
      t.innerOff = off + 8;
      t.innerEthernet = true;
      return !strict || plausibleFrame(buf, t.innerOff, end, true);
    }
    case 'vxlan-gpe': {
      if (len < 8) return false;
      const next = buf[off + 3];
      // Without the P bit the header is plain VXLAN (Ethernet payload).
      const np = buf[off] & 0x04 ? next : 3;
      if (np !== 1 && np !== 2 && np !== 3) return false;
      t.kind = 'vxlan-gpe';
      t.vni = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
      t.innerOff = off + 8;
      t.innerEthernet = np === 3;
      return !strict || plausibleFrame(buf, t.innerOff, end, t.innerEthernet);
    }
    case 'geneve': {
      if (len < 8 || buf[off] >> 6 !== 0) return false;
      const optLen = (buf[off] & 0x3f) * 4;
      const proto = buf.readUInt16BE(off + 2);
      if (proto !== 0x6558 && proto !== 0x0800 && proto !== 0x86dd) return false;
      if (len < 8 + optLen) return false;
      t.kind = 'geneve';
      t.vni = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
      t.innerOff = off + 8 + optLen;
      t.innerEthernet = proto === 0x6558;
      return !strict || plausibleFrame(buf, t.innerOff, end, t.innerEthernet);
    }
    case 'tzsp': {
      if (len < 5 || buf[off] !== 1) return false;
      const encap = buf.readUInt16BE(off + 2);
      if (encap !== 1 && encap !== 7) return false;
      let p = off + 4;
      // Tagged fields: 0 padding (one byte), 1 end, others tag + length + value.
      for (;;) {
        if (p >= end) return false;
        const tag = buf[p];
        if (tag === 1) {
          p++;
          break;
        }
        if (tag === 0) {
          p++;
          continue;
        }
        if (p + 1 >= end) return false;
        p += 2 + buf[p + 1];
      }
      t.kind = 'tzsp';
      t.innerOff = p;
      t.innerEthernet = encap === 1;
      // 37008 lies in Linux's ephemeral port range, so ordinary traffic can use it: a frame must follow.
      return plausibleFrame(buf, p, end, t.innerEthernet);
    }
    case 'hp-erm': {
      for (const header of [12, 8]) {
        if (len >= header + 14 && plausibleFrame(buf, off + header, end, true)) {
          t.kind = 'hp-erm';
          t.innerOff = off + header;
          t.innerEthernet = true;
          return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

function gre(buf: Buffer, off: number, end: number, t: TunnelHeader): boolean {
  if (end - off < 4) return false;
  const flags = buf.readUInt16BE(off);
  const version = flags & 0x7;
  const routing = flags & 0x4000;
  if (version !== 0 || routing) return false;
  const proto = buf.readUInt16BE(off + 2);
  if (proto !== 0x88be && proto !== 0x22eb && proto !== 0x6558) return false;
  let p = off + 4;
  if (flags & 0x8000) p += 4; // checksum + reserved
  if (flags & 0x2000) p += 4; // key
  const seq = (flags & 0x1000) !== 0;
  if (seq) {
    if (end - p < 4) return false;
    t.greSequence = buf.readUInt32BE(p);
    p += 4;
  }
  if (proto === 0x6558) {
    t.kind = 'gre-teb';
  } else if (proto === 0x88be && !seq) {
    t.kind = 'erspan-i';
  } else if (proto === 0x88be) {
    if (end - p < 8) return false;
    t.kind = 'erspan-ii';
    const w0 = buf.readUInt16BE(p);
    const w1 = buf.readUInt16BE(p + 2);
    t.erspanVersion = w0 >> 12;
    t.erspanVlan = w0 & 0x0fff;
    t.erspanTruncated = (w1 & 0x0400) !== 0;
    t.session = w1 & 0x03ff;
    t.erspanIndex = buf.readUInt32BE(p + 4) & 0x000fffff;
    p += 8;
  } else {
    if (end - p < 12) return false;
    t.kind = 'erspan-iii';
    const w0 = buf.readUInt16BE(p);
    const w1 = buf.readUInt16BE(p + 2);
    t.erspanVersion = w0 >> 12;
    t.erspanVlan = w0 & 0x0fff;
    t.erspanTruncated = (w1 & 0x0400) !== 0;
    t.session = w1 & 0x03ff;
    t.erspanTimestamp = buf.readUInt32BE(p + 4);
    const w3 = buf.readUInt16BE(p + 10);
    t.erspanHwId = (w3 >> 4) & 0x3f;
    t.erspanDirection = (w3 >> 3) & 0x1;
    t.erspanGra = (w3 >> 1) & 0x3;
    const optional = (w3 & 0x1) !== 0;
    p += 12 + (optional ? 8 : 0);
  }
  t.innerOff = p;
  t.innerEthernet = true;
  t.port = 0;
  return p <= end;
}
