/**
 * Network-device log lines as collectors store them (events.md §4, formats.md §1.6; layouts of the public captures
 * in `samples/` and of the device fixtures):
 * - Cisco IOS/IOS-XE through an rsyslog relay (RFC 3164 header, then the device's sequence number and
 *   `service timestamps log datetime msec show-timezone` time): `Mar  3 09:14:05 access-sw1 2201: 002201: Mar  3
 *   09:14:05.112 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:jdoe  logged command:…` (two spaces before `logged`);
 * - IOS-XR: `… RP/0/RSP0/CPU0:Mar  3 12:00:41.228 UTC: config[65700]: %MGBL-CONFIG-6-DB_COMMIT : …`;
 * - NX-OS local accounting (`show accounting log`): `Thu Jan 30 01:41:15 2020:type=update:id=<ip>@pts/N:user=<u>:
 *   cmd=configure terminal ; <mode> ; <command> (SUCCESS)`, the whole mode path joined with ` ; `;
 * - Junos mgd in RFC 5424 with `structured-data` (`UI_CMDLINE_READ_LINE [junos@2636.1.1.1.2.25 …] User 'x',
 *   command '…'`, `UI_CFG_AUDIT_SET`, `UI_COMMIT`) or RFC 3164;
 * - Arista EOS `Aaa: %ACCOUNTING-6-CMD: <user> <tty> <ip> stop task_id=N … cmd=<command>` and `ConfigAgent:
 *   %SYS-5-CONFIG_I`;
 * - tac_plus accounting files: TAB-separated, `cmd=<command> <cr>` for Cisco IOS.
 *
 * Per-device sequence numbers are filled in by the writer, in file order (`SEQ` placeholders), so that scenario lines
 * and background lines of one device count up together as the device's own counter does.
 */
import type { Random } from './random.js';
import { iosTimestamp, nxosAccountingTime, rfc3164, tacacsTime } from './time-format.js';
import { isoMillis } from './time-format.js';
import type { DeviceStream, SimRecord } from './types.js';

/** Placeholder for the device's syslog sequence number (plain). */
export const SEQ = '\u0000SEQ\u0000';
/** Placeholder for the sequence number zero-padded to six digits, as IOS prints it. */
export const SEQ6 = '\u0000SEQ6\u0000';

/** The kinds of device mirrorwatch reads logs of. */
export type DeviceOs = 'ios' | 'iosxr' | 'nxos' | 'junos' | 'eos';

/** A simulated device. */
export interface Device {
  host: string;
  os: DeviceOs;
  /** The management address (TACACS+ NAS address). */
  ip: string;
}

/** An operator's session on a device. */
export interface Operator {
  user: string;
  /** `vty0`, `pts/0`, `tty2`. */
  tty: string;
  /** Where the operator connects from. */
  from: string;
}

const SYSLOG: DeviceStream = { kind: 'syslog' };
const TACACS: DeviceStream = { kind: 'tacacs' };

/** Builds device log records; each method returns the record it made (with `ref` when given). */
export class DeviceLog {
  readonly records: SimRecord[] = [];
  private taskId: number;

  constructor(rng: Random) {
    this.taskId = rng.int(1000, 60000);
  }

  private push(dev: Device, stream: DeviceStream, timeMs: number, line: string, ref?: string): SimRecord {
    const rec: SimRecord = { kind: 'device', timeMs, stream, host: dev.host, os: dev.os, line, ...(ref !== undefined ? { ref } : {}) };
    this.records.push(rec);
    return rec;
  }

  /** A Cisco IOS/IOS-XE message relayed by rsyslog: `%FAC-SEV-MNEMONIC: text`. */
  iosMessage(dev: Device, timeMs: number, tag: string, text: string, ref?: string): SimRecord {
    const line = `${rfc3164(timeMs)} ${dev.host} ${SEQ}: ${SEQ6}: ${iosTimestamp(timeMs, false)}: %${tag}: ${text}`;
    return this.push(dev, SYSLOG, timeMs, line, ref);
  }

  /** One configuration command as IOS archive logging reports it (`%PARSER-5-CFGLOG_LOGGEDCMD`). */
  iosCommand(dev: Device, timeMs: number, op: Operator, command: string, ref?: string): SimRecord {
    return this.iosMessage(dev, timeMs, 'PARSER-5-CFGLOG_LOGGEDCMD', `User:${op.user}  logged command:${command}`, ref);
  }

  /** The end of a configuration session (`%SYS-5-CONFIG_I`), no command text. */
  iosConfigured(dev: Device, timeMs: number, op: Operator, ref?: string): SimRecord {
    return this.iosMessage(dev, timeMs, 'SYS-5-CONFIG_I', `Configured from console by ${op.user} on ${op.tty} (${op.from})`, ref);
  }

  /** An IOS-XR message: `RP/0/RSP0/CPU0:<time>: <process>[pid]: %FAC-SUB-SEV-MNEMONIC : text`. */
  iosxrMessage(dev: Device, timeMs: number, proc: string, tag: string, text: string, ref?: string): SimRecord {
    const line = `${rfc3164(timeMs)} ${dev.host} ${SEQ}: RP/0/RSP0/CPU0:${iosTimestamp(timeMs, false)}: ${proc}: %${tag} : ${text}`;
    return this.push(dev, SYSLOG, timeMs, line, ref);
  }

