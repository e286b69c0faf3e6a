/**
 * Capture containers: the classic libpcap file format and pcapng, read from a stream of Buffers of arbitrary
 * boundaries. The parser hands each packet to a callback as (link type, time, captured bytes as a slice of the
 * chunk, original length) without copying it, so memory stays flat whatever the file size.
 *
 * Sources of the layouts:
 * - libpcap: draft-ietf-opsawg-pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/) §4–5: magic
 *   0xA1B2C3D4 (microsecond) or 0xA1B23C4D (nanosecond) in the writer's byte order, 24-byte file header whose last
 *   word holds the link type (low 16 bits) and the FCS length (bits 29–31, valid when bit 28 is set); 16-byte record
 *   headers (seconds, fraction, captured length, original length).
 * - pcapng: draft-ietf-opsawg-pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/) §4: blocks of
 *   (type, total length, body, total length); Section Header Block 0x0A0D0D0A with byte-order magic 0x1A2B3C4D,
 *   Interface Description Block 1 (link type, snap length, option if_tsresol = 9), Enhanced Packet Block 6,
 *   Simple Packet Block 3, the obsolete Packet Block 2. Unknown blocks are skipped, as the draft requires.
 */
import type { Diagnostic } from '../../core/diagnostic.js';
import { PCAP } from './diagnostic-codes.js';

/**
 * Receives one packet: its captured bytes are `buf[off, end)`, valid only during the call (no copy, no view object
 * is made per packet).
 */
export type PacketSink = (linkType: number, sec: number, nsec: number, buf: Buffer, off: number, end: number, origLen: number) => void;

/** Capture container formats. */
export type ContainerKind = 'pcap' | 'pcapng';

/** What the first bytes of a file say about it. */
export function sniffContainer(head: Buffer): ContainerKind | undefined {
  if (head.length < 4) return undefined;
  const be = head.readUInt32BE(0);
  if (be === 0xa1b2c3d4 || be === 0xd4c3b2a1 || be === 0xa1b23c4d || be === 0x4d3cb2a1) return 'pcap';
  if (be === 0x0a0d0d0a && head.length >= 12) {
    const bom = head.readUInt32LE(8);
    if (bom === 0x1a2b3c4d || bom === 0x4d3c2b1a) return 'pcapng';
  }
  return undefined;
}

/** Largest packet a record may hold; anything larger means a corrupt header (tcpdump's own limit is 256 KiB). */
const MAX_PACKET = 256 * 1024;
/** Largest pcapng block accepted (a packet plus generous options). */
const MAX_BLOCK = MAX_PACKET + 64 * 1024;

/** Per-interface facts of a pcapng section. */
interface NgInterface {
  linkType: number;
  /** Timestamp units per second: 10^6 by default (if_tsresol). */
  unitsPerSec: number;
  /** Snap length (0: none), the captured length of simple packet blocks. */
  snapLen: number;
  /** Frame check sequence bytes at the end of each packet (if_fcslen). */
  fcsBytes: number;
}

/** Counters of a parsed container. */
export interface ContainerStats {
  packets: number;
  /** Bytes of the file consumed so far. */
  offset: number;
  /** Link types seen, for the summary. */
  linkTypes: Set<number>;
}

/**
 * A streaming capture parser. `push` chunks, then `end`. Problems go to `report` with the byte offset; after a
 * corrupt header the rest of the file is ignored (a later record boundary cannot be found reliably).
 */
export class CaptureParser {
  readonly stats: ContainerStats = { packets: 0, offset: 0, linkTypes: new Set() };
  private carry: Buffer | undefined;
  private stopped = false;
  private started = false;
  // classic pcap
  private le = true;
  private nano = false;
  private linkType = 0;
  private fcsBytes = 0;
  // pcapng
  private interfaces: NgInterface[] = [];

  constructor(
    private readonly kind: ContainerKind,
    private readonly file: string,
    private readonly onPacket: PacketSink,
    private readonly report: (d: Diagnostic) => void,
  ) {}

