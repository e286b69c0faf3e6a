/**
 * The Cloud Logging → Cloud Storage sink layout (formats.md §1.5; https://cloud.google.com/logging/docs/export/storage):
 * directories by log type and date, `cloudaudit.googleapis.com/activity/YYYY/MM/DD/`, hourly files named by period
 * and shard, `08:00:00_08:59:59_S0.json`, one LogEntry per line. Windows file systems do not allow `:` in names, so
 * there the colons become `-` (the bundled examples use that form).
 */
import type { LayoutWriter } from './cloudtrail-layout.js';
import { AppendFile, type OutputDir } from './output-dir.js';
import { dateParts } from './time-format.js';
import type { SimRecord } from './types.js';

const HOUR = 3_600_000;
const COLON = process.platform === 'win32' ? '-' : ':';

/** Writes LogEntries into the sink layout under `gcp/`. */
export class GcpSinkLayout implements LayoutWriter {
  private readonly files = new Map<string, AppendFile>();
  private lastSweepMs = 0;

  constructor(private readonly out: OutputDir) {}

  add(rec: SimRecord): Promise<void> | undefined {
    if (rec.kind !== 'gcp') throw new Error(`GCP layout got a ${rec.kind} record`);
    const d = dateParts(rec.timeMs);
    const name = `${d.h}${COLON}00${COLON}00_${d.h}${COLON}59${COLON}59_S0.json`;
    const rel = `gcp/cloudaudit.googleapis.com/${rec.logType}/${d.y}/${d.m}/${d.d}/${name}`;
    let f = this.files.get(rel);
    if (!f) {
      f = new AppendFile(this.out, rel);
      this.files.set(rel, f);
    }
    const { line, wait } = f.write(JSON.stringify(rec.record), rec.timeMs);
    this.out.locate(rec.ref, { file: rel, line });
    if (rec.timeMs - this.lastSweepMs > HOUR) {
      this.lastSweepMs = rec.timeMs;
      return Promise.all([wait, this.closeOld(rec.timeMs)]).then(() => undefined);
    }
    return wait;
  }

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
    this.out.addFile({ path: rel, format: 'gcp-audit', records: f.records, bytes: f.bytes });
  }

  async finish(): Promise<void> {
    for (const [rel, f] of [...this.files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) await this.done(rel, f);
    this.files.clear();
  }
}
