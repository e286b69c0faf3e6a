/**
 * The GCP Cloud Audit Logs reader (`gcp.audit`). It reads, recognised by content:
 * - Cloud Storage sink files (`cloudaudit.googleapis.com/activity/YYYY/MM/DD/…_S0.json`), one LogEntry per line;
 * - `gcloud logging read --format=json` output: a JSON array of LogEntries, newest first (the engine orders events);
 * - Cloud Logging `entries.list` responses, `{"entries":[…]}`;
 * - Pub/Sub sink messages: pull responses `{"receivedMessages":[{"ackId","message":{"data":"<base64>",…}}]}`
 *   (also as arrays of received messages, as `gcloud pubsub subscriptions pull --format=json` prints them) and push
 *   envelopes `{"message":{"data":"<base64>","messageId",…},"subscription":"…"}`, one per line or in arrays.
 *
 * A Pub/Sub message's LogEntry is its base64-decoded `data` (https://cloud.google.com/pubsub/docs/reference/rest/v1/PubsubMessage;
 * a logging sink publishes one LogEntry per message). The engine's prefilter looks for literal strings in a raw
 * record's text, so the reader decodes in the emit path and hands the engine the decoded LogEntry, with the
 * envelope's origin, never the base64 envelope.
 */
import type { Report } from '../core/diagnostic.js';
import type { Event } from '../core/event.js';
import { isObject, str, type JsonObject } from '../core/json.js';
import { originLocation } from '../normalize/cloud-common.js';
import { normalizeGcpAudit } from '../normalize/gcp-audit.js';
import { cloudDiagnostic } from '../normalize/cloud-diagnostic-codes.js';
import { CLOUD_CONTAINER_KEYS, createJsonRecordSplitter, NOT_JSON, parseJsonRecord } from './json-records.js';
import type { FileReader, FormatReader, RawRecord, ReadContext, SniffResult } from './types.js';

/** Standard or URL-safe base64 (RFC 4648 §4, §5), padding optional. Linear: one class, one bounded tail. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The first `data` string of a Pub/Sub message in the head (possibly cut off by the 64 KiB limit). */
const FIRST_DATA = /"data"\s*:\s*"([A-Za-z0-9+/_=-]{8,})/;

/** True when decoded text looks like a LogEntry. */
function looksLikeLogEntry(text: string): boolean {
  return text.includes('"logName"') || text.includes('"protoPayload"') || text.includes('cloudaudit.googleapis.com');
}

/** Recognises Cloud Audit Logs content (direct, or inside Pub/Sub messages) from the first 64 KiB. */
function sniffGcpAudit(head: string): SniffResult {
  const s = head.replace(/^\uFEFF/, '').trimStart();
  const c = s.charCodeAt(0);
  if (c !== 0x7b && c !== 0x5b) return { kind: 'no' };
  if (/"logName"\s*:\s*"[^"]*\/logs\//.test(s) && (/"protoPayload"\s*:/.test(s) || s.includes('cloudaudit.googleapis.com'))) {
    return { kind: 'read' };
  }
  const pubsub = /"receivedMessages"\s*:/.test(s) || (/"message"\s*:/.test(s) && /"(?:subscription|messageId|message_id|ackId)"\s*:/.test(s));
  if (!pubsub) return { kind: 'no' };
  const m = FIRST_DATA.exec(s);
  if (!m) return { kind: 'no' };
  const b64 = m[1].replace(/=+$/, '');
  const decoded = Buffer.from(b64.slice(0, b64.length - (b64.length % 4)), 'base64').toString('utf8');
  return looksLikeLogEntry(decoded) ? { kind: 'read' } : { kind: 'no' };
}

/** The Pub/Sub message inside a record: a push envelope's or received message's `message`, or a bare message. */
function pubsubMessage(v: JsonObject): JsonObject | undefined {
  if (isObject(v.message)) return v.message;
  if ('data' in v && ('messageId' in v || 'message_id' in v || 'publishTime' in v || 'attributes' in v)) return v;
  return undefined;
}

