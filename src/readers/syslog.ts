/**
 * The network-device log reader (format `syslog`): syslog as RFC 3164 and RFC 5424 from Cisco IOS/IOS-XE, NX-OS,
 * IOS-XR, Juniper Junos and Arista EOS, the NX-OS accounting log, and TACACS+ accounting files, in one file or
 * mixed. One raw record per line. Every line must reach `parse` (the reader keeps per-device configuration-mode
 * state), so the reader is not prefilterable.
 *
 * Each event's `fields` is the flat canonical view device rules match: `host vendor os log_type facility severity
 * mnemonic message user source_ip tty command config_context command_line status action config_session`.
 */
import { basename } from 'node:path';
import type { Report } from '../core/diagnostic.js';
import type { Dataset, Event, LogSource, Origin } from '../core/event.js';
import type { FileReader, FormatReader, RawRecord, ReadContext, SniffResult } from './types.js';
import type { DeviceOs, DeviceRecord } from './syslog/device-record.js';
import { DeviceState } from './syslog/device-state.js';
import { SYSLOG, syslogDiagnostic, type SyslogCode } from './syslog/diagnostic-codes.js';
import { SyslogHeader } from './syslog/header.js';
import { LineSplitter } from './syslog/line-splitter.js';
import { recognise, type KnownDevice, type LineProblem } from './syslog/recognise.js';
import { TimeSettings, ZoneResolver } from './syslog/timestamp.js';

/** The datasets this reader produces. */
const DEVICE_DATASETS: readonly Dataset[] = [
  'cisco_ios.log',
  'cisco_nxos.log',
  'cisco_iosxr.log',
  'juniper.log',
  'arista_eos.log',
  'tacacs.accounting',
];

/** Diagnostics of one kind shown per file before the rest are only counted. */
const MAX_SHOWN_PER_CODE = 100;

/** The dataset of a record. */
function datasetOf(r: DeviceRecord): Dataset {
  if (r.logType === 'tacacs_accounting') return 'tacacs.accounting';
  switch (r.os) {
    case 'nxos':
      return 'cisco_nxos.log';
    case 'iosxr':
      return 'cisco_iosxr.log';
    case 'junos':
      return 'juniper.log';
    case 'eos':
      return 'arista_eos.log';
    case 'ios':
    case 'unknown':
      return 'cisco_ios.log';
  }
}

/** The Sigma log source of a record: `network_config` only on command and configuration records. */
function logsourceOf(r: DeviceRecord): LogSource {
  // SigmaHQ's Cisco AAA rules use `product: cisco, service: aaa` for TACACS+ accounting.
  if (r.logType === 'tacacs_accounting') return { product: 'cisco', service: 'aaa', category: 'network_config' };
  const service: DeviceOs = r.os === 'unknown' ? 'ios' : r.os;
  const product = r.vendor === 'unknown' ? 'cisco' : r.vendor;
  return r.config ? { product, service, category: 'network_config' } : { product, service };
}

/** The file name without directory and log/compression/rotation extensions (`core-sw1.log.1.gz` → `core-sw1`). */
export function hostFromFileName(file: string): string {
  if (file === '-' || file === '') return 'stdin';
  let name = basename(file);
  for (;;) {
    const m = /\.(?:gz|bz2|xz|zst|log|txt|acct|accounting|syslog|out|\d+)$/i.exec(name);
    if (!m || m.index === 0) break;
    name = name.slice(0, m.index);
  }
  return name;
}

/** Reads one file. */
class DeviceLogFile implements FileReader {
  private readonly splitter: LineSplitter;
  private readonly header = new SyslogHeader();
  private readonly known = new Map<string, KnownDevice>();
  private readonly state: DeviceState;
  private readonly settings: TimeSettings;
  private readonly fileHost: string;
  private readonly report: Report;
  private readonly shown = new Map<SyslogCode, number>();
  private unknownVendorReported = false;
  private lastOrigin: Origin;

