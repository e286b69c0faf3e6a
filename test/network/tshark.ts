/**
 * tshark as the reference decoder for the cross-check: one tab-separated line per frame with the fields compared
 * (Wireshark field names, tshark 4.0). Values of fields that occur in several layers (outer and inner IP) are
 * joined with commas, outer first. HP ERM has no default port in Wireshark and VXLAN only 4789, so the captures'
 * other tunnel ports are decoded as such explicitly (`-d`), as an analyst would.
 *
 * When tshark is not installed, the output it gave for each checked-in capture (stored beside the fixtures by
 * `MW_WRITE_TSHARK=1`) stands in for it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { decodeFrameCount, decodeFrames, netFixture, type DecodedFrame } from './helpers.js';

/** Fields requested from tshark, in column order. */
export const TSHARK_FIELDS = [
  'frame.number',
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'ip.proto',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'vxlan.vni',
  'geneve.vni',
  'gre.proto',
  'gre.sequence_number',
  'erspan.version',
  'erspan.spanid',
  'erspan.direction',
  'erspan.timestamp',
] as const;

/** Decode-as rules for tunnel ports Wireshark does not assign by default. */
const DECODE_AS = ['-d', 'udp.port==7932,hp_erm', '-d', 'udp.port==8888,vxlan', '-d', 'udp.port==8472,vxlan'];

/** One frame as tshark decoded it: each field's values in layer order. */
export type TsharkFrame = Record<(typeof TSHARK_FIELDS)[number], string[]>;

