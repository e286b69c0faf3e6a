/**
 * A large, realistic capture for the pcap benchmark: many client/server TCP conversations (TLS-like, HTTP-like,
 * SSH-like sizes), DNS over UDP, ICMP, a two-way VXLAN overlay between two VTEPs, and two mirror streams hidden in
 * it — a one-way VXLAN mirror (VNI 4242, AWS-style hashed source ports) copying one host's conversations in both
 * directions, and an ERSPAN type II session. Deterministic (seeded), written as a classic pcap (Ethernet,
 * microseconds) in large blocks, so a gigabyte takes seconds to write.
 *
 * Usage: `node dist/bench/pcap-corpus.js OUT.pcap [SIZE_MB]` (default 1024).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { rng } from '../test/helpers/random.js';


function ipv4Checksum(buf: Buffer, off: number): void {
  buf.writeUInt16BE(0, off + 10);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += buf.readUInt16BE(off + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  buf.writeUInt16BE(~sum & 0xffff, off + 10);
}

/** Writes an Ethernet + IPv4 header at `off`; returns the offset of the transport header. */
function ethIp(buf: Buffer, off: number, srcMac: number, dstMac: number, src: number, dst: number, proto: number, ipLen: number, ttl = 64): number {
  buf.writeUIntBE(dstMac, off, 6);
  buf.writeUIntBE(srcMac, off + 6, 6);
  buf.writeUInt16BE(0x0800, off + 12);
  const ip = off + 14;
  buf[ip] = 0x45;
  buf[ip + 1] = 0;
  buf.writeUInt16BE(ipLen, ip + 2);
  buf.writeUInt16BE(0, ip + 4);
  buf.writeUInt16BE(0x4000, ip + 6);
  buf[ip + 8] = ttl;
  buf[ip + 9] = proto;
  buf.writeUInt32BE(src >>> 0, ip + 12);
  buf.writeUInt32BE(dst >>> 0, ip + 16);
  ipv4Checksum(buf, ip);
  return ip + 20;
}

/** Builds one inner/plain frame (Ethernet/IPv4/TCP or UDP) of `payload` bytes into `buf` at `off`; returns its length. */
function frame(buf: Buffer, off: number, f: { srcMac: number; dstMac: number; src: number; dst: number; proto: number; sport: number; dport: number; flags?: number; seq?: number; payload: number; fill?: number }): number {
  const l4 = f.proto === 6 ? 20 : 8;
  const ipLen = 20 + l4 + f.payload;
  const t = ethIp(buf, off, f.srcMac, f.dstMac, f.src, f.dst, f.proto, ipLen);
  buf.writeUInt16BE(f.sport, t);
  buf.writeUInt16BE(f.dport, t + 2);
  if (f.proto === 6) {
    buf.writeUInt32BE((f.seq ?? 1) >>> 0, t + 4);
    buf.writeUInt32BE(1, t + 8);
    buf[t + 12] = 0x50;
    buf[t + 13] = f.flags ?? 0x18;
    buf.writeUInt16BE(65535, t + 14);
    buf.writeUInt32BE(0, t + 16);
  } else {
    buf.writeUInt16BE(8 + f.payload, t + 4);
    buf.writeUInt16BE(0, t + 6);
  }
  buf.fill(f.fill ?? 0x41, t + l4, t + l4 + f.payload);
  if (f.proto === 17 && (f.dport === 53 || f.sport === 53)) dnsMessage(buf, t + l4, f.payload, f.sport === 53, f.seq ?? 1);
  return 14 + ipLen;
}

/** A DNS query (or its answerless response) for `example.com` A, padded with an EDNS-like tail of zeros. */
function dnsMessage(buf: Buffer, off: number, len: number, response: boolean, id: number): void {
  buf.fill(0, off, off + len);
  buf.writeUInt16BE(id & 0xffff, off);
  buf.writeUInt16BE(response ? 0x8180 : 0x0100, off + 2);
  buf.writeUInt16BE(1, off + 4);
  const name = Buffer.from('\x07example\x03com\x00', 'latin1');
  name.copy(buf, off + 12);
  buf.writeUInt16BE(1, off + 12 + name.length);
  buf.writeUInt16BE(1, off + 14 + name.length);
}

