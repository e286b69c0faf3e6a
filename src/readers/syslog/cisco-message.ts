/**
 * Cisco (IOS, IOS-XE, NX-OS, IOS-XR) and Arista EOS messages: `%FACILITY-SEVERITY-MNEMONIC: text` (IOS-XR writes
 * ` : ` before the text). The facility may itself contain dashes (`MGBL-CONFIG`, `SYS-SW1` on a stack member).
 *
 * Message layouts read, with their sources:
 * - `%PARSER-5-CFGLOG_LOGGEDCMD: User:<user>  logged command:<command>` (samples/cisco_ios_parser5_…; the Config
 *   Change Notification and Logging feature logs every command as entered, one sub-mode line at a time);
 * - `%SYS-5-CONFIG_I: Configured from console by <user> on vty0 (<ip>)` (samples/cisco_ios_sys5_…; EOS writes the
 *   same text, napalm-logs tests/config/eos/USER_EXIT_CONFIG_MODE), `… by console` without tty or address;
 * - IOS-XR `%MGBL-SYS-5-CONFIG_I : Configured from console by admin on vty0 (10.82.250.99)` and
 *   `%MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'admin'. Use 'show configuration commit changes 1000000024' to view the changes.`
 *   (napalm-logs tests/config/iosxr/CONFIGURATION_COMMIT_COMPLETED; public `show logging` captures);
 * - IOS-XR `%SECURITY-LOCALD-6-LOCAL_CMD_ACCT : RPC CMD: "<command>" by <user> from TTY <tty> <ip> …`
 *   (Cisco NCS 5000 programmability guide 7.6.x, NETCONF accounting; command accounting to the `local` method
 *   uses the same message, the CLI form without `RPC ` is assumed, unverified);
 * - NX-OS `%VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.10.121.121@pts/1` or `… on console0`
 *   (Cisco Nexus 7000 configuration example 118907 quoted in public write-ups; a public liblognorm rulebase);
 * - EOS `%SYS-5-CONFIG_E: Enter configuration mode from console by admin on vty3 (127.0.0.1)` and
 *   `%SYS-5-CONFIG_STARTUP: Startup config saved from system:/running-config by admin on vty3 (127.0.0.1).`
 *   (napalm-logs tests/config/eos), `%SYS-5-CONFIG_SESSION_ENTERED: User arista entered configuration session …`
 *   (aristanetworks/openmgmt docs).
 */
import { readEosAccounting, readNxosAaaMessage, stripCr } from './accounting.js';
import { looksLikeIp, type DeviceRecord } from './device-record.js';

/** A parsed `%FAC-SEV-MNEMONIC:` prefix. */
export interface CiscoMnemonic {
  facility: string;
  severity: number;
  mnemonic: string;
  /** Index of the text after the separator. */
  textStart: number;
  /** IOS-XR's ` : ` separator was used. */
  spacedColon: boolean;
}

/** Parses the mnemonic at `s[p] === '%'`, or returns undefined. */
export function parseCiscoMnemonic(s: string, p: number): CiscoMnemonic | undefined {
  if (s.charCodeAt(p) !== 37) return undefined;
  let e = p + 1;
  while (e < s.length) {
    const c = s.charCodeAt(e);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45)) break;
    e++;
  }
  let spacedColon = false;
  let colon = e;
  if (s.charCodeAt(e) !== 58) {
    if (s.charCodeAt(e) === 32 && s.charCodeAt(e + 1) === 58) {
      spacedColon = true;
      colon = e + 1;
    } else if (e !== s.length) return undefined;
  }
  const body = s.slice(p + 1, e);
  const last = body.lastIndexOf('-');
  if (last <= 0) return undefined;
  const sevDash = body.lastIndexOf('-', last - 1);
  if (sevDash <= 0 || last - sevDash !== 2) return undefined;
  const sev = body.charCodeAt(sevDash + 1) - 48;
  if (sev < 0 || sev > 7) return undefined;
  let t = colon + 1;
  while (s.charCodeAt(t) === 32) t++;
  return {
    facility: body.slice(0, sevDash),
    severity: sev,
    mnemonic: body.slice(last + 1),
    textStart: Math.min(t, s.length),
    spacedColon,
  };
}

/** Facilities and mnemonics only Arista EOS writes (napalm-logs config/eos; aristanetworks/openmgmt docs). */
const EOS_MNEMONICS = new Set(['CONFIG_E', 'CONFIG_STARTUP', 'CONFIG_SESSION_ENTERED', 'CONFIG_SESSION_EXITED']);

/** NX-OS-only mnemonics. */
const NXOS_MNEMONICS = new Set(['VSHD_SYSLOG_CONFIG_I', 'AAA_ACCOUNTING_MESSAGE']);

/** What the mnemonic alone proves about the operating system, or undefined. */
export function osOfMnemonic(m: CiscoMnemonic): 'eos' | 'nxos' | 'iosxr' | undefined {
  if (m.facility === 'ACCOUNTING' || EOS_MNEMONICS.has(m.mnemonic)) return 'eos';
  if (NXOS_MNEMONICS.has(m.mnemonic) || m.facility === 'VSHD') return 'nxos';
  if (m.spacedColon || m.facility.startsWith('MGBL-') || m.facility === 'SECURITY-LOCALD') return 'iosxr';
  return undefined;
}

