/**
 * Packet decoding without allocation: link layer → IPv4/IPv6 → TCP/UDP/ICMP, written into a reusable `Layer`
 * object. Addresses stay numbers (IPv4, as unsigned 32-bit integers) or 16-character latin1 strings (IPv6) until an
 * event is built; `addrText` formats them.
 *
 * Sources of the layouts: LINKTYPE values from the tcpdump.org link-layer header registry
 * (https://www.tcpdump.org/linktypes.html: 0 NULL, 1 ETHERNET, 101 RAW, 108 LOOP, 113 LINUX_SLL, 228 IPV4, 229 IPV6,
 * 276 LINUX_SLL2); Linux cooked headers from LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html (16 and 20 bytes,
 * packet type 4 = sent by this host); IEEE 802.1Q tags 0x8100, 802.1ad 0x88A8 and the pre-standard 0x9100;
 * IPv4 RFC 791, IPv6 RFC 8200 (extension headers 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options,
 * 51 AH), TCP RFC 9293, UDP RFC 768, ICMP RFC 792 / ICMPv6 RFC 4443, ARP RFC 826.
 */

/** An IP address as kept while decoding: IPv4 as an unsigned integer, IPv6 as 16 latin1 characters. */
export type Addr = number | string;

/** LINKTYPE values read. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** True for link types this decoder reads. */
export function linkTypeSupported(lt: number): boolean {
  return lt === 0 || lt === 1 || lt === 101 || lt === 108 || lt === 113 || lt === 228 || lt === 229 || lt === 276;
}

/** IP protocol numbers used by name. */
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, GRE: 47, ICMPV6: 58 } as const;

/** One decoded layer: the link header (when there is one), the IP header and the transport header. */
export class Layer {
  /** Ethernet addresses as 48-bit integers (exact in a double); `hasMac` false for cooked and raw captures. */
  hasMac = false;
  srcMac = 0;
  dstMac = 0;
  /** Outermost 802.1Q VLAN id, or -1. */
  vlan = -1;
  /** Linux cooked capture packet type (0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us), or -1. */
  sllType = -1;
  /** The EtherType of the network layer. */
  etherType = 0;
  /** 4 or 6; 0 when the frame is not IP (ARP, LLDP, …); -1 when an IP header was malformed. */
  ipVersion = 0;
  src: Addr = 0;
  dst: Addr = 0;
  /** IP protocol of the transport (after IPv6 extension headers). */
  proto = 0;
  /** IP total length from the header (the packet's size at layer 3 on the wire). */
  ipLen = 0;
  /** IP bytes present in the capture (less than `ipLen` when the copy was cut). */
  ipCaptured = 0;
  ipOff = 0;
  ttl = 0;
  /** A non-first fragment: no transport header. */
  fragment = false;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  /** TCP sequence number. */
  tcpSeq = 0;
  /** Offset and captured length of the transport payload; `payloadWire` is its length per the IP header. */
  payloadOff = 0;
  payloadLen = 0;
  payloadWire = 0;
  icmpType = -1;
  icmpCode = -1;
  /** ICMP echo identifier, or -1. */
  icmpId = -1;
  /** ARP sender addresses, when the frame is ARP (learned MAC → IP bindings). */
  arpSenderMac = 0;
  arpSenderIp = 0;

  reset(): void {
    this.hasMac = false;
    this.srcMac = 0;
    this.dstMac = 0;
    this.vlan = -1;
    this.sllType = -1;
    this.etherType = 0;
    this.ipVersion = 0;
    this.src = 0;
    this.dst = 0;
    this.proto = 0;
    this.ipLen = 0;
    this.ipCaptured = 0;
    this.ipOff = 0;
    this.ttl = 0;
    this.fragment = false;
    this.sport = 0;
    this.dport = 0;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.payloadOff = 0;
    this.payloadLen = 0;
    this.payloadWire = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpId = -1;
    this.arpSenderMac = 0;
    this.arpSenderIp = 0;
  }
}

/** Reads a 48-bit big-endian integer (a MAC address). */
function mac(buf: Buffer, o: number): number {
  return buf[o] * 1099511627776 + buf[o + 1] * 4294967296 + ((buf[o + 2] << 24) >>> 0) + (buf[o + 3] << 16) + (buf[o + 4] << 8) + buf[o + 5];
}

/**
 * Decodes one captured packet of a link type, the bytes `buf[off, end)`, into `l` (offsets in `l` are offsets in
 * `buf`). Returns false when nothing usable was found.
 */
