/**
 * The fast path for CloudTrail's own S3 log files. CloudTrail writes each file as one line,
 * `{"Records":[{"eventVersion":"1.10",…},{"eventVersion":"1.10",…}]}`, every record starting with its
 * `eventVersion` key (AWS CloudTrail User Guide, "CloudTrail log file examples"). Inside a JSON string a quote is
 * always escaped, so the text `,{"eventVersion":"` can only occur where a record starts (or where a nested object
 * happens to start with that key, which CloudTrail records do not have). Records are therefore cut at that text with
 * `indexOf`, far faster than following the JSON structure character by character, and each record's text is exactly
 * the record.
 *
 * Two guards keep it honest. A file that does not begin exactly like a CloudTrail-written file goes to the general
 * splitter (`json-records.ts`) from the first byte. And a record text that does not parse — two records merged
 * because the second did not start with `eventVersion` — is parsed again as the list it then is
 * (`parseS3Record`), so no record is lost to the shortcut; a record that still does not parse is reported. Records
 * the prefilter skips are never parsed, as on the general path, so only their outline is checked: each ends with
 * `}`, and a file that stops inside a record is reported as truncated.
 */
import type { Report } from '../core/diagnostic.js';
import type { Origin, RawRecord } from '../core/event.js';
import { cloudDiagnostic } from '../normalize/cloud-diagnostic-codes.js';

/** What every CloudTrail-written S3 file begins with. */
export const S3_FILE_START = '{"Records":[{"eventVersion":"';
const RECORD_START = ',{"eventVersion":"';
/** Searched for instead of `RECORD_START`, then checked for the comma: V8 finds it twice as fast (8.6 against 3.9 GB/s). */
const RECORD_KEY = '{"eventVersion":"';
const FILE_START_RECORD = S3_FILE_START.length - '{"eventVersion":"'.length; // 12: where the first record starts
const DOC_START = '{"Records":[';

/** Options of the S3 splitter. */
export interface S3SplitterOptions {
  file: string;
  maxRecordChars: number;
  report: Report;
  emit: (rec: RawRecord) => void;
  /** The engine's prefilter (`ReadContext.mayMatch`): a record it rejects is dropped before any object is made. */
  mayMatch?: (text: string, offset: number) => boolean;
  /** The engine's first look (`ReadContext.skipsRange`): a record it skips is never cut out of the text. */
  skipsRange?: (text: string, start: number, end: number, offset: number) => boolean;
}

/** A push-driven splitter for CloudTrail-written S3 files (see the module comment). */
export class CloudTrailS3Splitter {
  /** Text from the start of the current record to the end of what was pushed. */
  private buf = '';
  /** Absolute character offset of `buf[0]`. */
  private base = 0;
  private index = 0;
  private line = 1;
  private lineStart = 0;
  private oversized = false;
  private started = false;

  constructor(private readonly o: S3SplitterOptions) {}

  /** Feeds the next chunk (the first must begin with `S3_FILE_START`). */
  push(text: string): void {
    if (!this.started) {
      this.started = true;
      this.buf = text.slice(FILE_START_RECORD);
      this.base = FILE_START_RECORD;
      this.cut(false, 0);
      return;
    }
    const held = this.buf;
    const next = held.length === 0 || this.oversized ? -1 : firstRecordAfterHeld(held, text);
    if (next === -1) {
      this.buf = held.length === 0 ? text : held + text;
      this.cut(false, 0);
      return;
    }
    // The record held from the last chunk ends in this one, before `next`: only that record is joined, and the chunk
    // itself is cut where it is, never copied into a longer string (a copy of every chunk, and twice the garbage).
    this.emitRange(held + text.slice(0, next - 1), 0, held.length + next - 1);
    this.base += held.length;
    this.buf = text;
    this.cut(false, next);
  }

  /** Ends the input: the last record, or a truncation report. */
  end(): void {
    this.cut(true, 0);
  }

  private origin(offset: number): Origin {
    return { file: this.o.file, line: this.line, column: offset - this.lineStart + 1, record: this.index };
  }

  /** Cuts every complete record out of `buf`, the first starting at `from`; at the end also the last one. */
  private cut(final: boolean, from: number): void {
    const buf = this.buf;
    // Positions, not slices: `pos` is where the current record starts in `buf`. The next document marker is found
    // once per call and searched again only after it is passed, so the work stays linear in the text.
    let pos = from;
    let doc = nextDocument(buf, pos + 1);
    for (;;) {
      const next = nextRecord(buf, pos + 1);
      if (next !== -1 && (doc === -1 || next < doc)) {
        this.emitRange(buf, pos, next);
        pos = next + 1;
        continue;
      }
      if (doc !== -1) {
        // Another `{"Records":[…]}` document follows (files concatenated): the record before ends before `]}`.
        const before = buf.slice(pos, doc).trimEnd();
        const last = before.endsWith(']}') ? before.slice(0, -2).trimEnd() : before;
        if (last.length > 0) this.emitAt(last, pos); // an empty `{"Records":[]}` has no record
        this.countLines(buf, pos, doc);
        pos = doc + DOC_START.length;
        this.index = 0;
        doc = nextDocument(buf, pos + 1);
        continue;
      }
      break;
    }
    this.base += pos;
    const rest = pos === 0 ? buf : buf.slice(pos);
    if (!final) {
      if (!this.oversized && rest.length > this.o.maxRecordChars) {
        this.o.report(
          cloudDiagnostic('recordTooLarge', `JSON record of more than ${this.o.maxRecordChars} characters is larger than the limit; skipped`, this.origin(this.base)),
        );
        this.oversized = true;
      }
      if (this.oversized && rest.length > RECORD_START.length) {
        // Hold only what could be the start of the next record's marker.
        const keep = RECORD_START.length;
        this.base += rest.length - keep;
        this.buf = rest.slice(-keep);
      } else {
        this.buf = rest;
      }
      return;
    }
    const tail = rest.trimEnd();
    if (tail.endsWith(']}')) {
      const last = tail.slice(0, -2).trimEnd();
      if (last.length > 0) this.emitAt(last, 0);
    } else if (tail.length > 0) {
      this.o.report(
        cloudDiagnostic('truncated', `input ends at line ${this.line} inside the JSON record that starts here (truncated file?); record skipped`, this.origin(this.base)),
      );
    }
    this.buf = '';
  }

