/**
 * The capture readers: classic pcap in either byte order and both time resolutions, pcapng (several sections,
 * if_tsresol, simple and obsolete packet blocks, unknown blocks), gzip, any chunk boundaries, and bad files — a cut
 * last record, an impossible length, an unknown link type, a full conversation table — each one located diagnostic,
 * never an exception, with every complete packet still read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event } from '../../src/core/event.js';
import { CaptureReader } from '../../src/readers/pcap/capture-reader.js';
import { splitTime } from '../../src/readers/pcap/container.js';
import { pcapngReader, pcapReader } from '../../src/readers/pcap.js';
import { alertTable, netFixture, scanNetwork } from './helpers.js';

/** Reads a capture held in memory through the scan reader, in chunks of `chunk` bytes. */
function read(buf: Buffer, chunk = buf.length, file = 'mem.pcap'): { events: Event[]; diagnostics: Diagnostic[] } {
  const reader = [pcapReader, pcapngReader].find((r) => r.sniffBytes(buf.subarray(0, 65536), file).kind === 'read');
  assert.ok(reader, 'a capture reader claims the bytes');
  const events: Event[] = [];
  const diagnostics: Diagnostic[] = [];
  const fr = reader.open({ file, options: { timeZone: 'UTC', maxRecordChars: 1 << 20, referenceTimeMs: 0 }, report: (d) => diagnostics.push(d), emit: (e) => events.push(e) });
  for (let i = 0; i < buf.length; i += chunk) fr.push(buf.subarray(i, Math.min(buf.length, i + chunk)));
  fr.end();
  return { events, diagnostics };
}

function fieldsOf(events: Event[]): string {
  return JSON.stringify(events.map((e) => ({ ...e.fields, uid: undefined })));
}

/** A classic pcap rewritten in big-endian byte order. */
function toBigEndian(le: Buffer): Buffer {
  const out = Buffer.from(le);
  out.writeUInt32BE(le.readUInt32LE(0), 0);
  out.writeUInt16BE(le.readUInt16LE(4), 4);
  out.writeUInt16BE(le.readUInt16LE(6), 6);
  for (const o of [8, 12, 16, 20]) out.writeUInt32BE(le.readUInt32LE(o), o);
  let p = 24;
  while (p + 16 <= le.length) {
    const incl = le.readUInt32LE(p + 8);
    for (let k = 0; k < 16; k += 4) out.writeUInt32BE(le.readUInt32LE(p + k), p + k);
    p += 16 + incl;
  }
  return out;
}

/** The packets of a classic pcap: time and bytes. */
function packetsOf(pcap: Buffer): { sec: number; usec: number; data: Buffer }[] {
  const out: { sec: number; usec: number; data: Buffer }[] = [];
  let p = 24;
  while (p + 16 <= pcap.length) {
    const incl = pcap.readUInt32LE(p + 8);
    out.push({ sec: pcap.readUInt32LE(p), usec: pcap.readUInt32LE(p + 4), data: pcap.subarray(p + 16, p + 16 + incl) });
    p += 16 + incl;
  }
  return out;
}

function block(type: number, body: Buffer, be = false): Buffer {
  const len = 12 + body.length + ((4 - (body.length % 4)) % 4);
  const b = Buffer.alloc(len);
  const w = (v: number, o: number) => (be ? b.writeUInt32BE(v, o) : b.writeUInt32LE(v, o));
  w(type, 0);
  w(len, 4);
  body.copy(b, 8);
  w(len, len - 4);
  return b;
}

