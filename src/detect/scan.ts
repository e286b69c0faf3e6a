/**
 * The scan: for each input file, open → decompress → sniff the format → split into raw records → prefilter →
 * parse and normalize → match the rules that apply to the event's log source → collect matches. Matches become
 * alerts in `alert-groups.ts` once every input has been read, so alert order does not depend on file order.
 */
import type { Report } from '../core/diagnostic.js';
import type { Dataset, Event, LogSource } from '../core/event.js';
import { DATASET_LOGSOURCES, logSourceApplies } from '../core/event.js';
import { INPUT } from '../readers/input-diagnostic-codes.js';
import { Prefetcher, type ReadAheadMode } from '../readers/prefetch.js';
import { continuesFile, decodeText, openBytes, type InputFile, type PieceInfo, type ReadStats } from '../readers/source.js';
import type { AnyFormatReader, BinaryFormatReader, FileReader, FormatReader, RawRecord, ReaderOptions } from '../readers/types.js';
import type { Analytic, AnalyticFinding } from './analytic.js';
import type { ActiveRule, MatchTarget } from './active-rule.js';
import { buildPrefilter, PASS_ALL, type Prefilter } from './prefilter.js';
import { eventTarget, type FieldAliases } from './target.js';
import { RULE_INDEX_MIN_RULES, RuleIndex } from './rule-index.js';

/** How many characters of a file the format sniffers see. */
export const SNIFF_CHARS = 64 * 1024;

/** One rule matching one event. */
export interface Match {
  rule: ActiveRule;
  event: Event;
}

/** Options of a scan. */
export interface ScanOptions {
  rules: readonly ActiveRule[];
  /**
   * Readers in the order they are asked to sniff (the first that claims a file reads it). Binary readers are asked
   * first, on the decompressed bytes; text readers then see the decoded text.
   */
  readers: readonly AnyFormatReader[];
  /** Analytics that observe events of their datasets and report findings at the end (network analytics). */
  analytics?: readonly Analytic[];
  readerOptions: Omit<ReaderOptions, 'referenceTimeMs'>;
  /** Skip records the prefilter proves cannot match (default true); with many rules, also skip rules the same way. */
  prefilter: boolean;
  /** From this many rules on, a record's text chooses the rules evaluated on it (tests lower it; default 48). */
  ruleIndexMinRules?: number;
  /** Field aliases per dataset (Sigma field names used by other rule sets → canonical paths). */
  aliases?: FieldAliases;
  /** A file whose format is not recognised is an error (default), or only reported as info. */
  unknownFormatIsError: boolean;
  report: Report;
  /** Called now and then while scanning (for a progress line). */
  onProgress?: (stats: ScanStats) => void;
  /** How small files are read whole (`prefetch.ts`; default: chosen from the number of files). */
  readAhead?: ReadAheadMode;
}

/** Counters for the summary. */
export interface ScanStats {
  files: number;
  filesRead: number;
  /** Files recognised and skipped on purpose (CloudTrail digests) or empty. */
  filesSkipped: number;
  filesFailed: number;
  bytesIn: number;
  bytesOut: number;
  records: number;
  recordsPrefiltered: number;
  events: number;
  matches: number;
  /** Files read per format. */
  formats: Record<string, number>;
  elapsedMs: number;
}

/** Device datasets: their configuration lines are grouped into mirroring objects by action key. */
const DEVICE_DATASETS: ReadonlySet<Dataset> = new Set(['cisco_ios.log', 'cisco_nxos.log', 'cisco_iosxr.log', 'juniper.log', 'arista_eos.log', 'tacacs.accounting']);

/** Lines kept per configuration object, and objects kept at most, for alert context. */
const CONTEXT_PER_KEY = 50;
const CONTEXT_KEYS = 100_000;

/**
 * The configuration lines of device mirroring objects (events whose action key names an object, not the record
 * itself), kept so an alert can show the whole object: the ERSPAN session's source interface line belongs to the
 * alert about its destination line even though only the destination line matched. Bounded in both dimensions.
 */
