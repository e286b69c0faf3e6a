/**
 * The AWS CloudTrail reader (`aws.cloudtrail`). It reads, recognised by content rather than by file name:
 * - S3 log files, `{"Records":[…]}` (gzip is undone by the engine; the file is usually one long line);
 * - NDJSON or concatenated records (CloudWatch Logs exports, Firehose deliveries, CloudTrail Lake exports);
 * - `aws cloudtrail lookup-events` output, `{"Events":[{"EventId","CloudTrailEvent":"<JSON>",…}],"NextToken":…}`;
 * - CloudTrail Lake results: arrays or NDJSON of flat records, and `get-query-results` output
 *   `{"QueryResultRows":[[{"eventID":"…"},{"eventName":"…"}],…]}`;
 * - EventBridge events (`detail`) and test-case wrappers such as Panther's (`{"_note":…,"record":{…}}`).
 * `CloudTrail-Digest` files (hashes of log files, no events; they break readers that expect `Records`, see
 * formats.md §1.1) are recognised by `cloudtrailDigestReader` and skipped quietly.
 */
import { CloudTrailS3Splitter, parseS3Record, S3_FILE_START } from './cloudtrail-s3.js';
import type { Event } from '../core/event.js';
import { normalizeCloudTrail } from '../normalize/aws-cloudtrail.js';
import { cloudRecordSplitter, firstLineIsObject, NOT_JSON, parseJsonRecord } from './json-records.js';
import type { FileReader, FormatReader, ReadContext, SniffResult } from './types.js';

const NO: SniffResult = { kind: 'no' };
const READ: SniffResult = { kind: 'read' };

/** The head without a byte order mark and leading white space, when it starts like JSON; else undefined. */
function jsonHead(head: string): string | undefined {
  const s = head.replace(/^\uFEFF/, '').trimStart();
  const c = s.charCodeAt(0);
  return c === 0x7b || c === 0x5b ? s : undefined;
}

/**
 * A digest file: `digestStartTime` plus `logFiles` or `digestS3Object` (open-telemetry/opentelemetry-collector-
 * contrib#43737 lists the members), and no `Records`.
 */
function isDigest(s: string): boolean {
  return /"digestStartTime"\s*:/.test(s) && /"(?:logFiles|digestS3Object)"\s*:/.test(s) && !/"Records"\s*:/.test(s);
}

/** An `eventSource` naming an AWS service (any casing of the key: Lake columns are lower case). */
const AWS_EVENT_SOURCE = /"eventSource"\s*:\s*"[a-z0-9.-]*amazonaws\.com"/i;

/** Recognises CloudTrail content from the first 64 KiB. */
function sniffCloudTrail(head: string): SniffResult {
  const s = jsonHead(head);
  if (s === undefined || isDigest(s)) return NO;
  if (/^\{\s*"Records"\s*:\s*\[/.test(s)) return READ; // an S3 log file, possibly with no records
  if (/"CloudTrailEvent"\s*:/.test(s) || /"QueryResultRows"\s*:/.test(s)) return READ;
  if (AWS_EVENT_SOURCE.test(s)) return READ;
  if (/"eventVersion"\s*:/.test(s) && /"userIdentity"\s*:/.test(s) && /"eventName"\s*:/.test(s)) return READ;
  return NO;
}

/** The CloudTrail reader. */
export const cloudtrailReader: FormatReader = {
  format: 'cloudtrail',
  datasets: ['aws.cloudtrail'],
  prefilterable: true,
  sniff: (head) => sniffCloudTrail(head),
  // NDJSON (CloudWatch Logs and Firehose exports, Lake exports), not an S3 log file (one long document).
  splitsAtLineEnds: (head) => !jsonHead(head)?.startsWith(S3_FILE_START) && firstLineIsObject(head),
  open(ctx: ReadContext): FileReader {
    // CloudTrail-written S3 files take the fast path (cloudtrail-s3.ts); anything else the general splitter.
    let splitter: { push(text: string): void; end(): void; betweenRecords?(): boolean } | undefined;
    let fast = false;
    let head = '';
    const choose = (text: string): { push(text: string): void; end(): void } => {
      // (Only the file's own start decides: a later stretch of the file is read the way its start was.)
      fast = (ctx.firstLine ?? 1) === 1 && text.startsWith(S3_FILE_START);
      splitter = fast
        ? new CloudTrailS3Splitter({ file: ctx.file, maxRecordChars: ctx.options.maxRecordChars, report: ctx.report, emit: ctx.emit, mayMatch: ctx.mayMatch, skipsRange: ctx.skipsRange })
        : cloudRecordSplitter(ctx);
      return splitter;
    };
    return {
      push(text) {
        if (splitter) {
          splitter.push(text);
          return;
        }
        head += text;
        if (head.length < S3_FILE_START.length && S3_FILE_START.startsWith(head)) return; // too short to decide
        choose(head).push(head);
        head = '';
      },
      end() {
        const s = splitter ?? choose(head);
        if (head.length > 0) s.push(head);
        s.end();
      },
      betweenRecords: () => (splitter === undefined ? head.trim() === '' : !fast && (splitter.betweenRecords?.() ?? false)),
      parse(rec): Event[] {
        const values = fast ? parseS3Record(rec.text) : undefined;
        if (values === undefined) {
          const value = parseJsonRecord(rec, ctx.report);
          if (value === NOT_JSON) return [];
          const event = normalizeCloudTrail(value, rec, ctx.report);
          return event ? [event] : [];
        }
        const events: Event[] = [];
        for (const value of values) {
          const event = normalizeCloudTrail(value, rec, ctx.report);
          if (event) events.push(event);
        }
        return events;
      },
    };
  },
};

/** Recognises CloudTrail digest files so they are skipped without an error. */
export const cloudtrailDigestReader: FormatReader = {
  format: 'cloudtrail-digest',
  datasets: [],
  prefilterable: true,
  sniff(head): SniffResult {
    const s = jsonHead(head);
    if (s === undefined || !isDigest(s)) return NO;
    return { kind: 'skip', reason: 'CloudTrail digest file (hashes of log files for integrity validation, no events); skipped' };
  },
  open(): FileReader {
    // A digest holds no events: whatever is pushed is ignored.
    return { push: () => undefined, end: () => undefined, parse: () => [] };
  },
};