/** Runs tshark on a capture and returns its raw text output. */
export async function runTshark(path: string): Promise<string> {
  const args = ['-r', path, '-n', ...DECODE_AS, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of TSHARK_FIELDS) args.push('-e', f);
  const { stdout } = await promisify(execFile)('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return stdout;
}

/** Where the stored tshark output of a capture lives. */
export function storedPath(capture: string): string {
  return netFixture('tshark', `${basename(capture)}.tsv`);
}

/**
 * The tshark output for each capture: live when `live`, else the stored copies (undefined where none was stored).
 * tshark needs about a second to start, so the captures are concatenated with `mergecap -a` and decoded in one run;
 * the output is split back by each file's frame count and renumbered.
 */
export async function tsharkOutputs(captures: readonly string[], live: boolean): Promise<(string | undefined)[]> {
  if (!live) {
    return captures.map((c) => {
      const stored = storedPath(c);
      return existsSync(stored) ? readFileSync(stored, 'utf8') : undefined;
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'mw-tshark-'));
  try {
    const merged = join(dir, 'all.pcapng');
    await promisify(execFile)('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...captures]);
    const lines = (await runTshark(merged)).split('\n').filter((l) => l.length > 0);
    const out: string[] = [];
    let first = 0;
    for (const c of captures) {
      const n = decodeFrameCount(c);
      const mine = lines.slice(first, first + n).map((l) => {
        const tab = l.indexOf('\t');
        return `${Number(l.slice(0, tab)) - first}${l.slice(tab)}`;
      });
      first += n;
      const text = mine.length > 0 ? `${mine.join('\n')}\n` : '';
      if (process.env.MW_WRITE_TSHARK === '1') {
        mkdirSync(netFixture('tshark'), { recursive: true });
        writeFileSync(storedPath(c), text);
      }
      out.push(text);
    }
    if (first !== lines.length) throw new Error(`mergecap/tshark gave ${lines.length} frames, the captures hold ${first}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses tshark's field output. */
export function parseTshark(text: string): TsharkFrame[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const cols = line.split('\t');
      const rec = {} as TsharkFrame;
      TSHARK_FIELDS.forEach((f, i) => {
        const v = cols[i] ?? '';
        rec[f] = v === '' ? [] : v.split(',');
      });
      return rec;
    });
}

/** The encapsulation tshark found in a frame, in mirrorwatch's names. */
function tsharkEncapsulation(f: TsharkFrame): string | undefined {
  const p = `:${(f['frame.protocols'][0] ?? '').replace(/,/g, ':')}:`;
  if (p.includes(':vxlan:')) return 'vxlan';
  if (p.includes(':geneve:')) return 'geneve';
  if (p.includes(':tzsp:')) return 'tzsp';
  if (p.includes(':hp_erm:')) return 'hp-erm';
  if (p.includes(':erspan:')) {
    const v = f['erspan.version'][0];
    return v === '1' ? 'erspan-ii' : v === '2' ? 'erspan-iii' : 'erspan-i';
  }
  if (p.includes(':gre:eth:')) return 'gre-teb';
  return undefined;
}

/** The outer and inner addresses tshark reports, picking the IPv4 or IPv6 column as mirrorwatch's decode says. */
function addresses(f: TsharkFrame, d: DecodedFrame): { src: string[]; dst: string[] } {
  const v4s = f['ip.src'];
  const v4d = f['ip.dst'];
  const v6s = f['ipv6.src'];
  const v6d = f['ipv6.dst'];
  const outerV6 = d.src.includes(':');
  const innerV6 = d.innerSrc?.includes(':') ?? false;
  const src = [outerV6 ? v6s[0] : v4s[0]];
  const dst = [outerV6 ? v6d[0] : v4d[0]];
  if (d.innerSrc !== undefined) {
    const same = outerV6 === innerV6;
    src.push(innerV6 ? v6s[same ? 1 : 0] : v4s[same ? 1 : 0]);
    dst.push(innerV6 ? v6d[same ? 1 : 0] : v4d[same ? 1 : 0]);
  }
  return { src, dst };
}

/** Asserts that mirrorwatch decodes every frame of `capture` as tshark did (`output`); returns the tunnels compared. */
export function assertMatchesTshark(capture: string, output: string): number {
  const name = basename(capture);
  const frames = parseTshark(output);
  const mine = new Map(decodeFrames(capture).map((d) => [d.frame, d]));
  let tunnels = 0;
  for (const f of frames) {
    const n = Number(f['frame.number'][0]);
    const d = mine.get(n);
    const enc = tsharkEncapsulation(f);
    if (f['ip.src'].length === 0 && f['ipv6.src'].length === 0) {
      assert.equal(d, undefined, `${name} frame ${n}: tshark sees no IP, mirrorwatch decoded ${JSON.stringify(d)}`);
      continue;
    }
    assert.ok(d, `${name} frame ${n}: tshark decodes IP, mirrorwatch did not`);
    const where = `${name} frame ${n}`;
    assert.equal(d.encapsulation, enc, `${where}: encapsulation`);
    const { src, dst } = addresses(f, d);
    assert.equal(d.src, src[0], `${where}: outer source`);
    assert.equal(d.dst, dst[0], `${where}: outer destination`);
    if (d.udpDstPort !== undefined) assert.equal(String(d.udpDstPort), f['udp.dstport'][0], `${where}: outer UDP destination port`);
    if (enc === undefined) continue;
    tunnels++;
    if (enc === 'vxlan') assert.equal(String(d.vni), f['vxlan.vni'][0], `${where}: VXLAN VNI`);
    if (enc === 'geneve') assert.equal(d.vni, Number(f['geneve.vni'][0]), `${where}: GENEVE VNI (tshark prints it in hex)`);
    if (enc.startsWith('erspan')) {
      if (enc !== 'erspan-i') {
        assert.equal(String(d.erspanVersion), f['erspan.version'][0], `${where}: ERSPAN version`);
        assert.equal(String(d.erspanSession), f['erspan.spanid'][0], `${where}: ERSPAN session id`);
      }
      if (enc === 'erspan-iii') {
        assert.equal(String(d.erspanTimestamp), f['erspan.timestamp'][0], `${where}: ERSPAN timestamp`);
        assert.equal(String(d.erspanDirection), f['erspan.direction'][0], `${where}: ERSPAN direction`);
      }
      if (f['gre.sequence_number'].length > 0) assert.equal(String(d.greSequence), f['gre.sequence_number'][0], `${where}: GRE sequence`);
    }
    assert.equal(d.innerSrc, src[1], `${where}: inner source`);
    assert.equal(d.innerDst, dst[1], `${where}: inner destination`);
    if (d.innerProto === 6) {
      assert.equal(String(d.innerSport), f['tcp.srcport'][0], `${where}: inner TCP source port`);
      assert.equal(String(d.innerDport), f['tcp.dstport'][0], `${where}: inner TCP destination port`);
    }
    if (d.innerProto === 17) {
      // The outer UDP ports come first when the tunnel itself is UDP.
      const k = f['udp.srcport'].length > 1 && d.udpDstPort !== undefined ? 1 : 0;
      assert.equal(String(d.innerSport), f['udp.srcport'][k], `${where}: inner UDP source port`);
      assert.equal(String(d.innerDport), f['udp.dstport'][k], `${where}: inner UDP destination port`);
    }
  }
  assert.equal(mine.size, frames.filter((f) => f['ip.src'].length > 0 || f['ipv6.src'].length > 0).length, `${name}: frames decoded`);
  return tunnels;
}