export class ActionContext {
  private readonly byKey = new Map<string, Event[]>();
  /** Remembers an event if it belongs to a named object. */
  add(ev: Event): void {
    if (ev.actionKey === ev.recordKey || !DEVICE_DATASETS.has(ev.dataset)) return;
    let list = this.byKey.get(ev.actionKey);
    if (!list) {
      if (this.byKey.size >= CONTEXT_KEYS) this.byKey.delete(this.byKey.keys().next().value as string);
      list = [];
      this.byKey.set(ev.actionKey, list);
    }
    if (list.length < CONTEXT_PER_KEY && !list.some((e) => e.recordKey === ev.recordKey)) list.push(ev);
  }
  /** The events of one object. */
  get(actionKey: string): readonly Event[] {
    return this.byKey.get(actionKey) ?? [];
  }
  /** Every event kept, object by object. */
  *all(): Generator<Event> {
    for (const list of this.byKey.values()) yield* list;
  }
}

const PREFILTERS = new WeakMap<readonly ActiveRule[], Map<FormatReader, Prefilter>>();

/** What a scan found. */
export interface ScanResult {
  matches: Match[];
  findings: AnalyticFinding[];
  stats: ScanStats;
  context: ActionContext;
  /**
   * Per input: whether its reader ended between records (`FileReader.betweenRecords`), that is whether a stretch of
   * the file that follows this input's stretch could be read on its own (see `InputFile.range`).
   */
  endsBetweenRecords: boolean[];
}

