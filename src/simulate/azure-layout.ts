/**
 * Azure Activity Log layouts (formats.md §1.4):
 * - storage account export: `insights-activity-logs/resourceId=/SUBSCRIPTIONS/<ID>/y=YYYY/m=MM/d=DD/h=HH/m=00/
 *   PT1H.json`, one record per line, the path hour being the hour the record was received (a minute or two after the
 *   event);
 * - Event Hub: each message body is `{"records":[…]}` with the records of a short interval. Event Hubs Capture
 *   writes Avro, so the JSON bodies are what a consumer (a Function, Logstash, a custom reader) saves; they are
 *   written one body per line under `eventhub/insights-activity-logs/<date>/partition-<n>.json`, as such a consumer
 *   would append them per partition.
 */
import type { LayoutWriter } from './cloudtrail-layout.js';
import { AppendFile, type OutputDir } from './output-dir.js';
import type { Random } from './random.js';
import { dateParts, isoDate } from './time-format.js';
import type { AzureLayout, SimRecord } from './types.js';

const HOUR = 3_600_000;

/** Writes Activity Log records into the storage export layout under `azure/`. */
export class AzureStorageLayout implements LayoutWriter {
  private readonly files = new Map<string, AppendFile>();
  private lastSweepMs = 0;

  constructor(
    private readonly out: OutputDir,
    private readonly rng: Random,
  ) {}

  add(rec: SimRecord): Promise<void> | undefined {
    if (rec.kind !== 'azure') throw new Error(`Azure layout got a ${rec.kind} record`);
    const received = rec.timeMs + this.rng.int(30, 150) * 1000;
    const d = dateParts(received);
    const rel = `azure/insights-activity-logs/resourceId=/SUBSCRIPTIONS/${rec.subscription.toUpperCase()}/y=${d.y}/m=${d.m}/d=${d.d}/h=${d.h}/m=00/PT1H.json`;
    let f = this.files.get(rel);
    if (!f) {
      f = new AppendFile(this.out, rel);
      this.files.set(rel, f);
    }
    const { line, wait } = f.write(JSON.stringify(rec.record), received);
    this.out.locate(rec.ref, { file: rel, line });
    if (received - this.lastSweepMs > HOUR) {
      this.lastSweepMs = received;
      return Promise.all([wait, this.closeOld(received)]).then(() => undefined);
    }
    return wait;
  }

  /** Blobs of hours well past are complete: close them so few files stay open. */
  private async closeOld(nowMs: number): Promise<void> {
    for (const [rel, f] of this.files) {
      if (f.lastTimeMs < nowMs - 2 * HOUR) {
        this.files.delete(rel);
        await this.done(rel, f);
      }
    }
  }

  private async done(rel: string, f: AppendFile): Promise<void> {
    await f.close();
    this.out.addFile({ path: rel, format: 'azure-activity', records: f.records, bytes: f.bytes });
  }

  async finish(): Promise<void> {
    for (const [rel, f] of [...this.files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) await this.done(rel, f);
    this.files.clear();
  }
}

/** Writes Activity Log records as Event Hub message bodies under `azure/eventhub/`. */
export class AzureEventHubLayout implements LayoutWriter {
  private batch: SimRecord[] = [];
  private batchLimit: number;
  private readonly files = new Map<string, AppendFile>();

  constructor(
    private readonly out: OutputDir,
    private readonly rng: Random,
  ) {
    this.batchLimit = rng.int(1, 12);
  }

  add(rec: SimRecord): Promise<void> | undefined {
    if (rec.kind !== 'azure') throw new Error(`Azure layout got a ${rec.kind} record`);
    const first = this.batch[0];
    // Azure Monitor sends what it has every few seconds; a quiet minute closes a message.
    if (first && (this.batch.length >= this.batchLimit || rec.timeMs - first.timeMs > 60_000)) {
      const full = this.batch;
      this.batch = [rec];
      this.batchLimit = this.rng.int(1, 12);
      return this.writeBatch(full);
    }
    this.batch.push(rec);
    return undefined;
  }

  private async writeBatch(batch: SimRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1].timeMs;
    const rel = `azure/eventhub/insights-activity-logs/${isoDate(last)}/partition-${this.rng.int(0, 3)}.json`;
    let f = this.files.get(rel);
    if (!f) {
      f = new AppendFile(this.out, rel);
      this.files.set(rel, f);
    }
    const body = `{"records":[${batch.map((r) => JSON.stringify((r as { record: unknown }).record)).join(',')}]}`;
    const { line, wait } = f.write(body, last + 60_000, batch.length);
    batch.forEach((r, i) => this.out.locate(r.ref, { file: rel, line, record: i }));
    await wait;
  }

  async finish(): Promise<void> {
    await this.writeBatch(this.batch);
    this.batch = [];
    for (const [rel, f] of [...this.files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      await f.close();
      this.out.addFile({ path: rel, format: 'azure-activity', records: f.records, bytes: f.bytes });
    }
    this.files.clear();
  }
}

/** The writer of a layout. */
export function azureLayout(kind: AzureLayout, out: OutputDir, rng: Random): LayoutWriter {
  switch (kind) {
    case 'storage':
      return new AzureStorageLayout(out, rng);
    case 'eventhub':
      return new AzureEventHubLayout(out, rng);
  }
}
