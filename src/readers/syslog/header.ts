/**
 * The header of one syslog line: everything before the message. Layouts read (all seen in real captures):
 *
 * - RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`, RFC 5424 §6), including Junos' structured data
 *   `[junos@2636.1.1.1.2.129 username="…" …]` (captured lines quoted in a public vSRX onboarding note;
 *   RFC 5424 §6.3.3 escapes `"`, `\` and `]` inside values);
 * - RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, §4.1), also without PRI as files store it, and with an
 *   RFC 3339 time as rsyslog writes it (`<4>2020-03-31T08:41:59+00:00 vmx01 /kernel: …`, napalm-logs tests);
 * - Cisco IOS prefixes inside MSG: sequence numbers (`000051:`), an empty one (`<189>: …`), `logging origin-id`
 *   hostnames (`<189>521: router1: *Nov 14 …`, napalm-logs config/ios/init.yml), `*` / `.` before a time whose
 *   clock is not synchronised, and the device time itself ending in `:` (samples/cisco_*);
 * - a relay header in front of all that (`Jan  6 13:24:18 one.one.one.one 54: 000051: Jan  6 10:24:17: %…`);
 * - IOS-XR: `[seq: ][host ]RP/0/RSP0/CPU0:Jan  1 03:13:14.663 UTC: config[65700]: %MGBL-CONFIG-6-DB_COMMIT : …`
 *   (napalm-logs tests/config/iosxr; public `show logging` captures);
 * - NX-OS: `2020 Jan 30 01:41:15 N9K %…` and `<190>sw01.pdx01: 2017 Jul 28 14:42:46 UTC: %…` (napalm-logs
 *   tests/config/nxos);
 * - Arista EOS: `<165>Oct 23 12:20:55 GeorgeSwitch ConfigAgent: %SYS-5-CONFIG_E: …` (napalm-logs tests/config/eos),
 *   with an optional sequence number after the agent name (`Aaa: 123: %ACCOUNTING-6-CMD: …`).
 */
import {
  monthAt,
  scanAnyTime,
  scanBsdTime,
  scanIsoTime,
  scanYearFirstTime,
  scanZoneSuffix,
  type ScannedTime,
  type TimeParts,
} from './timestamp.js';

/** What the header of one line says. Reused from line to line: read it before scanning the next line. */
export class SyslogHeader {
  /** PRI value, -1 when absent; -2 when present but out of range. */
  pri = -1;
  rfc5424 = false;
  /** Time of the syslog header (RFC 3164/5424, relay, NX-OS). */
  headerTime: TimeParts | undefined = undefined;
  /** Cisco's own time inside the message part (`Jan  6 10:24:17:`). */
  deviceTime: TimeParts | undefined = undefined;
  /** A `*` or `.` before the device time: its clock is not synchronised (Cisco). */
  unsynced = false;
  /** HOSTNAME of the syslog header. */
  host = '';
  /** The device's own name inside the message part (Cisco origin-id, the host before an IOS-XR node). */
  originHost = '';
  /** IOS-XR node (`RP/0/RSP0/CPU0`). */
  node = '';
  /** Program name of the tag (RFC 3164 TAG, RFC 5424 APP-NAME). */
  app = '';
  /** Process id of the tag (`mgd[67468]`) or RFC 5424 PROCID. */
  pid = '';
  /** RFC 5424 MSGID. */
  msgId = '';
  /** RFC 5424 structured data, '' when nil. */
  sd = '';
  sdUnterminated = false;
  /** First Cisco sequence number. */
  seq = '';
  /** Index where the message begins. */
  msgStart = 0;
  /** A program tag (not a hostname) preceded the message. */
  tagged = false;
  /** A time was written year first (`2020 Jan 30 01:41:15`), as NX-OS does. */
  yearFirst = false;
  /** Cisco wrote its uptime instead of a date (`service timestamps log uptime`: `1w2d:`, `00:01:23:`). */
  uptime = false;

