/**
 * The NetFlow / IPFIX reader for what `nfdump` prints (`network.flow`, product `nfdump`, service `netflow`):
 * `nfdump -o csv` (a header of short names — `ts,te,td,sa,da,sp,dp,pr,flg,…,ipkt,ibyt,opkt,obyt,…` in nfdump 1.6
 * and 1.7, `pkt`/`byt` in some formats — then one line per flow and a trailing `Summary` block, which is ignored),
 * `nfdump -o json` (a pretty-printed array of objects with `first`, `last`, `src4_addr`/`src6_addr`,
 * `dst4_addr`/`dst6_addr`, `src_port`, `dst_port`, `proto`, `in_packets`, `in_bytes`, …) and `-o json-log` (the same
 * objects one per line). Layouts as nfdump 1.7.1 writes them (shared reference lab, `nfdump -R … -o csv|json`).
 *
 * nfdump prints times in the local zone of the machine that ran it, without a zone: they are read in `--timezone`
 * (UTC by default) and the assumption is recorded on each event. softflowd `-a` stamps flows that start with a
 * capture's first packet as 1970-01-01 (lab quirk 4): such times are left out, with a warning.
 */
import type { Event, RawRecord } from '../core/event.js';
import { createJsonRecordSplitter, NOT_JSON, parseJsonRecord } from './json-records.js';
import { FLOW } from './pcap/diagnostic-codes.js';
import { FlowLines, firstLine } from './pcap/flow-lines.js';
import { ZoneResolver } from './syslog/timestamp.js';
import type { FileReader, FormatReader, ReadContext, SniffResult } from './types.js';

/** IP protocol numbers by the names nfdump prints. */
const PROTOCOLS: Record<string, number> = { ICMP: 1, IGMP: 2, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, RSVP: 46, GRE: 47, ESP: 50, AH: 51, ICMP6: 58, EIGRP: 88, OSPF: 89, PIM: 103, SCTP: 132 };

/** The protocol number of an nfdump `pr` / `proto` value. */
export function protocolNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  return PROTOCOLS[s.toUpperCase()] ?? NaN;
}

/** CSV columns that hold numbers. */
const NUMERIC_COLUMNS = new Set(['td', 'sp', 'dp', 'ipkt', 'ibyt', 'opkt', 'obyt', 'pkt', 'byt', 'fl', 'in', 'out', 'sas', 'das', 'smk', 'dmk', 'stos', 'dtos', 'fwd', 'dir', 'svln', 'dvln']);

function isCsvHeader(line: string): boolean {
  const cols = line.split(',').map((c) => c.trim());
  return cols.includes('ts') && cols.includes('sa') && cols.includes('da') && (cols.includes('ibyt') || cols.includes('byt'));
}

function looksNfdumpJson(s: string): boolean {
  return /"(src4_addr|src6_addr)"\s*:/.test(s) && /"first"\s*:/.test(s) && /"(in_bytes|in_packets)"\s*:/.test(s);
}

function sniff(head: string): SniffResult {
  const first = firstLine(head).trim();
  if (isCsvHeader(first)) return { kind: 'read' };
  if ((first.startsWith('[') || first.startsWith('{')) && looksNfdumpJson(head.slice(0, 4096))) return { kind: 'read' };
  return { kind: 'no' };
}

