/**
 * The Zeek reader (`network.flow`, product `zeek`, service `conn` or `tunnel`): `conn.log` and `tunnel.log` in
 * Zeek's TSV layout and as JSON lines (`LogAscii::use_json=T`). Other Zeek logs (dns, http, …) are recognised and
 * skipped with a note, so a whole Zeek log directory can be scanned.
 *
 * TSV (shared reference formats.md §1.8): header lines `#separator \x09`, `#set_separator`, `#empty_field`,
 * `#unset_field`, `#path`, `#open`, `#fields`, `#types`, `#close`; columns are read by `#fields` (sites and versions
 * differ), `#unset_field` (`-`) leaves a field out, `#empty_field` (`(empty)`) is an empty set or string, and
 * non-printable bytes are escaped `\xHH`. JSON keeps dotted keys flat (`"id.orig_h"`); some pipelines nest them
 * (`"id": {"orig_h": …}`), which is flattened. `ts` is epoch seconds, or ISO 8601 with `JSON::TS_ISO8601`.
 * Tunnel logging (network.md §4): `tunnel.log` has `ts, uid, id.orig_h, id.orig_p, id.resp_h, id.resp_p,
 * tunnel_type, action`; the outer connection of a UDP tunnel is in `conn.log` with `service=vxlan` (or geneve),
 * and inner connections list their tunnels' uids in `tunnel_parents`.
 */
import type { Event, RawRecord } from '../core/event.js';
import { FLOW } from './pcap/diagnostic-codes.js';
import { FlowLines, firstLine } from './pcap/flow-lines.js';
import type { FileReader, FormatReader, ReadContext, SniffResult } from './types.js';

/** The Zeek logs whose records are read. */
type ZeekPath = 'conn' | 'tunnel';

/** Zeek's TSV header state for one file. */
interface TsvHeader {
  separator: string;
  setSeparator: string;
  empty: string;
  unset: string;
  path: string;
  fields: string[];
  types: string[];
}

function unescapeZeek(s: string): string {
  return s.indexOf('\\x') < 0 ? s : s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The path of a JSON record: `_path` when written, else inferred from the fields only conn or tunnel have. */
function jsonPath(o: Record<string, unknown>): string | undefined {
  if (typeof o._path === 'string') return o._path;
  if ('conn_state' in o || 'orig_pkts' in o || 'orig_ip_bytes' in o) return 'conn';
  if ('tunnel_type' in o) return 'tunnel';
  return undefined;
}

function flattenId(o: Record<string, unknown>): Record<string, unknown> {
  const id = o.id;
  if (id === null || typeof id !== 'object' || Array.isArray(id)) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'id') for (const [ik, iv] of Object.entries(id as Record<string, unknown>)) out[`id.${ik}`] = iv;
    else out[k] = v;
  }
  return out;
}

function sniff(head: string): SniffResult {
  const first = firstLine(head);
  if (first.startsWith('#separator')) {
    const m = /^#path\t(\S+)/m.exec(head);
    if (!m) return /^#fields\t.*\bid\.orig_h\b/m.test(head) ? { kind: 'read' } : { kind: 'no' };
    if (m[1] === 'conn' || m[1] === 'tunnel') return { kind: 'read' };
    return { kind: 'skip', reason: `Zeek ${m[1]}.log: mirrorwatch reads conn.log and tunnel.log; skipped` };
  }
  if (first.startsWith('{') && /"id\.orig_h"\s*:|"id"\s*:\s*\{\s*"orig_h"/.test(first) && /"(ts|uid)"\s*:/.test(first)) {
    let o: Record<string, unknown> | undefined;
    try {
      o = JSON.parse(first) as Record<string, unknown>;
    } catch {
      // The first line may be cut by the sniff limit: decide by the keys seen.
    }
    const path = o ? jsonPath(o) : /"conn_state"\s*:/.test(first) ? 'conn' : /"tunnel_type"\s*:/.test(first) ? 'tunnel' : undefined;
    if (path === 'conn' || path === 'tunnel') return { kind: 'read' };
    return { kind: 'skip', reason: `Zeek JSON log${path ? ` (${path})` : ''} other than conn.log or tunnel.log; skipped` };
  }
  return { kind: 'no' };
}

function tsMs(v: unknown): number {
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
    return Date.parse(v);
  }
  return NaN;
}

/** ISO 8601 of epoch seconds with the microseconds Zeek writes. */
function isoOfSeconds(v: unknown, ms: number): string {
  if (Number.isNaN(ms)) return '';
  if (typeof v === 'string' && !/^\d+(\.\d+)?$/.test(v)) return new Date(ms).toISOString();
  const text = typeof v === 'number' ? v.toFixed(6) : String(v);
  const [secs, frac = ''] = text.split('.');
  return `${new Date(Number(secs) * 1000).toISOString().slice(0, 19)}.${(frac + '000000').slice(0, 6)}Z`;
}