  /**
   * tac_plus accounting lines for one command: `start` and `stop` records (IOS sends both with
   * `aaa accounting commands 15 default start-stop group tacacs+`), `cmd=<command> <cr>`.
   */
  tacacs(dev: Device, timeMs: number, op: Operator, command: string, opts: { startStop?: boolean; cr?: boolean; ref?: string } = {}): SimRecord[] {
    const task = ++this.taskId;
    const cmd = `${command}${opts.cr === false ? '' : ' <cr>'}`;
    const fields = (kind: string, extra: string[]) => [tacacsTime(timeMs), dev.ip, op.user, op.tty, op.from, kind, `task_id=${task}`, 'timezone=UTC', 'service=shell', ...extra, 'priv-lvl=15', `cmd=${cmd}`].join('\t');
    const out: SimRecord[] = [];
    if (opts.startStop !== false) out.push(this.push(dev, TACACS, timeMs, fields('start', []), opts.ref));
    out.push(this.push(dev, TACACS, timeMs, fields('stop', ['elapsed_time=0']), opts.startStop === false ? opts.ref : opts.ref ? `${opts.ref}:stop` : undefined));
    return out;
  }

  /** NX-OS local accounting: the mode path and command joined with ` ; `, and the result. */
  nxosAccounting(dev: Device, timeMs: number, op: Operator, path: readonly string[], status: 'SUCCESS' | 'FAILURE' = 'SUCCESS', ref?: string): SimRecord {
    const line = `${nxosAccountingTime(timeMs)}:type=update:id=${op.from}@${op.tty}:user=${op.user}:cmd=${path.join(' ; ')} (${status})`;
    return this.push(dev, { kind: 'nxos-accounting', host: dev.host }, timeMs, line, ref);
  }

  /**
   * A Junos mgd message in RFC 5424 with Junos structured data (`structured-data` in `system syslog`): PRI, version,
   * time with milliseconds, host, `mgd`, pid, MSGID, `[junos@2636.1.1.1.2.25 …]`, then the text.
   */
  junos(dev: Device, timeMs: number, pid: number, msgid: string, sd: Record<string, string>, text: string, ref?: string): SimRecord {
    // user.notice (13) for UI_COMMIT and CFG_AUDIT, user.info (14) for command lines: PRI = facility*8 + severity.
    const pri = msgid === 'UI_CMDLINE_READ_LINE' ? 190 : 189;
    const params = Object.entries(sd)
      .map(([k, v]) => `${k}="${v.replace(/[\\"\]]/g, (c) => `\\${c}`)}"`)
      .join(' ');
    const line = `<${pri}>1 ${isoMillis(timeMs)} ${dev.host} mgd ${pid} ${msgid} [junos@2636.1.1.1.2.25${params ? ` ${params}` : ''}] ${text}`;
    return this.push(dev, SYSLOG, timeMs, line, ref);
  }

  /** A Junos command line (`UI_CMDLINE_READ_LINE`), as typed, with the trailing space mgd records. */
  junosCommand(dev: Device, timeMs: number, pid: number, op: Operator, command: string, ref?: string): SimRecord {
    return this.junos(dev, timeMs, pid, 'UI_CMDLINE_READ_LINE', { username: op.user, command: `${command} ` }, `User '${op.user}', command '${command} '`, ref);
  }

  /** A Junos commit (`UI_COMMIT`) and its completion. */
  junosCommit(dev: Device, timeMs: number, pid: number, op: Operator, comment: string): SimRecord[] {
    return [
      this.junos(dev, timeMs, pid, 'UI_COMMIT', { username: op.user, command: 'commit', message: comment }, `User '${op.user}' requested 'commit' operation (comment: ${comment})`),
      this.junos(dev, timeMs + 5200, pid, 'UI_COMMIT_COMPLETED', {}, ': commit complete'),
    ];
  }

  /** An Arista EOS command accounted to syslog (`Aaa: %ACCOUNTING-6-CMD`). */
  eosCommand(dev: Device, timeMs: number, op: Operator, command: string, ref?: string): SimRecord {
    const task = ++this.taskId;
    const line = `${rfc3164(timeMs)} ${dev.host} Aaa: %ACCOUNTING-6-CMD: ${op.user} ${op.tty} ${op.from} stop task_id=${task} start_time=${(timeMs / 1000).toFixed(1)} timezone=UTC service=shell priv-lvl=15 cmd=${command}`;
    return this.push(dev, SYSLOG, timeMs, line, ref);
  }

  /** An Arista EOS `ConfigAgent` message (`%SYS-5-CONFIG_E` entering, `%SYS-5-CONFIG_I` leaving configuration). */
  eosConfig(dev: Device, timeMs: number, op: Operator, enter: boolean): SimRecord {
    const text = enter ? `%SYS-5-CONFIG_E: Enter configuration mode from console by ${op.user} on ${op.tty} (${op.from})` : `%SYS-5-CONFIG_I: Configured from console by ${op.user} on ${op.tty} (${op.from})`;
    return this.push(dev, SYSLOG, timeMs, `${rfc3164(timeMs)} ${dev.host} ConfigAgent: ${text}`);
  }

  /** Any other relayed line of a device (`<host> <tag>: <text>`), e.g. Arista interface state. */
  raw(dev: Device, timeMs: number, text: string, ref?: string): SimRecord {
    return this.push(dev, SYSLOG, timeMs, `${rfc3164(timeMs)} ${dev.host} ${text}`, ref);
  }
}