/** A wall-clock time `YYYY-MM-DD HH:MM:SS[.fff]` or `YYYY-MM-DDTHH:MM:SS[.fff]` in the reader's zone. */
function wallTime(s: unknown, zone: ZoneResolver): number {
  if (typeof s !== 'string') return NaN;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(s.trim());
  if (!m) return NaN;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return zone.toUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** Times before 1970-01-03 are softflowd's epoch artefact whatever zone nfdump printed them in. */
const EPOCH_ARTEFACT_MS = 2 * 86_400_000;

/** The nfdump reader. */
export const nfdumpReader: FormatReader = {
  format: 'nfdump',
  datasets: ['network.flow'],
  prefilterable: false,
  sniff,
  open(ctx: ReadContext): FileReader {
    const zone = ZoneResolver.create(ctx.options.timeZone) ?? (ZoneResolver.create('UTC') as ZoneResolver);
    const assumption = `nfdump times read in ${ctx.options.timeZone} (nfdump prints the local time of the machine that ran it; set --timezone)`;
    let columns: string[] | undefined;
    let summary = false;
    let mode: 'csv' | 'json' | undefined;
    let epoch = 0;
    const lines = new FlowLines(ctx.file, ctx.options.maxRecordChars, ctx.report, ctx.emit);
    const json = createJsonRecordSplitter({ file: ctx.file, maxRecordChars: ctx.options.maxRecordChars, report: ctx.report, emit: ctx.emit, containerKeys: [] });

    const build = (fields: Record<string, unknown>, startRaw: unknown, rec: RawRecord, raw: unknown): Event[] => {
      let ms = wallTime(startRaw, zone);
      if (!Number.isNaN(ms) && ms < EPOCH_ARTEFACT_MS) {
        epoch++;
        ms = NaN;
      } else if (Number.isNaN(ms)) {
        ctx.report({ code: FLOW.badTime.code, severity: FLOW.badTime.severity, message: `flow start time ${JSON.stringify(startRaw)} cannot be read`, file: ctx.file, line: rec.origin.line });
      }
      const key = `nfdump|${rec.text}`;
      return [
        {
          dataset: 'network.flow',
          logsource: { category: 'network_traffic', product: 'nfdump', service: 'netflow' },
          raw,
          fields,
          time: Number.isNaN(ms) ? '' : new Date(ms).toISOString(),
          timeMs: ms,
          origin: rec.origin,
          recordKey: key,
          actionKey: key,
          assumptions: [assumption],
        },
      ];
    };

    return {
      push(text) {
        if (mode === undefined) {
          const t = text.replace(/^\uFEFF/, '').trimStart();
          mode = t.startsWith('[') || t.startsWith('{') ? 'json' : 'csv';
        }
        if (mode === 'json') json.push(text);
        else lines.push(text);
      },
      end() {
        if (mode === 'json') json.end();
        else lines.end();
      },
      parse(rec: RawRecord): Event[] {
        if (mode === 'json') {
          const v = parseJsonRecord(rec, ctx.report);
          if (v === NOT_JSON || v === null || typeof v !== 'object' || Array.isArray(v)) return [];
          const o = v as Record<string, unknown>;
          if (o.type !== undefined && o.type !== 'FLOW') return [];
          return build(o, o.first, rec, o);
        }
        const text = rec.text.trim();
        if (summary) return [];
        if (text === 'Summary' || text.startsWith('Summary:')) {
          summary = true;
          return [];
        }
        if (isCsvHeader(text)) {
          columns = text.split(',').map((c) => c.trim());
          return [];
        }
        if (!columns) {
          ctx.report({ code: FLOW.badRecord.code, severity: 'error', message: 'nfdump CSV record before the header line', file: ctx.file, line: rec.origin.line });
          return [];
        }
        const values = text.split(',');
        if (values.length !== columns.length) {
          ctx.report({ code: FLOW.badRecord.code, severity: 'error', message: `nfdump CSV record has ${values.length} columns, the header names ${columns.length}`, file: ctx.file, line: rec.origin.line });
          return [];
        }
        const fields: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i++) {
          const name = columns[i];
          const v = values[i].trim();
          if (NUMERIC_COLUMNS.has(name)) {
            const n = Number(v);
            fields[name] = Number.isFinite(n) ? n : v;
          } else fields[name] = v;
        }
        return build(fields, fields.ts, rec, rec.text);
      },
      flush(): Event[] {
        if (epoch > 0) {
          ctx.report({
            code: FLOW.epochTime.code,
            severity: FLOW.epochTime.severity,
            message: `${epoch} flow(s) start at the Unix epoch (1970-01-01), an exporter artefact (softflowd -a stamps flows that begin with a capture's first packet so); their times were left out`,
            file: ctx.file,
          });
        }
        return [];
      },
    };
  },
};