/** Reads every input and returns the rule matches, with counters. */
export async function scan(
  inputs: readonly InputFile[],
  options: ScanOptions,
): Promise<ScanResult> {
  const started = performance.now();
  const stats: ScanStats = {
    files: inputs.length,
    filesRead: 0,
    filesSkipped: 0,
    filesFailed: 0,
    bytesIn: 0,
    bytesOut: 0,
    records: 0,
    recordsPrefiltered: 0,
    events: 0,
    matches: 0,
    formats: {},
    elapsedMs: 0,
  };
  const matches: Match[] = [];
  const endsBetweenRecords = inputs.map(() => false);
  const analytics = options.analytics ?? [];
  const context = new ActionContext();
  const router = new RuleRouter(options.rules);
  // Prefilters depend only on the rules and the reader: built once per rule set, also across calls (a worker scans
  // its files one call at a time).
  let prefilters = PREFILTERS.get(options.rules);
  if (!prefilters) {
    prefilters = new Map();
    PREFILTERS.set(options.rules, prefilters);
  }
  const cache = prefilters;
  const prefilterFor = (reader: FormatReader): Prefilter => {
    if (!options.prefilter || !reader.prefilterable) return PASS_ALL;
    let p = cache.get(reader);
    if (!p) {
      p = buildPrefilter(router.literalSetsFor(reader.datasets));
      cache.set(reader, p);
    }
    return p;
  };
  let lastProgress = performance.now();
  const progress = () => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (now - lastProgress < 200) return;
    lastProgress = now;
    stats.elapsedMs = now - started;
    options.onProgress(stats);
  };

  // With many rules, a record's text first narrows down which rules could match it (`rule-index.ts`).
  const ruleIndex = options.prefilter && options.rules.length >= (options.ruleIndexMinRules ?? RULE_INDEX_MIN_RULES) ? ruleIndexFor(options.rules) : undefined;
  /** `mask` (from the rule index, over `options.rules`): only the rules it marks are evaluated. */
  const onEvent = (ev: Event, mask?: Uint8Array) => {
    stats.events++;
    context.add(ev);
    for (const analytic of analytics) if (analytic.datasets.includes(ev.dataset)) analytic.observe(ev);
    const rules = router.rulesFor(ev.logsource);
    if (rules.length === 0) return;
    const positions = mask === undefined ? undefined : router.positionsFor(ev.logsource);
    let target: MatchTarget | undefined;
    for (let k = 0; k < rules.length; k++) {
      if (positions !== undefined && (mask as Uint8Array)[positions[k]] === 0) continue;
      const rule = rules[k];
      target ??= eventTarget(ev, options.aliases);
      if (rule.match(target)) {
        stats.matches++;
        matches.push({ rule, event: ev });
      }
    }
  };

  const prefetcher = new Prefetcher(inputs, options.readAhead);
  try {
    for (let inputIndex = 0; inputIndex < inputs.length; inputIndex++) {
      const input = inputs[inputIndex];
      const prefetched = await prefetcher.take(inputIndex);
      let fileFailed = false;
      const report: Report = (d) => {
        if (d.severity === 'error') fileFailed = true;
        options.report(d);
      };
      const readStats: ReadStats = { bytesIn: 0, bytesOut: 0, gzip: false };
      const finish = () => {
        stats.bytesIn += readStats.bytesIn;
        stats.bytesOut += readStats.bytesOut;
        if (fileFailed) stats.filesFailed++;
      };
      const bytes = openBytes(input, report, readStats, prefetched);
      // The first bytes decide binary formats (pcap magic numbers) before any text decoding.
      const headChunks: Buffer[] = [];
      let headBytes = 0;
      let bytesDone = false;
      while (headBytes < SNIFF_CHARS) {
        const r = await bytes.next();
        if (r.done) {
          bytesDone = true;
          break;
        }
        headChunks.push(r.value);
        headBytes += r.value.length;
      }
      const replay = replayThen(headChunks, bytesDone ? undefined : bytes);
      // (The head is copied only when it spans chunks: a whole prefetched file is one chunk of up to megabytes.)
      const headBuf = headChunks.length === 1 ? headChunks[0] : Buffer.concat(headChunks);
      const binaryReader = headBytes === 0 || input.range !== undefined ? undefined : sniffBinary(options.readers, headBuf.subarray(0, SNIFF_CHARS), input.path);
      if (binaryReader) {
        stats.filesRead++;
        stats.formats[binaryReader.format] = (stats.formats[binaryReader.format] ?? 0) + 1;
        const fileReader = binaryReader.open({
          file: input.path,
          options: { ...options.readerOptions, referenceTimeMs: input.mtimeMs },
          report,
          emit: (ev) => {
            stats.records++;
            onEvent(ev);
          },
        });
        for (;;) {
          const r = await replay.next();
          if (r.done) break;
          fileReader.push(r.value);
          progress();
        }
        fileReader.end();
        finish();
        progress();
        continue;
      }
      const piece: PieceInfo = { plain: false, index: 0 };
      const text = decodeText(replay, input, report, piece, prefetched?.ascii === true);
      // Gather the head for sniffing.
      let head = '';
      const pending: { text: string; plain: boolean }[] = [];
      let exhausted = false;
      while (head.length < SNIFF_CHARS) {
        const r = await text.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        pending.push({ text: r.value, plain: piece.plain });
        head += r.value;
      }
      if (head.trim().length === 0 && input.range === undefined) {
        if (!fileFailed) {
          if (head.length > 0) report({ code: INPUT.empty.code, severity: 'info', message: 'file holds only white space', file: input.path });
          stats.filesSkipped++;
        }
        await text.return(undefined);
        finish();
        continue;
      }
      // A stretch of a file is read by the reader that read the file's head (its own head is no file's head).
      const sniffed = input.range ? undefined : sniffText(options.readers, head, input.path);
      const chosen = input.range ? options.readers.find((r): r is FormatReader => r.kind !== 'binary' && r.format === input.range?.format) : sniffed?.reader;
      const skipReason = sniffed?.skip;
      if (!chosen) {
        if (skipReason !== undefined) {
          report({ code: INPUT.skipped.code, severity: 'info', message: skipReason, file: input.path });
          stats.filesSkipped++;
        } else {
          report({
            code: INPUT.unknownFormat.code,
            severity: options.unknownFormatIsError ? 'error' : 'info',
            message: `not a format mirrorwatch reads (${options.readers.filter((r) => r.format !== 'cloudtrail-digest').map((r) => r.format).join(', ')}); starts with ${JSON.stringify(head.slice(0, 60))}`,
            file: input.path,
          });
          if (options.unknownFormatIsError) fileFailed = true;
          else stats.filesSkipped++;
        }
        await text.return(undefined);
        finish();
        continue;
      }
      if (!continuesFile(input)) {
        stats.filesRead++;
        stats.formats[chosen.format] = (stats.formats[chosen.format] ?? 0) + 1;
      }
      const prefilter = prefilterFor(chosen);
      const plainness = new PlainRanges(options.readerOptions.maxRecordChars);
      let fileReader: FileReader | undefined = undefined;
      // The stretch `mayMatch` last passed: a record that is that very text (an NDJSON line) is not checked again.
      let vetted: string | undefined;
      const emit = (rec: RawRecord) => {
        stats.records++;
        const seen = rec.text === vetted;
        vetted = undefined;
        const plain = plainness.isPlain(rec);
        if (!prefilter.passAll && !seen && !prefilter.mayMatch(rec.text, plain)) {
          stats.recordsPrefiltered++;
          return;
        }
        const mask = ruleIndex?.select(rec.text, plain);
        for (const ev of (fileReader as FileReader).parse(rec)) onEvent(ev, mask);
      };
      const mayMatch = prefilter.passAll
        ? undefined
        : (span: string, offset: number): boolean => {
            if (prefilter.mayMatch(span, plainness.isPlainSpan(offset, span.length))) {
              vetted = span;
              return true;
            }
            stats.records++;
            stats.recordsPrefiltered++;
            return false;
          };
      // The hot loop's shortcut: one search for the next literal over the decoded text, remembered until a record
      // passes it, instead of a search per record (see `Prefilter.nextHit`). Text that is not plain is never skipped
      // this way: the first non-plain character counts as a hit, and `mayMatch` then checks the record in full.
      // The remembered hit belongs to the text at (offset, length): within a file, that pair names one stretch of
      // the decoded text, whatever string object holds it (comparing the strings themselves could cost their length).
      let hitOffset = -1;
      let hitLength = -1;
      let hitAt = 0;
      const skipsRange = prefilter.passAll
        ? undefined
        : (text: string, start: number, end: number, offset: number): boolean => {
            if (offset !== hitOffset || text.length !== hitLength || hitAt < start) {
              hitOffset = offset;
              hitLength = text.length;
              const np = plainness.firstNonPlain(offset + start) - offset;
              hitAt = np <= start ? start : Math.min(prefilter.nextHit(text, start), np);
            }
            if (hitAt < end) return false;
            stats.records++;
            stats.recordsPrefiltered++;
            return true;
          };
      fileReader = chosen.open({
        file: input.path,
        options: { ...options.readerOptions, referenceTimeMs: input.mtimeMs },
        report,
        emit,
        mayMatch,
        skipsRange,
        firstLine: input.range?.firstLine,
      });
      for (const p of pending) {
        plainness.piece(p.text.length, p.plain);
        fileReader.push(p.text);
      }
      if (!exhausted) {
        for (;;) {
          const r = await text.next();
          if (r.done) break;
          plainness.piece(r.value.length, piece.plain);
          fileReader.push(r.value);
          progress();
        }
      }
      endsBetweenRecords[inputIndex] = fileReader.betweenRecords?.() ?? false;
      fileReader.end();
      if (fileReader.flush) for (const ev of fileReader.flush()) onEvent(ev);
      finish();
      progress();
    }
  } finally {
    prefetcher.close();
  }
  const findings = analytics.flatMap((a) => a.finish());
  stats.elapsedMs = performance.now() - started;
  return { matches, findings, stats, context, endsBetweenRecords };
}

