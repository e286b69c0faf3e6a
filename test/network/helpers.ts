/**
 * Shared pieces of the network tests: fixture paths, a scan through the real readers, rules and network analytics
 * (as `mirrorwatch scan` runs them, control-plane correlation included), per-packet decoding for the tshark
 * cross-check, and tool detection for the tests that need tshark, root or network namespaces.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertDocument } from '../../src/core/alert.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event } from '../../src/core/event.js';
import { correlateControlPlane, createNetworkAnalytics, type NetworkAnalyticsOptions } from '../../src/analytics/index.js';
import { buildAlert, buildFindingAlert, compareAlerts, groupMatches } from '../../src/detect/alerts.js';
import { scan } from '../../src/detect/scan.js';
import { decodeInner } from '../../src/readers/pcap/capture-reader.js';
import { CaptureParser, sniffContainer } from '../../src/readers/pcap/container.js';
import { addrText, decodeLink, Layer, linkTypeSupported } from '../../src/readers/pcap/decode.js';
import { detectTunnel, TunnelHeader } from '../../src/readers/pcap/tunnels.js';
import { ALL_READERS } from '../../src/readers/registry.js';
import { expandInputs, type InputFile } from '../../src/readers/source.js';
import { bundled } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';

/** A path under `test/fixtures/network/`. */
export function netFixture(...parts: string[]): string {
  return repoPath('test', 'fixtures', 'network', ...parts);
}

/** The result of a network scan. */
export interface NetScan {
  alerts: AlertDocument[];
  diagnostics: Diagnostic[];
  events: Event[];
}

/** Scans files or in-memory texts as `mirrorwatch scan` does (bundled rules, every reader, the network analytics). */
export async function scanNetwork(paths: readonly string[], options: NetworkAnalyticsOptions & { texts?: { name: string; text: string }[]; timeZone?: string } = {}): Promise<NetScan> {
  const { rules, aliases } = await bundled();
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  const inputs: InputFile[] = [...(await expandInputs(paths, report)), ...(options.texts ?? []).map((t) => ({ path: t.name, mtimeMs: Date.parse('2026-11-24T00:00:00Z'), text: t.text }))];
  const events: Event[] = [];
  const recorder = {
    info: { id: 'recorder', title: '', description: '', level: 'informational' as const, tags: [], references: [], falsepositives: [] },
    datasets: ['network.pcap', 'network.flow'] as const,
    observe: (e: Event) => events.push(e),
    finish: () => [],
  };
  const { matches, findings, context } = await scan(inputs, {
    rules,
    readers: ALL_READERS,
    analytics: [...createNetworkAnalytics(options), recorder],
    readerOptions: { timeZone: options.timeZone ?? 'UTC', maxRecordChars: 32 * 1024 * 1024 },
    prefilter: true,
    aliases,
    unknownFormatIsError: true,
    report,
  });
  const alerts = [...groupMatches(matches, aliases).map((g) => buildAlert(g, aliases, context)), ...findings.map((f) => buildFindingAlert(f))];
  correlateControlPlane(alerts);
  alerts.sort(compareAlerts);
  return { alerts, diagnostics, events };
}

/** `rule name | severity` per alert, in output order: the alert table the tests compare. */
export function alertTable(alerts: readonly AlertDocument[]): string[] {
  return alerts.map((a) => `${String((a.rule as { name: string }).name)} | ${a.mirrorwatch.severity}`);
}

/** The analytic details of an alert. */
export function details(a: AlertDocument): Record<string, unknown> {
  return (a.mirrorwatch.analytic ?? {}) as Record<string, unknown>;
}

/** True when a command can be run (exit status 0 for `--version`-like probes). */
export function commandWorks(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Whether tshark is installed (the cross-check then runs against it, else against the stored tshark output). */
export const haveTshark = process.env.MW_NO_TSHARK !== '1' && commandWorks('tshark', ['--version']);

/** One decoded frame, as the cross-check compares it with tshark. */
export interface DecodedFrame {
  frame: number;
  /** Outer IP source and destination. */
  src: string;
  dst: string;
  encapsulation?: string;
  udpDstPort?: number;
  vni?: number;
  erspanVersion?: number;
  erspanSession?: number;
  erspanDirection?: number;
  erspanTimestamp?: number;
  greSequence?: number;
  innerSrc?: string;
  innerDst?: string;
  innerProto?: number;
  innerSport?: number;
  innerDport?: number;
  /** Inner IP total length larger than the bytes present (a truncated copy). */
  innerTruncated?: boolean;
}

/** Decodes every packet of a capture with mirrorwatch's decoder, one record per frame. */
export function decodeFrames(path: string): DecodedFrame[] {
  const buf = readFileSync(path);
  const kind = sniffContainer(buf.subarray(0, 65536));
  if (!kind) throw new Error(`not a capture: ${path}`);
  const out: DecodedFrame[] = [];
  const outer = new Layer();
  const inner = new Layer();
  const t = new TunnelHeader();
  let frame = 0;
  const parser = new CaptureParser(
    kind,
    path,
    (lt, _sec, _nsec, b, off, end) => {
      frame++;
      if (!linkTypeSupported(lt) || !decodeLink(lt, b, off, end, outer) || outer.ipVersion <= 0) return;
      const rec: DecodedFrame = { frame, src: addrText(outer.src), dst: addrText(outer.dst) };
      if (outer.proto === 17) rec.udpDstPort = outer.dport;
      if (detectTunnel(b, outer, t)) {
        rec.encapsulation = t.kind;
        if (t.vni >= 0) rec.vni = t.vni;
        if (t.erspanVersion >= 0) rec.erspanVersion = t.erspanVersion;
        if (t.session >= 0) rec.erspanSession = t.session;
        if (t.erspanDirection >= 0) rec.erspanDirection = t.erspanDirection;
        if (t.erspanTimestamp >= 0) rec.erspanTimestamp = t.erspanTimestamp;
        if (t.greSequence >= 0) rec.greSequence = t.greSequence;
        decodeInner(b, t.innerOff, end, t.innerEthernet, inner);
        if (inner.ipVersion > 0) {
          rec.innerSrc = addrText(inner.src);
          rec.innerDst = addrText(inner.dst);
          rec.innerProto = inner.proto;
          if (inner.proto === 6 || inner.proto === 17) {
            rec.innerSport = inner.sport;
            rec.innerDport = inner.dport;
          }
          rec.innerTruncated = inner.ipCaptured < inner.ipLen;
        }
      }
      out.push(rec);
    },
    () => undefined,
  );
  parser.push(buf);
  parser.end();
  return out;
}

/** The number of frames in a capture (every packet record, IP or not). */
export function decodeFrameCount(path: string): number {
  const buf = readFileSync(path);
  const kind = sniffContainer(buf.subarray(0, 65536));
  if (!kind) throw new Error(`not a capture: ${path}`);
  const parser = new CaptureParser(kind, path, () => undefined, () => undefined);
  parser.push(buf);
  parser.end();
  return parser.stats.packets;
}

/** Every capture in a fixture directory, sorted. */
export function capturesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}
