/**
 * Timestamps exactly as each source writes them. All times are UTC: simulated devices log in UTC (`service
 * timestamps log datetime msec show-timezone`), and the cloud providers always write UTC.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function p2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function p3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/** CloudTrail `eventTime`: whole seconds, `Z` (`2022-11-15T22:58:13Z`, events.md §1.2). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Milliseconds, `Z` (`2026-11-20T14:02:40.118Z`). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A time with more digits than milliseconds: the millisecond part of `ms` followed by `extra` (digits the caller
 * drew), as Azure writes 7 fractional digits (`.9792776Z`) and GCP 6 or 9 (formats.md §1.4, §1.5).
 */
export function isoFraction(ms: number, extra: string): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${extra}Z`;
}

/** `YYYYMMDDTHHmmZ`, the delivery time in CloudTrail log file names (formats.md §1.1). */
export function compactMinute(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
}

/** `YYYY`, `MM`, `DD`, `HH` of a time, zero-padded. */
export function dateParts(ms: number): { y: string; m: string; d: string; h: string } {
  const d = new Date(ms);
  return { y: String(d.getUTCFullYear()), m: p2(d.getUTCMonth() + 1), d: p2(d.getUTCDate()), h: p2(d.getUTCHours()) };
}

/** `YYYY-MM-DD`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** RFC 3164 TIMESTAMP, `Mmm dd hh:mm:ss` with a space-padded day (RFC 3164 §4.1.2: `Oct  1`). */
export function rfc3164(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/**
 * Cisco IOS `service timestamps log datetime msec year`: `Nov 20 2026 13:12:04.118` (the layout of the bundled
 * examples), or without the year and with the zone name (`… msec show-timezone`): `Mar  3 09:14:05.112 UTC`.
 */
export function iosTimestamp(ms: number, withYear: boolean): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${p3(d.getUTCMilliseconds())}`;
  if (withYear) return `${MONTHS[d.getUTCMonth()]} ${p2(day)} ${d.getUTCFullYear()} ${time}`;
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${time} UTC`;
}

/** NX-OS `show accounting log` time: `Thu Jan 30 01:41:15 2020` (events.md §4.4). */
export function nxosAccountingTime(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** NX-OS syslog time, `2026 Mar  3 11:20:44` (year first; `logging timestamp` default). */
export function nxosSyslogTime(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  return `${d.getUTCFullYear()} ${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** tac_plus accounting file time, `2026-03-03 13:10:00 +0000`. */
export function tacacsTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`;
}