export function decodeLink(linkType: number, buf: Buffer, off: number, end: number, l: Layer): boolean {
  l.reset();
  const len = end - off;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return decodeEthernet(buf, off, end, l);
    case LINKTYPE.LINUX_SLL: {
      if (len < 16) return false;
      l.sllType = buf.readUInt16BE(off);
      return decodeEtherType(buf.readUInt16BE(off + 14), buf, off + 16, end, l);
    }
    case LINKTYPE.LINUX_SLL2: {
      if (len < 20) return false;
      l.sllType = buf[off + 10];
      return decodeEtherType(buf.readUInt16BE(off), buf, off + 20, end, l);
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      if (len < 1) return false;
      const v = buf[off] >> 4;
      return decodeEtherType(v === 6 ? 0x86dd : 0x0800, buf, off, end, l);
    }
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (len < 4) return false;
      // DLT_NULL stores the address family in the writer's byte order, DLT_LOOP in network order; IPv4 is 2 on every
      // BSD, IPv6 is 24, 28 or 30 depending on the OS.
      const le = buf.readUInt32LE(off);
      const be = buf.readUInt32BE(off);
      const af = linkType === LINKTYPE.LOOP ? be : le < 256 ? le : be;
      if (af === 2) return decodeEtherType(0x0800, buf, off + 4, end, l);
      if (af === 24 || af === 28 || af === 30) return decodeEtherType(0x86dd, buf, off + 4, end, l);
      return false;
    }
    default:
      return false;
  }
}

/** Decodes an Ethernet frame at `off` (used for outer frames and for the frames inside tunnels). */
export function decodeEthernet(buf: Buffer, off: number, end: number, l: Layer): boolean {
  if (end - off < 14) return false;
  l.hasMac = true;
  l.dstMac = mac(buf, off);
  l.srcMac = mac(buf, off + 6);
  return decodeEtherType(buf.readUInt16BE(off + 12), buf, off + 14, end, l);
}

function decodeEtherType(type: number, buf: Buffer, off: number, end: number, l: Layer): boolean {
  // VLAN tags (802.1Q, 802.1ad QinQ, the pre-standard 0x9100), at most a few deep.
  for (let depth = 0; depth < 4 && (type === 0x8100 || type === 0x88a8 || type === 0x9100); depth++) {
    if (end - off < 4) return false;
    if (l.vlan < 0) l.vlan = buf.readUInt16BE(off) & 0x0fff;
    type = buf.readUInt16BE(off + 2);
    off += 4;
  }
  l.etherType = type;
  if (type === 0x0800) return decodeIpv4(buf, off, end, l);
  if (type === 0x86dd) return decodeIpv6(buf, off, end, l);
  if (type === 0x0806 && end - off >= 28 && buf.readUInt16BE(off) === 1 && buf.readUInt16BE(off + 2) === 0x0800 && buf[off + 4] === 6 && buf[off + 5] === 4) {
    l.arpSenderMac = mac(buf, off + 8);
    l.arpSenderIp = buf.readUInt32BE(off + 14);
  }
  return true;
}

