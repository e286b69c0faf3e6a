/**
 * A streaming splitter of JSON text into records, shared by the cloud audit-log readers. It accepts what providers
 * and their tools write:
 *
 * - a sequence of JSON values separated by white space (NDJSON: Azure `PT1H.json`, GCP sink files; concatenated
 *   JSON as Kinesis Data Firehose writes it), each object one record;
 * - a top-level array (`gcloud logging read --format=json`, `az monitor activity-log list`): each element a record;
 * - a top-level object holding, at depth 1, one of the container keys with an array value (`{"Records":[…]}` from
 *   S3, `{"records":[…]}` from Event Hubs, `{"NextToken":"…","Events":[…]}` from lookup-events): each element of
 *   that array a record, the other members ignored. Any other top-level object is itself one record.
 *
 * It never holds a whole file: a top-level object is buffered only until a container key shows it to be a
 * container (then its elements stream out one by one) or until it ends (then it is one record), and no record is
 * buffered beyond `maxRecordChars`. Chunks may split the text anywhere, even inside a string or an escape, and the
 * records (text and origin) do not depend on where.
 *
 * Two paths, one result. A line that starts with `{` at the top level and is shorter than `FAST_LINE_CHARS` is
 * taken whole when it ends with `}` and cannot hold a container or two values (an `indexOf('\n')` and a few
 * substring checks); its JSON is checked later by `JSON.parse`. Everything else goes through a small state machine
 * that knows JSON's grammar well enough to find record boundaries and report structural errors: it jumps through
 * strings with `indexOf('"')` instead of visiting each character, and tracks lines only where newlines can occur
 * (JSON strings cannot hold a raw newline). Whether a line takes the fast path depends only on the line itself
 * (lines are buffered up to `FAST_LINE_CHARS` to decide), so chunk boundaries cannot change the outcome.
 *
 * A structural error (an unterminated string, a closing bracket that does not match, text between values, input
 * ending inside a record) is reported with its line and column; the splitter then resynchronises at the next line
 * that starts a record, so one bad line of NDJSON costs one record. Inside a pretty-printed array whose elements
 * each start a line, it resumes at the next line indented like the elements.
 */
import type { Report } from '../core/diagnostic.js';
import type { Location } from '../core/diagnostic.js';
import type { Origin } from '../core/event.js';
import { cloudDiagnostic, type CloudCodeName } from '../normalize/cloud-diagnostic-codes.js';
import type { RawRecord, ReadContext } from './types.js';

/**
 * The container keys of the cloud formats: `Records` (CloudTrail S3 files), `records` (Azure Event Hubs and
 * storage), `Events` (`aws cloudtrail lookup-events`), `QueryResultRows` (CloudTrail Lake `get-query-results`),
 * `entries` (Cloud Logging `entries.list`), `value` (Azure REST list), `receivedMessages` (Pub/Sub pull) and
 * `messages` (Pub/Sub publish bodies).
 */
export const CLOUD_CONTAINER_KEYS: readonly string[] = [
  'Records',
  'records',
  'Events',
  'QueryResultRows',
  'entries',
  'value',
  'receivedMessages',
  'messages',
];

/** What the splitter needs: where records go, where problems go, and the limits. */
export interface JsonRecordSplitterOptions {
  /** The file as the user named it; goes into every origin and diagnostic. */
  file: string;
  /** Records longer than this are reported once and skipped without being held. */
  maxRecordChars: number;
  report: Report;
  emit: (rec: RawRecord) => void;
  /** Keys that make a top-level object a container when they hold an array at depth 1. */
  containerKeys: readonly string[];
  /**
   * The engine's prefilter for a whole line (`ReadContext.mayMatch`): a `{…}` line it rejects is dropped before the
   * splitter decides whether it holds one record, two, or a container (none of them could match).
   */
  mayMatchLine?: (text: string, offset: number) => boolean;
  /** The engine's first look at a `{…}` line before it is cut out (`ReadContext.skipsRange`); with `mayMatchLine`. */
  skipsLine?: (text: string, start: number, end: number, offset: number) => boolean;
  /** The file's line number of the text's first line (`ReadContext.firstLine`, default 1). */
  firstLine?: number;
}

/** A push-driven splitter: feed decoded text in chunks of any size, then call `end`. */
export interface JsonRecordSplitter {
  /** Feeds the next chunk; emits every record it completes. */
  push(text: string): void;
  /** Ends the input: emits a last NDJSON line without a newline, reports a truncated record or container. */
  end(): void;
  /** True when the text so far ended at a line start between top-level values, nothing held (`FileReader.betweenRecords`). */
  betweenRecords(): boolean;
}