  /**
   * Feeds the next chunk. A record cut by the chunk boundary is completed by copying only its own bytes (the rest of
   * the chunk is parsed in place), so the copying cost does not grow with the chunk size.
   */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    let from = 0;
    while (this.carry) {
      const carry: Buffer = this.carry;
      const need = this.recordBytes(carry);
      const take = Math.min(chunk.length - from, need - carry.length);
      const joined: Buffer = take > 0 ? Buffer.concat([carry, chunk.subarray(from, from + take)]) : carry;
      from += take;
      if (joined.length < need) {
        this.carry = joined;
        return;
      }
      this.carry = undefined;
      const used = this.parse(joined, 0);
      this.stats.offset += used;
      if (this.stopped) return;
      if (used < joined.length) this.carry = joined.subarray(used);
      if (!this.carry) break;
      // The joined bytes held only a header so far: go round again with the record's full length.
      if (from >= chunk.length) return;
    }
    const used = this.parse(chunk, from);
    this.stats.offset += used - from;
    if (!this.stopped && used < chunk.length) this.carry = Buffer.from(chunk.subarray(used));
  }

  private parse(buf: Buffer, from: number): number {
    return this.kind === 'pcap' ? this.parsePcap(buf, from) : this.parseNg(buf, from);
  }

  /**
   * Bytes needed to complete the record that starts `buf`: the header's size while the header is incomplete, then the
   * whole record's. An impossible length is returned as the bytes at hand so that the parser reports it.
   */
  private recordBytes(buf: Buffer): number {
    if (this.kind === 'pcap') {
      if (!this.started) return 24;
      if (buf.length < 16) return 16;
      const incl = this.le ? buf.readUInt32LE(8) : buf.readUInt32BE(8);
      return incl > MAX_PACKET ? buf.length : 16 + incl;
    }
    if (buf.length < 12) return 12;
    const le = buf.readUInt32LE(0) === 0x0a0d0d0a ? buf.readUInt32LE(8) === 0x1a2b3c4d : this.le;
    const len = le ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
    return len < 12 || len > MAX_BLOCK ? buf.length : len;
  }

  /** Signals the end of the file: a partial last record is reported. */
  end(): void {
    if (this.stopped) return;
    if (!this.started) {
      this.fail(PCAP.truncated, `capture ends inside its file header (${this.carry?.length ?? 0} bytes)`, 0);
      return;
    }
    if (this.carry && this.carry.length > 0) {
      this.report({
        code: PCAP.truncated.code,
        severity: PCAP.truncated.severity,
        message: `capture ends inside a ${this.kind === 'pcap' ? 'packet record' : 'block'} (${this.carry.length} bytes after the last complete one; the writer was stopped or the copy cut short); every complete packet was read`,
        file: this.file,
        offset: this.stats.offset,
      });
    }
    this.carry = undefined;
  }

  private fail(info: { code: string; severity: 'error' | 'warning' | 'info' }, message: string, at: number): void {
    this.report({ code: info.code, severity: info.severity, message, file: this.file, offset: at });
    this.stopped = true;
    this.carry = undefined;
  }

  /** Parses classic pcap records in `buf` from `from`; returns the offset reached. */
  private parsePcap(buf: Buffer, from: number): number {
    let p = from;
    if (!this.started) {
      if (buf.length - p < 24) return p;
      const magic = buf.readUInt32LE(p);
      this.le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
      this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      const major = this.le ? buf.readUInt16LE(p + 4) : buf.readUInt16BE(p + 4);
      if (major !== 2) {
        this.fail(PCAP.unsupported, `pcap major version ${major} is not 2`, 4);
        return buf.length;
      }
      const lt = this.le ? buf.readUInt32LE(p + 20) : buf.readUInt32BE(p + 20);
      this.linkType = lt & 0xffff;
      // Bit 28 says the FCS length field (bits 29–31, in 16-bit words) is valid.
      this.fcsBytes = lt & 0x10000000 ? ((lt >>> 29) & 0x7) * 2 : 0;
      this.stats.linkTypes.add(this.linkType);
      this.started = true;
      p += 24;
    }
    const le = this.le;
    const fracToNs = this.nano ? 1 : 1000;
    const fracMax = this.nano ? 1e9 : 1e6;
    const n = buf.length;
    while (p + 16 <= n) {
      const sec = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      const frac = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
      const incl = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
      const orig = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
      if (incl > MAX_PACKET || frac >= fracMax) {
        this.fail(
          PCAP.corrupt,
          incl > MAX_PACKET
            ? `packet record claims ${incl} captured bytes (more than ${MAX_PACKET}): the file is corrupt from here on; packets before it were read`
            : `packet record has an invalid time fraction ${frac}: the file is corrupt from here on; packets before it were read`,
          this.stats.offset + p - from,
        );
        return n;
      }
      if (p + 16 + incl > n) break;
      this.stats.packets++;
      const fcs = this.fcsBytes > 0 && incl >= this.fcsBytes && incl === orig ? this.fcsBytes : 0;
      this.onPacket(this.linkType, sec, frac * fracToNs, buf, p + 16, p + 16 + incl - fcs, orig - fcs);
      p += 16 + incl;
    }
    return p;
  }

  /** Parses pcapng blocks in `buf` from `from`; returns the offset reached. */
  private parseNg(buf: Buffer, from: number): number {
    let p = from;
    const n = buf.length;
    while (p + 12 <= n) {
      // A Section Header Block decides the byte order of everything up to the next one.
      const rawType = buf.readUInt32LE(p);
      if (rawType === 0x0a0d0d0a) {
        const bom = buf.readUInt32LE(p + 8);
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.fail(PCAP.corrupt, 'pcapng section header has an invalid byte-order magic', this.stats.offset + p - from + 8);
          return n;
        }
        this.interfaces = [];
        this.started = true;
      } else if (!this.started) {
        this.fail(PCAP.corrupt, 'pcapng file does not start with a section header block', this.stats.offset + p - from);
        return n;
      }
      const le = this.le;
      const type = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      const len = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        this.fail(PCAP.corrupt, `pcapng block of type 0x${type.toString(16)} has an invalid length ${len}: the file is corrupt from here on; packets before it were read`, this.stats.offset + p - from + 4);
        return n;
      }
      if (p + len > n) break;
      const trailer = le ? buf.readUInt32LE(p + len - 4) : buf.readUInt32BE(p + len - 4);
      if (trailer !== len) {
        this.fail(PCAP.corrupt, `pcapng block of type 0x${type.toString(16)} has mismatched lengths (${len} and ${trailer}): the file is corrupt from here on`, this.stats.offset + p - from + len - 4);
        return n;
      }
      this.block(type, buf, p, len, p - from);
      if (this.stopped) return n;
      p += len;
    }
    return p;
  }

  private block(type: number, buf: Buffer, p: number, len: number, rel: number): void {
    const at = (o: number) => this.stats.offset + rel + o;
    const le = this.le;
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    switch (type) {
      case 1: {
        // Interface Description Block: link type, reserved, snap length, options.
        const linkType = u16(p + 8);
        const iface: NgInterface = { linkType, unitsPerSec: 1e6, snapLen: u32(p + 12), fcsBytes: 0 };
        let o = p + 16;
        const end = p + len - 4;
        while (o + 4 <= end) {
          const code = u16(o);
          const olen = u16(o + 2);
          if (code === 0) break;
          if (o + 4 + olen > end) break;
          if (code === 9 && olen >= 1) {
            // if_tsresol: high bit clear → 10^-v seconds, set → 2^-v seconds.
            const v = buf[o + 4];
            iface.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
          } else if (code === 13 && olen >= 1) {
            iface.fcsBytes = buf[o + 4]; // if_fcslen
          }
          o += 4 + ((olen + 3) & ~3);
        }
        this.interfaces.push(iface);
        this.stats.linkTypes.add(linkType);
        return;
      }
      case 6:
      case 2: {
        // Enhanced Packet Block (6): interface id, ts high, ts low, captured length, original length, data.
        // Packet Block (2, obsolete): interface id (16 bits), drops (16 bits), then the same fields.
        const ifId = type === 6 ? u32(p + 8) : u16(p + 8);
        const iface = this.interfaces[ifId];
        if (!iface) {
          this.fail(PCAP.corrupt, `pcapng packet refers to interface ${ifId}, which no interface description block defined`, at(8));
          return;
        }
        const high = u32(p + 12);
        const low = u32(p + 16);
        const incl = u32(p + 20);
        const orig = u32(p + 24);
        if (28 + incl > len - 4) {
          this.fail(PCAP.corrupt, `pcapng packet claims ${incl} captured bytes, more than its block holds`, at(20));
          return;
        }
        const { sec, nsec } = splitTime(high, low, iface.unitsPerSec);
        this.stats.packets++;
        const fcs = iface.fcsBytes > 0 && incl === orig && incl >= iface.fcsBytes ? iface.fcsBytes : 0;
        this.onPacket(iface.linkType, sec, nsec, buf, p + 28, p + 28 + incl - fcs, orig - fcs);
        return;
      }
      case 3: {
        // Simple Packet Block: original length, data (captured length = min(original, snap length, block room)).
        const iface = this.interfaces[0];
        if (!iface) {
          this.fail(PCAP.corrupt, 'pcapng simple packet block without an interface description block', at(0));
          return;
        }
        const orig = u32(p + 8);
        const room = len - 16;
        const incl = Math.min(orig, room, iface.snapLen > 0 ? iface.snapLen : orig);
        this.stats.packets++;
        // No timestamp in a simple packet block.
        this.onPacket(iface.linkType, 0, 0, buf, p + 12, p + 12 + incl, orig);
        return;
      }
      default:
        // Section header (handled above), name resolution, statistics, custom and unknown blocks: nothing to read.
        return;
    }
  }
}

/** Splits a 64-bit pcapng timestamp in `unitsPerSec` units into whole seconds and nanoseconds. */
export function splitTime(high: number, low: number, unitsPerSec: number): { sec: number; nsec: number } {
  if (unitsPerSec === 1e6 || unitsPerSec === 1e9 || unitsPerSec === 1e3) {
    // Exact integer arithmetic with BigInt only when the value exceeds 2^53 (nanoseconds since 1970 do).
    const units = high * 4294967296 + low;
    if (units <= Number.MAX_SAFE_INTEGER) {
      const sec = Math.floor(units / unitsPerSec);
      return { sec, nsec: Math.round((units - sec * unitsPerSec) * (1e9 / unitsPerSec)) };
    }
  }
  const big = (BigInt(high) << 32n) | BigInt(low);
  if (Number.isInteger(Math.log10(unitsPerSec))) {
    const per = BigInt(unitsPerSec);
    const sec = big / per;
    const rem = big % per;
    return { sec: Number(sec), nsec: Number((rem * 1_000_000_000n) / per) };
  }
  const secF = Number(big) / unitsPerSec;
  const sec = Math.floor(secF);
  return { sec, nsec: Math.round((secF - sec) * 1e9) };
}
