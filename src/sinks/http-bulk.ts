/**
 * Elasticsearch `_bulk` (Elasticsearch REST API, "Bulk API", https://www.elastic.co/docs/api/doc/elasticsearch/
 * operation/operation-bulk): NDJSON, `Content-Type: application/x-ndjson`, an action line before each document and a
 * final newline. Documents go to data streams, which accept only the `create` action and need `@timestamp`; the
 * default stream is `logs-<dataset>-default`, the name Elastic's integrations use (`logs-aws.cloudtrail-default`),
 * so an installed integration's ingest pipeline parses `message` as it does for its own inputs.
 *
 * The response has `errors` and one `items[]` entry per document, in order, each with its `status` and `error`:
 * 429 items are retried (bulk rejections under load), other failures are reported per document. A whole request is
 * refused with 413 above `http.max_content_length` (100 MB by default) and 400 when the body is malformed.
 */
import { bodyExcerpt, retryAfterMs, type OutboundEvent, type Protocol, type Verdict, type WireDoc } from './http-batcher.js';

/** The data stream of a dataset (`logs-<dataset>-default`). */
export function dataStreamOf(dataset: string): string {
  return `logs-${dataset}-default`;
}

/** The action line and source document of one event. */
export function bulkDocument(e: OutboundEvent, index?: string): WireDoc {
  const action = JSON.stringify({ create: { _index: index ?? dataStreamOf(e.dataset) } });
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(e.timeMs).toISOString(),
    message: typeof e.event === 'string' ? e.event : JSON.stringify(e.event),
  };
  if (e.host !== undefined) doc.host = { name: e.host };
  doc.event = { dataset: e.dataset };
  return { text: `${action}\n${JSON.stringify(doc)}\n`, label: e.label };
}

interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string };
}

/** The `_bulk` protocol. */
export const BULK_PROTOCOL: Protocol = {
  name: 'Elasticsearch _bulk',
  // Each document already ends with a newline, so the body ends with one as the API requires.
  join: (docs) => docs.map((d) => d.text).join(''),
  classify(res, batch): Verdict {
    if (res.status >= 200 && res.status < 300) {
      let parsed: { errors?: boolean; items?: Record<string, BulkItem>[] };
      try {
        parsed = JSON.parse(res.body) as typeof parsed;
      } catch {
        return { kind: 'fatal', reason: `the _bulk answer is not JSON: ${bodyExcerpt(res.body)}` };
      }
      if (!parsed.errors) return { kind: 'ok' };
      const items = parsed.items ?? [];
      if (items.length !== batch.length) return { kind: 'fatal', reason: `the _bulk answer lists ${items.length} items for ${batch.length} documents` };
      const retry: number[] = [];
      const rejected: { index: number; reason: string }[] = [];
      items.forEach((entry, i) => {
        const item = Object.values(entry)[0] ?? {};
        const status = item.status ?? 0;
        if (status >= 200 && status < 300) return;
        if (status === 429 || status >= 500) retry.push(i);
        else rejected.push({ index: i, reason: `${status} ${item.error?.type ?? 'error'}: ${item.error?.reason ?? ''}`.trim() });
      });
      return { kind: 'partial', retry, rejected };
    }
    const reason = `HTTP ${res.status} ${bodyExcerpt(res.body)}`;
    switch (res.status) {
      case 400:
        return { kind: 'bad-batch', reason };
      case 401:
      case 403:
        return { kind: 'fatal', reason: `Elasticsearch refused the credentials: ${reason}` };
      case 404:
        return { kind: 'fatal', reason: `no _bulk endpoint at this URL: ${reason}` };
      case 413:
        return { kind: 'too-large', reason };
      case 429:
      case 502:
      case 503:
      case 504:
        return { kind: 'retry', reason, afterMs: retryAfterMs(res.headers) };
      default:
        return res.status >= 500 ? { kind: 'retry', reason } : { kind: 'fatal', reason: `unexpected answer from Elasticsearch: ${reason}` };
    }
  },
};
