/**
 * Diagnostic codes of the network-device log reader (MW2500–MW2799): syslog (RFC 3164 / RFC 5424 and the Cisco,
 * Juniper and Arista layouts), the NX-OS accounting log and TACACS+ accounting files.
 */
import type { Diagnostic, DiagnosticSeverity } from '../../core/diagnostic.js';
import type { Origin } from '../../core/event.js';

/** One entry of the catalogue: its code, default severity and what it means. */
export interface SyslogCodeInfo {
  code: string;
  severity: DiagnosticSeverity;
  summary: string;
}

/** The reader's diagnostics, by name. */
export const SYSLOG = {
  unrecognisedLine: {
    code: 'MW2500',
    severity: 'warning',
    summary: 'line is not a recognisable device log line (syslog, NX-OS accounting, TACACS+ accounting); skipped',
  },
  lineTooLong: {
    code: 'MW2501',
    severity: 'error',
    summary: 'line is longer than the record size limit; skipped without being buffered',
  },
  badTimestamp: {
    code: 'MW2502',
    severity: 'warning',
    summary: 'the time on the line cannot be read; the event is kept without a time',
  },
  badTimeZone: {
    code: 'MW2503',
    severity: 'error',
    summary: 'the time zone option is not UTC, an IANA zone name or a fixed offset; UTC is used',
  },
  badYear: { code: 'MW2504', severity: 'error', summary: 'the year option is not a plausible year; it is ignored' },
  badNxosAccounting: {
    code: 'MW2505',
    severity: 'warning',
    summary: 'NX-OS accounting line without the type/id/user/cmd fields; skipped',
  },
  badTacacs: {
    code: 'MW2506',
    severity: 'warning',
    summary: 'TACACS+ accounting line without the NAS, user and start/stop/update fields; skipped',
  },
  badCiscoMessage: {
    code: 'MW2507',
    severity: 'warning',
    summary: 'a Cisco or Arista message does not have the layout its mnemonic implies; kept without its details',
  },
  badJunosMessage: {
    code: 'MW2508',
    severity: 'warning',
    summary: 'a Junos mgd message does not have the layout its tag implies; kept without its details',
  },
  badStructuredData: {
    code: 'MW2509',
    severity: 'warning',
    summary: 'RFC 5424 structured data is not terminated; the rest of the line is taken as structured data',
  },
  unknownVendor: {
    code: 'MW2510',
    severity: 'info',
    summary: 'syslog lines from a host whose vendor is not recognised (for example sshd or cron) are skipped',
  },
  sessionOverflow: {
    code: 'MW2511',
    severity: 'warning',
    summary:
      'a configuration session held more lines than the limit; they were released before the session closed, so ' +
      'their administrator address may be missing',
  },
  suppressed: {
    code: 'MW2512',
    severity: 'info',
    summary: 'further diagnostics of the same kind in this file were counted but not shown',
  },
  badPriority: {
    code: 'MW2513',
    severity: 'warning',
    summary: 'syslog PRI is outside 0–191; the priority is ignored',
  },
} as const satisfies Record<string, SyslogCodeInfo>;

/** The name of one catalogue entry. */
export type SyslogCode = keyof typeof SYSLOG;

/** Builds a located diagnostic from a catalogue entry. */
export function syslogDiagnostic(code: SyslogCode, message: string, origin: Origin | { file: string }): Diagnostic {
  const info = SYSLOG[code];
  const d: Diagnostic = { code: info.code, severity: info.severity, message, file: origin.file };
  if ('line' in origin && origin.line !== undefined) d.line = origin.line;
  if ('column' in origin && origin.column !== undefined) d.column = origin.column;
  return d;
}
