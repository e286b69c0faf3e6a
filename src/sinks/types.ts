/**
 * The sink seam: where alerts go. A sink is created from validated options and receives alerts in their final
 * order; `close` finishes the output (a JSON array's closing bracket, a table's trailing line).
 */
import type { AlertDocument } from '../core/alert.js';

/** A destination for alerts. */
export interface Sink {
  /** Writes alerts (already sorted). */
  write(alerts: readonly AlertDocument[]): void;
  /** Finishes the output and releases the stream (does not close stdout). */
  close(): Promise<void>;
}

/** A writable text destination: stdout or a file. */
export interface TextOut {
  write(text: string): void;
  end(): Promise<void>;
  /** True when the destination is an interactive terminal. */
  readonly isTTY: boolean;
  /** Terminal width in columns, when known. */
  readonly columns?: number;
}