/** A pcapng with two sections (the second big-endian, nanosecond if_tsresol), EPBs, an SPB, an OPB and a custom block. */
function pcapngOf(pkts: { sec: number; usec: number; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const be of [false, true]) {
    const u32 = (v: number) => {
      const x = Buffer.alloc(4);
      if (be) x.writeUInt32BE(v);
      else x.writeUInt32LE(v);
      return x;
    };
    const u16 = (v: number) => {
      const x = Buffer.alloc(2);
      if (be) x.writeUInt16BE(v);
      else x.writeUInt16LE(v);
      return x;
    };
    // SHB: byte-order magic, version 1.0, section length -1.
    parts.push(block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), Buffer.from('ffffffffffffffff', 'hex')]), be));
    // IDB: Ethernet, snap length 0; the second section says if_tsresol = 9 (nanoseconds).
    const opts = be ? Buffer.concat([u16(9), u16(1), Buffer.from([9, 0, 0, 0]), u16(0), u16(0)]) : Buffer.alloc(0);
    parts.push(block(1, Buffer.concat([u16(1), u16(0), u32(0), opts]), be));
    parts.push(block(0x00000bad, Buffer.from('a custom block a reader must skip'), be));
    const half = be ? pkts.slice(Math.ceil(pkts.length / 2)) : pkts.slice(0, Math.ceil(pkts.length / 2));
    half.forEach((p, i) => {
      const units = be ? BigInt(p.sec) * 1_000_000_000n + BigInt(p.usec) * 1000n : BigInt(p.sec) * 1_000_000n + BigInt(p.usec);
      const hi = Number(units >> 32n);
      const lo = Number(units & 0xffffffffn);
      const pad = Buffer.alloc((4 - (p.data.length % 4)) % 4);
      if (!be && i === 1) {
        // The obsolete Packet Block (type 2): interface id and drops are 16 bits each.
        parts.push(block(2, Buffer.concat([u16(0), u16(0), u32(hi), u32(lo), u32(p.data.length), u32(p.data.length), p.data, pad]), be));
      } else {
        parts.push(block(6, Buffer.concat([u32(0), u32(hi), u32(lo), u32(p.data.length), u32(p.data.length), p.data, pad]), be));
      }
    });
  }
  return Buffer.concat(parts);
}

test('a capture read in chunks of 1, 7 and 4096 bytes gives the same events as read whole', () => {
  const buf = readFileSync(netFixture('lab', 'A-vxlan-outer.pcap'));
  const whole = fieldsOf(read(buf).events);
  for (const size of [1, 7, 4096]) assert.equal(fieldsOf(read(buf, size).events), whole, `chunks of ${size}`);
  assert.equal(read(buf).events.length, 6, 'five outer conversations and one tunnel');
});

test('big-endian and nanosecond pcap files read like the little-endian microsecond original', () => {
  const le = readFileSync(netFixture('lab', 'C-tee.pcap'));
  assert.equal(fieldsOf(read(toBigEndian(le)).events), fieldsOf(read(le).events));
  const ns = readFileSync(netFixture('crafted', 'tee-nanosecond.pcap'));
  assert.equal(fieldsOf(read(ns).events), fieldsOf(read(le).events));
});

test('pcapng: two sections in both byte orders, nanosecond resolution, the obsolete packet block, unknown blocks', () => {
  const pcap = readFileSync(netFixture('lab', 'B-nftdup-vxlan.pcap'));
  const ng = pcapngOf(packetsOf(pcap));
  const a = read(ng, 13, 'mem.pcapng');
  assert.deepEqual(a.diagnostics, []);
  assert.equal(fieldsOf(a.events), fieldsOf(read(pcap).events));
  assert.equal(a.events.find((e) => e.fields._path === 'tunnel')?.fields.packets, 4);
});

test('pcapng timestamps: 64-bit units split exactly at microsecond, nanosecond and binary resolutions', () => {
  const us = 1_773_902_006_946_577n;
  assert.deepEqual(splitTime(Number(us >> 32n), Number(us & 0xffffffffn), 1e6), { sec: 1_773_902_006, nsec: 946_577_000 });
  const ns = 1_795_457_768_807_857_123n;
  assert.deepEqual(splitTime(Number(ns >> 32n), Number(ns & 0xffffffffn), 1e9), { sec: 1_795_457_768, nsec: 807_857_123 });
  assert.deepEqual(splitTime(0, 3 * 1024 + 512, 1024), { sec: 3, nsec: 500_000_000 });
});