/**
 * Replaces a Pub/Sub envelope by the LogEntry it carries (same origin). Records that are not envelopes pass
 * unchanged; an envelope without a usable LogEntry is reported and dropped (undefined).
 */
export function unwrapPubSub(rec: RawRecord, report: Report): RawRecord | undefined {
  const t = rec.text;
  // A LogEntry names its log; an envelope carries `message` or `data` instead. Only possible envelopes are parsed
  // here, so sink lines and gcloud entries reach the prefilter without a JSON.parse.
  if (t.indexOf('"logName"') !== -1 || (t.indexOf('"data"') === -1 && t.indexOf('"message"') === -1)) return rec;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return rec; // parse() reports the syntax error with its position
  }
  if (!isObject(v)) return rec;
  const msg = pubsubMessage(v);
  if (!msg) return rec;
  const id = str(msg.messageId) ?? str(msg.message_id);
  const which = id ? `Pub/Sub message ${id}` : 'Pub/Sub message';
  const data = msg.data;
  if (isObject(data)) return { text: JSON.stringify(data), origin: rec.origin };
  if (typeof data !== 'string' || data.length === 0) {
    report(cloudDiagnostic('badPubSubMessage', `${which} has no data; skipped`, originLocation(rec.origin)));
    return undefined;
  }
  const s = data.trim();
  let decoded: string;
  if (s.startsWith('{')) {
    decoded = s; // saved by a tool that already decoded it
  } else if (BASE64.test(s)) {
    decoded = Buffer.from(s, 'base64').toString('utf8');
  } else {
    report(cloudDiagnostic('badPubSubMessage', `${which} data is neither base64 nor JSON; skipped`, originLocation(rec.origin)));
    return undefined;
  }
  if (!decoded.trimStart().startsWith('{')) {
    report(cloudDiagnostic('badPubSubMessage', `${which} data does not decode to a JSON LogEntry; skipped`, originLocation(rec.origin)));
    return undefined;
  }
  return { text: decoded, origin: rec.origin };
}

/** The GCP Cloud Audit Logs reader. */
export const gcpAuditReader: FormatReader = {
  format: 'gcp-audit',
  datasets: ['gcp.audit'],
  prefilterable: true,
  sniff: (head) => sniffGcpAudit(head),
  open(ctx: ReadContext): FileReader {
    let notAudit = 0;
    const splitter = createJsonRecordSplitter({
      file: ctx.file,
      maxRecordChars: ctx.options.maxRecordChars,
      report: ctx.report,
      emit: (rec) => {
        const entry = unwrapPubSub(rec, ctx.report);
        if (entry) ctx.emit(entry);
      },
      containerKeys: CLOUD_CONTAINER_KEYS,
      // Only lines that name their log are LogEntries; a Pub/Sub envelope's payload is base64, invisible to it.
      mayMatchLine: ctx.mayMatch && ((text, offset) => text.indexOf('"logName"') === -1 || (ctx.mayMatch as NonNullable<typeof ctx.mayMatch>)(text, offset)),
    });
    return {
      push: (text) => splitter.push(text),
      end: () => splitter.end(),
      parse(rec): Event[] {
        const value = parseJsonRecord(rec, ctx.report);
        if (value === NOT_JSON) return [];
        const event = normalizeGcpAudit(value, rec, ctx.report, () => notAudit++);
        return event ? [event] : [];
      },
      flush(): Event[] {
        // Sinks and `gcloud logging read` may mix other logs in; one note per file rather than one per entry.
        if (notAudit > 0) {
          ctx.report(
            cloudDiagnostic(
              'notAuditLog',
              notAudit === 1
                ? '1 LogEntry that is not a Cloud Audit Log was skipped'
                : `${notAudit} LogEntries that are not Cloud Audit Logs were skipped`,
              { file: ctx.file },
            ),
          );
          notAudit = 0;
        }
        return [];
      },
    };
  },
};
