/**
 * Line records for the flow-log readers (VPC Flow Logs, Zeek TSV and JSON, nfdump CSV): text chunks of any size
 * become one raw record per non-blank line, numbered from 1, header and `#` lines included (they carry the column
 * layout). A line longer than the record limit is reported and skipped while it streams past, never buffered whole.
 */
import type { Report } from '../../core/diagnostic.js';
import type { RawRecord } from '../../core/event.js';
import { FLOW } from './diagnostic-codes.js';

/** Splits one file's text into line records. */
export class FlowLines {
  private carry = '';
  private lineNo = 1;
  private skipping = false;
  private first = true;

  constructor(
    private readonly file: string,
    private readonly maxChars: number,
    private readonly report: Report,
    private readonly emit: (rec: RawRecord) => void,
  ) {}

  /** Feeds the next chunk. */
  push(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        if (!this.skipping && start < text.length) {
          this.carry += text.slice(start);
          if (this.carry.length > this.maxChars) {
            this.tooLong();
            this.carry = '';
            this.skipping = true;
          }
        }
        return;
      }
      if (this.skipping) this.skipping = false;
      else {
        const line = this.carry + text.slice(start, nl);
        this.carry = '';
        if (line.length > this.maxChars) this.tooLong();
        else this.deliver(line);
      }
      this.lineNo++;
      start = nl + 1;
    }
  }

  /** Delivers a last line without a line break. */
  end(): void {
    if (!this.skipping && this.carry.length > 0) this.deliver(this.carry);
    this.carry = '';
    this.skipping = false;
  }

  private tooLong(): void {
    this.report({ code: FLOW.badRecord.code, severity: 'error', message: `line is longer than ${this.maxChars} characters; skipped`, file: this.file, line: this.lineNo });
  }

  private deliver(raw: string): void {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.trim().length === 0) return;
    this.emit({ text, origin: { file: this.file, line: this.lineNo } });
  }
}

/** The first non-blank line of a sniffed head (without a byte-order mark), or ''. */
export function firstLine(head: string): string {
  const s = head.replace(/^\uFEFF/, '');
  for (const line of s.split('\n', 20)) {
    const t = line.replace(/\r$/, '');
    if (t.trim().length > 0) return t;
  }
  return '';
}

/** The non-blank lines of a sniffed head, at most `n` (the last one may be cut by the 64 KiB limit). */
export function headLines(head: string, n: number): string[] {
  const out: string[] = [];
  for (const line of head.replace(/^\uFEFF/, '').split('\n')) {
    const t = line.replace(/\r$/, '');
    if (t.trim().length === 0) continue;
    out.push(t);
    if (out.length >= n) break;
  }
  return out;
}
