/**
 * Splits decoded text that arrives in chunks of any size into lines (LF or CRLF), numbering them from 1. Blank lines
 * and `#` comment lines are counted but not delivered. A line longer than the record limit is reported once and
 * dropped while it streams past: it is never buffered whole.
 */
import type { Report } from '../../core/diagnostic.js';
import { syslogDiagnostic } from './diagnostic-codes.js';

/** Receives one line (without its line ending) and its 1-based line number. */
export type LineSink = (text: string, line: number) => void;

/** A stateful line splitter for one file. */
export class LineSplitter {
  private carry = '';
  /** Number of the line that `carry` belongs to. */
  private lineNo = 1;
  /** True while the rest of an over-long line is being discarded. */
  private skipping = false;
  private first = true;

  constructor(
    private readonly file: string,
    private readonly maxChars: number,
    private readonly report: Report,
    private readonly sink: LineSink,
  ) {}

  /** Feeds the next chunk; delivers every line it completes. */
  push(text: string): void {
    let start = 0;
    const n = text.length;
    while (start < n) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        if (!this.skipping) {
          this.carry += start === 0 ? text : text.slice(start);
          if (this.carry.length > this.maxChars) this.tooLong();
        }
        return;
      }
      if (this.skipping) {
        this.skipping = false;
      } else {
        const segment = text.slice(start, nl);
        const whole = this.carry.length === 0 ? segment : this.carry + segment;
        this.carry = '';
        if (whole.length > this.maxChars) this.reportTooLong();
        else this.deliver(whole);
      }
      this.lineNo++;
      start = nl + 1;
    }
  }

  /** Delivers the last line when the input does not end with a line break. */
  end(): void {
    if (!this.skipping && this.carry.length > 0) {
      const last = this.carry;
      this.carry = '';
      this.deliver(last);
    }
    this.skipping = false;
  }

  private tooLong(): void {
    this.reportTooLong();
    this.carry = '';
    this.skipping = true;
  }

  private reportTooLong(): void {
    this.report(
      syslogDiagnostic(
        'lineTooLong',
        `line is longer than ${this.maxChars} characters; skipped`,
        { file: this.file, line: this.lineNo },
      ),
    );
  }

  private deliver(raw: string): void {
    let text = raw;
    if (this.first) {
      this.first = false;
      // A UTF-8 byte order mark decodes to U+FEFF at the start of the file.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let end = text.length;
    if (end > 0 && text.charCodeAt(end - 1) === 13 /* \r */) end--;
    let i = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9) break;
      i++;
    }
    if (i === end) return; // blank
    if (text.charCodeAt(i) === 35 /* # */) return; // comment
    this.sink(end === text.length ? text : text.slice(0, end), this.lineNo);
  }
}
