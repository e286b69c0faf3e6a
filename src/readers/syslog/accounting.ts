/**
 * Command accounting records: the NX-OS local accounting log, the NX-OS `%AAA-6-AAA_ACCOUNTING_MESSAGE` syslog,
 * tac_plus accounting files (also relayed through syslog) and Arista's `%ACCOUNTING-6-CMD` syslog.
 *
 * Layouts:
 * - NX-OS `show accounting log`:
 *   `Thu Jan 30 01:41:15 2020:type=update:id=192.168.12.138@pts/3:user=frank:cmd=configure terminal ; feature scp-server (SUCCESS)`
 *   (samples/nxos_accounting_log_networkcoder_readme.log). The mode path is joined with ` ; `.
 * - NX-OS syslog: `%AAA-6-AAA_ACCOUNTING_MESSAGE: update:10.109.21.79@pts/0:admin:configure terminal ; vlan 501 (SUCCESS)`,
 *   also `start:…:admin:`, `stop:…:admin:shell terminated gracefully`, ids such as `ppm.4055 (sp-commit)` and a
 *   `(REDIRECT)` status (examples in a public liblognorm rulebase for Cisco NX-OS).
 * - tac_plus: TAB-separated `<date>\t<NAS>\t<user>\t<tty>\t<rem-addr>\t<start|stop|update>\ttask_id=N\t…\tcmd=…`
 *   with `2020-07-17 17:41:26 +0000` dates (samples/tacplus_accounting_tac_plus_srlinux_example.log) or
 *   `Feb  2 18:41:38` dates and optional AV pairs written `name*value` (`process*mgd[7741]`, shown in a public
 *   tac_plus-to-SQL importer). Cisco IOS appends ` <cr>` to the command (events.md §4.3).
 * - Arista EOS with `aaa accounting commands all default start-stop logging`:
 *   `Aaa: %ACCOUNTING-6-CMD: admin vty6 192.168.2.1 stop task_id=17 start_time=1521923632.5 timezone=UTC service=shell priv-lvl=15 cmd=show interfaces status`
 *   (Ansible's network troubleshooting guide, `show logging` on EOS; aristanetworks/openmgmt docs show the same
 *   layout with `unknown unknown` for tty and address and a trailing ` <cr>`).
 */
import { looksLikeIp, type DeviceRecord, type Directive } from './device-record.js';
import { scanBsdTime, scanCtime, scanSpacedIsoTime, type ScannedTime } from './timestamp.js';

/** The outcome of reading one accounting layout. */
export type AccountingResult = 'ok' | 'not-this-layout' | 'malformed';

/** Strips Cisco's ` <cr>` (the CLI's "end of command" token) and surrounding spaces from a command. */
export function stripCr(command: string): string {
  let c = command.trim();
  if (c.endsWith('<cr>')) c = c.slice(0, -4).trimEnd();
  return c;
}

/** Fills source address and tty from an NX-OS id (`192.168.12.138@pts/3`, `ppm.4055 (sp-commit)`, `console0`). */
function setNxosId(rec: DeviceRecord, id: string): void {
  const at = id.indexOf('@');
  if (at > 0 && looksLikeIp(id.slice(0, at))) {
    rec.sourceIp = id.slice(0, at);
    rec.tty = id.slice(at + 1);
  } else {
    rec.tty = id;
  }
}

/** Splits a trailing ` (SUCCESS)` / ` (FAILURE)` / ` (REDIRECT)` status off an NX-OS command. */
function splitNxosStatus(rec: DeviceRecord, cmd: string): string {
  let c = cmd.trimEnd();
  // `(REDIRECT))` occurs with a doubled parenthesis.
  if (c.endsWith('))')) c = c.slice(0, -1);
  if (!c.endsWith(')')) return c;
  const open = c.lastIndexOf('(');
  if (open < 0) return c;
  const word = c.slice(open + 1, -1);
  switch (word) {
    case 'SUCCESS':
      rec.status = 'success';
      break;
    case 'FAILURE':
      rec.status = 'failure';
      break;
    case 'REDIRECT':
      break;
    default:
      return c;
  }
  return c.slice(0, open).trimEnd();
}