/** The splitter of the cloud audit-log readers: the cloud containers, records the engine's prefilter rejects dropped. */
export function cloudRecordSplitter(ctx: ReadContext): JsonRecordSplitter {
  return createJsonRecordSplitter({
    file: ctx.file,
    maxRecordChars: ctx.options.maxRecordChars,
    report: ctx.report,
    emit: ctx.emit,
    containerKeys: CLOUD_CONTAINER_KEYS,
    mayMatchLine: ctx.mayMatch,
    skipsLine: ctx.skipsRange,
    firstLine: ctx.firstLine,
  });
}

/**
 * True when a file's head starts (after a byte order mark and blank lines) with a line that holds one whole JSON
 * object: the shape of NDJSON, whose files a reader may read in stretches cut at line ends.
 */
export function firstLineIsObject(head: string): boolean {
  const s = head.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  const nl = s.indexOf('\n');
  if (s.charCodeAt(0) !== 0x7b || nl === -1) return false;
  try {
    const v: unknown = JSON.parse(s.slice(0, nl));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Creates a splitter for one file. */
export function createJsonRecordSplitter(options: JsonRecordSplitterOptions): JsonRecordSplitter {
  return new Splitter(options);
}

/** Returned by `parseJsonRecord` when the text is not valid JSON (JSON itself has no value that could be this). */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/**
 * Parses a record's text; on a syntax error reports MW2110 at the line and column of the error inside the file
 * and returns `NOT_JSON`.
 */
export function parseJsonRecord(rec: RawRecord, report: Report): unknown {
  try {
    return JSON.parse(rec.text) as unknown;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    report(cloudDiagnostic('invalidJson', `record is not valid JSON: ${err.message}`, jsonErrorLocation(rec)));
    return NOT_JSON;
  }
}

/** The location of the first JSON error inside a record, translated to the file's lines and columns. */
function jsonErrorLocation(rec: RawRecord): Location {
  const o = rec.origin;
  const loc: Location = { file: o.file };
  if (o.line !== undefined) loc.line = o.line;
  if (o.column !== undefined) loc.column = o.column;
  if (o.record !== undefined) loc.record = o.record;
  const pos = jsonErrorOffset(rec.text);
  if (pos === undefined || o.line === undefined) return loc;
  let lines = 0;
  let lastNl = -1;
  for (let k = rec.text.indexOf('\n'); k !== -1 && k < pos; k = rec.text.indexOf('\n', k + 1)) {
    lines++;
    lastNl = k;
  }
  if (lines === 0) {
    loc.column = (o.column ?? 1) + pos;
  } else {
    loc.line = o.line + lines;
    loc.column = pos - lastNl;
  }
  return loc;
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * The offset of the first character that makes `s` invalid JSON (RFC 8259), or undefined when it is valid. Only
 * called after `JSON.parse` failed (V8's messages give a position for some errors only), so it favours clarity.
 */
function jsonErrorOffset(s: string): number | undefined {
  const n = s.length;
  const stack: boolean[] = []; // true: object
  let i = 0;
  const blanks = (): void => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!HEX4.test(s.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          i++;
          return false;
        }
        continue;
      }
      i++;
    }
    return false;
  };
  for (;;) {
    // A value is expected at i.
    blanks();
    const c = s.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      stack.push(c === 0x7b);
      i++;
      blanks();
      if (s.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) {
        stack.pop();
        i++;
      } else if (c === 0x7b) {
        if (s.charCodeAt(i) !== 0x22 || !string()) return i;
        blanks();
        if (s.charCodeAt(i) !== 0x3a) return i;
        i++;
        continue;
      } else {
        continue;
      }
    } else if (c === 0x22) {
      if (!string()) return i;
    } else if (s.startsWith('true', i) || s.startsWith('null', i)) {
      i += 4;
    } else if (s.startsWith('false', i)) {
      i += 5;
    } else {
      JSON_NUMBER.lastIndex = i;
      if (!JSON_NUMBER.test(s)) return i;
      i = JSON_NUMBER.lastIndex;
    }
    // After a value: close containers, or a separator and the next member.
    for (;;) {
      blanks();
      if (stack.length === 0) return i === n ? undefined : i;
      const d = s.charCodeAt(i);
      const inObject = stack[stack.length - 1];
      if (d === (inObject ? 0x7d : 0x5d)) {
        stack.pop();
        i++;
        continue;
      }
      if (d !== 0x2c) return i;
      i++;
      if (inObject) {
        blanks();
        if (s.charCodeAt(i) !== 0x22 || !string()) return i;
        blanks();
        if (s.charCodeAt(i) !== 0x3a) return i;
        i++;
      }
      break;
    }
  }
}

// The scanner's states are small integers rather than string unions: the hot loop compares them per character and
// stays monomorphic that way. Each group below is closed; `EXPECT_TEXT` names the expectations for messages.