/** Reads `from <src> by <user>[ on <tty>][ (<ip>)]` (CONFIG_I, CONFIG_E, CONFIG_STARTUP) into `rec`. */
function readConfiguredBy(rec: DeviceRecord, text: string): boolean {
  const by = text.indexOf(' by ');
  if (by < 0) return false;
  let rest = text.slice(by + 4).trim();
  if (rest.endsWith('.')) rest = rest.slice(0, -1);
  const paren = rest.lastIndexOf(' (');
  if (paren >= 0 && rest.endsWith(')')) {
    const ip = rest.slice(paren + 2, -1);
    if (looksLikeIp(ip)) rec.sourceIp = ip;
    rest = rest.slice(0, paren);
  }
  const on = rest.indexOf(' on ');
  let who = on >= 0 ? rest.slice(0, on) : rest;
  if (on >= 0) setTty(rec, rest.slice(on + 4).trim());
  who = who.trim();
  // Line-password logins have no user name: `Configured from console by vty0 (10.1.1.1)`.
  if (on < 0 && /^(?:vty|tty|con|aux)\d*$/.test(who)) {
    rec.tty = who;
    who = '';
  }
  rec.user = who;
  return true;
}

/** Sets tty, splitting NX-OS's `10.10.121.121@pts/1`. */
function setTty(rec: DeviceRecord, tty: string): void {
  const at = tty.indexOf('@');
  if (at > 0 && looksLikeIp(tty.slice(0, at))) {
    rec.sourceIp = tty.slice(0, at);
    rec.tty = tty.slice(at + 1);
  } else {
    rec.tty = tty;
  }
}

/**
 * Fills `rec` from a Cisco/EOS message whose mnemonic is `m` and text `text`. Returns false when the message does
 * not have the layout its mnemonic implies (the record keeps the generic fields).
 */
export function readCiscoMessage(rec: DeviceRecord, m: CiscoMnemonic, text: string): boolean {
  rec.facility = m.facility;
  rec.severity = m.severity;
  rec.mnemonic = m.mnemonic;
  rec.message = text;
  switch (m.mnemonic) {
    case 'CFGLOG_LOGGEDCMD': {
      rec.config = true;
      if (!text.startsWith('User:')) return false;
      let p = 5;
      while (p < text.length && text.charCodeAt(p) !== 32) p++;
      rec.user = text.slice(5, p);
      const mark = text.indexOf('logged command:', p);
      if (mark < 0) return false;
      const command = text.slice(mark + 15).trim();
      rec.directive = command.length > 0 ? { kind: 'cli', command } : { kind: 'none' };
      return true;
    }
    case 'CONFIG_I':
    case 'VSHD_SYSLOG_CONFIG_I':
      rec.config = true;
      rec.directive = { kind: 'session-close', scope: 'user', leavesConfigMode: true };
      return text.startsWith('Configured from') && readConfiguredBy(rec, text);
    case 'CONFIG_E':
      rec.config = true;
      rec.directive = { kind: 'session-open' };
      return readConfiguredBy(rec, text);
    case 'CONFIG_STARTUP':
      rec.config = true;
      return readConfiguredBy(rec, text);
    case 'CONFIG_SESSION_ENTERED':
    case 'CONFIG_SESSION_EXITED': {
      rec.config = true;
      const match = /^User (\S+) /.exec(text);
      if (match) rec.user = match[1];
      return match !== null;
    }
    case 'DB_COMMIT': {
      rec.config = true;
      const match = /committed by user '([^']*)'/.exec(text);
      if (match) rec.user = match[1];
      return match !== null;
    }
    case 'LOCAL_CMD_ACCT':
      rec.config = true;
      return readXrCommandAccounting(rec, text);
    case 'AAA_ACCOUNTING_MESSAGE':
      return readNxosAaaMessage(rec, text) === 'ok';
    case 'CMD':
    case 'EXEC':
      if (m.facility !== 'ACCOUNTING') return true;
      rec.config = true;
      return readEosAccounting(rec, text) === 'ok';
    default:
      return true;
  }
}

/** IOS-XR `[RPC ]CMD: "<command>" by <user> from TTY <tty> [<ip>] …`. */
function readXrCommandAccounting(rec: DeviceRecord, text: string): boolean {
  const start = text.startsWith('RPC CMD: "') ? 10 : text.startsWith('CMD: "') ? 6 : -1;
  if (start < 0) return false;
  const by = text.indexOf('" by ', start);
  if (by < 0) return false;
  const command = stripCr(text.slice(start, by));
  const rest = text.slice(by + 5).split(' ');
  rec.user = rest[0] ?? '';
  if (rest[1] === 'from' && rest[2] === 'TTY') {
    rec.tty = rest[3] ?? '';
    if (rest[4] !== undefined && looksLikeIp(rest[4])) rec.sourceIp = rest[4];
  }
  rec.directive = command.length > 0 ? { kind: 'cli', command } : { kind: 'none' };
  return true;
}
