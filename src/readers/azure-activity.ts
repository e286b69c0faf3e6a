/**
 * The Azure Activity Log reader (`azure.activitylogs`). It reads, recognised by content:
 * - storage exports, `insights-activity-logs/…/PT1H.json`: one record per line (formats.md §1.4);
 * - Event Hubs batches, `{"records":[…]}`, one or several per file or per line;
 * - the REST/portal form (`operationName.value`, `status.value`, `eventTimestamp`, top-level `claims`): REST list
 *   pages `{"value":[…],"nextLink":…}` and `az monitor activity-log list` arrays.
 * Records are normalized to the Event Hub/storage schema (see `normalize/azure-activity.ts`).
 */
import type { Event } from '../core/event.js';
import { normalizeAzureActivity } from '../normalize/azure-activity.js';
import { cloudRecordSplitter, firstLineIsObject, NOT_JSON, parseJsonRecord } from './json-records.js';
import type { FileReader, FormatReader, ReadContext, SniffResult } from './types.js';

/** Recognises Activity Log content from the first 64 KiB: an `operationName` beside an Activity Log identifier. */
function sniffAzureActivity(head: string): SniffResult {
  const s = head.replace(/^\uFEFF/, '').trimStart();
  const c = s.charCodeAt(0);
  if (c !== 0x7b && c !== 0x5b) return { kind: 'no' };
  if (!/"operationName"\s*:/.test(s)) return { kind: 'no' };
  if (!/"(?:correlationId|resourceId|eventDataId)"\s*:/.test(s)) return { kind: 'no' };
  // Not a CloudTrail or Cloud Logging file that happens to mention these names in a payload.
  if (/"protoPayload"\s*:/.test(s) || /"eventSource"\s*:\s*"[a-z0-9.-]*amazonaws\.com"/i.test(s)) return { kind: 'no' };
  return { kind: 'read' };
}

/** The Azure Activity Log reader. */
export const azureActivityReader: FormatReader = {
  format: 'azure-activity',
  datasets: ['azure.activitylogs'],
  prefilterable: true,
  sniff: (head) => sniffAzureActivity(head),
  // Storage exports (`PT1H.json`) hold a record per line.
  splitsAtLineEnds: (head) => firstLineIsObject(head),
  open(ctx: ReadContext): FileReader {
    const splitter = cloudRecordSplitter(ctx);
    return {
      push: (text) => splitter.push(text),
      end: () => splitter.end(),
      betweenRecords: () => splitter.betweenRecords(),
      parse(rec): Event[] {
        const value = parseJsonRecord(rec, ctx.report);
        if (value === NOT_JSON) return [];
        const event = normalizeAzureActivity(value, rec, ctx.report);
        return event ? [event] : [];
      },
    };
  },
};
