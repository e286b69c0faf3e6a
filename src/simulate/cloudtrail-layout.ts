/**
 * The CloudTrail S3 layout (formats.md §1.1; AWS CloudTrail User Guide, "Finding your CloudTrail log files" and
 * "CloudTrail log file examples"): `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
 * <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 characters>.json.gz`, each a gzip-compressed `{"Records":[…]}`.
 * CloudTrail delivers about every five minutes, a few minutes after the calls; the name and folder carry the delivery
 * time, and records inside a file are not ordered. A busy five minutes fills several files. Global services (IAM)
 * are delivered under us-east-1. A duplicate delivery (events.md §1.7) is a further file of the next delivery.
 *
 * Records arrive in time order; each region keeps only its current five-minute window in memory, bounded by the
 * records-per-file limit. Every file draws its name and order from its own random stream (seed, account, region,
 * window, part), so windows can be written by parallel workers and the output stays the same.
 */
import type { OutputDir } from './output-dir.js';
import { ALNUM, Random } from './random.js';
import { compactMinute, dateParts } from './time-format.js';
import type { SimRecord } from './types.js';

/** Delivery window. */
export const WINDOW_MS = 5 * 60_000;

/** Records per file at most: a busy window is split into several files. */
const MAX_RECORDS_PER_FILE = 2500;

/** Suffix of the ref of a record's second delivery. */
export const REDELIVERED = '#redelivered';

/** A layout writer: records in time order in, files out. */
export interface LayoutWriter {
  /** Adds one record; returns a promise only when the caller should wait (back-pressure). */
  add(rec: SimRecord): Promise<void> | undefined;
  finish(): Promise<void>;
}

interface Pending {
  account: string;
  region: string;
  window: number;
  part: number;
  items: string[];
  refs: (string | undefined)[];
}

/** Writes CloudTrail records into the S3 layout under `aws/`. */
export class CloudTrailLayout implements LayoutWriter {
  private readonly open = new Map<string, Pending>();

  constructor(
    private readonly out: OutputDir,
    private readonly seed: string,
    /** Refs of records CloudTrail delivers twice. */
    private readonly redeliver: ReadonlySet<string> = new Set(),
  ) {}

  add(rec: SimRecord): Promise<void> | undefined {
    if (rec.kind !== 'cloudtrail') throw new Error(`CloudTrail layout got a ${rec.kind} record`);
    const key = `${rec.account}/${rec.region}`;
    const window = Math.floor(rec.timeMs / WINDOW_MS);
    let p = this.open.get(key);
    const waits: Promise<void>[] = [];
    if (p && p.window !== window) {
      waits.push(this.write(p));
      p = undefined;
    }
    if (!p) {
      p = { account: rec.account, region: rec.region, window, part: 0, items: [], refs: [] };
      this.open.set(key, p);
    }
    const item = rec.text ?? JSON.stringify(rec.record);
    p.items.push(item);
    p.refs.push(rec.ref);
    if (rec.ref !== undefined && this.redeliver.has(rec.ref)) {
      // The retried delivery: the same record again, in a file of the next delivery.
      waits.push(this.write({ account: rec.account, region: rec.region, window: window + 1, part: 1000, items: [item], refs: [`${rec.ref}${REDELIVERED}`] }));
    }
    if (p.items.length >= MAX_RECORDS_PER_FILE) {
      waits.push(this.write(p));
      this.open.set(key, { ...p, part: p.part + 1, items: [], refs: [] });
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  private write(p: Pending): Promise<void> {
    if (p.items.length === 0) return Promise.resolve();
    const rng = new Random(this.seed, `layout:aws:${p.account}/${p.region}/${p.window}/${p.part}`);
    // Delivered 2 to 5 minutes after the window closes (about 5 minutes on average after the call, §1.1).
    const deliveredMs = (p.window + 1) * WINDOW_MS + rng.int(120, 300) * 1000 + rng.int(0, 999);
    const d = dateParts(deliveredMs);
    const name = `${p.account}_CloudTrail_${p.region}_${compactMinute(deliveredMs)}_${rng.chars(16, ALNUM)}.json.gz`;
    const rel = `aws/AWSLogs/${p.account}/CloudTrail/${p.region}/${d.y}/${d.m}/${d.d}/${name}`;
    // Records inside a file are not in order (CloudTrail record contents: "not an ordered stack trace").
    const order = rng.shuffle(p.items.map((_, i) => i));
    const parts: string[] = [];
    order.forEach((from, i) => {
      parts.push(p.items[from]);
      this.out.locate(p.refs[from], { file: rel, line: 1, record: i });
    });
    const text = `{"Records":[${parts.join(',')}]}`;
    return this.out.writeWhole(rel, text, { format: 'cloudtrail', records: parts.length }, true, deliveredMs);
  }

  async finish(): Promise<void> {
    const all = [...this.open.values()].sort((a, b) => (a.account + a.region < b.account + b.region ? -1 : 1));
    this.open.clear();
    for (const p of all) await this.write(p);
  }
}