  private reset(): void {
    this.pri = -1;
    this.rfc5424 = false;
    this.headerTime = undefined;
    this.deviceTime = undefined;
    this.unsynced = false;
    this.host = '';
    this.originHost = '';
    this.node = '';
    this.app = '';
    this.pid = '';
    this.msgId = '';
    this.sd = '';
    this.sdUnterminated = false;
    this.seq = '';
    this.msgStart = 0;
    this.tagged = false;
    this.yearFirst = false;
    this.uptime = false;
  }

  /**
   * Scans the header of `line`. Returns false when nothing marks the line as syslog (no PRI, time, node or tag),
   * in which case the fields are meaningless.
   */
  scan(line: string): boolean {
    this.reset();
    let p = 0;
    if (line.charCodeAt(0) === 60 /* < */) {
      let q = 1;
      let v = 0;
      while (q < line.length && q <= 4 && isDigit(line.charCodeAt(q))) {
        v = v * 10 + (line.charCodeAt(q) - 48);
        q++;
      }
      if (q > 1 && line.charCodeAt(q) === 62 /* > */) {
        // RFC 5424 §6.2.1: PRI is 0–191 (facility 0–23 times 8 plus severity).
        this.pri = v <= 191 ? v : -2;
        p = q + 1;
        if (line.charCodeAt(p) === 49 /* 1 */ && line.charCodeAt(p + 1) === 32 && this.scan5424(line, p + 2)) {
          return true;
        }
      }
    }
    const start = p;
    p = this.scanRelayHeader(line, p);
    p = this.scanPrefixes(line, p, start);
    this.msgStart = p;
    return (
      this.pri !== -1 ||
      this.headerTime !== undefined ||
      this.deviceTime !== undefined ||
      this.node !== '' ||
      this.tagged
    );
  }

  /** RFC 5424 after `<PRI>1 `: returns false when the fields are not there (then the line is read as RFC 3164). */
  private scan5424(line: string, p: number): boolean {
    let time: ScannedTime | undefined;
    let q = p;
    if (line.charCodeAt(q) === 45 /* - */ && line.charCodeAt(q + 1) === 32) q += 1;
    else {
      time = scanIsoTime(line, q);
      if (!time || line.charCodeAt(time.end) !== 32) return false;
      q = time.end;
    }
    const fields: string[] = [];
    for (let i = 0; i < 4; i++) {
      if (line.charCodeAt(q) !== 32) return false;
      q++;
      const e = tokenEnd(line, q);
      if (e === q) return false;
      const tok = line.slice(q, e);
      fields.push(tok === '-' ? '' : tok);
      q = e;
    }
    if (line.charCodeAt(q) !== 32) return false;
    q++;
    this.rfc5424 = true;
    this.headerTime = time?.parts;
    this.host = fields[0];
    this.app = fields[1];
    this.pid = fields[2];
    this.msgId = fields[3];
    if (line.charCodeAt(q) === 45 /* - */) {
      q++;
    } else if (line.charCodeAt(q) === 91 /* [ */) {
      const sdStart = q;
      while (line.charCodeAt(q) === 91) {
        const e = sdElementEnd(line, q);
        if (e < 0) {
          this.sdUnterminated = true;
          q = line.length;
          break;
        }
        q = e;
      }
      this.sd = line.slice(sdStart, q);
    }
    if (line.charCodeAt(q) === 32) q++;
    // RFC 5424 §6.4: a UTF-8 MSG starts with a byte order mark.
    if (line.charCodeAt(q) === 0xfeff) q++;
    this.msgStart = q;
    return true;
  }

