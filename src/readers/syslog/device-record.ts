/** What one device log line says, before per-device state (configuration sub-modes, sessions) is applied. */
import type { TimeParts } from './timestamp.js';

/** Where the line comes from. */
export type LogType = 'syslog' | 'nxos_accounting' | 'tacacs_accounting';
/** The device vendor. */
export type Vendor = 'cisco' | 'juniper' | 'arista' | 'unknown';
/** The device operating system. */
export type DeviceOs = 'ios' | 'nxos' | 'iosxr' | 'junos' | 'eos' | 'unknown';

/** How sure the reader is of the operating system: a layout or mnemonic proves it, or it is the usual default. */
export type OsEvidence = 'proven' | 'default';

/** The part of a line that drives configuration state. */
export type Directive =
  /** Nothing to track (state messages such as `%SPAN-6-SESSION_UP`, logins). */
  | { kind: 'none' }
  /** A command as typed in a Cisco-style CLI, relative to the current sub-mode (IOS archive, TACACS+, EOS). */
  | { kind: 'cli'; command: string }
  /** A command logged with its whole mode path (NX-OS: `configure terminal ; monitor session 1 ; source …`). */
  | { kind: 'path'; path: string[] }
  /** A Junos command line (`UI_CMDLINE_READ_LINE`), relative to the `edit` level. */
  | { kind: 'junos-line'; command: string }
  /** A Junos configuration change with an absolute path (`UI_CFG_AUDIT_SET` / `UI_CFG_AUDIT_OTHER`). */
  | { kind: 'junos-audit'; verb: string; path: string; value: string | undefined }
  /** The start of a configuration session (EOS `%SYS-5-CONFIG_E`, Junos `UI_DBASE_LOGIN_EVENT`, TACACS+ exec start). */
  | { kind: 'session-open' }
  /**
   * The end of a configuration session: `user` for one administrator (`%SYS-5-CONFIG_I`, Junos `UI_COMMIT`,
   * `UI_DBASE_LOGOUT_EVENT`), `host` for everyone on the device (Junos `UI_COMMIT_COMPLETED` names no user).
   */
  | { kind: 'session-close'; scope: 'user' | 'host'; leavesConfigMode: boolean };

/** One recognised line. */
export interface DeviceRecord {
  logType: LogType;
  vendor: Vendor;
  os: DeviceOs;
  osEvidence: OsEvidence;
  /** The device as the line names it, '' when it names none. */
  host: string;
  /** Cisco/EOS message facility (`PARSER`), else the syslog facility keyword of PRI, else ''. */
  facility: string;
  severity: number | null;
  mnemonic: string;
  /** Text after the mnemonic (or the whole message). */
  message: string;
  /** The message including its mnemonic: the identity part of `recordKey`. */
  keyText: string;
  user: string;
  sourceIp: string;
  tty: string;
  status: '' | 'success' | 'failure';
  /** TACACS+ `start|stop|update`, NX-OS accounting type, Junos `set|delete|…`. */
  action: string;
  /** TACACS+ / EOS accounting `task_id`: a start and its stop share it. */
  taskId: string;
  /** A command or configuration record (logsource category `network_config`). */
  config: boolean;
  directive: Directive;
  time: TimeParts | undefined;
  /** A second, less trusted time (the relay header when the device time exists). */
  fallbackTime: TimeParts | undefined;
  /** The device clock is marked not synchronised (`*` before a Cisco time). */
  unsynced: boolean;
  /** Why the line has no year, for the assumption text. */
  noYearReason: string;
  /** PRI when present (-1 otherwise), for the ECS view. */
  pri: number;
  /** Syslog APP-NAME/TAG, PROCID and MSGID when present, for the ECS view. */
  app: string;
  procId: string;
  msgId: string;
}

/** A record with defaults, to fill in. */
export function blankRecord(logType: LogType): DeviceRecord {
  return {
    logType,
    vendor: 'unknown',
    os: 'unknown',
    osEvidence: 'default',
    host: '',
    facility: '',
    severity: null,
    mnemonic: '',
    message: '',
    keyText: '',
    user: '',
    sourceIp: '',
    tty: '',
    status: '',
    action: '',
    taskId: '',
    config: false,
    directive: NO_DIRECTIVE,
    time: undefined,
    fallbackTime: undefined,
    unsynced: false,
    noYearReason: 'RFC 3164 has no year',
    pri: -1,
    app: '',
    procId: '',
    msgId: '',
  };
}

/** The shared `none` directive. */
export const NO_DIRECTIVE: Directive = { kind: 'none' };

/** True when `s` is an IPv4 or IPv6 address literal (a cheap shape check, not full validation). */
export function looksLikeIp(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  let dots = 0;
  let colons = 0;
  let hexLetters = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) hexLetters = true;
    else if (!(c >= 48 && c <= 57)) return false;
  }
  return (dots === 3 && colons === 0 && !hexLetters) || colons >= 2;
}
