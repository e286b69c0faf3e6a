/**
 * The `table` sink: alerts for a person at a terminal. One header line per alert (time, severity, rule, actor,
 * platform), then the plain-words summary and where the evidence came from, wrapped to the terminal width.
 * Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
 */
import { styleText } from 'node:util';
import type { AlertDocument, Severity } from '../core/alert.js';
import type { Sink, TextOut } from './types.js';

type Style = Parameters<typeof styleText>[0];

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: ['bold', 'red'],
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  informational: 'gray',
};

/** Options of the table sink. */
export interface TableOptions {
  colour: boolean;
  /** Width to wrap to; defaults to the terminal's, else 120. */
  width?: number;
}

/** Creates a table sink. */
export function createTableSink(out: TextOut, options: TableOptions): Sink {
  const width = Math.max(60, options.width ?? out.columns ?? 120);
  const paint = (style: Style, text: string) => (options.colour ? styleText(style, text) : text);
  let count = 0;
  return {
    write(alerts: readonly AlertDocument[]) {
      for (const a of alerts) {
        if (count === 0) out.write(`${paint('bold', header())}\n`);
        count++;
        out.write(`${row(a, paint, width)}\n`);
      }
    },
    async close() {
      if (count === 0) out.write('No alerts.\n');
      await out.end();
    },
  };
}

function header(): string {
  return `${pad('TIME (UTC)', 20)} ${pad('SEVERITY', 16)} ${pad('PLATFORM', 9)} RULE`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** `2026-11-23T17:20:01.123Z` → `2026-11-23 17:20:01`. */
function shortTime(iso: string): string {
  return iso.length >= 19 ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso;
}

function platformOf(a: AlertDocument): string {
  const ds = String((a.event as { dataset?: string }).dataset ?? '');
  if (ds.startsWith('aws.')) return 'aws';
  if (ds.startsWith('azure.')) return 'azure';
  if (ds.startsWith('gcp.')) return 'gcp';
  if (ds.startsWith('network.')) return 'network';
  return 'device';
}

function row(a: AlertDocument, paint: (s: Style, t: string) => string, width: number): string {
  const sev = a.mirrorwatch.severity;
  const outcome = String((a.event as { outcome?: string }).outcome ?? '');
  const sevText = pad(sev + (outcome === 'failure' ? ' (failed)' : ''), 16);
  const name = String((a.rule as { name?: string }).name ?? '');
  const first = `${pad(shortTime(a['@timestamp']), 20)} ${paint(SEVERITY_STYLE[sev], sevText)} ${pad(platformOf(a), 9)} ${paint('bold', name)}`;
  const lines = [first];
  const indent = '    ';
  for (const l of wrap(a.message, width - indent.length)) lines.push(indent + l);
  const ev = a.mirrorwatch.evidence;
  const room = width - indent.length - 'evidence: '.length;
  const where = groupByFile(ev.map((e) => shortenOrigin(e.origin, room) + (e.duplicates.length ? ` (+${e.duplicates.length} duplicate)` : '')));
  const more = a.mirrorwatch.evidence_count - ev.length;
  const whereText = `evidence: ${where.slice(0, 3).join(', ')}${where.length > 3 || more > 0 ? `, … ${a.mirrorwatch.evidence_count} records in all` : ''}`;
  for (const l of wrap(whereText, width - indent.length)) lines.push(indent + paint('gray', l));
  const assumptions = a.mirrorwatch.assumptions as string[] | undefined;
  if (assumptions && assumptions.length > 0) {
    for (const l of wrap(`assumed: ${assumptions.join('; ')}`, width - indent.length)) lines.push(indent + paint('gray', l));
  }
  return lines.join('\n');
}

/** `f:22, f:23, g:4` → `f:22, 23`, `g:4`: one mention of each file, then its positions. */
export function groupByFile(origins: string[]): string[] {
  const out: string[] = [];
  let lastFile = '';
  for (const o of origins) {
    const m = /^(.*?):(\d.*)$/.exec(o);
    if (m && m[1] === lastFile && out.length > 0) out[out.length - 1] += `, ${m[2]}`;
    else out.push(o);
    lastFile = m ? m[1] : '';
  }
  return out;
}

/**
 * Shortens `dir/…/file.json.gz:1:12839 (record 9)` to fit `max` characters by eliding directories from the middle;
 * the file name and position are kept whole, since they are what a person copies.
 */
export function shortenOrigin(origin: string, max: number): string {
  if (origin.length <= max) return origin;
  const slash = origin.lastIndexOf('/', origin.search(/:\d|$/));
  if (slash <= 0) return origin;
  const tail = origin.slice(slash); // "/file…:line…"
  const head = origin.slice(0, Math.max(0, max - tail.length - 1));
  const cut = head.lastIndexOf('/');
  return `${cut > 0 ? head.slice(0, cut + 1) : ''}…${tail}`;
}

/** Greedy word wrap; words longer than the width are split. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word.length === 0) continue;
    let w = word;
    while (w.length > width) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (line.length === 0) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line) out.push(line);
  return out;
}