/** True when the IPv4 header at `off` (fully captured) has a correct checksum (RFC 1071). */
export function ipv4ChecksumOk(buf: Buffer, off: number, ihl: number): boolean {
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (buf[off + i] << 8) | buf[off + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

function decodeIpv4(buf: Buffer, off: number, end: number, l: Layer): boolean {
  if (end - off < 20) {
    l.ipVersion = -1;
    return true;
  }
  const vihl = buf[off];
  const ihl = (vihl & 0x0f) * 4;
  if (vihl >> 4 !== 4 || ihl < 20 || end - off < ihl) {
    l.ipVersion = -1;
    return true;
  }
  const total = buf.readUInt16BE(off + 2);
  l.ipVersion = 4;
  l.ipOff = off;
  // A total length of 0 is written by TCP segmentation offload on the sending host: use the captured length.
  l.ipLen = total >= ihl ? total : end - off;
  l.ipCaptured = Math.min(end - off, l.ipLen);
  l.ttl = buf[off + 8];
  l.proto = buf[off + 9];
  l.src = buf.readUInt32BE(off + 12);
  l.dst = buf.readUInt32BE(off + 16);
  const fragOff = buf.readUInt16BE(off + 6) & 0x1fff;
  l.fragment = fragOff !== 0;
  if (l.fragment) return true;
  return decodeTransport(buf, off + ihl, Math.min(end, off + l.ipLen), off + l.ipLen, l);
}

function decodeIpv6(buf: Buffer, off: number, end: number, l: Layer): boolean {
  if (end - off < 40 || buf[off] >> 4 !== 6) {
    l.ipVersion = -1;
    return true;
  }
  l.ipVersion = 6;
  l.ipOff = off;
  const payload = buf.readUInt16BE(off + 4);
  // Payload length 0 means a jumbogram or offload; use what was captured.
  l.ipLen = payload > 0 ? 40 + payload : end - off;
  l.ipCaptured = Math.min(end - off, l.ipLen);
  l.ttl = buf[off + 7];
  l.src = buf.toString('latin1', off + 8, off + 24);
  l.dst = buf.toString('latin1', off + 24, off + 40);
  let next = buf[off + 6];
  let p = off + 40;
  const wireEnd = off + l.ipLen;
  const capEnd = Math.min(end, wireEnd);
  // Walk the extension headers that precede the transport header.
  for (let i = 0; i < 8; i++) {
    if (next === 0 || next === 43 || next === 60) {
      if (capEnd - p < 8) return true;
      next = buf[p];
      p += (buf[p + 1] + 1) * 8;
    } else if (next === 44) {
      if (capEnd - p < 8) return true;
      const fragOff = buf.readUInt16BE(p + 2) >> 3;
      next = buf[p];
      p += 8;
      if (fragOff !== 0) {
        l.proto = next;
        l.fragment = true;
        return true;
      }
    } else if (next === 51) {
      if (capEnd - p < 8) return true;
      next = buf[p];
      p += (buf[p + 1] + 2) * 4;
    } else break;
  }
  l.proto = next;
  return decodeTransport(buf, p, capEnd, wireEnd, l);
}

function decodeTransport(buf: Buffer, off: number, capEnd: number, wireEnd: number, l: Layer): boolean {
  const avail = capEnd - off;
  switch (l.proto) {
    case 6: {
      if (avail < 14) return true;
      l.sport = buf.readUInt16BE(off);
      l.dport = buf.readUInt16BE(off + 2);
      l.tcpFlags = buf[off + 13];
      l.tcpSeq = buf.readUInt32BE(off + 4);
      const hl = (buf[off + 12] >> 4) * 4;
      if (hl < 20) return true;
      l.payloadOff = off + hl;
      l.payloadLen = Math.max(0, capEnd - l.payloadOff);
      l.payloadWire = Math.max(0, wireEnd - l.payloadOff);
      return true;
    }
    case 17: {
      if (avail < 8) return true;
      l.sport = buf.readUInt16BE(off);
      l.dport = buf.readUInt16BE(off + 2);
      l.payloadOff = off + 8;
      l.payloadLen = Math.max(0, capEnd - l.payloadOff);
      l.payloadWire = Math.max(0, wireEnd - l.payloadOff);
      return true;
    }
    case 1:
    case 58: {
      if (avail < 4) return true;
      l.icmpType = buf[off];
      l.icmpCode = buf[off + 1];
      const echo = l.proto === 1 ? l.icmpType === 8 || l.icmpType === 0 : l.icmpType === 128 || l.icmpType === 129;
      if (echo && avail >= 8) l.icmpId = buf.readUInt16BE(off + 4);
      l.payloadOff = off + 4;
      l.payloadLen = Math.max(0, capEnd - l.payloadOff);
      l.payloadWire = Math.max(0, wireEnd - l.payloadOff);
      return true;
    }
    case 47: {
      l.payloadOff = off;
      l.payloadLen = Math.max(0, avail);
      l.payloadWire = Math.max(0, wireEnd - off);
      return true;
    }
    default:
      return true;
  }
}

const v6Cache = new Map<string, string>();

/** Formats an address: dotted quad for IPv4, RFC 5952 text for IPv6. */
export function addrText(a: Addr): string {
  if (typeof a === 'number') return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  let s = v6Cache.get(a);
  if (s === undefined) {
    s = ipv6Text(a);
    if (v6Cache.size > 100_000) v6Cache.clear();
    v6Cache.set(a, s);
  }
  return s;
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups as `::`, first on ties. */
function ipv6Text(a: string): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((a.charCodeAt(i) << 8) | a.charCodeAt(i + 1));
  // IPv4-mapped addresses keep the dotted quad (RFC 5952 §5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Formats a 48-bit MAC address as `aa:bb:cc:dd:ee:ff`. */
export function macText(m: number): string {
  const parts: string[] = [];
  let x = m;
  for (let i = 0; i < 6; i++) {
    parts.unshift((x % 256).toString(16).padStart(2, '0'));
    x = Math.floor(x / 256);
  }
  return parts.join(':');
}

/** True for a group (multicast or broadcast) MAC: the I/G bit of the first octet. */
export function isGroupMac(m: number): boolean {
  return Math.floor(m / 1099511627776) % 2 === 1;
}

/** Name of an IP protocol as Zeek writes it in `proto` (tcp, udp, icmp), else the number. */
export function protoName(p: number): string {
  switch (p) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
    case 58:
      return 'icmp';
    case 47:
      return 'gre';
    default:
      return String(p);
  }
}
