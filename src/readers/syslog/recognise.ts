/**
 * Recognises one line: NX-OS accounting log, TACACS+ accounting (bare or inside syslog), Cisco/Arista `%` messages
 * and Junos messages, with the vendor and operating system they prove. No per-device state is touched here, so
 * `sniff` can use it too.
 */
import { readNxosAccountingLine, readTacacsFields } from './accounting.js';
import { osOfMnemonic, parseCiscoMnemonic, readCiscoMessage } from './cisco-message.js';
import { blankRecord, type DeviceOs, type DeviceRecord, type Vendor } from './device-record.js';
import type { SyslogCode } from './diagnostic-codes.js';
import type { SyslogHeader } from './header.js';
import { isJunosTag, junosEvidence, junosTagAt, readJunosMessage } from './junos-message.js';

/** What is known of a device from earlier lines. */
export interface KnownDevice {
  vendor: Vendor;
  os: DeviceOs;
}

/** A problem to report about a line. */
export interface LineProblem {
  code: SyslogCode;
  message: string;
}

/** The outcome of recognising one line. */
export type Recognition =
  | { kind: 'record'; rec: DeviceRecord; problem: LineProblem | undefined }
  /** A syslog line from a host whose vendor nothing shows (sshd, cron): not a device record. */
  | { kind: 'unknown-vendor'; app: string }
  | { kind: 'problem'; problem: LineProblem };

/**
 * Arista EOS agents that tag syslog lines (`GeorgeSwitch ConfigAgent: %SYS-5-CONFIG_E`, napalm-logs tests/config/eos;
 * `Aaa: %ACCOUNTING-6-CMD`, Ansible's network troubleshooting guide; `Ebra: %LINEPROTO-5-UPDOWN`,
 * `Stp: %SPANTREE-6-STABLE_CHANGE`, `Bgp: %BGP-5-ADJCHANGE`, `Rib: %BGP-5-ADJCHANGE`, `Mlag: %MLAG-5-STATE` in
 * public EOS `show logging` captures). Cisco never tags its `%` messages with a program name.
 */
const EOS_AGENTS = new Set(['ConfigAgent', 'Aaa', 'Ebra', 'Stp', 'Bgp', 'Rib', 'Mlag']);

/** Syslog facility keywords by code (RFC 5424 §6.2.1 table 1, with the usual names). */
const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

const UNRECOGNISED: LineProblem = {
  code: 'unrecognisedLine',
  message: 'not a recognisable device log line (syslog, NX-OS accounting, TACACS+ accounting)',
};