function event(path: ZeekPath, fields: Record<string, unknown>, rec: RawRecord, raw: unknown): Event {
  const ms = tsMs(fields.ts);
  const key = `zeek|${path}|${String(fields.uid ?? '')}|${String(fields.ts ?? '')}|${String(fields.action ?? '')}|${String(fields['id.orig_h'] ?? '')}|${String(fields['id.resp_h'] ?? '')}`;
  return {
    dataset: 'network.flow',
    logsource: { category: 'network_traffic', product: 'zeek', service: path },
    raw,
    fields: { _path: path, ...fields },
    time: isoOfSeconds(fields.ts, ms),
    timeMs: ms,
    origin: rec.origin,
    recordKey: key,
    actionKey: key,
  };
}

/** The Zeek reader. */
export const zeekReader: FormatReader = {
  format: 'zeek',
  datasets: ['network.flow'],
  prefilterable: false,
  sniff,
  open(ctx: ReadContext): FileReader {
    const lines = new FlowLines(ctx.file, ctx.options.maxRecordChars, ctx.report, ctx.emit);
    let header: TsvHeader | undefined;
    const bad = (rec: RawRecord, message: string) => ctx.report({ code: FLOW.badRecord.code, severity: 'error', message, file: ctx.file, line: rec.origin.line });
    return {
      push: (text) => lines.push(text),
      end: () => lines.end(),
      parse(rec: RawRecord): Event[] {
        const text = rec.text;
        if (text.startsWith('#')) {
          const tab = text.indexOf(text.startsWith('#separator') ? ' ' : '\t');
          const name = tab < 0 ? text.slice(1) : text.slice(1, tab);
          const value = tab < 0 ? '' : text.slice(tab + 1);
          header ??= { separator: '\t', setSeparator: ',', empty: '(empty)', unset: '-', path: '', fields: [], types: [] };
          switch (name) {
            case 'separator':
              header.separator = unescapeZeek(value.trim());
              break;
            case 'set_separator':
              header.setSeparator = unescapeZeek(value);
              break;
            case 'empty_field':
              header.empty = value;
              break;
            case 'unset_field':
              header.unset = value;
              break;
            case 'path':
              header.path = value;
              break;
            case 'fields':
              header.fields = value.split(header.separator);
              break;
            case 'types':
              header.types = value.split(header.separator);
              break;
            default:
              break; // #open, #close and comments
          }
          return [];
        }
        if (text.startsWith('{')) {
          let o: Record<string, unknown>;
          try {
            o = JSON.parse(text) as Record<string, unknown>;
          } catch (err) {
            bad(rec, `Zeek JSON record is not valid JSON: ${(err as Error).message}`);
            return [];
          }
          if (o === null || typeof o !== 'object' || Array.isArray(o)) {
            bad(rec, 'Zeek JSON record is not an object');
            return [];
          }
          const path = jsonPath(o);
          if (path !== 'conn' && path !== 'tunnel') return [];
          return [event(path, flattenId(o), rec, o)];
        }
        if (!header || header.fields.length === 0) {
          bad(rec, 'Zeek TSV record before any #fields header line');
          return [];
        }
        const path = header.path;
        if (path !== 'conn' && path !== 'tunnel') return [];
        const values = text.split(header.separator);
        if (values.length !== header.fields.length) {
          bad(rec, `Zeek ${path}.log record has ${values.length} columns, #fields names ${header.fields.length}`);
          return [];
        }
        const fields: Record<string, unknown> = {};
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (v === header.unset) continue;
          const type = header.types[i] ?? 'string';
          const name = header.fields[i];
          if (type.startsWith('set[') || type.startsWith('vector[')) {
            fields[name] = v === header.empty ? [] : v.split(header.setSeparator).map(unescapeZeek);
          } else if (type === 'count' || type === 'int' || type === 'port' || type === 'double' || type === 'interval') {
            const n = Number(v);
            if (!Number.isFinite(n)) {
              bad(rec, `Zeek field ${name} (${type}) is not a number: ${JSON.stringify(v)}`);
              return [];
            }
            fields[name] = n;
          } else if (type === 'time') {
            fields[name] = v;
          } else if (type === 'bool') {
            fields[name] = v === 'T';
          } else {
            fields[name] = v === header.empty ? '' : unescapeZeek(v);
          }
        }
        return [event(path, fields, rec, text)];
      },
    };
  },
};