/** The directive of an NX-OS accounting entry of type `type` with command text `cmd`. */
function nxosDirective(type: string, cmd: string): Directive {
  switch (type) {
    case 'start':
      return { kind: 'session-open' };
    case 'stop':
      return { kind: 'session-close', scope: 'user', leavesConfigMode: true };
    default: {
      if (cmd.length === 0) return { kind: 'none' };
      const path = cmd.split(' ; ').map((s) => s.trim()).filter((s) => s.length > 0);
      return path.length === 0 ? { kind: 'none' } : { kind: 'path', path };
    }
  }
}

/** Fills `rec` from the NX-OS `type:id:user:cmd` body (syslog form, after the mnemonic). */
export function readNxosAaaMessage(rec: DeviceRecord, body: string): AccountingResult {
  const c1 = body.indexOf(':');
  if (c1 <= 0) return 'malformed';
  const type = body.slice(0, c1);
  // The id may be an IPv6 address with colons before `@tty`; the tty itself holds no colon.
  const at = body.indexOf('@', c1 + 1);
  const space = body.indexOf(' ', c1 + 1);
  const idEndFrom = at > 0 && (space < 0 || at < space) ? at : c1 + 1;
  const c2 = body.indexOf(':', idEndFrom);
  if (c2 < 0) return 'malformed';
  const c3 = body.indexOf(':', c2 + 1);
  if (c3 < 0) return 'malformed';
  setNxosId(rec, body.slice(c1 + 1, c2));
  rec.user = body.slice(c2 + 1, c3);
  rec.action = type;
  const cmd = splitNxosStatus(rec, body.slice(c3 + 1));
  rec.message = body;
  rec.directive = nxosDirective(type, cmd);
  rec.config = true;
  return 'ok';
}

/** Reads an NX-OS accounting log line into `rec`. */
export function readNxosAccountingLine(rec: DeviceRecord, line: string): AccountingResult {
  const t = scanCtime(line, 0);
  if (!t || !line.startsWith(':type=', t.end)) return 'not-this-layout';
  const typeStart = t.end + 6;
  const idMark = line.indexOf(':id=', typeStart);
  if (idMark < 0) return 'malformed';
  const userMark = line.indexOf(':user=', idMark + 4);
  if (userMark < 0) return 'malformed';
  const cmdMark = line.indexOf(':cmd=', userMark + 6);
  if (cmdMark < 0) return 'malformed';
  const type = line.slice(typeStart, idMark);
  setNxosId(rec, line.slice(idMark + 4, userMark));
  rec.user = line.slice(userMark + 6, cmdMark);
  rec.action = type;
  const cmd = splitNxosStatus(rec, line.slice(cmdMark + 5));
  rec.message = line.slice(t.end + 1);
  rec.keyText = rec.message;
  rec.time = t.parts;
  rec.directive = nxosDirective(type, cmd);
  rec.config = true;
  rec.vendor = 'cisco';
  rec.os = 'nxos';
  rec.osEvidence = 'proven';
  return 'ok';
}

/** Reads an AV pair `name=value` or `name*value` (optional attribute, RFC 8907 §6.1) into `av`. */
function avPair(field: string): [string, string] | undefined {
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c === 61 /* = */ || c === 42 /* * */) return [field.slice(0, i), field.slice(i + 1)];
    if (c === 32) return undefined;
  }
  return undefined;
}

/** The start/stop/update word of an accounting record, or ''. */
function acctType(s: string): string {
  return s === 'start' || s === 'stop' || s === 'update' ? s : '';
}

/** Applies AV pairs (`task_id`, `cmd`, `process`) and the record type to `rec`. */
function applyAvPairs(rec: DeviceRecord, type: string, pairs: readonly [string, string][]): void {
  let cmd: string | undefined;
  let junos = false;
  for (const [k, v] of pairs) {
    switch (k) {
      case 'task_id':
        rec.taskId = v;
        break;
      case 'cmd':
        cmd = v;
        break;
      case 'process':
        // Junos sends `process*mgd[pid]` (its management daemon): commands are Junos CLI lines.
        if (v.startsWith('mgd')) junos = true;
        break;
      default:
        break;
    }
  }
  rec.action = type;
  rec.config = true;
  if (cmd === undefined) {
    // Exec (login) accounting: a start opens a session, a stop ends it.
    rec.directive =
      type === 'start'
        ? { kind: 'session-open' }
        : type === 'stop'
          ? { kind: 'session-close', scope: 'user', leavesConfigMode: true }
          : { kind: 'none' };
    return;
  }
  const command = stripCr(cmd);
  rec.directive = command.length === 0 ? { kind: 'none' } : junos ? { kind: 'junos-line', command } : { kind: 'cli', command };
}

