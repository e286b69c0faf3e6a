/**
 * Device log files as a collector keeps them: the syslog collector's file per day (`devices/syslog/
 * network-YYYY-MM-DD.log`, lines of every device interleaved, as rsyslog writes a network facility), each NX-OS
 * switch's local accounting log (`devices/nxos/<host>.accounting.log`, what `show accounting log` prints), and the
 * tac_plus accounting file per day (`devices/tacacs/acct-YYYY-MM-DD.log`). Each file's modification time is its
 * last line's time: RFC 3164 timestamps carry no year, and readers infer it from that time.
 */
import type { LayoutWriter } from './cloudtrail-layout.js';
import { SEQ, SEQ6 } from './device-lines.js';
import { AppendFile, type OutputDir, type WrittenFile } from './output-dir.js';
import type { Random } from './random.js';
import { isoDate } from './time-format.js';
import type { SimRecord } from './types.js';

/** Writes device lines under `devices/`. */
export class DeviceLayout implements LayoutWriter {
  private readonly files = new Map<string, { file: AppendFile; format: WrittenFile['format'] }>();
  private readonly seq = new Map<string, number>();

  constructor(
    private readonly out: OutputDir,
    rng: Random,
  ) {
    // Devices have been up for a while: their message counters do not start at 1.
    this.seqBase = rng.int(1000, 90000);
  }

  private readonly seqBase: number;

  add(rec: SimRecord): Promise<void> | undefined {
    if (rec.kind !== 'device') throw new Error(`device layout got a ${rec.kind} record`);
    let rel: string;
    let format: WrittenFile['format'];
    switch (rec.stream.kind) {
      case 'syslog':
        rel = `devices/syslog/network-${isoDate(rec.timeMs)}.log`;
        format = 'syslog';
        break;
      case 'nxos-accounting':
        rel = `devices/nxos/${rec.stream.host}.accounting.log`;
        format = 'nxos-accounting';
        break;
      case 'tacacs':
        rel = `devices/tacacs/acct-${isoDate(rec.timeMs)}.log`;
        format = 'tacacs-accounting';
        break;
    }
    let entry = this.files.get(rel);
    if (!entry) {
      entry = { file: new AppendFile(this.out, rel), format };
      this.files.set(rel, entry);
    }
    let line = rec.line;
    if (line.includes(SEQ)) {
      const n = (this.seq.get(rec.host) ?? this.seqBase + this.seq.size * 7919) + 1;
      this.seq.set(rec.host, n);
      line = line.replace(SEQ, String(n)).replace(SEQ6, String(n).padStart(6, '0'));
    }
    const { line: number, wait } = entry.file.write(line, rec.timeMs);
    this.out.locate(rec.ref, { file: rel, line: number });
    return wait;
  }

  async finish(): Promise<void> {
    for (const [rel, { file, format }] of [...this.files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      await file.close();
      this.out.addFile({ path: rel, format, records: file.records, bytes: file.bytes });
    }
    this.files.clear();
  }
}
