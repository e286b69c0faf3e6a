/** The `ndjson` sink: one ECS alert document per line (DESIGN.md §6, the contract scripts rely on). */
import type { AlertDocument } from '../core/alert.js';
import type { Sink, TextOut } from './types.js';

/** Creates an NDJSON sink writing to `out`. */
export function createNdjsonSink(out: TextOut): Sink {
  return {
    write(alerts: readonly AlertDocument[]) {
      for (const a of alerts) out.write(`${JSON.stringify(a)}\n`);
    },
    close: () => out.end(),
  };
}
