/**
 * Junos messages: an event tag (`UI_CFG_AUDIT_SET`) then text, as RFC 3164 (`mgd[67468]: UI_…: User '…' …`) or as
 * RFC 5424 with the tag as MSGID and structured data `[junos@2636.1.1.1.2.129 username="…" …]` (2636 is Juniper's
 * IANA enterprise number).
 *
 * Layouts (samples/juniper_mgd_ui_cfg_audit_and_commit_public_capture.log; structured-data lines captured from a
 * vSRX and quoted in a public onboarding note, e.g.
 * `<182>1 2026-07-06T03:52:49.931Z vsrx-ci mgd 97400 UI_CFG_AUDIT_SET [junos@2636.1.1.1.2.129 username="netconf" action="set" pathname="[system login message\]" delimiter="\"" data="…" value="…"] User 'netconf' set: [system login message] "…`):
 * - `UI_CMDLINE_READ_LINE: User 'u', command 'set disable '` (relative to the `edit` level);
 * - `UI_CFG_AUDIT_SET: User 'u' set: [path] <old> -> <new>`; the captures show `unconfigured -- "100m"` and
 *   `"738 -> "738"`, so the new value is read after the last ` -> ` or ` -- `, without its quotes;
 * - `UI_CFG_AUDIT_SET_SECRET: User 'u' set: [path]` (value withheld), `UI_CFG_AUDIT_OTHER: User 'u' delete: [path]`;
 * - `UI_COMMIT: User 'u' requested 'commit synchronize' operation (comment: none)`, `UI_COMMIT_COMPLETED:  : commit
 *   complete` (no user), `UI_DBASE_LOGIN_EVENT` / `UI_DBASE_LOGOUT_EVENT: User 'u' entering|exiting configuration
 *   mode`.
 */
import { sdParam } from './header.js';
import type { DeviceRecord } from './device-record.js';

/** Junos daemons whose tags prove a Junos device (Junos system log reference: process names). */
const JUNOS_DAEMONS = new Set([
  'mgd',
  'rpd',
  'chassisd',
  'dcd',
  'eventd',
  'mib2d',
  'alarmd',
  'craftd',
  'dfwd',
  'cosd',
  'lacpd',
  'lldpd',
  'l2ald',
  'eswd',
  'jdhcpd',
  'mcsnoopd',
  'pfed',
  'rmopd',
  'kmd',
  'cli',
  'RT_FLOW',
  '/kernel',
]);

/** True for a Junos event tag: capitals, digits and at least one underscore (`UI_COMMIT`, `SNMP_TRAP_LINK_DOWN`). */
export function isJunosTag(s: string): boolean {
  if (s.length < 3) return false;
  const first = s.charCodeAt(0);
  if (first < 65 || first > 90) return false;
  let underscore = false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 95) underscore = true;
    else if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return underscore;
}

/** The event tag at the start of an RFC 3164 Junos message (`UI_COMMIT: …`) and where its text starts. */
export function junosTagAt(msg: string, p: number): { tag: string; textStart: number } | undefined {
  const colon = msg.indexOf(':', p);
  if (colon <= p || colon - p > 64) return undefined;
  const tag = msg.slice(p, colon);
  if (!isJunosTag(tag)) return undefined;
  let t = colon + 1;
  while (msg.charCodeAt(t) === 32) t++;
  return { tag, textStart: t };
}

/** How strongly the line shows a Junos device: structured data, a `UI_` tag or a Junos daemon prove it. */
export function junosEvidence(tag: string, app: string, sd: string): 'proven' | 'default' {
  if (sd.includes('@2636') || tag.startsWith('UI_') || JUNOS_DAEMONS.has(app)) return 'proven';
  return 'default';
}

/** The quoted user in `User 'name'…`, or undefined. */
function userOf(text: string): string | undefined {
  if (!text.startsWith("User '")) return undefined;
  const end = text.indexOf("'", 6);
  return end < 0 ? undefined : text.slice(6, end);
}

