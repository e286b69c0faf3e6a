/**
 * Plain NDJSON over HTTP POST: one JSON document per line, `Content-Type: application/x-ndjson`, a final newline, as
 * Vector's and Logstash's `http` sources, Fluent Bit's `http` input and Cribl accept it. A JSON record is sent as the
 * source wrote it (so `mirrorwatch scan` could read the collected file); a log line as
 * `{"@timestamp", "message", "host", "event": {"dataset"}}`. Status codes carry the meaning HTTP gives them: 2xx
 * taken, 413 too large, 429/503 try later, other 4xx refused.
 */
import { bodyExcerpt, retryAfterMs, type OutboundEvent, type Protocol, type Verdict, type WireDoc } from './http-batcher.js';

/** One NDJSON line (without the newline). */
export function ndjsonLine(e: OutboundEvent): WireDoc {
  const doc =
    typeof e.event === 'string'
      ? { '@timestamp': new Date(e.timeMs).toISOString(), message: e.event, ...(e.host !== undefined ? { host: { name: e.host } } : {}), event: { dataset: e.dataset } }
      : e.event;
  return { text: JSON.stringify(doc), label: e.label };
}

/** The NDJSON protocol. */
export const NDJSON_PROTOCOL: Protocol = {
  name: 'NDJSON',
  join: (docs) => docs.map((d) => `${d.text}\n`).join(''),
  classify(res): Verdict {
    if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
    const reason = `HTTP ${res.status} ${bodyExcerpt(res.body)}`;
    switch (res.status) {
      case 400:
      case 422:
        return { kind: 'bad-batch', reason };
      case 401:
      case 403:
      case 404:
      case 405:
        return { kind: 'fatal', reason: `the collector refused the request: ${reason}` };
      case 413:
        return { kind: 'too-large', reason };
      case 408:
      case 429:
      case 502:
      case 503:
      case 504:
        return { kind: 'retry', reason, afterMs: retryAfterMs(res.headers) };
      default:
        return res.status >= 500 ? { kind: 'retry', reason } : { kind: 'fatal', reason: `unexpected answer: ${reason}` };
    }
  },
};