/**
 * Which stretches of a file's decoded text were not plain (non-ASCII, or holding a `\u` escape), so that the
 * prefilter can use its fast literal search on a record that lies wholly in plain text. Pieces are registered in
 * order before they are pushed to the reader; records locate themselves by `RawRecord.offset`.
 */
export class PlainRanges {
  /** Flat [start, end) pairs of non-plain pieces, ascending. */
  private readonly ranges: number[] = [];
  private total = 0;
  constructor(private readonly keepChars: number) {}

  /** Registers the next piece of text. */
  piece(length: number, plain: boolean): void {
    const start = this.total;
    this.total += length;
    if (plain) return;
    const r = this.ranges;
    if (r.length > 0 && r[r.length - 1] === start) r[r.length - 1] = this.total; // merge adjacent
    else r.push(start, this.total);
    if (r.length > 4096) {
      // No record still to come can start before total - keepChars (the reader's record size limit).
      const horizon = this.total - this.keepChars - 1;
      let k = 0;
      while (k < r.length && r[k + 1] < horizon) k += 2;
      r.splice(0, k);
    }
  }

  /** Where the first non-plain stretch at or after `abs` begins (`abs` itself if inside one; Infinity if none yet). */
  firstNonPlain(abs: number): number {
    const r = this.ranges;
    // Ranges are few (only non-plain pieces), and recent ones are the likely answer: scan from the end.
    let found = Infinity;
    for (let k = r.length - 2; k >= 0; k -= 2) {
      if (r[k + 1] <= abs) break;
      found = Math.max(abs, r[k]);
    }
    return found;
  }

  /** True when the record's text lies wholly in plain pieces (unknown offset: false). */
  isPlain(rec: RawRecord): boolean {
    return rec.offset !== undefined && this.isPlainSpan(rec.offset, rec.text.length);
  }

