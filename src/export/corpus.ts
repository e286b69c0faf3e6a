/**
 * A corpus for proving exports: every record of some files (read by the real readers, no prefilter), which rules
 * the native engine (`scan`) matches on each, and whether the record ends up in an alert a user sees (level low or
 * above). Rule examples are scanned one by one, as `mirrorwatch test` runs them. Used by `export --report` and the
 * SQL proof in `npm test`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { levelRank } from '../core/alert.js';
import type { Event, Origin } from '../core/event.js';
import type { ActiveRule } from '../detect/active-rule.js';
import { readExamples } from '../detect/rule-examples.js';
import { scan } from '../detect/scan.js';
import type { FieldAliases } from '../detect/target.js';
import { READERS } from '../readers/registry.js';
import type { FormatReader, RawRecord } from '../readers/types.js';

/** One input of a corpus; inputs sharing a `group` are scanned together. */
export interface CorpusInput {
  name: string;
  text: string;
  group: string;
}

/** One record of the corpus. */
export interface CorpusRecord {
  key: string;
  input: string;
  event: Event;
  /** Ids of the rules the native engine matched on this record. */
  rules: Set<string>;
  /** True when a matched rule is at level low or above (the record is evidence of an alert a user sees). */
  alerted: boolean;
}

/** A stable key for a record: its input and origin. */
export function originKey(o: Origin): string {
  return `${o.file}:${o.line ?? ''}:${o.column ?? ''}:${o.record ?? ''}`;
}

const READER_OPTIONS = { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 };
const REFERENCE_TIME = Date.parse('2026-11-23T00:00:00Z');

/** Reads every event of an in-memory input with the reader that claims it; null when no reader does. */
export function readAll(name: string, text: string): Event[] | null {
  const reader = READERS.find((r) => typeof (r as FormatReader).sniff === 'function' && (r as FormatReader).sniff(text.slice(0, 65536), name).kind === 'read') as FormatReader | undefined;
  if (!reader) return null;
  const events: Event[] = [];
  const fr = reader.open({
    file: name,
    options: { ...READER_OPTIONS, referenceTimeMs: REFERENCE_TIME },
    report: () => undefined,
    emit: (rec: RawRecord) => events.push(...fr.parse(rec)),
  });
  fr.push(text);
  fr.end();
  if (fr.flush) events.push(...fr.flush());
  return events;
}

/** Files under directories (sorted, gzip decompressed), as corpus inputs grouped by `group`. */
export async function filesUnder(paths: readonly string[], group: string): Promise<CorpusInput[]> {
  const out: CorpusInput[] = [];
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p);
    if (s.isDirectory()) {
      for (const name of (await readdir(p)).sort()) if (!name.startsWith('.')) await walk(join(p, name));
      return;
    }
    const buf = await readFile(p);
    const text = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
    out.push({ name: p, text, group });
  };
  for (const p of paths) await walk(p);
  return out;
}

/** Each rule's examples as corpus inputs, one group per example. */
export async function ruleExampleInputs(rules: readonly ActiveRule[]): Promise<CorpusInput[]> {
  const out: CorpusInput[] = [];
  for (const rule of rules) {
    const { examples } = await readExamples(rule);
    examples.forEach((e, i) => out.push({ name: `${rule.file}#${i + 1}`, text: e.text, group: `${rule.file}#${i + 1}` }));
  }
  return out;
}

/** Reads and scans a corpus. Inputs no reader claims (documentation next to samples) are left out. */
export async function buildCorpus(inputs: readonly CorpusInput[], rules: readonly ActiveRule[], aliases: FieldAliases): Promise<CorpusRecord[]> {
  const records: CorpusRecord[] = [];
  const byKey = new Map<string, CorpusRecord>();
  const groups = new Map<string, CorpusInput[]>();
  for (const input of inputs) {
    const events = readAll(input.name, input.text);
    if (events === null) continue;
    for (const event of events) {
      const r: CorpusRecord = { key: originKey(event.origin), input: input.name, event, rules: new Set(), alerted: false };
      if (byKey.has(r.key)) continue;
      byKey.set(r.key, r);
      records.push(r);
    }
    const g = groups.get(input.group) ?? [];
    g.push(input);
    groups.set(input.group, g);
  }
  for (const group of groups.values()) {
    const { matches } = await scan(
      group.map((f) => ({ path: f.name, mtimeMs: REFERENCE_TIME, text: f.text })),
      { rules, readers: READERS, readerOptions: READER_OPTIONS, prefilter: true, aliases, unknownFormatIsError: false, report: () => undefined },
    );
    for (const m of matches) {
      const r = byKey.get(originKey(m.event.origin));
      if (!r) continue;
      r.rules.add(m.rule.id);
      if (levelRank(m.rule.level) >= levelRank('low')) r.alerted = true;
    }
  }
  return records;
}