  constructor(private readonly ctx: ReadContext) {
    this.report = ctx.report;
    this.lastOrigin = { file: ctx.file };
    this.splitter = new LineSplitter(ctx.file, ctx.options.maxRecordChars, ctx.report, (text, line) =>
      ctx.emit({ text, origin: { file: ctx.file, line } }),
    );
    let zone = ZoneResolver.create(ctx.options.timeZone);
    if (!zone) {
      this.report(
        syslogDiagnostic(
          'badTimeZone',
          `unknown time zone "${ctx.options.timeZone}": use UTC, an IANA name such as Europe/Berlin, or an offset such as +02:00; UTC is used`,
          { file: ctx.file },
        ),
      );
      zone = ZoneResolver.create('UTC') as ZoneResolver;
    }
    let year = ctx.options.year;
    if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 9999)) {
      this.report(syslogDiagnostic('badYear', `year option ${String(year)} is not a plausible year; ignored`, { file: ctx.file }));
      year = undefined;
    }
    this.settings = new TimeSettings(zone, year, ctx.options.referenceTimeMs);
    this.fileHost = hostFromFileName(ctx.file);
    this.state = new DeviceState((message) =>
      this.diagnose({ code: 'sessionOverflow', message }, this.lastOrigin),
    );
  }

  push(text: string): void {
    this.splitter.push(text);
  }

  end(): void {
    this.splitter.end();
  }

  /** Reports a problem, showing at most `MAX_SHOWN_PER_CODE` of each kind (the rest are counted). */
  private diagnose(p: LineProblem, origin: Origin): void {
    const n = (this.shown.get(p.code) ?? 0) + 1;
    this.shown.set(p.code, n);
    if (n <= MAX_SHOWN_PER_CODE) this.report(syslogDiagnostic(p.code, p.message, origin));
  }

  parse(rec: RawRecord): Event[] {
    this.lastOrigin = rec.origin;
    const out: Event[] = [];
    const r = recognise(rec.text, this.header, this.known);
    switch (r.kind) {
      case 'problem':
        this.diagnose(r.problem, rec.origin);
        return out;
      case 'unknown-vendor':
        if (!this.unknownVendorReported) {
          this.unknownVendorReported = true;
          const what = r.app !== '' ? ` (first: "${r.app}")` : '';
          this.report(
            syslogDiagnostic(
              'unknownVendor',
              `syslog lines from hosts whose vendor no line shows${what} are not device records and are skipped`,
              rec.origin,
            ),
          );
        }
        return out;
      case 'record':
        break;
    }
    const d = r.rec;
    if (r.problem) this.diagnose(r.problem, rec.origin);
    const assumptions: string[] = [];
    let host = d.host;
    if (host === '') {
      host = this.fileHost;
      assumptions.push(`host "${host}" taken from the file name (the line names no device)`);
    }
    if (d.osEvidence === 'proven' && d.logType !== 'tacacs_accounting' && !this.known.has(host)) {
      this.known.set(host, { vendor: d.vendor, os: d.os });
    }

    let timeMs = NaN;
    let time = '';
    if (d.time === undefined) {
      if (!r.problem || r.problem.code !== 'badTimestamp') {
        this.diagnose({ code: 'badTimestamp', message: 'the line has no time' }, rec.origin);
      }
    } else {
      const timeAssumptions: string[] = [];
      const resolved = this.settings.resolve(d.time, d.noYearReason, timeAssumptions);
      if (Number.isNaN(resolved.ms)) {
        this.diagnose({ code: 'badTimestamp', message: 'the time on the line is not a calendar date' }, rec.origin);
      } else {
        timeMs = resolved.ms;
        time = resolved.iso;
        for (const a of timeAssumptions) assumptions.push(a);
        if (d.unsynced) {
          // recognise() takes the syslog header's time (and keeps the device's as fallback) when both exist.
          assumptions.push(
            d.fallbackTime !== undefined
              ? 'device clock not synchronised ("*" before its time); time taken from the syslog header'
              : 'device clock not synchronised ("*" before its time); the time may be wrong',
          );
        }
      }
    }

    const placed = this.state.place(d, host, timeMs, out);
    const sourceIp = d.sourceIp !== '' ? d.sourceIp : placed.sourceIp;
    const tty = d.tty !== '' ? d.tty : placed.tty;
    const commandLine =
      placed.command === '' ? '' : placed.context === '' ? placed.command : `${placed.context} ; ${placed.command}`;
    const fields: Record<string, unknown> = {
      host,
      vendor: d.vendor,
      os: d.os,
      log_type: d.logType,
      facility: d.facility,
      severity: d.severity,
      mnemonic: d.mnemonic,
      message: d.message,
      user: d.user,
      source_ip: sourceIp,
      tty,
      command: placed.command,
      config_context: placed.context,
      command_line: commandLine,
      status: d.status,
      action: d.action,
      config_session: placed.sessionId,
    };
    const recordKey =
      d.logType === 'tacacs_accounting'
        ? `tacacs:${host}:${d.taskId}:${d.action}`
        : `syslog:${host}:${time === '' ? '-' : time}:${d.keyText}`;
    const actionKey = placed.object !== '' && placed.sessionId !== '' ? `device:${placed.sessionId}:${placed.object}` : recordKey;
    const ev: Event = {
      dataset: datasetOf(d),
      logsource: logsourceOf(d),
      raw: rec.text,
      fields,
      time,
      timeMs,
      origin: rec.origin,
      recordKey,
      actionKey,
    };
    if (assumptions.length > 0) ev.assumptions = assumptions;
    const meta: Record<string, string | number> = {};
    if (d.pri >= 0) meta.pri = d.pri;
    if (d.app !== '') meta.app = d.app;
    if (d.procId !== '') meta.procid = d.procId;
    if (d.msgId !== '') meta.msgid = d.msgId;
    if (Object.keys(meta).length > 0) ev.meta = meta;
    if (placed.holdIn) this.state.hold(placed.holdIn, ev, out);
    else out.push(ev);
    return out;
  }

  flush(): Event[] {
    const out = this.state.flush();
    for (const [code, n] of this.shown) {
      if (n > MAX_SHOWN_PER_CODE) {
        this.report(
          syslogDiagnostic(
            'suppressed',
            `${n - MAX_SHOWN_PER_CODE} more ${SYSLOG[code].code} diagnostics (${SYSLOG[code].summary}) not shown`,
            { file: this.ctx.file },
          ),
        );
      }
    }
    this.shown.clear();
    return out;
  }
}

