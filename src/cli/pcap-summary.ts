/**
 * `mirrorwatch pcap-summary FILE…`: the tunnels in packet captures — encapsulation, endpoints, VNI or ERSPAN
 * session, packets, bytes, whether anything came back, and the inner hosts being carried — plus plain L3 copy
 * streams. A quick look at a capture before (or instead of) a scan; `--format json` gives the same facts as the
 * `network.pcap` tunnel and copy events.
 */
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.js';
import { CaptureReader } from '../readers/pcap/capture-reader.js';
import { sniffContainer } from '../readers/pcap/container.js';
import { copyEvent, isoTime, tunnelEvent } from '../readers/pcap/events.js';
import { expandInputs, openBytes, type ReadStats } from '../readers/source.js';
import { INPUT } from '../readers/input-diagnostic-codes.js';
import { CLI } from './cli-diagnostic-codes.js';
import type { SetCode } from './command-helpers.js';

/** What `pcap-summary` reports for one capture. */
export interface CaptureSummary {
  file: string;
  format: string;
  packets: number;
  ipPackets: number;
  tunnelPackets: number;
  first?: string;
  last?: string;
  tunnels: Record<string, unknown>[];
  copies: Record<string, unknown>[];
}

/** Reads one capture and summarises its tunnels; problems go to `report`. Undefined when it is not a capture. */
export async function summarizeCapture(path: string, report: (d: Diagnostic) => void, conversations = true, quietIfNotCapture = false): Promise<CaptureSummary | undefined> {
  const notCapture = () => {
    if (!quietIfNotCapture) report({ code: INPUT.unknownFormat.code, severity: 'error', message: 'not a pcap or pcapng capture', file: path });
  };
  const stats: ReadStats = { bytesIn: 0, bytesOut: 0, gzip: false };
  const chunks = openBytes({ path, mtimeMs: 0 }, report, stats);
  let reader: CaptureReader | undefined;
  let kind: string | undefined;
  let head: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (!reader) {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 24 && !stats.gzip) continue;
      const k = sniffContainer(head);
      if (!k) {
        notCapture();
        await chunks.return(undefined);
        return undefined;
      }
      kind = k;
      reader = new CaptureReader(k, path, { conversations }, () => undefined, report);
      reader.push(head);
      continue;
    }
    reader.push(chunk);
  }
  if (!reader) {
    if (head.length > 0) notCapture();
    return undefined;
  }
  reader.end();
  const st = reader.stats;
  let n = 0;
  const tunnels = [...reader.table.tunnels.values()].map((t) => tunnelEvent(t, path, `T${++n}`).fields);
  n = 0;
  const copies = [...reader.table.copies.values()].map((c) => copyEvent(c, reader.table.arp, path, `L${++n}`).fields);
  return {
    file: path,
    format: kind ?? 'pcap',
    packets: st.packets,
    ipPackets: st.ipPackets,
    tunnelPackets: st.tunnelPackets,
    ...(Number.isFinite(st.firstMs) ? { first: isoTime(Math.floor(st.firstMs / 1000), Math.round((st.firstMs % 1000) * 1e6)) } : {}),
    ...(Number.isFinite(st.lastMs) ? { last: isoTime(Math.floor(st.lastMs / 1000), Math.round((st.lastMs % 1000) * 1e6)) } : {}),
    tunnels,
    copies,
  };
}

function bytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length);
}