test('a gzipped capture is read through the scan like the plain one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-gz-'));
  try {
    const path = join(dir, 'aws_vxlan_mirror.pcap.gz');
    writeFileSync(path, gzipSync(readFileSync(netFixture('lab', 'aws_vxlan_mirror.pcap'))));
    const { alerts, diagnostics } = await scanNetwork([path]);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(alertTable(alerts), ['Mirror Stream to an Unapproved Collector | high']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a capture cut inside its last record: one warning at the byte offset, every complete packet read', () => {
  const buf = readFileSync(netFixture('lab', 'D-erspan2.pcap'));
  const cut = buf.subarray(0, buf.length - 10);
  const { events, diagnostics } = read(cut, 100);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].code, 'MW2801');
  assert.equal(diagnostics[0].severity, 'warning');
  const lastRecord = 24 + packetsOf(buf).slice(0, 3).reduce((a, p) => a + 16 + p.data.length, 0);
  assert.equal(diagnostics[0].offset, lastRecord, 'the offset where the cut record starts');
  const tunnel = events.find((e) => e.fields._path === 'tunnel');
  assert.equal(tunnel?.fields.packets, 3, 'three of four packets were complete');
});

test('an impossible record length: one error, packets before it read, nothing after', () => {
  const buf = Buffer.from(readFileSync(netFixture('lab', 'C-tee.pcap')));
  // The third record's captured length: 24-byte file header, then two records of 16 + 98 bytes.
  const third = 24 + 2 * (16 + 98);
  buf.writeUInt32LE(0x7fffffff, third + 8);
  const { events, diagnostics } = read(buf);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.offset]),
    [['MW2802', 'error', third]],
  );
  assert.equal(events.find((e) => e.fields._path === 'conn')?.fields.orig_pkts, 1, 'the two packets before the fault were read');
});

test('pcapng: a packet of an interface never described, and a block whose lengths disagree, are errors', () => {
  const pcap = readFileSync(netFixture('lab', 'B-nftdup-vxlan.pcap'));
  const ng = pcapngOf(packetsOf(pcap));
  // Point the first EPB (after SHB 28 + IDB 20 + custom block) at interface 5.
  const custom = ng.readUInt32LE(48 + 4);
  const epb = 48 + custom;
  const bad = Buffer.from(ng);
  bad.writeUInt32LE(5, epb + 8);
  assert.equal(read(bad, ng.length, 'x.pcapng').diagnostics[0]?.code, 'MW2802');
  const bad2 = Buffer.from(ng);
  bad2.writeUInt32LE(bad2.readUInt32LE(epb + 4) + 4, epb + bad2.readUInt32LE(epb + 4) - 4);
  assert.match(read(bad2, ng.length, 'x.pcapng').diagnostics[0]?.message ?? '', /mismatched lengths/);
});

test('packets of a link type mirrorwatch does not decode are counted in one warning', () => {
  const buf = Buffer.from(readFileSync(netFixture('lab', 'C-tee.pcap')));
  buf.writeUInt32LE(105, 20); // LINKTYPE_IEEE802_11
  const { events, diagnostics } = read(buf);
  assert.deepEqual(events, []);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].code, 'MW2804');
  assert.match(diagnostics[0].message, /^4 packet\(s\) of link type 105/);
});

test('a full conversation table reports its oldest conversations early, with a note, and loses no packet', () => {
  const buf = readFileSync(netFixture('crafted', 'protocol-mismatch.pcap'));
  const diagnostics: Diagnostic[] = [];
  let packets = 0;
  let conversations = 0;
  const r = new CaptureReader('pcap', 'x.pcap', { conversations: true, maxConversations: 2 }, (c) => {
    conversations++;
    packets += c.op + c.rp;
  }, (d) => diagnostics.push(d));
  r.push(buf);
  r.end();
  assert.equal(packets, r.stats.ipPackets);
  assert.equal(conversations, 8);
  assert.deepEqual(diagnostics.map((d) => d.code), ['MW2805']);
});

test('a file that only starts like a capture is reported, not thrown', () => {
  const { events, diagnostics } = read(Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]));
  assert.deepEqual(events, []);
  assert.equal(diagnostics[0]?.code, 'MW2801');
});