/** Lines `sniff` looks at. */
const SNIFF_LINES = 200;

/**
 * Claims a file when at least one in five of its first lines is a device log line. Syslog lines of hosts of unknown vendor count
 * neither way; the path is not used.
 */
function sniff(head: string, _path: string): SniffResult {
  const header = new SyslogHeader();
  const known = new Map<string, KnownDevice>();
  let recognised = 0;
  let foreign = 0;
  let seen = 0;
  let start = head.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < head.length && seen < SNIFF_LINES) {
    let nl = head.indexOf('\n', start);
    if (nl < 0) {
      // The head may end inside a line: judge the last piece only when it is the whole input.
      if (head.length >= 65536) break;
      nl = head.length;
    }
    let line = head.slice(start, nl);
    start = nl + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trimStart();
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue;
    seen++;
    const r = recognise(line, header, known);
    switch (r.kind) {
      case 'record':
        recognised++;
        if (r.rec.osEvidence === 'proven' && r.rec.host !== '') known.set(r.rec.host, { vendor: r.rec.vendor, os: r.rec.os });
        break;
      case 'unknown-vendor':
        break;
      case 'problem':
        foreign++;
        break;
    }
  }
  // Syslog is the last reader asked. A strict device line is strong evidence, so a file where at least one line in
  // five is one is read (its other lines are reported one by one) rather than dropped whole as an unknown format.
  return recognised > 0 && recognised * 4 >= foreign ? { kind: 'read' } : { kind: 'no' };
}

/** The network-device log reader. */
export const syslogReader: FormatReader = {
  format: 'syslog',
  datasets: DEVICE_DATASETS,
  prefilterable: false,
  sniff,
  open(ctx: ReadContext): FileReader {
    return new DeviceLogFile(ctx);
  },
};