/** The tac_plus date layouts of a file line's first field. */
function scanAcctDate(field: string): ScannedTime | undefined {
  return scanSpacedIsoTime(field, 0) ?? scanCtime(field, 0) ?? scanBsdTime(field, 0);
}

/** True when `field` is a date and nothing else (a syslog header holds more after its date). */
function wholeDate(field: string): boolean {
  const t = scanAcctDate(field);
  return t !== undefined && field.slice(t.end).trim() === '';
}

/** Sets the administrator's address when the remote-address field holds one (not `async`, `unknown`, a tty). */
function setRemAddr(rec: DeviceRecord, rem: string): void {
  if (looksLikeIp(rem)) rec.sourceIp = rem;
}

/**
 * Reads tac_plus TAB-separated accounting fields: `text` is a whole file line (`fileLine`, starting with its date)
 * or the message of a syslog line. Returns `not-this-layout` unless a `start|stop|update` field is followed by AV
 * pairs.
 */
export function readTacacsFields(rec: DeviceRecord, text: string, fileLine: boolean): AccountingResult {
  if (text.indexOf('\t') < 0) return 'not-this-layout';
  const f = text.split('\t');
  let k = -1;
  for (let i = 0; i < f.length - 1 && i <= 6; i++) {
    if (acctType(f[i].trim()) !== '' && avPair(f[i + 1]) !== undefined) {
      k = i;
      break;
    }
  }
  if (k < 0) return 'not-this-layout';
  // A file line starts with its date; a syslog message may not (the syslog header carries the time).
  if (fileLine && k !== 5) return k > 5 || wholeDate(f[0]) ? 'malformed' : 'not-this-layout';
  if (k < 4) return 'malformed';
  const nas = f[k - 4].trim();
  const user = f[k - 3].trim();
  if (nas.length === 0) return 'malformed';
  if (k >= 5) {
    const dateField = f[k - 5];
    const t = scanAcctDate(dateField);
    rec.time = t?.parts;
    rec.noYearReason = 'the accounting line has no year';
  }
  rec.logType = 'tacacs_accounting';
  rec.host = nas;
  rec.user = user;
  rec.tty = f[k - 2].trim();
  setRemAddr(rec, f[k - 1].trim());
  const pairs: [string, string][] = [];
  for (let i = k + 1; i < f.length; i++) {
    const p = avPair(f[i]);
    if (p) pairs.push(p);
  }
  applyAvPairs(rec, f[k].trim(), pairs);
  rec.message = f.slice(k - 4).join('\t');
  rec.keyText = rec.message;
  return 'ok';
}

/** Reads Arista's `%ACCOUNTING-6-CMD` / `%ACCOUNTING-5-EXEC` body: `user tty rem-addr type av…`. */
export function readEosAccounting(rec: DeviceRecord, body: string): AccountingResult {
  const words: string[] = [];
  let p = 0;
  while (words.length < 4) {
    while (body.charCodeAt(p) === 32) p++;
    const e = body.indexOf(' ', p);
    if (e < 0) return 'malformed';
    words.push(body.slice(p, e));
    p = e + 1;
  }
  const type = acctType(words[3]);
  if (type === '') return 'malformed';
  rec.user = words[0];
  rec.tty = words[1] === 'unknown' ? '' : words[1];
  setRemAddr(rec, words[2]);
  const pairs: [string, string][] = [];
  // AV pairs are separated by spaces; `cmd=` is last and its value keeps its spaces.
  while (p < body.length) {
    while (body.charCodeAt(p) === 32) p++;
    if (p >= body.length) break;
    if (body.startsWith('cmd=', p)) {
      pairs.push(['cmd', body.slice(p + 4)]);
      break;
    }
    let e = body.indexOf(' ', p);
    if (e < 0) e = body.length;
    const pair = avPair(body.slice(p, e));
    if (pair) pairs.push(pair);
    p = e + 1;
  }
  applyAvPairs(rec, type, pairs);
  return 'ok';
}