/** Recognises `line`. `h` is a reusable header scanner; `known` holds what earlier lines proved about devices. */
export function recognise(line: string, h: SyslogHeader, known: ReadonlyMap<string, KnownDevice>): Recognition {
  const c0 = line.charCodeAt(0);
  // NX-OS `show accounting log`: `Thu Jan 30 01:41:15 2020:type=update:…`.
  const typeMark = (c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122) ? line.indexOf(':type=') : -1;
  if (typeMark > 0 && typeMark < 32) {
    const rec = blankRecord('nxos_accounting');
    switch (readNxosAccountingLine(rec, line)) {
      case 'ok':
        return { kind: 'record', rec, problem: undefined };
      case 'malformed':
        return { kind: 'problem', problem: { code: 'badNxosAccounting', message: 'NX-OS accounting line without type, id, user and cmd fields' } };
      case 'not-this-layout':
        break;
    }
  }
  // tac_plus accounting files: TAB-separated, starting with a date.
  if (c0 !== 60 /* < */ && line.indexOf('\t') > 0) {
    const rec = blankRecord('tacacs_accounting');
    switch (readTacacsFields(rec, line, true)) {
      case 'ok':
        if (rec.time === undefined) {
          return { kind: 'record', rec, problem: { code: 'badTimestamp', message: 'TACACS+ accounting line without a readable date' } };
        }
        return { kind: 'record', rec, problem: undefined };
      case 'malformed':
        return { kind: 'problem', problem: { code: 'badTacacs', message: 'TACACS+ accounting line without NAS, user and start/stop/update fields' } };
      case 'not-this-layout':
        break;
    }
  }
  // A Cisco message without any time (`no service timestamps`, or uptime stamps) is still a device record.
  if (!h.scan(line) && line.charCodeAt(h.msgStart) !== 37 /* % */) return { kind: 'problem', problem: UNRECOGNISED };
  let problem: LineProblem | undefined;
  if (h.pri === -2) problem = { code: 'badPriority', message: 'syslog PRI is outside 0–191' };
  if (h.sdUnterminated) problem = { code: 'badStructuredData', message: 'RFC 5424 structured data is not terminated' };
  const msg = line.slice(h.msgStart);

  // TACACS+ accounting relayed through syslog by the TACACS+ server.
  if (msg.indexOf('\t') >= 0) {
    const rec = blankRecord('tacacs_accounting');
    if (readTacacsFields(rec, msg, false) === 'ok') {
      if (rec.time === undefined) rec.time = h.headerTime;
      rec.pri = h.pri;
      return { kind: 'record', rec, problem };
    }
  }

  let p = 0;
  // RFC 5424 MSG of a Cisco device may start with its sequence number.
  if (h.rfc5424) {
    let e = 0;
    while (e < msg.length && msg.charCodeAt(e) >= 48 && msg.charCodeAt(e) <= 57) e++;
    if (e > 0 && msg.charCodeAt(e) === 58 && msg.charCodeAt(e + 1) === 32) p = e + 2;
  }
  if (msg.charCodeAt(p) === 37 /* % */) {
    const m = parseCiscoMnemonic(msg, p);
    if (m) {
      const rec = blankRecord('syslog');
      fillCommon(rec, h);
      const ok = readCiscoMessage(rec, m, msg.slice(m.textStart));
      rec.keyText = msg.slice(p);
      const mos = osOfMnemonic(m);
      let os: DeviceOs = 'ios';
      if (h.node !== '') os = 'iosxr';
      else if (mos !== undefined) os = mos;
      else if (h.tagged && EOS_AGENTS.has(h.app)) os = 'eos';
      else if (h.yearFirst) os = 'nxos';
      else {
        const k = known.get(rec.host);
        rec.osEvidence = 'default';
        if (k && (k.vendor === 'cisco' || k.vendor === 'arista')) os = k.os;
      }
      if (h.node !== '' || mos !== undefined || (h.tagged && EOS_AGENTS.has(h.app)) || h.yearFirst) rec.osEvidence = 'proven';
      rec.os = os;
      rec.vendor = os === 'eos' ? 'arista' : 'cisco';
      if (!ok && problem === undefined) {
        problem = { code: 'badCiscoMessage', message: `%${m.facility}-${m.severity}-${m.mnemonic} message without its usual fields` };
      }
      if (rec.time === undefined && problem === undefined) {
        problem = {
          code: 'badTimestamp',
          message: h.uptime
            ? 'the device logs its uptime (service timestamps log uptime), not the date and time; the event has no time'
            : 'the line has no time (service timestamps off?); the event has no time',
        };
      }
      return { kind: 'record', rec, problem };
    }
  }

  // Junos: the event tag is the RFC 5424 MSGID, or starts the RFC 3164 message after the program tag.
  let tag = '';
  let text = msg;
  if (h.rfc5424) {
    if (isJunosTag(h.msgId)) tag = h.msgId;
  } else if (h.tagged) {
    const t = junosTagAt(msg, 0);
    if (t) {
      tag = t.tag;
      text = msg.slice(t.textStart);
    }
  }
  if (tag !== '') {
    const rec = blankRecord('syslog');
    fillCommon(rec, h);
    rec.vendor = 'juniper';
    rec.os = 'junos';
    rec.osEvidence = junosEvidence(tag, h.app, h.sd);
    const ok = readJunosMessage(rec, tag, text.trimEnd(), h.sd);
    rec.keyText = h.rfc5424 ? `${tag} ${msg}` : msg;
    if (!ok && problem === undefined) problem = { code: 'badJunosMessage', message: `${tag} message without its usual fields` };
    return { kind: 'record', rec, problem };
  }

  // Anything else: a device line only when an earlier line showed what the host is.
  const rec = blankRecord('syslog');
  fillCommon(rec, h);
  const k = rec.host !== '' ? known.get(rec.host) : undefined;
  if (!k) return { kind: 'unknown-vendor', app: h.app };
  rec.vendor = k.vendor;
  rec.os = k.os;
  rec.message = msg;
  rec.keyText = msg;
  return { kind: 'record', rec, problem };
}

/** Host, time, priority, facility and severity from the header. */
function fillCommon(rec: DeviceRecord, h: SyslogHeader): void {
  rec.host = h.originHost !== '' ? h.originHost : h.host;
  rec.pri = h.pri;
  rec.app = h.app;
  rec.procId = h.pid;
  rec.msgId = h.msgId;
  if (h.pri >= 0) {
    rec.severity = h.pri & 7;
    rec.facility = FACILITIES[h.pri >> 3] ?? '';
  }
  if (h.deviceTime !== undefined) {
    rec.unsynced = h.unsynced;
    if (h.unsynced && h.headerTime !== undefined) {
      rec.time = h.headerTime;
      rec.fallbackTime = h.deviceTime;
    } else {
      rec.time = h.deviceTime;
      rec.fallbackTime = h.headerTime;
    }
  } else {
    rec.time = h.headerTime;
  }
}
