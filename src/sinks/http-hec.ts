/**
 * Splunk HTTP Event Collector, `services/collector/event` (formats.md §2.3; Splunk, "Format events for HTTP Event
 * Collector" and "HTTP Event Collector REST API endpoints", https://help.splunk.com/splunk-enterprise/get-data-in/
 * collect-http-event-data/format-events-for-http-event-collector):
 * - `Authorization: Splunk <token>`; `Content-Type: application/json`;
 * - a batch is JSON event objects **concatenated**, not an array (an array is rejected with 400);
 * - each envelope: `time` (epoch seconds, decimals allowed; wins over an extracted timestamp), `host`, `source`,
 *   `sourcetype`, optional `index`, and `event` (the record object, or a log line);
 * - answers `{"text":"Success","code":0}`; errors carry a HEC status code (Splunk, "Troubleshoot HTTP Event
 *   Collector", possible error codes): 2/3 token missing/invalid authorization (401), 1/4 token disabled/invalid
 *   (403), 5 no data, 6 invalid data format with `invalid-event-number` (the whole batch fails), 7 incorrect index,
 *   12/13 event field missing/blank (400), 8 internal error (500), 9 server busy (503); 413 above
 *   `max_content_length`.
 */
import { bodyExcerpt, retryAfterMs, type OutboundEvent, type Protocol, type Verdict, type WireDoc } from './http-batcher.js';

/**
 * Source types the Splunk add-ons use for each dataset: Splunk Add-on for AWS (`aws:cloudtrail`), Splunk Add-on for
 * Microsoft Cloud Services (`mscs:azure:eventhub`), Splunk Add-on for Google Cloud Platform
 * (`google:gcp:pubsub:message`), Splunk Add-on for Cisco Networks (`cisco:ios`), Splunk Add-on for Juniper
 * (`juniper:junos:structured`); others are plain `syslog`. Check them against the add-ons installed.
 */
const SOURCETYPES: Record<string, string> = {
  'aws.cloudtrail': 'aws:cloudtrail',
  'azure.activitylogs': 'mscs:azure:eventhub',
  'gcp.audit': 'google:gcp:pubsub:message',
  'cisco_ios.log': 'cisco:ios',
  'cisco_nxos.log': 'cisco:ios',
  'cisco_iosxr.log': 'cisco:ios',
  'juniper.log': 'juniper:junos:structured',
  'arista_eos.log': 'syslog',
  'tacacs.accounting': 'tacacs:accounting',
};

/** The HEC envelope of one event. */
export function hecEnvelope(e: OutboundEvent, index?: string): WireDoc {
  const envelope: Record<string, unknown> = {
    time: Number((e.timeMs / 1000).toFixed(3)),
    host: e.host ?? 'mirrorwatch-simulate',
    source: `mirrorwatch:simulate:${e.dataset}`,
    sourcetype: SOURCETYPES[e.dataset] ?? '_json',
  };
  if (index !== undefined) envelope.index = index;
  envelope.event = e.event;
  return { text: JSON.stringify(envelope), label: e.label };
}

/** A HEC error body: `{"text": "...", "code": N, "invalid-event-number": M}`. */
function parseBody(body: string): { text?: string; code?: number; invalid?: number } {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    return {
      text: typeof v.text === 'string' ? v.text : undefined,
      code: typeof v.code === 'number' ? v.code : undefined,
      invalid: typeof v['invalid-event-number'] === 'number' ? (v['invalid-event-number'] as number) : undefined,
    };
  } catch {
    return {};
  }
}

/** The HEC protocol. */
export const HEC_PROTOCOL: Protocol = {
  name: 'Splunk HEC',
  join: (docs) => docs.map((d) => d.text).join(''),
  classify(res): Verdict {
    const b = parseBody(res.body);
    const what = b.text !== undefined ? `${b.text}${b.code !== undefined ? ` (HEC code ${b.code})` : ''}` : `HTTP ${res.status} ${bodyExcerpt(res.body)}`;
    // A 2xx means the events were taken (codes 24/25 on a 200 warn of a nearly full queue; resending would duplicate).
    if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
    switch (res.status) {
      case 400:
        if (b.code === 7) return { kind: 'fatal', reason: `HEC refused the index: ${what}; check --index and the token's allowed indexes` };
        if (b.code === 10 || b.code === 11) return { kind: 'fatal', reason: `HEC requires a data channel (indexer acknowledgement is on for this token): ${what}` };
        return { kind: 'bad-batch', reason: what, index: b.invalid };
      case 401:
      case 403:
        return { kind: 'fatal', reason: `HEC refused the token: ${what}` };
      case 404:
        return { kind: 'fatal', reason: `no HEC endpoint at this URL (HTTP 404); the path should be /services/collector/event` };
      case 413:
        return { kind: 'too-large', reason: what };
      case 429:
      case 500:
      case 502:
      case 503:
      case 504:
        return { kind: 'retry', reason: what, afterMs: retryAfterMs(res.headers) };
      default:
        return { kind: 'fatal', reason: `unexpected answer from HEC: ${what}` };
    }
  },
};