// What the grammar expects next.
const X_TOP = 0; // between top-level values
const X_OBJ_KEY_OR_END = 1; // after `{`
const X_OBJ_KEY = 2; // after `,` in an object
const X_OBJ_COLON = 3; // after a key
const X_OBJ_VALUE = 4; // after `:`
const X_OBJ_NEXT = 5; // after a member: `,` or `}`
const X_ARR_VALUE_OR_END = 6; // after `[`
const X_ARR_VALUE = 7; // after `,` in an array
const X_ARR_NEXT = 8; // after an element: `,` or `]`

const EXPECT_TEXT = [
  'a JSON object or array',
  'a key or }',
  'a key',
  'a colon',
  'a value',
  ', or }',
  'a value or ]',
  'a value',
  ', or ]',
];

// Open containers.
const F_OBJ = 0;
const F_ARR = 1;

// A token that continues into the next chunk.
const L_NONE = 0;
const L_STRING = 1;
const L_LITERAL = 2;

// Resynchronisation after an error.
const R_OFF = 0;
const R_SKIP_LINE = 1; // skipping to the end of the line
const R_LINE_START = 2; // skipping blanks at a line start, looking for `{` or `[`

// What the current top-level value is.
const T_NONE = 0;
const T_RECORD = 1; // an object that is a record unless a container key turns up
const T_CONTAINER = 2; // an object holding a container array
const T_ARRAY = 3; // a top-level array of records

// Fast-path answers.
const FP_NO = -1;
const FP_WAIT = -2;

/**
 * Lines up to this long are buffered whole to decide the fast path; longer ones (a single-line S3 CloudTrail file)
 * stream through the state machine.
 */
const FAST_LINE_CHARS = 1 << 20;

/** Keys longer than this cannot be container keys, so their text is not collected. */
const MAX_KEY_CHARS = 64;

/** Two values on one line (`}{`, `} {`): Firehose writes concatenated JSON without separators. */
const TWO_VALUES = /\}[ \t]*\{/;

function isLiteralChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x2b || c === 0x2e
  );
}

function showChar(c: number): string {
  return JSON.stringify(String.fromCharCode(c));
}

class Splitter implements JsonRecordSplitter {
  private readonly mayMatchLine: ((text: string, offset: number) => boolean) | undefined;
  private readonly skipsLine: ((text: string, start: number, end: number, offset: number) => boolean) | undefined;
  private readonly file: string;
  private readonly max: number;
  private readonly report: Report;
  private readonly emit: (rec: RawRecord) => void;
  private readonly keys: ReadonlySet<string>;
  private readonly needles: readonly string[];
  private readonly fastLimit: number;

  // Position.
  private seg = '';
  private base = 0; // absolute offset of seg[0]
  private consumed = 0; // absolute offset after the text handed to run()
  private line: number;
  /** The text starts at the file's first character (a byte order mark may come first). */
  private readonly atFileStart: boolean;
  private lineStart = 0; // absolute offset of the current line's first character
  private atLineStart = true; // nothing but blanks seen on the current line
  private nlc = -2; // cached index of the next newline in seg (-1: none left, -2: unknown)

  // Grammar.
  private readonly frames: number[] = [];
  private expect = X_TOP;
  private lex = L_NONE;
  private topKind = T_NONE;
  private topLine = 0;
  private topCol = 0;
  private topAtLineStart = false;
  private listDepth = 0; // depth at which array elements are records (0: none)
  private listIndex = 0;
  private listIndent = -1; // column of elements that start lines; 0 when they do not; -1 before the first

  // The string being scanned.
  private strFrom = 0; // where its content starts in seg (0 when it began in an earlier chunk)
  private strOddBs = false; // the earlier chunks' part of it ends in an odd run of backslashes
  private strIsKey = false;
  private keyCapture = false;
  private keyBuf = '';
  private containerKeyHit = false;

  // The record being collected.
  private recActive = false;
  private recDepth = 0;
  private recFrom = 0;
  private recParts: string[] = [];
  private recLen = 0;
  private recOversized = false;
  private recLine = 0;
  /** Absolute character offset of the record's first character in the decoded stream (`RawRecord.offset`). */
  private recAbs = 0;
  private recCol = 0;
  private recIndex: number | undefined = undefined;

  // Resynchronisation.
  private resync = R_OFF;
  private resyncIndent = 0;

  // A line held back to decide the fast path.
  private la: string[] | null = null;
  private laLen = 0;
  private laBase = 0;
  private ended = false;

