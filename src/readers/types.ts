/**
 * The reader seam. A reader knows one input format: it recognises the format from the head of a file (`sniff`),
 * splits the decoded text into raw records (`open(...).push`), and turns one raw record into events (`parse`).
 * Readers never see rules: the engine sits between `emit` and `parse` and may skip a raw record whose text cannot
 * match any rule (the prefilter), so `parse` must not depend on having seen every record, unless the reader says
 * so with `prefilterable: false` (syslog keeps per-device configuration-mode state and must see every line).
 *
 * Text reaches readers already decompressed and decoded (UTF-8, invalid bytes replaced and reported by the engine),
 * in chunks of arbitrary size: a record may span chunks.
 */
import type { Report } from '../core/diagnostic.js';
import type { Dataset, Event, RawRecord } from '../core/event.js';

/**
 * The formats mirrorwatch recognises. `cloudtrail-digest` is recognised only to be skipped quietly. Readers of
 * further formats (packet captures, flow logs) add their names here.
 */
export type FormatName = 'cloudtrail' | 'cloudtrail-digest' | 'azure-activity' | 'gcp-audit' | 'syslog' | (string & {});

/** One record as found in the input, before parsing. */
export type { RawRecord } from '../core/event.js';

/** Options every reader receives. */
export interface ReaderOptions {
  /**
   * Time zone for timestamps that carry none (RFC 3164 syslog, NX-OS accounting): `UTC`, an IANA name such as
   * `Europe/Berlin`, or a fixed offset `+02:00`.
   */
  timeZone: string;
  /** Year for RFC 3164 timestamps, when the user knows it; otherwise it is inferred (see `referenceTimeMs`). */
  year?: number;
  /**
   * The time the input was written, in epoch ms (the file's modification time, or now for stdin): RFC 3164 dates
   * are placed in the year that puts them at or before this time (allowing one day of clock skew).
   */
  referenceTimeMs: number;
  /** Records larger than this many characters are reported and skipped, never buffered whole. */
  maxRecordChars: number;
}

/** Default reader options. */
export const DEFAULT_READER_OPTIONS: ReaderOptions = {
  timeZone: 'UTC',
  referenceTimeMs: Date.now(),
  maxRecordChars: 32 * 1024 * 1024,
};

/** What a reader gets for one file. */
export interface ReadContext {
  /** The file as the user named it (`-` for stdin); goes into every origin and diagnostic. */
  file: string;
  options: ReaderOptions;
  /** Reports a malformed record or other input problem (MW2xxx). */
  report: Report;
  /** Receives each raw record found by `push`/`end`, in input order. */
  emit: (rec: RawRecord) => void;
  /**
   * The engine's prefilter, offered for whole stretches of text (an NDJSON line before it is split or checked):
   * false means no record inside `text` (which starts at character `offset` of the decoded file) can match any
   * rule, so the reader may drop the stretch without splitting it; the engine counts it as one skipped record.
   * Absent when prefiltering is off or the reader is not prefilterable. Readers must not call it on text that is
   * not the file's own (decoded base64 payloads).
   */
  mayMatch?: (text: string, offset: number) => boolean;
  /**
   * The engine's cheap first look, for readers that cut records out of a larger text: true when the record at
   * `text[start..end)` (`offset` is the decoded file's character offset of `text[0]`) holds no literal of any rule,
   * so it can be dropped before it is even cut out; the engine counts it as a skipped record. False means "look
   * closer" (`mayMatch` on the record's text). Calls for one text must come in increasing `start` order.
   */
  skipsRange?: (text: string, start: number, end: number, offset: number) => boolean;
  /**
   * The file's line number of the first line of the text this reader is given (default 1). Larger when the reader
   * reads a stretch of a file that starts at a later line (see `FormatReader.splitsAtLineEnds`).
   */
  firstLine?: number;
}

/** The answer of `sniff`. */
export type SniffResult =
  | { kind: 'read' }
  /** The file is of this format but holds nothing to scan (a CloudTrail digest file): skip it without an error. */
  | { kind: 'skip'; reason: string }
  | { kind: 'no' };

/** The per-file state of a reader. */
export interface FileReader {
  /** Feeds the next chunk of decoded text; calls `ctx.emit` for each complete raw record. */
  push(text: string): void;
  /** Signals the end of input; emits a final record if any, reports a truncated one. */
  end(): void;
  /**
   * Parses one raw record into events (zero when it is not a record of interest, several when a wrapper holds
   * several). A malformed record is reported through `ctx.report` with its origin, and yields no events.
   */
  parse(rec: RawRecord): Event[];
  /**
   * Called once after the last `parse`: readers that group lines (configuration sub-modes) return what they still
   * hold. Optional.
   */
  flush?(): Event[];
  /**
   * Asked after the last `push`, before `end`: true when the text so far ended at the start of a line, between
   * top-level records, with nothing held back, so that a new reader could go on from there with the same result
   * (see `FormatReader.splitsAtLineEnds`). Optional: readers without it are never read in stretches.
   */
  betweenRecords?(): boolean;
}

/** One text input format (JSON, syslog, CSV-like flow logs): the engine decodes UTF-8 before calling it. */
export interface FormatReader {
  /** Text readers may leave this out; binary readers say `binary` (see `BinaryFormatReader`). */
  readonly kind?: 'text';
  readonly format: FormatName;
  /** The datasets this reader can produce (the engine loads the prefilter literals of their rules). */
  readonly datasets: readonly Dataset[];
  /**
   * False when `parse` must see every raw record (stateful readers): the engine then never prefilters this
   * reader's records.
   */
  readonly prefilterable: boolean;
  /** Looks at up to the first 64 KiB of decoded text (and the path, as a hint only) and says whether it reads it. */
  sniff(head: string, path: string): SniffResult;
  /** Starts reading one file. */
  open(ctx: ReadContext): FileReader;
  /**
   * True when a file with this head (its first 64 KiB, decoded) may be read as consecutive stretches cut at line
   * ends, each by its own `open` (with `ReadContext.firstLine`): one record per line, no state carried from line to
   * line. The engine still checks at every cut that the stretch before it ended `betweenRecords`, and reads the
   * file whole when one did not. Optional: readers without it are never read in stretches.
   */
  splitsAtLineEnds?(head: string): boolean;
}

/** What a binary reader gets for one file. */
export interface BinaryReadContext {
  file: string;
  options: ReaderOptions;
  report: Report;
  /** Receives events as the reader produces them. */
  emit: (event: Event) => void;
}

/** The per-file state of a binary reader. */
export interface BinaryFileReader {
  /** Feeds the next chunk of (decompressed) bytes; chunks have arbitrary boundaries. */
  push(bytes: Buffer): void;
  /** Signals the end of input; reports a truncated last record; emits what it still holds. */
  end(): void;
}

/**
 * One binary input format (pcap, pcapng): recognised by magic bytes before any text decoding, fed decompressed
 * bytes, and producing events directly (binary records are never prefiltered: rules' literals are text).
 */
export interface BinaryFormatReader {
  readonly kind: 'binary';
  readonly format: FormatName;
  readonly datasets: readonly Dataset[];
  /** Looks at up to the first 64 KiB of decompressed bytes (and the path, as a hint only). */
  sniffBytes(head: Buffer, path: string): SniffResult;
  open(ctx: BinaryReadContext): BinaryFileReader;
}

/** Any reader. */
export type AnyFormatReader = FormatReader | BinaryFormatReader;
