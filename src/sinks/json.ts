/** The `json` sink: one JSON document `{ "alerts": [...], "summary": {...} }`, indented for reading. */
import type { AlertDocument } from '../core/alert.js';
import type { Sink, TextOut } from './types.js';

/** Creates a JSON sink writing to `out`; `summary()` is asked for at close so it includes the whole scan. */
export function createJsonSink(out: TextOut, summary: () => unknown): Sink {
  const all: AlertDocument[] = [];
  return {
    write(alerts: readonly AlertDocument[]) {
      all.push(...alerts);
    },
    async close() {
      out.write(`${JSON.stringify({ alerts: all, summary: summary() }, null, 2)}\n`);
      await out.end();
    },
  };
}
