/** Test helpers for the network-device reader: run the reader over text the way the engine does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event } from '../../src/core/event.js';
import { syslogReader } from '../../src/readers/syslog.js';
import type { RawRecord } from '../../src/readers/types.js';
import { repoPath, samplesDir } from '../helpers/paths.js';

/** Options of one read. */
export interface ReadOptions {
  file?: string;
  timeZone?: string;
  year?: number;
  /** ISO time the file was written (year inference); default 2026-03-04T00:00:00Z. */
  reference?: string;
  /** Feed the text in pieces of this many characters (default: whole). */
  chunk?: number;
  maxRecordChars?: number;
}

/** Events (in output order) and diagnostics of one read. */
export interface ReadResult {
  events: Event[];
  diagnostics: Diagnostic[];
}

/** Reads `text` as one file: push (in chunks), end, parse every record, flush. */
export function readText(text: string, opts: ReadOptions = {}): ReadResult {
  const diagnostics: Diagnostic[] = [];
  const records: RawRecord[] = [];
  const file = opts.file ?? 'test.log';
  const reader = syslogReader.open({
    file,
    options: {
      timeZone: opts.timeZone ?? 'UTC',
      year: opts.year,
      referenceTimeMs: Date.parse(opts.reference ?? '2026-03-04T00:00:00Z'),
      maxRecordChars: opts.maxRecordChars ?? 1024 * 1024,
    },
    report: (d) => diagnostics.push(d),
    emit: (r) => records.push(r),
  });
  const size = opts.chunk ?? text.length;
  for (let i = 0; i < text.length; i += Math.max(1, size)) reader.push(text.slice(i, i + Math.max(1, size)));
  reader.end();
  const events: Event[] = [];
  for (const r of records) events.push(...reader.parse(r));
  events.push(...(reader.flush?.() ?? []));
  return { events, diagnostics };
}

/** The path of a device fixture. */
export function fixturePath(name: string): string {
  return repoPath('test', 'fixtures', 'devices', name);
}

/** Reads a device fixture (the file name is the one the reader sees). */
export function readFixture(name: string, opts: ReadOptions = {}): ReadResult {
  return readText(readFileSync(fixturePath(name), 'utf8'), { file: `test/fixtures/devices/${name}`, ...opts });
}

/** Reads a reference sample. */
export function readSample(name: string, opts: ReadOptions = {}): ReadResult {
  return readText(readFileSync(join(samplesDir, name), 'utf8'), { file: name, ...opts });
}

/** Events ordered by line (the engine sorts output; held events come out when their session ends). */
export function byLine(events: readonly Event[]): Event[] {
  return [...events].sort((a, b) => (a.origin.line ?? 0) - (b.origin.line ?? 0));
}

/** The event read from line `line` (exactly one), failing otherwise. */
export function atLine(events: readonly Event[], line: number): Event {
  const found = events.filter((e) => e.origin.line === line);
  if (found.length !== 1) throw new Error(`expected one event from line ${line}, found ${found.length}`);
  return found[0];
}

/** A field of an event as a string. */
export function field(e: Event, name: string): unknown {
  return e.fields[name];
}

/** Warnings and errors only (info diagnostics are not problems). */
export function problems(diags: readonly Diagnostic[]): Diagnostic[] {
  return diags.filter((d) => d.severity !== 'info');
}