  /**
   * An RFC 3164 / relay header: a time, then HOSTNAME and a space. When the time is Cisco's own (followed by a zone
   * and `:`), nothing is consumed and the prefix scanner reads it.
   */
  private scanRelayHeader(line: string, p: number): number {
    const t = scanAnyTime(line, p);
    if (!t) return p;
    const yearFirst = isDigit(line.charCodeAt(p)) && line.charCodeAt(p + 4) === 32;
    let q = scanZoneSuffix(line, t.end, t.parts);
    if (line.charCodeAt(q) === 58 /* : */ || (line.charCodeAt(q) === 32 && line.charCodeAt(q + 1) === 58)) {
      return p; // `Jan  1 03:13:14.663 UTC: %…` or `Oct  4 22:52:47.441 : …`: a device time
    }
    if (t.parts.zone !== undefined && t.parts.zone.kind === 'label' && !hostFollows(line, q)) {
      // `Jan  6 13:24:18 ABC %SYS-…`: the capitals were the host name, not a zone (EOS writes
      // `2016 May 26 15:41:47 IST XYZ Ebra: %…` with a zone and then the host).
      t.parts.zone = undefined;
      q = t.end;
    }
    if (line.charCodeAt(q) !== 32) return p;
    while (line.charCodeAt(q) === 32) q++;
    this.headerTime = t.parts;
    if (yearFirst) this.yearFirst = true;
    const e = tokenEnd(line, q);
    if (e === q) return q;
    const last = line.charCodeAt(e - 1);
    // A token ending in ':' is a tag or a Cisco sequence number: RFC 3164 without HOSTNAME.
    if (last === 58 || line.charCodeAt(q) === 37 /* % */) return q;
    if (line.charCodeAt(e) !== 32) return q;
    // IOS-XR: `host RP/0/RSP0/CPU0:…` is read by the prefix scanner.
    if (isNodeAt(line, e + 1) > 0) return q;
    this.host = line.slice(q, e);
    let r = e;
    while (line.charCodeAt(r) === 32) r++;
    return r;
  }

  /** Cisco / IOS-XR / NX-OS / EOS prefixes inside the message part; returns where the message begins. */
  private scanPrefixes(line: string, p0: number, afterPri: number): number {
    let p = p0;
    for (let guard = 0; guard < 12; guard++) {
      while (line.charCodeAt(p) === 32) p++;
      const c = line.charCodeAt(p);
      if (p >= line.length) return p;
      if (c === 37 /* % */) return p;
      // `<189>: Jan …`: IOS with an empty sequence number.
      if (c === 58 && p === afterPri && line.charCodeAt(p + 1) === 32) {
        p += 2;
        continue;
      }
      if (isDigit(c)) {
        let e = p;
        while (isDigit(line.charCodeAt(e))) e++;
        if (line.charCodeAt(e) === 58 && (line.charCodeAt(e + 1) === 32 || e + 1 === line.length)) {
          if (this.seq === '') this.seq = line.slice(p, e);
          p = e + 2;
          continue;
        }
      }
      if (this.tagged) return p; // after a tag only a sequence number may follow (EOS)
      const up = uptimeEnd(line, p);
      if (up > 0 && this.deviceTime === undefined) {
        this.uptime = true;
        p = up;
        continue;
      }
      if ((c === 42 /* * */ || c === 46) /* . */ && this.deviceTime === undefined) {
        const t = this.deviceTimeAt(line, p + 1);
        if (t >= 0) {
          this.unsynced = true;
          p = t;
          continue;
        }
        return p;
      }
      if (this.deviceTime === undefined) {
        const t = this.deviceTimeAt(line, p);
        if (t >= 0) {
          p = t;
          continue;
        }
      }
      const nodeEnd = isNodeAt(line, p);
      if (nodeEnd > 0) {
        this.node = line.slice(p, nodeEnd - 1);
        p = nodeEnd;
        continue;
      }
      const e = tokenEnd(line, p);
      if (e === p) return p;
      if (line.charCodeAt(e - 1) === 58 /* : */ && e - 1 > p) {
        // `host: <time>` (origin-id) or `prog[pid]:` / `prog:` (a tag).
        let n = e;
        while (line.charCodeAt(n) === 32) n++;
        if (this.originHost === '' && this.deviceTime === undefined && startsTimeOrNode(line, n)) {
          this.originHost = line.slice(p, e - 1);
          p = n;
          continue;
        }
        if (this.setTag(line, p, e - 1)) {
          p = e;
          continue;
        }
        return p;
      }
      // `xrv RP/0/RP0/CPU0:…`: the device's name before an IOS-XR node.
      if (line.charCodeAt(e) === 32 && this.node === '' && isNodeAt(line, e + 1) > 0) {
        if (this.originHost === '') this.originHost = line.slice(p, e);
        p = e + 1;
        continue;
      }
      return p;
    }
    return p;
  }