/** The new value of a `UI_CFG_AUDIT_SET` line: the text after the last ` -> ` or ` -- `, unquoted. */
function newValue(rest: string): string | undefined {
  const s = rest.trim();
  if (s.length === 0) return undefined;
  const arrow = s.lastIndexOf(' -> ');
  const dashes = s.lastIndexOf(' -- ');
  const cut = Math.max(arrow, dashes);
  let v = cut >= 0 ? s.slice(cut + 4).trim() : s;
  if (v.startsWith('"')) v = v.slice(1);
  if (v.endsWith('"')) v = v.slice(0, -1);
  return v.length === 0 || v === 'unconfigured' ? undefined : v;
}

/**
 * Fills `rec` from a Junos message with event tag `tag`, text `text` and RFC 5424 structured data `sd` ('' for
 * RFC 3164). Returns false when the text lacks the layout the tag implies.
 */
export function readJunosMessage(rec: DeviceRecord, tag: string, text: string, sd: string): boolean {
  rec.mnemonic = tag;
  rec.message = text;
  const sdUser = sd.length > 0 ? sdParam(sd, 'username') : undefined;
  const user = sdUser ?? userOf(text);
  if (user !== undefined) rec.user = user;
  switch (tag) {
    case 'UI_CMDLINE_READ_LINE': {
      rec.config = true;
      let command = sd.length > 0 ? sdParam(sd, 'command') : undefined;
      if (command === undefined) {
        const mark = text.indexOf(", command '");
        const end = text.lastIndexOf("'");
        if (mark < 0 || end < mark + 11) return false;
        command = text.slice(mark + 11, end);
      }
      command = command.trim();
      rec.directive = command.length > 0 ? { kind: 'junos-line', command } : { kind: 'none' };
      return user !== undefined;
    }
    case 'UI_CFG_AUDIT_SET':
    case 'UI_CFG_AUDIT_SET_SECRET':
    case 'UI_CFG_AUDIT_OTHER': {
      rec.config = true;
      if (user === undefined) return false;
      const verbStart = text.indexOf("' ", 6) + 2;
      const verbEnd = text.indexOf(':', verbStart);
      const open = text.indexOf('[', verbEnd);
      if (verbStart < 2 || verbEnd < 0 || open < 0) return false;
      const close = text.indexOf(']', open);
      if (close < 0) return false;
      const verb = (sd.length > 0 ? sdParam(sd, 'action') : undefined) ?? text.slice(verbStart, verbEnd).trim();
      const path = ((sd.length > 0 ? sdParam(sd, 'pathname') : undefined) ?? text.slice(open, close + 1))
        .replace(/^\[/, '')
        .replace(/\]$/, '')
        .trim();
      let value: string | undefined;
      if (tag === 'UI_CFG_AUDIT_SET') {
        const sdValue = sd.length > 0 ? sdParam(sd, 'value') : undefined;
        value = sdValue !== undefined && sdValue.length > 0 ? sdValue : newValue(text.slice(close + 1));
      }
      rec.action = verb;
      rec.directive = { kind: 'junos-audit', verb, path, value };
      return path.length > 0;
    }
    case 'UI_COMMIT':
      rec.config = true;
      rec.directive = { kind: 'session-close', scope: 'user', leavesConfigMode: false };
      return user !== undefined;
    case 'UI_COMMIT_COMPLETED':
      rec.config = true;
      rec.directive = { kind: 'session-close', scope: 'host', leavesConfigMode: false };
      return true;
    case 'UI_DBASE_LOGOUT_EVENT':
      rec.config = true;
      rec.directive = { kind: 'session-close', scope: 'user', leavesConfigMode: true };
      return user !== undefined;
    case 'UI_DBASE_LOGIN_EVENT':
      rec.config = true;
      rec.directive = { kind: 'session-open' };
      return user !== undefined;
    default:
      // Other commit, rollback and load events are configuration records too.
      if (tag.startsWith('UI_COMMIT') || tag.startsWith('UI_ROLLBACK') || tag.startsWith('UI_LOAD')) rec.config = true;
      return true;
  }
}
