/**
 * Shared delivery logic of the HTTP senders (Splunk HEC, Elasticsearch `_bulk`, plain NDJSON): documents are
 * batched by bytes, each batch POSTed once at a time, and the answer classified by the protocol:
 * - accepted: done;
 * - throttled or unavailable (429, 503, HEC "server is busy", connection errors, timeouts): retried with exponential
 *   backoff and jitter, honouring `Retry-After`, up to a limit;
 * - too large (413, the collector's `max_content_length`): split in halves and each half sent, down to one
 *   document, which is then reported as too large;
 * - rejected as a whole for one bad document (400; HEC code 6 "Invalid data format" fails the whole batch and names
 *   `invalid-event-number`): the named document, or else the half holding the fault found by bisection, is reported
 *   as the poison record and every other document is still delivered;
 * - per-document results (`_bulk` items): retryable items are retried, the others reported;
 * - refused (401/403 bad token, 404 wrong endpoint, an index that does not exist): delivery stops with a clear error.
 * These are the failure modes users report for HEC and bulk senders (formats.md §2.3 and §4, "SIEM sink limits").
 */
import { HttpClient, type PostResult, type PostTarget } from './http-client.js';

/** An event to send, before a protocol frames it: its time, dataset, origin host and the record itself. */
export interface OutboundEvent {
  timeMs: number;
  /** `aws.cloudtrail`, `azure.activitylogs`, `gcp.audit`, `cisco_ios.log`, … */
  dataset: string;
  /** The device or service the record comes from. */
  host?: string;
  /** A JSON record as the source wrote it, or a log line. */
  event: Record<string, unknown> | string;
  /** Identifies the record in reports (CloudTrail eventID, Azure correlationId, file:line, …). */
  label: string;
}

/** One document ready for the wire, with a label that identifies it in reports (its natural key). */
export interface WireDoc {
  /** The document's bytes as the protocol frames them (HEC envelope, bulk action and source lines, one NDJSON line). */
  text: string;
  label: string;
}

/** What the protocol made of a response. */
export type Verdict =
  | { kind: 'ok' }
  | { kind: 'retry'; reason: string; afterMs?: number }
  | { kind: 'too-large'; reason: string }
  | { kind: 'bad-batch'; reason: string; index?: number }
  | { kind: 'partial'; retry: number[]; rejected: { index: number; reason: string }[] }
  | { kind: 'fatal'; reason: string };

/** A wire protocol: how documents are joined into a body and how responses are read. */
export interface Protocol {
  name: string;
  join(docs: readonly WireDoc[]): string;
  classify(response: Extract<PostResult, { kind: 'response' }>, batch: readonly WireDoc[]): Verdict;
}

/** Delivery settings (validated by `http-options.ts`). */
export interface DeliveryOptions {
  /** Largest request body in bytes (a single larger document is still sent alone). */
  maxBatchBytes: number;
  /** Retries of one request before giving up. */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** What happened to the documents. */
export interface DeliveryReport {
  protocol: string;
  url: string;
  delivered: number;
  requests: number;
  retries: number;
  /** Batches split because the collector found them too large. */
  splits: number;
  /** Documents the collector refused, each with the reason (the poison records). */
  rejected: { label: string; reason: string }[];
  /** Why delivery stopped early, if it did; documents not yet sent are counted in `unsent`. */
  aborted?: string;
  unsent: number;
}

/** Thrown inside the sender to stop delivery (the collector refused us, or retries ran out). */
class Abort extends Error {}

/** Batches documents and delivers them with retries, splitting and bisection. */
export class HttpSender {
  private batch: WireDoc[] = [];
  private batchBytes = 0;
  private readonly client: HttpClient;
  readonly report: DeliveryReport;

  constructor(
    private readonly protocol: Protocol,
    target: PostTarget,
    private readonly options: DeliveryOptions,
    /** Waits between retries (tests pass a fast clock). */
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.client = new HttpClient(target);
    this.report = { protocol: protocol.name, url: redact(target.url), delivered: 0, requests: 0, retries: 0, splits: 0, rejected: [], unsent: 0 };
  }

  /** Queues one document; sends the current batch first when this one would make it too large. */
  async add(doc: WireDoc): Promise<void> {
    if (this.report.aborted) {
      this.report.unsent++;
      return;
    }
    const size = Buffer.byteLength(doc.text);
    if (this.batch.length > 0 && this.batchBytes + size > this.options.maxBatchBytes) await this.flush();
    this.batch.push(doc);
    this.batchBytes += size;
  }