/** Renders summaries as text for a person. */
export function summaryTable(list: readonly CaptureSummary[]): string {
  const out: string[] = [];
  for (const s of list) {
    out.push(
      `${s.file}: ${s.format}, ${s.packets.toLocaleString('en-US')} packets (${s.ipPackets.toLocaleString('en-US')} IP, ${s.tunnelPackets.toLocaleString('en-US')} in tunnels)` +
        (s.first ? `, ${s.first.slice(0, 19).replace('T', ' ')} → ${(s.last ?? '').slice(0, 19).replace('T', ' ')} UTC` : ''),
    );
    if (s.tunnels.length === 0 && s.copies.length === 0) {
      out.push('  no tunnels and no L3 copy streams');
      continue;
    }
    if (s.tunnels.length > 0) {
      out.push(`  ${pad('ENCAPSULATION', 17)}${pad('SOURCE → DESTINATION', 36)}${pad('PORT', 7)}${pad('VNI/SESSION', 14)}${pad('PACKETS', 9)}${pad('BYTES', 9)}${pad('BACK', 6)}INNER HOSTS`);
      for (const t of s.tunnels) {
        const erspan = t.erspan as { session_id?: number } | undefined;
        const id = typeof t.vni === 'number' ? `VNI ${t.vni}` : erspan?.session_id !== undefined ? `session ${erspan.session_id}` : '-';
        const inner = t.inner as { hosts: string[]; hosts_total: number; truncated_copies: number };
        const port = Number(t['id.resp_p']);
        const hosts = inner.hosts.slice(0, 4).join(', ') + (inner.hosts_total > 4 ? ` (+${inner.hosts_total - 4})` : '');
        out.push(
          `  ${pad(String(t.encapsulation_name), 17)}${pad(`${String(t['id.orig_h'])} → ${String(t['id.resp_h'])}`, 36)}${pad(port > 0 ? `${port}${t.standard_port === false ? '*' : ''}` : 'GRE', 7)}${pad(id, 14)}` +
            `${pad(Number(t.packets).toLocaleString('en-US'), 9)}${pad(bytes(Number(t.ip_bytes)), 9)}${pad(Number(t.reverse_packets) > 0 ? String(t.reverse_packets) : 'none', 6)}${hosts}` +
            (inner.truncated_copies > 0 ? `  [${inner.truncated_copies} truncated copies]` : ''),
        );
      }
      if (s.tunnels.some((t) => t.standard_port === false)) out.push('  * not the encapsulation\'s own port (recognised by its header)');
    }
    for (const c of s.copies) {
      const convs = c.conversations as { orig: string; resp: string; proto: string }[];
      out.push(
        `  L3 copies: ${String(c.sender_mac)} → ${String(c.receiver_mac)}: ${String(c.packets)} packets, ${bytes(Number(c.ip_bytes))}, ${String(c.conversations_total)} conversation(s) copied in both directions (${convs
          .slice(0, 3)
          .map((x) => `${x.orig} ↔ ${x.resp} ${x.proto.toUpperCase()}`)
          .join(', ')})`,
      );
    }
  }
  return out.join('\n');
}

/** Adds `pcap-summary` to the command line. */
export function registerPcapSummary(root: Command, setCode: SetCode): void {
  root
    .command('pcap-summary')
    .description('list the tunnels (VXLAN, GENEVE, ERSPAN, TZSP, HP ERM) and L3 copy streams in pcap/pcapng captures')
    .argument('<files...>', 'capture files or directories (.gz included)')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(async (paths: string[], o: { format: string }) => {
      if (o.format !== 'table' && o.format !== 'json') {
        process.stderr.write(`mirrorwatch: ${CLI.badOption.code} --format: unknown format "${o.format}": expected table or json\n`);
        setCode(2);
        return;
      }
      const diagnostics: Diagnostic[] = [];
      const report = (d: Diagnostic) => {
        diagnostics.push(d);
        process.stderr.write(`${formatDiagnostic(d)}\n`);
      };
      const inputs = await expandInputs(paths, report);
      const named = new Set(paths);
      const list: CaptureSummary[] = [];
      let skipped = 0;
      for (const input of inputs) {
        // Files found in a directory that are not captures (logs, notes) are skipped quietly and counted.
        const s = await summarizeCapture(input.path, report, true, !named.has(input.path));
        if (s) list.push(s);
        else if (!named.has(input.path)) skipped++;
      }
      if (skipped > 0) report({ code: INPUT.skipped.code, severity: 'info', message: `${skipped} file(s) in the named directories are not captures and were skipped` });
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(list, null, 2)}\n` : `${summaryTable(list)}\n`);
      setCode(diagnostics.some((d) => d.severity === 'error') ? 2 : 0);
    });
}