  /** True when the `length` characters from `start` lie wholly in plain pieces. */
  isPlainSpan(start: number, length: number): boolean {
    const end = start + length;
    const r = this.ranges;
    for (let k = r.length - 2; k >= 0; k -= 2) {
      if (r[k + 1] <= start) return true; // this range and all before it end before the record
      if (r[k] < end) return false; // overlaps
    }
    return true;
  }
}

/** Yields the buffered head chunks, then the rest of the stream. */
async function* replayThen(head: Buffer[], rest: AsyncGenerator<Buffer> | undefined): AsyncGenerator<Buffer> {
  try {
    yield* head;
    if (rest) yield* rest;
  } finally {
    await rest?.return(undefined);
  }
}

/**
 * The text reader that claims a file from its decoded head (the first that says `read`), or the reason the first
 * reader that says `skip` gives; undefined when none recognises it. Readers are asked in order.
 */
export function sniffText(readers: readonly AnyFormatReader[], head: string, path: string): { reader: FormatReader; skip?: undefined } | { reader?: undefined; skip: string } | undefined {
  const sample = head.slice(0, SNIFF_CHARS);
  for (const reader of readers) {
    if (reader.kind === 'binary') continue;
    const verdict = reader.sniff(sample, path);
    if (verdict.kind === 'read') return { reader };
    if (verdict.kind === 'skip') return { skip: verdict.reason };
  }
  return undefined;
}

/** The binary reader that claims a file from its first bytes, if any. */
function sniffBinary(readers: readonly AnyFormatReader[], head: Buffer, path: string): BinaryFormatReader | undefined {
  for (const r of readers) if (r.kind === 'binary' && r.sniffBytes(head, path).kind === 'read') return r;
  return undefined;
}

const RULE_INDEXES = new WeakMap<readonly ActiveRule[], RuleIndex>();

function ruleIndexFor(rules: readonly ActiveRule[]): RuleIndex {
  let index = RULE_INDEXES.get(rules);
  if (!index) {
    index = new RuleIndex(rules);
    RULE_INDEXES.set(rules, index);
  }
  return index;
}

/** Finds the rules that apply to an event's log source, caching per distinct log source. */
export class RuleRouter {
  private readonly cache = new Map<string, { rules: readonly ActiveRule[]; positions: Int32Array }>();
  constructor(private readonly rules: readonly ActiveRule[]) {}

  /** The last log source asked about and its answer: events come in runs from one source. */
  private last: { ls: LogSource; e: { rules: readonly ActiveRule[]; positions: Int32Array } } | undefined;

  private entry(ls: LogSource): { rules: readonly ActiveRule[]; positions: Int32Array } {
    const last = this.last;
    if (last !== undefined && (last.ls === ls || (last.ls.category === ls.category && last.ls.product === ls.product && last.ls.service === ls.service))) {
      return last.e;
    }
    const key = `${ls.category ?? ''}|${ls.product ?? ''}|${ls.service ?? ''}`;
    let e = this.cache.get(key);
    if (!e) {
      const positions: number[] = [];
      this.rules.forEach((r, i) => {
        if (logSourceApplies(r.logsource, ls)) positions.push(i);
      });
      e = { rules: positions.map((i) => this.rules[i]), positions: Int32Array.from(positions) };
      this.cache.set(key, e);
    }
    this.last = { ls, e };
    return e;
  }

  /** The rules whose log source applies to `ls`. */
  rulesFor(ls: LogSource): readonly ActiveRule[] {
    return this.entry(ls).rules;
  }

  /** Where each rule of `rulesFor(ls)` stands in the full rule list. */
  positionsFor(ls: LogSource): Int32Array {
    return this.entry(ls).positions;
  }

  /** The literal sets of every rule that can apply to an event of one of `datasets`. */
  literalSetsFor(datasets: readonly Dataset[]): (readonly string[] | null)[] {
    const sets: (readonly string[] | null)[] = [];
    for (const rule of this.rules) {
      const applies = datasets.some((ds) => DATASET_LOGSOURCES[ds].some((ls) => logSourceApplies(rule.logsource, ls)));
      if (applies) sets.push(rule.literals);
    }
    return sets;
  }
}

/** Re-exported for callers that build targets themselves (rule tests). */
export type { MatchTarget };