  /** A Cisco device time at `p` followed by an optional zone and `:` (or ` :`, IOS-XR); returns the end or -1. */
  private deviceTimeAt(line: string, p: number): number {
    const c = line.charCodeAt(p);
    const t = isDigit(c) ? scanYearFirstTime(line, p) : monthAt(line, p) > 0 ? scanBsdTime(line, p) : undefined;
    if (!t) return -1;
    let q = scanZoneSuffix(line, t.end, t.parts);
    if (line.charCodeAt(q) === 32 && line.charCodeAt(q + 1) === 58) q++;
    if (line.charCodeAt(q) !== 58) return -1;
    q++;
    this.deviceTime = t.parts;
    if (isDigit(c)) this.yearFirst = true;
    return q;
  }

  /** Sets the program tag from `line[p..colon)` when it looks like `name` or `name[pid]`. */
  private setTag(line: string, p: number, colon: number): boolean {
    let nameEnd = colon;
    let pid = '';
    if (line.charCodeAt(colon - 1) === 93 /* ] */) {
      const open = line.lastIndexOf('[', colon - 1);
      if (open <= p) return false;
      pid = line.slice(open + 1, colon - 1);
      nameEnd = open;
    }
    for (let i = p; i < nameEnd; i++) {
      const c = line.charCodeAt(i);
      if (!(isLetter(c) || isDigit(c) || c === 95 || c === 45 || c === 46 || c === 47)) return false;
    }
    if (nameEnd === p) return false;
    this.app = line.slice(p, nameEnd);
    this.pid = pid;
    this.tagged = true;
    return true;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A Cisco uptime stamp at `p` followed by `: ` (`1w2d:`, `2d03h:`, `00:01:23:`, `00:01:23.456:`, from
 * `service timestamps log uptime`); returns the index after the colon and space, or -1.
 */
function uptimeEnd(s: string, p: number): number {
  let q = p;
  const start = q;
  // hh:mm:ss[.fff]
  if (isDigit(s.charCodeAt(q)) && isDigit(s.charCodeAt(q + 1)) && s.charCodeAt(q + 2) === 58) {
    if (!(isDigit(s.charCodeAt(q + 3)) && isDigit(s.charCodeAt(q + 4)) && s.charCodeAt(q + 5) === 58)) return -1;
    if (!(isDigit(s.charCodeAt(q + 6)) && isDigit(s.charCodeAt(q + 7)))) return -1;
    q += 8;
    if (s.charCodeAt(q) === 46) {
      q++;
      while (isDigit(s.charCodeAt(q))) q++;
    }
  } else {
    // 1y2w, 1w2d, 2d03h, 03h12m (digits then a unit letter, twice or more)
    let units = 0;
    for (;;) {
      const d0 = q;
      while (isDigit(s.charCodeAt(q))) q++;
      if (q === d0) break;
      const u = s.charCodeAt(q);
      if (u !== 121 && u !== 119 && u !== 100 && u !== 104 && u !== 109) return -1; // y w d h m
      q++;
      units++;
    }
    if (units < 2) return -1;
  }
  if (q === start || s.charCodeAt(q) !== 58 || s.charCodeAt(q + 1) !== 32) return -1;
  return q + 2;
}

/** End of the run of non-space characters at `p`. */
function tokenEnd(s: string, p: number): number {
  let e = p;
  while (e < s.length) {
    const c = s.charCodeAt(e);
    if (c === 32 || c === 9) break;
    e++;
  }
  return e;
}

/**
 * An IOS-XR node id at `p` (`RP/0/RSP0/CPU0:`, `LC/0/7/CPU0:`, `0/RP0/ADMIN0:`) immediately followed by a time;
 * returns the index after the `:` or -1.
 */
function isNodeAt(s: string, p: number): number {
  let q = p;
  let slashes = 0;
  while (q < s.length) {
    const c = s.charCodeAt(q);
    if (c === 47) slashes++;
    else if (!(isLetter(c) || isDigit(c))) break;
    q++;
  }
  if (slashes < 2 || s.charCodeAt(q) !== 58) return -1;
  const after = q + 1;
  const c = s.charCodeAt(after);
  if (isDigit(c) ? scanYearFirstTime(s, after) : monthAt(s, after) > 0 ? scanBsdTime(s, after) : undefined) {
    return after;
  }
  return -1;
}

/**
 * After a zone name at `p` (a space, then a token): true when that token is a host name followed by more header,
 * that is not a tag (`mgd[1]:`), a Cisco sequence number, a message (`%…`) or an IOS-XR node.
 */
function hostFollows(s: string, p: number): boolean {
  if (s.charCodeAt(p) !== 32) return false;
  let q = p;
  while (s.charCodeAt(q) === 32) q++;
  const e = tokenEnd(s, q);
  if (e === q || s.charCodeAt(e) !== 32) return false;
  if (s.charCodeAt(q) === 37 || s.charCodeAt(e - 1) === 58 || isNodeAt(s, q) > 0) return false;
  return true;
}

/** True when a Cisco device time (optionally after `*` / `.`) or an IOS-XR node starts at `p`. */
function startsTimeOrNode(s: string, p: number): boolean {
  let q = p;
  const c = s.charCodeAt(q);
  if (c === 42 || c === 46) q++;
  const d = s.charCodeAt(q);
  if (isDigit(d)) return scanYearFirstTime(s, q) !== undefined || isNodeAt(s, q) > 0;
  if (monthAt(s, q) > 0) return scanBsdTime(s, q) !== undefined;
  return isNodeAt(s, q) > 0;
}

/** End (after `]`) of an RFC 5424 SD-ELEMENT starting with `[` at `p`, or -1 when unterminated. */
function sdElementEnd(s: string, p: number): number {
  let q = p + 1;
  let quoted = false;
  while (q < s.length) {
    const c = s.charCodeAt(q);
    if (quoted) {
      if (c === 92 /* \ */) q++;
      else if (c === 34 /* " */) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 93 /* ] */) return q + 1;
    q++;
  }
  return -1;
}

/**
 * The value of SD-PARAM `name` in structured data (first occurrence), unescaped (RFC 5424 §6.3.3: `\"`, `\\`,
 * `\]`), or undefined.
 */
export function sdParam(sd: string, name: string): string | undefined {
  const needle = ` ${name}="`;
  let from = 0;
  for (;;) {
    const i = sd.indexOf(needle, from);
    if (i < 0) return undefined;
    // The match must not sit inside another parameter's quoted value: count unescaped quotes before it.
    let quotes = 0;
    for (let k = 0; k < i; k++) {
      const c = sd.charCodeAt(k);
      if (c === 92) k++;
      else if (c === 34) quotes++;
    }
    if (quotes % 2 === 1) {
      from = i + 1;
      continue;
    }
    let out = '';
    let q = i + needle.length;
    let runStart = q;
    while (q < sd.length) {
      const c = sd.charCodeAt(q);
      if (c === 92 && q + 1 < sd.length) {
        out += sd.slice(runStart, q);
        runStart = q + 1;
        q += 2;
        continue;
      }
      if (c === 34) break;
      q++;
    }
    return out + sd.slice(runStart, q);
  }
}
