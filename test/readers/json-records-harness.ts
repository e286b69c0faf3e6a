/** Test helpers for the cloud readers: feed text in chunks, collect raw records, events and diagnostics. */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Event } from '../../src/core/event.js';
import { CLOUD_CONTAINER_KEYS, createJsonRecordSplitter } from '../../src/readers/json-records.js';
import { DEFAULT_READER_OPTIONS, type FormatReader, type RawRecord } from '../../src/readers/types.js';
import { repoPath, samplesDir } from '../helpers/paths.js';

/** What one read produced. */
export interface ReadResult {
  records: RawRecord[];
  events: Event[];
  diagnostics: Diagnostic[];
}

/** How to cut the text: a fixed chunk size, a list of sizes used in turn, or whole. */
export type Chunking = number | readonly number[] | 'whole';

/** Cuts `text` into chunks. */
export function chunksOf(text: string, how: Chunking): string[] {
  if (how === 'whole') return [text];
  const sizes = typeof how === 'number' ? [how] : how;
  const out: string[] = [];
  for (let i = 0, k = 0; i < text.length; k++) {
    const size = sizes[k % sizes.length];
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

/** Deterministic pseudo-random chunk sizes in [1, max] (a linear congruential generator, so runs repeat). */
export function randomSizes(seed: number, count = 257, max = 4099): number[] {
  const out: number[] = [];
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push(1 + (x % max));
  }
  return out;
}

/** The chunkings every format is read with: byte by byte, 7 at a time, two random series, whole. */
export const CHUNKINGS: readonly Chunking[] = [1, 7, randomSizes(20240514), randomSizes(42, 101, 97), 'whole'];

/** Runs the splitter alone over `text`. */
export function splitAll(text: string, how: Chunking = 'whole', maxRecordChars = DEFAULT_READER_OPTIONS.maxRecordChars, file = 'input.json'): ReadResult {
  const records: RawRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  const s = createJsonRecordSplitter({
    file,
    maxRecordChars,
    report: (d) => diagnostics.push(d),
    emit: (r) => records.push(r),
    containerKeys: CLOUD_CONTAINER_KEYS,
  });
  for (const c of chunksOf(text, how)) s.push(c);
  s.end();
  return { records, events: [], diagnostics };
}

/** Reads `text` with a reader as the engine does (every raw record is parsed: no prefilter). */
export function readWith(reader: FormatReader, text: string, how: Chunking = 'whole', file = 'input.json', maxRecordChars = DEFAULT_READER_OPTIONS.maxRecordChars): ReadResult {
  const records: RawRecord[] = [];
  const events: Event[] = [];
  const diagnostics: Diagnostic[] = [];
  const fr = reader.open({
    file,
    options: { ...DEFAULT_READER_OPTIONS, maxRecordChars },
    report: (d) => diagnostics.push(d),
    emit: (r) => {
      records.push(r);
      events.push(...fr.parse(r));
    },
  });
  for (const c of chunksOf(text, how)) fr.push(c);
  fr.end();
  if (fr.flush) events.push(...fr.flush());
  return { records, events, diagnostics };
}

/** The text of a fixture under `test/fixtures/cloud/`. */
export function fixture(rel: string): string {
  return readFileSync(repoPath('test', 'fixtures', 'cloud', rel), 'utf8');
}

/** The path of a fixture, as a reader would be given it. */
export function fixturePath(rel: string): string {
  return repoPath('test', 'fixtures', 'cloud', rel);
}

/** The text of a shared reference sample. */
export function sample(name: string): string {
  return readFileSync(`${samplesDir}/${name}`, 'utf8');
}

/** Reads a value at a dotted path of nested objects (test assertions on ECS documents). */
export function at(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