/** Generates the corpus; returns packet count and bytes written. */
export function generateCorpus(path: string, sizeBytes: number, seed = 20261123): { packets: number; bytes: number } {
  const rand = rng(seed);
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(8 << 20);
  let used = 0;
  const flush = () => {
    writeSync(fd, block, 0, used);
    used = 0;
  };
  // File header: microsecond pcap, LINKTYPE_ETHERNET, snap length 262144.
  block.writeUInt32LE(0xa1b2c3d4, 0);
  block.writeUInt16LE(2, 4);
  block.writeUInt16LE(4, 6);
  block.writeUInt32LE(0, 8);
  block.writeUInt32LE(0, 12);
  block.writeUInt32LE(262144, 16);
  block.writeUInt32LE(1, 20);
  used = 24;
  let written = 24;
  let packets = 0;
  let usec = 0;
  const t0 = 1_763_900_000; // 2025-11-23
  const scratch = Buffer.alloc(4096);

  const emit = (len: number) => {
    if (used + 16 + len > block.length) flush();
    const sec = t0 + Math.floor(usec / 1e6);
    block.writeUInt32LE(sec, used);
    block.writeUInt32LE(usec % 1e6, used + 4);
    block.writeUInt32LE(len, used + 8);
    block.writeUInt32LE(len, used + 12);
    scratch.copy(block, used + 16, 0, len);
    used += 16 + len;
    written += 16 + len;
    packets++;
    usec += 20 + Math.floor(rand() * 40);
  };
  const gw = 0x020000000001;
  const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const victim = ip(10, 1, 5, 10);
  const collector = ip(203, 0, 113, 66);
  const erspanSwitch = ip(10, 255, 0, 1);
  const erspanCollector = ip(198, 51, 100, 20);
  const vtepA = ip(10, 9, 0, 1);
  const vtepB = ip(10, 9, 0, 2);
  let conv = 0;

  while (written < sizeBytes) {
    conv++;
    const client = ip(10, 1, 5 + (conv % 40), 1 + (conv % 200));
    const server = ip(93, 184, (conv * 7) % 256, (conv * 13) % 250 + 1);
    const kind = rand();
    const sport = 32768 + (conv % 28000);
    const dport = kind < 0.55 ? 443 : kind < 0.75 ? 80 : kind < 0.85 ? 22 : 53;
    const proto = dport === 53 ? 17 : 6;
    const exchanges = proto === 17 ? 1 : 3 + Math.floor(rand() * 20);
    const mirrored = client === victim || conv % 97 === 0;
    const src = mirrored ? victim : client;
    for (let i = 0; i < exchanges; i++) {
      for (const dir of [0, 1]) {
        const fromClient = dir === 0;
        const payload = proto === 17 ? (fromClient ? 40 : 120) : fromClient ? 80 + Math.floor(rand() * 400) : 200 + Math.floor(rand() * 1200);
        const f = {
          srcMac: fromClient ? 0x020000001000 + (conv % 4096) : gw,
          dstMac: fromClient ? gw : 0x020000001000 + (conv % 4096),
          src: fromClient ? src : server,
          dst: fromClient ? server : src,
          proto,
          sport: fromClient ? sport : dport,
          dport: fromClient ? dport : sport,
          seq: 1000 + i * 1500,
          payload,
          fill: dport === 443 ? 0x17 : 0x41,
        };
        const len = frame(scratch, 0, f);
        emit(len);
        const original = Buffer.from(scratch.subarray(0, len));
        if (mirrored) {
          // The mirror copy: VXLAN to the collector, outer source port a hash of the inner flow and direction.
          const inner = original;
          const hash = 49152 + ((f.src ^ f.dst ^ (f.sport << 3) ^ f.dport ^ dir) % 16000);
          const t = ethIp(scratch, 0, 0x020000000a0a, gw, victim, collector, 17, 20 + 8 + 8 + len, 255);
          scratch.writeUInt16BE(hash, t);
          scratch.writeUInt16BE(4789, t + 2);
          scratch.writeUInt16BE(8 + 8 + len, t + 4);
          scratch.writeUInt16BE(0, t + 6);
          scratch.writeUInt32BE(0x08000000, t + 8);
          scratch.writeUInt32BE(4242 << 8, t + 12);
          inner.copy(scratch, t + 16);
          emit(14 + 20 + 8 + 8 + len);
        }
        if (conv % 211 === 0) {
          // An ERSPAN type II copy from a switch (session 310).
          const inner = original;
          const t = ethIp(scratch, 0, 0x020000000b0b, gw, erspanSwitch, erspanCollector, 47, 20 + 8 + 8 + len);
          scratch.writeUInt16BE(0x1000, t);
          scratch.writeUInt16BE(0x88be, t + 2);
          scratch.writeUInt32BE(packets, t + 4);
          scratch.writeUInt16BE(0x1000, t + 8);
          scratch.writeUInt16BE((3 << 11) | 310, t + 10);
          scratch.writeUInt32BE(7, t + 12);
          inner.copy(scratch, t + 16);
          emit(14 + 20 + 8 + 8 + len);
        }
      }
    }
    if (conv % 53 === 0) {
      // Overlay traffic: VTEP A ↔ VTEP B both ways (VNI 5001), not a mirror.
      for (const dir of [0, 1]) {
        const len = frame(scratch, 0, { srcMac: 0x02000000c001, dstMac: 0x02000000c002, src: ip(172, 16, 0, 1 + dir), dst: ip(172, 16, 0, 2 - dir), proto: 6, sport: dir ? 8080 : 50000, dport: dir ? 50000 : 8080, payload: 300 });
        const inner = Buffer.from(scratch.subarray(0, len));
        const t = ethIp(scratch, 0, 0x02000000d001 + dir, 0x02000000d002 - dir, dir ? vtepB : vtepA, dir ? vtepA : vtepB, 17, 36 + len);
        scratch.writeUInt16BE(40000 + dir, t);
        scratch.writeUInt16BE(4789, t + 2);
        scratch.writeUInt16BE(16 + len, t + 4);
        scratch.writeUInt16BE(0, t + 6);
        scratch.writeUInt32BE(0x08000000, t + 8);
        scratch.writeUInt32BE(5001 << 8, t + 12);
        inner.copy(scratch, t + 16);
        emit(50 + len);
      }
    }
  }
  flush();
  closeSync(fd);
  return { packets, bytes: written };
}

const invoked = process.argv[1] && /pcap-corpus\.js$/.test(process.argv[1]);
if (invoked) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node dist/bench/pcap-corpus.js OUT.pcap [SIZE_MB]\n');
    process.exit(2);
  }
  const mb = Number(process.argv[3] ?? 1024);
  const started = Date.now();
  const r = generateCorpus(out, mb * 1024 * 1024);
  process.stdout.write(`${out}: ${r.packets} packets, ${(r.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