  /** Sends what is queued. */
  async flush(): Promise<void> {
    const docs = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (docs.length === 0) return;
    if (this.report.aborted) {
      this.report.unsent += docs.length;
      return;
    }
    try {
      await this.deliver(docs);
    } catch (err) {
      if (!(err instanceof Abort)) throw err;
      this.report.aborted = err.message;
      this.report.unsent += docs.length - this.deliveredOf(docs);
    }
  }

  /** Sends the rest and closes connections; resolves to the report. */
  async close(): Promise<DeliveryReport> {
    await this.flush();
    this.client.close();
    return this.report;
  }

  private readonly done = new WeakSet<WireDoc>();

  private deliveredOf(docs: readonly WireDoc[]): number {
    let n = 0;
    for (const d of docs) if (this.done.has(d)) n++;
    return n;
  }

  private accept(docs: readonly WireDoc[]): void {
    for (const d of docs) {
      if (!this.done.has(d)) {
        this.done.add(d);
        this.report.delivered++;
      }
    }
  }

  private reject(doc: WireDoc, reason: string): void {
    this.done.add(doc);
    this.report.rejected.push({ label: doc.label, reason });
  }

  /** Delivers `docs` (one request, or more after a split or bisection). */
  private async deliver(docs: readonly WireDoc[]): Promise<void> {
    let attempt = 0;
    for (;;) {
      this.report.requests++;
      const result = await this.client.post(this.protocol.join(docs));
      const verdict: Verdict =
        result.kind === 'network' ? { kind: 'retry', reason: `connection failed: ${result.reason}` } : this.protocol.classify(result, docs);
      switch (verdict.kind) {
        case 'ok':
          this.accept(docs);
          return;
        case 'retry': {
          if (attempt >= this.options.retries) throw new Abort(`gave up after ${attempt} retries: ${verdict.reason}`);
          attempt++;
          this.report.retries++;
          await this.sleep(this.backoff(attempt, verdict.afterMs));
          continue;
        }
        case 'too-large':
          if (docs.length === 1) {
            this.reject(docs[0], `too large for the collector (${verdict.reason})`);
            return;
          }
          this.report.splits++;
          await this.halves(docs);
          return;
        case 'bad-batch':
          if (docs.length === 1) {
            this.reject(docs[0], verdict.reason);
            return;
          }
          if (verdict.index !== undefined && verdict.index >= 0 && verdict.index < docs.length) {
            // The collector named the bad document: resend the others around it.
            if (verdict.index > 0) await this.deliver(docs.slice(0, verdict.index));
            this.reject(docs[verdict.index], verdict.reason);
            if (verdict.index + 1 < docs.length) await this.deliver(docs.slice(verdict.index + 1));
            return;
          }
          await this.halves(docs);
          return;
        case 'partial': {
          const rejected = new Set(verdict.rejected.map((r) => r.index));
          for (const r of verdict.rejected) this.reject(docs[r.index], r.reason);
          const again = new Set(verdict.retry);
          this.accept(docs.filter((_, i) => !rejected.has(i) && !again.has(i)));
          if (verdict.retry.length === 0) return;
          if (attempt >= this.options.retries) throw new Abort(`gave up after ${attempt} retries: ${verdict.retry.length} document(s) still refused as busy`);
          attempt++;
          this.report.retries++;
          await this.sleep(this.backoff(attempt));
          docs = verdict.retry.map((i) => docs[i]);
          continue;
        }
        case 'fatal':
          throw new Abort(verdict.reason);
      }
    }
  }

  private async halves(docs: readonly WireDoc[]): Promise<void> {
    const mid = Math.ceil(docs.length / 2);
    await this.deliver(docs.slice(0, mid));
    await this.deliver(docs.slice(mid));
  }

  /** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), or Retry-After. */
  private backoff(attempt: number, afterMs?: number): number {
    if (afterMs !== undefined) return Math.min(afterMs, this.options.retryMaxMs);
    const cap = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }
}

/** The URL without credentials, for reports. */
export function redact(url: URL): string {
  const u = new URL(url.href);
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  return u.href;
}

/** `Retry-After` in milliseconds (delta-seconds form, RFC 9110 §10.2.3), if present. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const v = headers['retry-after'];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const n = Number(s);
  if (Number.isFinite(n) && n >= 0) return n * 1000;
  const date = Date.parse(s);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The first part of a response body, for error messages. */
export function bodyExcerpt(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