  /** Emits the record `buf[start..end)` (the current buffer, whose first character is at `base`), unless skipped. */
  private emitRange(buf: string, start: number, end: number): void {
    if (this.oversized || end - start > this.o.maxRecordChars || this.o.skipsRange === undefined) {
      this.emitAt(buf.slice(start, end), start);
      return;
    }
    if (!this.o.skipsRange(buf, start, end, this.base)) this.emitAt(buf.slice(start, end), start);
    else this.index++;
  }

  /** Emits a record that starts `at` characters into the current buffer (whose first character is at `base`). */
  private emitAt(text: string, at: number): void {
    const offset = this.base + at;
    if (this.oversized) {
      this.oversized = false;
    } else if (text.length > this.o.maxRecordChars) {
      // Cut whole from one chunk before the buffer check could see it.
      this.o.report(
        cloudDiagnostic('recordTooLarge', `JSON record of ${text.length} characters is larger than the limit of ${this.o.maxRecordChars}; skipped`, this.origin(offset)),
      );
    } else if (this.o.mayMatch === undefined || this.o.mayMatch(text, offset)) {
      this.o.emit({ text, origin: this.origin(offset), offset });
    }
    this.index++;
  }

  private countLines(buf: string, from: number, upTo: number): void {
    for (let i = buf.indexOf('\n', from); i !== -1 && i < upTo; i = buf.indexOf('\n', i + 1)) {
      this.line++;
      this.lineStart = this.base + i + 1;
    }
  }
}

/**
 * Where the first record of `text` starts when it is plainly the one after the record `held` over from the previous
 * chunk: the first `{"eventVersion":"` in `text` with a comma before it, when no record or document marker lies
 * across the two or before it (then `cut` on the two joined would end the held record at the same comma). Otherwise
 * -1: the caller joins the two, as always before.
 */
function firstRecordAfterHeld(held: string, text: string): number {
  let at = text.indexOf(RECORD_KEY, 1);
  while (at !== -1 && text.charCodeAt(at - 1) !== 0x2c /* , */) at = text.indexOf(RECORD_KEY, at + 1);
  if (at === -1) return -1;
  const around = held.slice(-RECORD_START.length) + text.slice(0, at);
  return around.indexOf(RECORD_KEY) === -1 && around.indexOf(DOC_START) === -1 ? at : -1;
}

/** Where the next `,{"eventVersion":"` record marker starts in `buf` at or after `from`, or -1. */
function nextRecord(buf: string, from: number): number {
  for (let at = buf.indexOf(RECORD_KEY, from + 1); at !== -1; at = buf.indexOf(RECORD_KEY, at + 1)) {
    if (buf.charCodeAt(at - 1) === 0x2c /* , */) return at - 1;
  }
  return -1;
}

/**
 * Where the next concatenated `{"Records":[` document starts in `buf` at or after `from`, or -1. Only a marker that
 * follows the `]}` closing the previous document (white space between allowed) counts: the same text nested inside a
 * record (a request parameter named `Records`) follows a `:`, `,` or `[` and is part of that record. The search is
 * for the closing `]}`, which V8 finds about eight times faster than the marker itself (measured: 15 GB/s against
 * 2 GB/s on CloudTrail text); a document closed as `] }` is not seen, and its next record then fails to parse and is
 * reported.
 */
function nextDocument(buf: string, from: number): number {
  for (let at = buf.indexOf(']}', from - 2); at !== -1; at = buf.indexOf(']}', at + 1)) {
    let i = at + 2;
    while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
    if (i >= from && buf.startsWith(DOC_START, i)) return i;
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Parses a record cut by the S3 splitter: normally one object; if two records were merged (the second did not start
 * with `eventVersion`), the list they form. Undefined when the text does not parse either way (the caller reports it
 * the usual way).
 */
export function parseS3Record(text: string): unknown[] | undefined {
  try {
    return [JSON.parse(text) as unknown];
  } catch {
    try {
      const list = JSON.parse(`[${text}]`) as unknown[];
      return Array.isArray(list) ? list : undefined;
    } catch {
      return undefined;
    }
  }
}
