/**
 * Diagnostic codes of the cloud audit-log readers (MW2100–MW2499): the streaming JSON record splitter (MW21xx),
 * CloudTrail (MW22xx), Azure Activity Log (MW23xx) and GCP Cloud Audit Logs (MW24xx). Each is a user's input
 * problem reported with its location and skipped, never thrown.
 */
import type { Diagnostic, Location } from '../core/diagnostic.js';
import type { CodeInfo } from '../core/diagnostic.js';

/** Cloud reader diagnostics, by name. */
export const CLOUD = {
  recordTooLarge: { code: 'MW2101', severity: 'error', summary: 'a JSON record is larger than the record size limit; skipped' },
  textBetweenRecords: { code: 'MW2102', severity: 'error', summary: 'text that is not a JSON object or array between records; skipped to the next line that starts a record' },
  unterminatedString: { code: 'MW2103', severity: 'error', summary: 'a JSON string runs to the end of the line; the record is skipped' },
  badStructure: { code: 'MW2104', severity: 'error', summary: 'unbalanced bracket or unexpected character in a JSON record; the record is skipped' },
  truncated: { code: 'MW2105', severity: 'error', summary: 'the input ends inside a JSON record or container (truncated file)' },
  invalidJson: { code: 'MW2110', severity: 'error', summary: 'a record is not valid JSON' },
  noEventTime: { code: 'MW2111', severity: 'warning', summary: 'a record has no usable event time; it is kept with an unknown time' },
  notCloudTrail: { code: 'MW2201', severity: 'warning', summary: 'a JSON value in a CloudTrail file is not a CloudTrail record (no eventName or eventSource); skipped' },
  badLookupEvent: { code: 'MW2202', severity: 'error', summary: 'a lookup-events entry whose CloudTrailEvent is not a JSON object; skipped' },
  badLakeRow: { code: 'MW2203', severity: 'warning', summary: 'a CloudTrail Lake result row that is not a list of one-column objects; skipped' },
  notAzureActivity: { code: 'MW2301', severity: 'warning', summary: 'a JSON value in an Azure Activity Log file is not an Activity Log record (no operationName); skipped' },
  notLogEntry: { code: 'MW2401', severity: 'warning', summary: 'a JSON value in a GCP audit log file is not a LogEntry; skipped' },
  notAuditLog: { code: 'MW2402', severity: 'info', summary: 'LogEntries that are not Cloud Audit Logs (no AuditLog protoPayload) were skipped' },
  badPubSubMessage: { code: 'MW2403', severity: 'error', summary: 'a Pub/Sub message without a base64 JSON LogEntry in data; skipped' },
} as const satisfies Record<string, CodeInfo>;

/** Names of the cloud reader diagnostics. */
export type CloudCodeName = keyof typeof CLOUD;

/** Builds a diagnostic from the catalogue: its code and severity, a specific message and where it points. */
export function cloudDiagnostic(name: CloudCodeName, message: string, where: Location): Diagnostic {
  const info = CLOUD[name];
  const d: Diagnostic = { code: info.code, severity: info.severity, message };
  if (where.file !== undefined) d.file = where.file;
  if (where.line !== undefined) d.line = where.line;
  if (where.column !== undefined) d.column = where.column;
  if (where.offset !== undefined) d.offset = where.offset;
  if (where.record !== undefined) d.record = where.record;
  return d;
}