  constructor(o: JsonRecordSplitterOptions) {
    this.file = o.file;
    this.max = o.maxRecordChars;
    this.report = o.report;
    this.emit = o.emit;
    this.mayMatchLine = o.mayMatchLine;
    this.skipsLine = o.mayMatchLine === undefined ? undefined : o.skipsLine;
    this.keys = new Set(o.containerKeys);
    this.needles = o.containerKeys.map((k) => `"${k}"`);
    this.fastLimit = Math.max(1, Math.min(FAST_LINE_CHARS, o.maxRecordChars + 1));
    this.line = o.firstLine ?? 1;
    this.atFileStart = this.line === 1;
  }

  betweenRecords(): boolean {
    return (
      !this.ended &&
      this.la === null &&
      this.atLineStart &&
      this.resync === R_OFF &&
      this.lex === L_NONE &&
      this.expect === X_TOP &&
      this.frames.length === 0 &&
      !this.recActive &&
      this.topKind === T_NONE
    );
  }

  push(text: string): void {
    if (this.ended) throw new Error('JSON record splitter: push() after end()');
    if (text.length === 0) return;
    if (this.la !== null) {
      if (text.indexOf('\n') === -1 && this.laLen + text.length < this.fastLimit) {
        this.la.push(text);
        this.laLen += text.length;
        return;
      }
      const seg = this.la.join('') + text;
      const base = this.laBase;
      this.la = null;
      this.laLen = 0;
      this.run(seg, base, false);
      return;
    }
    this.run(text, this.consumed, false);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.la !== null) {
      const seg = this.la.join('');
      const base = this.laBase;
      this.la = null;
      this.run(seg, base, true);
    }
    if (this.resync !== R_OFF || (this.frames.length === 0 && this.lex === L_NONE)) return;
    if (this.recActive) {
      this.report(
        cloudDiagnostic(
          'truncated',
          `input ends at line ${this.line} inside the JSON record that starts here (truncated file?); record skipped`,
          this.recLocation(),
        ),
      );
    } else {
      const what = this.topKind === T_ARRAY ? 'array' : 'object';
      this.report(
        cloudDiagnostic(
          'truncated',
          `input ends at line ${this.line} inside the top-level JSON ${what} (truncated file?); the records before the end were read`,
          { file: this.file, line: this.topLine, column: this.topCol },
        ),
      );
    }
    this.resetToTop();
  }

  /** Scans one segment of text starting at absolute offset `base`. */
  private run(seg: string, base: number, ending: boolean): void {
    this.seg = seg;
    this.base = base;
    this.nlc = -2;
    this.strFrom = 0;
    const n = seg.length;
    let i = 0;
    while (i < n) {
      if (this.resync !== R_OFF) {
        i = this.resyncStep(i);
        continue;
      }
      if (this.lex === L_STRING) {
        i = this.stringStep(i);
        continue;
      }
      if (this.lex === L_LITERAL) {
        i = this.literalStep(i);
        continue;
      }
      if (this.recActive && this.frames.length > this.recDepth && this.frames.length >= 2) {
        const j = this.skim(i);
        if (j !== i) {
          i = j;
          continue;
        }
      }
      const c = seg.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++;
        continue;
      }
      if (c === 0x0a) {
        this.newline(i);
        i++;
        continue;
      }
      i = this.token(c, i, ending);
      if (i === FP_WAIT) {
        this.consumed = base + n;
        this.seg = '';
        return;
      }
    }
    this.segmentEnd();
    this.consumed = base + n;
    this.seg = '';
  }

  /**
   * The hot loop inside a record below depth 1 (the body of every `{"Records":[…]}` element): the same grammar as
   * `token`, on local variables, without the work that only the top levels need (container keys, record and list
   * boundaries). It stops before anything it does not handle (the record's own closing bracket, a token that
   * continues into the next chunk, a string holding a newline, any error) and leaves that character to the general
   * loop, which then sees exactly the state it would have built itself.
   */
  private skim(start: number): number {
    const seg = this.seg;
    const n = seg.length;
    const frames = this.frames;
    // Below this depth the general loop takes over: the record's own closing bracket, and depth 1 of a top-level
    // object, where container keys are looked for.
    const floor = Math.max(this.recDepth + 1, 2);
    let depth = frames.length;
    let expect = this.expect;
    let nlc = this.nlc;
    let i = start;
    let atLineStart = this.atLineStart;
    scan: while (i < n) {
      const c = seg.charCodeAt(i);
      if (c === 0x22) {
        const isKey = expect === X_OBJ_KEY_OR_END || expect === X_OBJ_KEY;
        if (!isKey && expect !== X_OBJ_VALUE && expect !== X_ARR_VALUE_OR_END && expect !== X_ARR_VALUE) break;
        let q = seg.indexOf('"', i + 1);
        for (;;) {
          if (q === -1) break scan;
          let k = q - 1;
          let odd = false;
          while (seg.charCodeAt(k) === 0x5c) {
            odd = !odd;
            k--;
          }
          if (!odd) break;
          q = seg.indexOf('"', q + 1);
        }
        if (nlc !== -1 && nlc < q) {
          if (nlc < i) nlc = seg.indexOf('\n', i);
          if (nlc !== -1 && nlc < q) break;
        }
        i = q + 1;
        atLineStart = false;
        expect = isKey ? X_OBJ_COLON : frames[depth - 1] === F_OBJ ? X_OBJ_NEXT : X_ARR_NEXT;
      } else if (c === 0x3a) {
        if (expect !== X_OBJ_COLON) break;
        expect = X_OBJ_VALUE;
        atLineStart = false;
        i++;
      } else if (c === 0x2c) {
        if (expect === X_OBJ_NEXT) expect = X_OBJ_KEY;
        else if (expect === X_ARR_NEXT) expect = X_ARR_VALUE;
        else break;
        atLineStart = false;
        i++;
      } else if (c === 0x7b || c === 0x5b) {
        if (expect !== X_OBJ_VALUE && expect !== X_ARR_VALUE_OR_END && expect !== X_ARR_VALUE) break;
        if (c === 0x7b) {
          frames.push(F_OBJ);
          expect = X_OBJ_KEY_OR_END;
        } else {
          frames.push(F_ARR);
          expect = X_ARR_VALUE_OR_END;
        }
        depth++;
        atLineStart = false;
        i++;
      } else if (c === 0x7d || c === 0x5d) {
        if (depth <= floor) break;
        if (c === 0x7d) {
          if (frames[depth - 1] !== F_OBJ || (expect !== X_OBJ_KEY_OR_END && expect !== X_OBJ_NEXT)) break;
        } else if (frames[depth - 1] !== F_ARR || (expect !== X_ARR_VALUE_OR_END && expect !== X_ARR_NEXT)) {
          break;
        }
        frames.pop();
        depth--;
        expect = frames[depth - 1] === F_OBJ ? X_OBJ_NEXT : X_ARR_NEXT;
        atLineStart = false;
        i++;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++;
      } else if (c === 0x0a) {
        this.line++;
        this.lineStart = this.base + i + 1;
        atLineStart = true;
        i++;
      } else if (isLiteralChar(c)) {
        if (expect !== X_OBJ_VALUE && expect !== X_ARR_VALUE_OR_END && expect !== X_ARR_VALUE) break;
        let j = i + 1;
        while (j < n && isLiteralChar(seg.charCodeAt(j))) j++;
        if (j === n) break;
        i = j;
        atLineStart = false;
        expect = frames[depth - 1] === F_OBJ ? X_OBJ_NEXT : X_ARR_NEXT;
      } else {
        break;
      }
    }
    this.expect = expect;
    this.nlc = nlc;
    this.atLineStart = atLineStart;
    return i;
  }

  /** Handles one character that is not white space; returns where to go on (or FP_WAIT to hold the line back). */
  private token(c: number, i: number, ending: boolean): number {
    switch (c) {
      case 0x7b /* { */:
        if (this.expect === X_TOP) {
          if (this.atLineStart) {
            const r = this.fastPath(i, ending);
            if (r !== FP_NO) return r;
          }
          this.beginTop(T_RECORD, i);
          this.beginRecord(i, 0, undefined);
          this.frames.push(F_OBJ);
          this.expect = X_OBJ_KEY_OR_END;
          return i + 1;
        }
        return this.openNested(c, i);
      case 0x5b /* [ */:
        if (this.expect === X_TOP) {
          this.beginTop(T_ARRAY, i);
          this.frames.push(F_ARR);
          this.expect = X_ARR_VALUE_OR_END;
          this.beginList(1);
          return i + 1;
        }
        return this.openNested(c, i);
      case 0x7d /* } */:
        return this.close(F_OBJ, c, i);
      case 0x5d /* ] */:
        return this.close(F_ARR, c, i);
      case 0x22 /* " */:
        return this.openString(i);
      case 0x3a /* : */:
        if (this.expect !== X_OBJ_COLON) return this.unexpected(c, i);
        this.atLineStart = false;
        this.expect = X_OBJ_VALUE;
        return i + 1;
      case 0x2c /* , */:
        if (this.expect === X_OBJ_NEXT) this.expect = X_OBJ_KEY;
        else if (this.expect === X_ARR_NEXT) this.expect = X_ARR_VALUE;
        else return this.unexpected(c, i);
        this.atLineStart = false;
        return i + 1;
      default:
        // A byte order mark is allowed before the first value (Windows tools write one); it is not a column.
        if (c === 0xfeff && this.base + i === 0 && this.atFileStart) {
          this.lineStart = 1;
          return i + 1;
        }
        if (isLiteralChar(c) && this.valueExpected()) {
          this.valueStarts(i);
          this.atLineStart = false;
          this.lex = L_LITERAL;
          return i + 1;
        }
        return this.unexpected(c, i);
    }
  }

  private valueExpected(): boolean {
    const x = this.expect;
    return x === X_OBJ_VALUE || x === X_ARR_VALUE_OR_END || x === X_ARR_VALUE;
  }

  /** Bookkeeping when a value starts (not at the top level): a list element begins a record. */
  private valueStarts(i: number): void {
    if (this.expect === X_OBJ_VALUE) this.containerKeyHit = false;
    else if (this.frames.length === this.listDepth) this.beginElement(i);
  }

  private beginTop(kind: number, i: number): void {
    this.topKind = kind;
    this.topLine = this.line;
    this.topCol = this.col(i);
    this.topAtLineStart = this.atLineStart;
    this.atLineStart = false;
  }

  private beginList(depth: number): void {
    this.listDepth = depth;
    this.listIndex = 0;
    this.listIndent = -1;
  }

  private beginElement(i: number): void {
    const index = this.listIndex++;
    if (this.listIndent === -1) this.listIndent = this.atLineStart ? this.col(i) : 0;
    this.beginRecord(i, this.listDepth, index);
  }

  private beginRecord(i: number, depth: number, index: number | undefined): void {
    this.recActive = true;
    this.recDepth = depth;
    this.recFrom = i;
    this.recLen = 0;
    this.recOversized = false;
    this.recLine = this.line;
    this.recCol = this.col(i);
    this.recAbs = this.base + i;
    this.recIndex = index;
  }

  private dropRecord(): void {
    this.recActive = false;
    if (this.recParts.length > 0) this.recParts = [];
    this.recLen = 0;
    this.recOversized = false;
  }

  /** `{` or `[` inside a value: a nested container, a list element, or the array of a container key. */
  private openNested(c: number, i: number): number {
    const x = this.expect;
    if (x === X_OBJ_VALUE) {
      if (c === 0x5b && this.containerKeyHit) {
        // `"Records": [` at depth 1 of a top-level object: its elements are the records, the object is not one.
        this.containerKeyHit = false;
        this.atLineStart = false;
        if (this.topKind === T_RECORD) {
          this.dropRecord();
          this.topKind = T_CONTAINER;
        }
        this.frames.push(F_ARR);
        this.expect = X_ARR_VALUE_OR_END;
        this.beginList(2);
        return i + 1;
      }
      this.containerKeyHit = false;
    } else if (x === X_ARR_VALUE_OR_END || x === X_ARR_VALUE) {
      if (this.frames.length === this.listDepth) this.beginElement(i);
    } else {
      return this.unexpected(c, i);
    }
    this.atLineStart = false;
    if (c === 0x7b) {
      this.frames.push(F_OBJ);
      this.expect = X_OBJ_KEY_OR_END;
    } else {
      this.frames.push(F_ARR);
      this.expect = X_ARR_VALUE_OR_END;
    }
    return i + 1;
  }

  private close(kind: number, c: number, i: number): number {
    const d = this.frames.length;
    if (d === 0) return this.unexpected(c, i);
    const open = this.frames[d - 1];
    if (open !== kind) {
      return this.fail('badStructure', `${showChar(c)} does not close the ${open === F_OBJ ? 'object' : 'array'} that is open here`, i);
    }
    const x = this.expect;
    if (kind === F_OBJ ? x !== X_OBJ_KEY_OR_END && x !== X_OBJ_NEXT : x !== X_ARR_VALUE_OR_END && x !== X_ARR_NEXT) {
      return this.unexpected(c, i);
    }
    this.atLineStart = false;
    this.frames.pop();
    if (d === this.listDepth) this.listDepth = 0;
    if (d === 1) this.topKind = T_NONE;
    this.valueDone(i);
    return i + 1;
  }

  private openString(i: number): number {
    const x = this.expect;
    if (x === X_OBJ_KEY_OR_END || x === X_OBJ_KEY) {
      this.strIsKey = true;
      this.keyCapture = this.frames.length === 1 && (this.topKind === T_RECORD || this.topKind === T_CONTAINER);
      this.keyBuf = '';
    } else if (this.valueExpected()) {
      this.strIsKey = false;
      this.valueStarts(i);
    } else {
      return this.unexpected(0x22, i);
    }
    this.atLineStart = false;
    this.lex = L_STRING;
    this.strFrom = i + 1;
    this.strOddBs = false;
    return i + 1;
  }

  /** Finds the closing quote of the current string from `i`, jumping with indexOf. */
  private stringStep(i: number): number {
    const seg = this.seg;
    let from = i;
    for (;;) {
      const q = seg.indexOf('"', from);
      const nl = this.nextNl(from);
      if (nl !== -1 && (q === -1 || nl < q)) {
        // JSON strings cannot hold a raw newline: the string (and so the record) is cut off at this line's end.
        return this.fail('unterminatedString', 'string is not closed at the end of the line', nl);
      }
      if (q === -1) {
        this.strOddBs = this.oddBackslashesBefore(seg.length);
        if (this.keyCapture) this.captureKey(seg.length);
        return seg.length;
      }
      if (this.oddBackslashesBefore(q)) {
        from = q + 1;
        continue;
      }
      this.lex = L_NONE;
      if (this.strIsKey) {
        if (this.keyCapture) {
          this.captureKey(q);
          this.containerKeyHit = this.keys.has(this.keyBuf);
          this.keyCapture = false;
          this.keyBuf = '';
        }
        this.expect = X_OBJ_COLON;
      } else {
        this.valueDone(q);
      }
      return q + 1;
    }
  }

  /** True when the backslashes right before `q` (within the current string) are odd in number: `q` is escaped. */
  private oddBackslashesBefore(q: number): boolean {
    const seg = this.seg;
    let k = q - 1;
    let odd = false;
    while (k >= this.strFrom && seg.charCodeAt(k) === 0x5c) {
      odd = !odd;
      k--;
    }
    // Every character of this chunk's part is a backslash: the run continues from the previous chunk.
    if (k < this.strFrom && this.strOddBs) odd = !odd;
    return odd;
  }

  private captureKey(end: number): void {
    if (this.keyBuf.length > MAX_KEY_CHARS) return;
    this.keyBuf += this.seg.slice(this.strFrom, Math.min(end, this.strFrom + MAX_KEY_CHARS + 1));
  }

  private literalStep(i: number): number {
    const seg = this.seg;
    const n = seg.length;
    let j = i;
    while (j < n && isLiteralChar(seg.charCodeAt(j))) j++;
    if (j === n) return n;
    this.lex = L_NONE;
    this.valueDone(j - 1);
    return j;
  }

  /** A value ended at `end` (inclusive): set what comes next; a record at its list depth is complete. */
  private valueDone(end: number): void {
    const d = this.frames.length;
    this.expect = d === 0 ? X_TOP : this.frames[d - 1] === F_OBJ ? X_OBJ_NEXT : X_ARR_NEXT;
    if (this.recActive && d === this.recDepth) this.finishRecord(end);
  }

  private finishRecord(end: number): void {
    const tail = end + 1 - this.recFrom;
    const total = this.recLen + tail;
    if (this.recOversized || total > this.max) {
      this.report(
        cloudDiagnostic(
          'recordTooLarge',
          `JSON record of ${total} characters is larger than the limit of ${this.max}; skipped`,
          this.recLocation(),
        ),
      );
    } else {
      const last = this.seg.slice(this.recFrom, end + 1);
      const text = this.recParts.length === 0 ? last : this.recParts.join('') + last;
      this.emit({ text, origin: this.recOrigin(), offset: this.recAbs });
    }
    this.dropRecord();
  }

  /** At the end of a segment: keep the part of the record collected so far, or only its length once too large. */
  private segmentEnd(): void {
    if (!this.recActive) return;
    const piece = this.seg.length - this.recFrom;
    this.recLen += piece;
    if (!this.recOversized) {
      if (this.recLen > this.max) {
        this.recOversized = true;
        this.recParts = [];
      } else if (piece > 0) {
        this.recParts.push(this.seg.slice(this.recFrom));
      }
    }
    this.recFrom = 0;
  }

  /**
   * The NDJSON fast path for a line starting with `{` at the top level: returns the index of the line's end when
   * the line was emitted as one record, FP_NO to use the state machine, or FP_WAIT to hold the line back until its
   * end arrives (only while it is shorter than the fast-path limit).
   */
  private fastPath(i: number, ending: boolean): number {
    const seg = this.seg;
    const n = seg.length;
    const nl = this.nextNl(i);
    let end: number;
    if (nl === -1) {
      if (n - i >= this.fastLimit) return FP_NO;
      if (!ending) {
        this.la = [seg.slice(i)];
        this.laLen = n - i;
        this.laBase = this.base + i;
        return FP_WAIT;
      }
      end = n;
    } else {
      if (nl - i >= this.fastLimit) return FP_NO;
      end = nl;
    }
    let e = end - 1;
    while (e > i) {
      const c = seg.charCodeAt(e);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      e--;
    }
    if (seg.charCodeAt(e) !== 0x7d) return FP_NO;
    if (this.skipsLine !== undefined && this.skipsLine(seg, i, e + 1, this.base)) {
      this.atLineStart = false;
      return end;
    }
    const text = seg.slice(i, e + 1);
    if (this.mayMatchLine !== undefined && !this.mayMatchLine(text, this.base + i)) {
      this.atLineStart = false;
      return end;
    }
    if (!this.lineIsOneRecord(text)) return FP_NO;
    const origin: Origin = { file: this.file, line: this.line, column: this.col(i) };
    this.atLineStart = false;
    this.emit({ text, origin, offset: this.base + i });
    return end;
  }

  /** A `{…}` line is one record unless it may hold a container array or two values. */
  private lineIsOneRecord(text: string): boolean {
    if (text.indexOf('[') !== -1) {
      for (const needle of this.needles) if (text.indexOf(needle) !== -1) return false;
    }
    return !TWO_VALUES.test(text);
  }

  /** Reports a structural error at `i` and sets up resynchronisation; returns where scanning goes on. */
  private fail(name: CloudCodeName, message: string, i: number): number {
    const loc: Location = { file: this.file, line: this.line, column: this.col(i) };
    if (this.recActive && this.recIndex !== undefined) loc.record = this.recIndex;
    // An error found on a later line than the record began (a line missing its closing brace) names both places.
    const where = this.recActive && this.recLine !== this.line ? ` (in the record that starts at line ${this.recLine}, column ${this.recCol})` : '';
    this.report(cloudDiagnostic(name, `${message}${where}`, loc));
    const keepList = this.listDepth > 0 && this.listIndent > 0 && this.frames.length >= this.listDepth;
    let indent: number;
    if (keepList) {
      // A pretty-printed array whose elements start lines: go on with its next element.
      this.frames.length = this.listDepth;
      this.expect = X_ARR_VALUE_OR_END;
      indent = this.listIndent;
    } else {
      indent = this.frames.length > 0 && this.topAtLineStart ? this.topCol : 0;
      this.resetToTop();
    }
    this.dropRecord();
    this.lex = L_NONE;
    this.keyCapture = false;
    this.containerKeyHit = false;
    this.resyncIndent = indent;
    const c = this.seg.charCodeAt(i);
    if (this.atLineStart && (c === 0x7b || c === 0x5b) && (indent === 0 || this.col(i) === indent)) {
      // The character that broke the previous record starts a line and may start the next one.
      this.resync = R_OFF;
    } else {
      this.resync = R_SKIP_LINE;
    }
    return i;
  }

  private unexpected(c: number, i: number): number {
    if (this.expect === X_TOP) {
      return this.fail('textBetweenRecords', `unexpected ${showChar(c)} between records; expected a JSON object or array`, i);
    }
    return this.fail('badStructure', `unexpected ${showChar(c)}; expected ${EXPECT_TEXT[this.expect]}`, i);
  }

  private resetToTop(): void {
    this.frames.length = 0;
    this.expect = X_TOP;
    this.topKind = T_NONE;
    this.listDepth = 0;
    this.lex = L_NONE;
    this.dropRecord();
  }

  private resyncStep(i: number): number {
    const seg = this.seg;
    const n = seg.length;
    if (this.resync === R_SKIP_LINE) {
      const k = this.nextNl(i);
      if (k === -1) return n;
      this.newline(k);
      this.resync = R_LINE_START;
      return k + 1;
    }
    let j = i;
    while (j < n) {
      const c = seg.charCodeAt(j);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        j++;
      } else if (c === 0x0a) {
        this.newline(j);
        j++;
      } else {
        const fits = this.resyncIndent === 0 || this.col(j) === this.resyncIndent;
        this.resync = (c === 0x7b || c === 0x5b) && fits ? R_OFF : R_SKIP_LINE;
        return j;
      }
    }
    return n;
  }

  private newline(k: number): void {
    this.line++;
    this.lineStart = this.base + k + 1;
    this.atLineStart = true;
  }

  /** The next newline at or after `from` in the current segment (-1 when none), cached so scans stay linear. */
  private nextNl(from: number): number {
    if (this.nlc === -1) return -1;
    if (this.nlc < from) this.nlc = this.seg.indexOf('\n', from);
    return this.nlc;
  }

  private col(i: number): number {
    return this.base + i - this.lineStart + 1;
  }

  private recOrigin(): Origin {
    const o: Origin = { file: this.file, line: this.recLine, column: this.recCol };
    if (this.recIndex !== undefined) o.record = this.recIndex;
    return o;
  }

  private recLocation(): Location {
    const loc: Location = { file: this.file, line: this.recLine, column: this.recCol };
    if (this.recIndex !== undefined) loc.record = this.recIndex;
    return loc;
  }
}
