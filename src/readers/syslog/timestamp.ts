/**
 * Timestamps as network devices and collectors write them, and how a wall-clock time without zone or year becomes
 * an instant.
 *
 * Layouts read (each scanner is anchored at a position and never backtracks):
 * - BSD / RFC 3164 `Mmm dd hh:mm:ss` (RFC 3164 §4.1.2; a single-digit day is padded with a space), with Cisco's
 *   optional milliseconds, year (`service timestamps log datetime … year`: `Jan  6 2022 20:52:12.861`) and zone
 *   name (`show-timezone`: `Jan  1 03:13:14.663 UTC`; rsyslog/rsyslog#4079);
 * - NX-OS year first: `2020 Jan 30 01:41:15` (napalm-automation/napalm-logs tests/config/nxos);
 * - RFC 3339 / RFC 5424 §6.2.3 `2003-10-11T22:14:15.003Z`, also `…+02:00` and `…+0200`;
 * - tac_plus `2020-07-17 17:41:26 +0000` (samples/tacplus_accounting_tac_plus_srlinux_example.log);
 * - ctime `Thu Jan 30 01:41:15 2020` (NX-OS `show accounting log`, samples/nxos_accounting_log_networkcoder_readme.log).
 *
 * RFC 3164 carries neither year nor zone (§4.1.2 says the time should be the device's local time); RFC 5424
 * Appendix A.1 says a relay adds the year. Here the year is the latest one that puts the time at or before the
 * file's reference time plus one day, so a file spanning New Year needs no state.
 */

/** A zone written on the line. */
export type LineZone =
  | { kind: 'utc' }
  | { kind: 'offset'; minutes: number }
  /** A zone name such as `PDT` or `CET`: on Cisco devices the administrator chooses it (`clock timezone NAME`). */
  | { kind: 'label'; label: string };

/** The parts of a wall-clock time as written. */
export interface TimeParts {
  /** Undefined when the layout has no year (RFC 3164). */
  year: number | undefined;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fractional-second digits as written, '' when none. */
  fraction: string;
  zone: LineZone | undefined;
}

/** A scanned timestamp and the index just after it. */
export interface ScannedTime {
  parts: TimeParts;
  end: number;
}

const UTC_ZONE: LineZone = { kind: 'utc' };

/** Month number (1–12) of the three letters at `p` (any case), or 0. */
export function monthAt(s: string, p: number): number {
  if (p + 3 > s.length) return 0;
  const a = s.charCodeAt(p) | 0x20;
  const b = s.charCodeAt(p + 1) | 0x20;
  const c = s.charCodeAt(p + 2) | 0x20;
  switch (a) {
    case 0x6a: // j
      if (b === 0x61 && c === 0x6e) return 1; // jan
      if (b === 0x75 && c === 0x6e) return 6; // jun
      if (b === 0x75 && c === 0x6c) return 7; // jul
      return 0;
    case 0x66: // f
      return b === 0x65 && c === 0x62 ? 2 : 0;
    case 0x6d: // m
      if (b === 0x61 && c === 0x72) return 3;
      if (b === 0x61 && c === 0x79) return 5;
      return 0;
    case 0x61: // a
      if (b === 0x70 && c === 0x72) return 4;
      if (b === 0x75 && c === 0x67) return 8;
      return 0;
    case 0x73: // s
      return b === 0x65 && c === 0x70 ? 9 : 0;
    case 0x6f: // o
      return b === 0x63 && c === 0x74 ? 10 : 0;
    case 0x6e: // n
      return b === 0x6f && c === 0x76 ? 11 : 0;
    case 0x64: // d
      return b === 0x65 && c === 0x63 ? 12 : 0;
    default:
      return 0;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Value of exactly `n` digits at `p`, or -1. */
function digits(s: string, p: number, n: number): number {
  if (p + n > s.length) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(p + i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** True when a letter follows a month name (so `Janitor` is not January). */
function wordContinues(s: string, p: number): boolean {
  return p < s.length && isLetter(s.charCodeAt(p));
}

/** Scans `hh:mm:ss[.fff…]` at `p` into `parts`; returns the end or -1. */
function scanClock(s: string, p: number, parts: TimeParts): number {
  const hh = digits(s, p, 2);
  if (hh < 0 || s.charCodeAt(p + 2) !== 58) return -1;
  const mm = digits(s, p + 3, 2);
  if (mm < 0 || s.charCodeAt(p + 5) !== 58) return -1;
  const ss = digits(s, p + 6, 2);
  if (ss < 0) return -1;
  let q = p + 8;
  if (isDigit(s.charCodeAt(q))) return -1;
  parts.hour = hh;
  parts.minute = mm;
  parts.second = ss;
  if (s.charCodeAt(q) === 46 /* . */ && isDigit(s.charCodeAt(q + 1))) {
    const f0 = q + 1;
    q = f0;
    while (q < s.length && isDigit(s.charCodeAt(q)) && q - f0 < 9) q++;
    parts.fraction = s.slice(f0, q);
    while (q < s.length && isDigit(s.charCodeAt(q))) q++; // more than nanoseconds: ignored
  }
  return q;
}

function newParts(): TimeParts {
  return { year: undefined, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: '', zone: undefined };
}

/**
 * BSD / Cisco: `Mmm dd [yyyy ]hh:mm:ss[.fff]` (one or more spaces between fields; the day may be `6`, ` 6` or `06`).
 */
export function scanBsdTime(s: string, p: number): ScannedTime | undefined {
  const month = monthAt(s, p);
  if (month === 0 || wordContinues(s, p + 3)) return undefined;
  let q = p + 3;
  if (s.charCodeAt(q) !== 32) return undefined;
  while (s.charCodeAt(q) === 32) q++;
  let day = digits(s, q, 2);
  if (day >= 0) q += 2;
  else {
    day = digits(s, q, 1);
    if (day < 0) return undefined;
    q += 1;
  }
  if (s.charCodeAt(q) !== 32) return undefined;
  while (s.charCodeAt(q) === 32) q++;
  const parts = newParts();
  parts.month = month;
  parts.day = day;
  // Cisco `… year`: a four-digit year between the day and the clock.
  const year = digits(s, q, 4);
  if (year >= 0 && s.charCodeAt(q + 4) === 32) {
    parts.year = year;
    q += 5;
    while (s.charCodeAt(q) === 32) q++;
  }
  const end = scanClock(s, q, parts);
  return end < 0 ? undefined : { parts, end };
}

/** NX-OS: `yyyy Mmm dd hh:mm:ss[.fff]`. */
export function scanYearFirstTime(s: string, p: number): ScannedTime | undefined {
  const year = digits(s, p, 4);
  if (year < 0 || s.charCodeAt(p + 4) !== 32) return undefined;
  const rest = scanBsdTime(s, p + 5);
  if (!rest || rest.parts.year !== undefined) return undefined;
  rest.parts.year = year;
  return rest;
}

/** Scans a numeric offset `+hh:mm`, `+hhmm` or `+hh` at `p`; returns minutes and end, or undefined. */
function scanOffset(s: string, p: number): { minutes: number; end: number } | undefined {
  const sign = s.charCodeAt(p);
  if (sign !== 43 && sign !== 45) return undefined;
  const hh = digits(s, p + 1, 2);
  if (hh < 0 || hh > 14) return undefined;
  let q = p + 3;
  let mm = 0;
  if (s.charCodeAt(q) === 58) {
    mm = digits(s, q + 1, 2);
    if (mm < 0) return undefined;
    q += 3;
  } else {
    const m2 = digits(s, q, 2);
    if (m2 >= 0) {
      mm = m2;
      q += 2;
    }
  }
  if (isDigit(s.charCodeAt(q)) || mm > 59) return undefined;
  const minutes = (hh * 60 + mm) * (sign === 45 ? -1 : 1);
  return { minutes, end: q };
}

/** RFC 3339 (RFC 5424 §6.2.3): `yyyy-mm-ddThh:mm:ss[.f…](Z|±hh:mm)`; the zone is optional here. */
export function scanIsoTime(s: string, p: number): ScannedTime | undefined {
  return scanDashedDate(s, p, 'T');
}

/** tac_plus: `yyyy-mm-dd hh:mm:ss[ ±hhmm]`. */
export function scanSpacedIsoTime(s: string, p: number): ScannedTime | undefined {
  return scanDashedDate(s, p, ' ');
}

function scanDashedDate(s: string, p: number, sep: 'T' | ' '): ScannedTime | undefined {
  const year = digits(s, p, 4);
  if (year < 0 || s.charCodeAt(p + 4) !== 45) return undefined;
  const month = digits(s, p + 5, 2);
  if (month < 0 || s.charCodeAt(p + 7) !== 45) return undefined;
  const day = digits(s, p + 8, 2);
  if (day < 0) return undefined;
  const t = s.charCodeAt(p + 10);
  if (sep === 'T' ? t !== 84 && t !== 116 : t !== 32) return undefined;
  const parts = newParts();
  parts.year = year;
  parts.month = month;
  parts.day = day;
  let q = scanClock(s, p + 11, parts);
  if (q < 0) return undefined;
  const z = s.charCodeAt(q);
  if (z === 90 || z === 122) {
    parts.zone = UTC_ZONE;
    q++;
  } else if (sep === ' ' && z === 32) {
    const off = scanOffset(s, q + 1);
    if (off) {
      parts.zone = off.minutes === 0 ? UTC_ZONE : { kind: 'offset', minutes: off.minutes };
      q = off.end;
    }
  } else {
    const off = scanOffset(s, q);
    if (off) {
      parts.zone = off.minutes === 0 ? UTC_ZONE : { kind: 'offset', minutes: off.minutes };
      q = off.end;
    }
  }
  return { parts, end: q };
}

/** ctime: `Www Mmm dd hh:mm:ss yyyy` (the NX-OS accounting log). */
export function scanCtime(s: string, p: number): ScannedTime | undefined {
  // Weekday: three letters and a space; its value is not checked against the date.
  if (!isLetter(s.charCodeAt(p)) || !isLetter(s.charCodeAt(p + 1)) || !isLetter(s.charCodeAt(p + 2))) return undefined;
  if (s.charCodeAt(p + 3) !== 32) return undefined;
  const t = scanBsdTime(s, p + 4);
  if (!t || t.parts.year !== undefined || s.charCodeAt(t.end) !== 32) return undefined;
  const year = digits(s, t.end + 1, 4);
  if (year < 0 || isDigit(s.charCodeAt(t.end + 5))) return undefined;
  t.parts.year = year;
  t.end += 5;
  return t;
}

/** Any of the device/header layouts that start a syslog line: RFC 3339, NX-OS year first, BSD. */
export function scanAnyTime(s: string, p: number): ScannedTime | undefined {
  const c = s.charCodeAt(p);
  if (isDigit(c)) return scanIsoTime(s, p) ?? scanYearFirstTime(s, p);
  if (isLetter(c)) return scanBsdTime(s, p);
  return undefined;
}

/**
 * A zone written after a Cisco timestamp: ` UTC`, ` PDT`, ` +02:00` (space first). Returns the end and sets
 * `parts.zone`, or returns `p` unchanged.
 */
export function scanZoneSuffix(s: string, p: number, parts: TimeParts): number {
  if (s.charCodeAt(p) !== 32) return p;
  const q = p + 1;
  const off = scanOffset(s, q);
  if (off) {
    parts.zone = off.minutes === 0 ? UTC_ZONE : { kind: 'offset', minutes: off.minutes };
    return off.end;
  }
  let e = q;
  while (e < s.length && e - q < 6) {
    const c = s.charCodeAt(e);
    if (!(c >= 65 && c <= 90)) break;
    e++;
  }
  // A zone name is 2–5 capital letters followed by ':' (Cisco) or a space; anything longer is a word.
  if (e - q < 2 || e - q > 5) return p;
  const after = s.charCodeAt(e);
  if (after !== 58 && after !== 32) return p;
  const label = s.slice(q, e);
  parts.zone = label === 'UTC' || label === 'GMT' || label === 'UT' || label === 'Z' ? UTC_ZONE : { kind: 'label', label };
  return e;
}

/** Days in a month of a (proleptic Gregorian) year. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when the parts name a real calendar time (in `year`). */
export function validParts(p: TimeParts, year: number): boolean {
  return (
    p.month >= 1 &&
    p.month <= 12 &&
    p.day >= 1 &&
    p.day <= daysInMonth(year, p.month) &&
    p.hour <= 23 &&
    p.minute <= 59 &&
    p.second <= 60
  );
}

/** Milliseconds of a fraction-digit string. */
function fractionMs(fraction: string): number {
  if (fraction.length === 0) return 0;
  if (fraction.length >= 3) return Number(fraction.slice(0, 3));
  return Number(fraction) * (fraction.length === 1 ? 100 : 10);
}

/** Converts wall-clock times of one zone (UTC, a fixed offset or an IANA zone) to instants. */
export class ZoneResolver {
  private readonly fmt: Intl.DateTimeFormat | undefined;
  private readonly fixedMinutes: number;
  /** Offset (ms) by 15-minute bucket of UTC time: zone transitions fall on such boundaries in practice. */
  private readonly cache = new Map<number, number>();

  private constructor(
    /** The zone as the user named it (for assumption texts). */
    readonly name: string,
    fixedMinutes: number,
    fmt: Intl.DateTimeFormat | undefined,
  ) {
    this.fixedMinutes = fixedMinutes;
    this.fmt = fmt;
  }

  /** Builds a resolver for `UTC`, a fixed offset (`+02:00`, `-0530`) or an IANA name; undefined when unknown. */
  static create(zone: string): ZoneResolver | undefined {
    const z = zone.trim();
    const upper = z.toUpperCase();
    if (upper === 'UTC' || upper === 'GMT' || upper === 'Z' || upper === 'ETC/UTC' || upper === 'ETC/GMT') {
      return new ZoneResolver(z, 0, undefined);
    }
    const off = scanOffset(z, 0);
    if (off && off.end === z.length) return new ZoneResolver(z, off.minutes, undefined);
    try {
      const fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: z,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      return new ZoneResolver(z, 0, fmt);
    } catch {
      return undefined;
    }
  }

  /** True for UTC itself. */
  get isUtc(): boolean {
    return this.fmt === undefined && this.fixedMinutes === 0;
  }

  /** The zone's offset from UTC (ms) at the instant `utcMs`. */
  private offsetAt(utcMs: number): number {
    const fmt = this.fmt;
    if (!fmt) return this.fixedMinutes * 60000;
    const bucket = Math.floor(utcMs / 900000);
    const hit = this.cache.get(bucket);
    if (hit !== undefined) return hit;
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let se = 0;
    for (const part of fmt.formatToParts(bucket * 900000)) {
      switch (part.type) {
        case 'year':
          y = Number(part.value);
          break;
        case 'month':
          mo = Number(part.value);
          break;
        case 'day':
          d = Number(part.value);
          break;
        case 'hour':
          h = Number(part.value);
          break;
        case 'minute':
          mi = Number(part.value);
          break;
        case 'second':
          se = Number(part.value);
          break;
        default:
          break;
      }
    }
    const offset = Date.UTC(y, mo - 1, d, h, mi, se) - bucket * 900000;
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(bucket, offset);
    return offset;
  }

  /** The instant of a wall-clock time in this zone (two passes settle times next to a DST change). */
  toUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
    if (!this.fmt) return wall - this.fixedMinutes * 60000;
    const first = this.offsetAt(wall);
    let t = wall - first;
    const second2 = this.offsetAt(t);
    if (second2 !== first) t = wall - second2;
    return t;
  }
}

/** How a line's time was settled. */
export interface ResolvedTime {
  ms: number;
  /** ISO 8601 in UTC, with every fractional digit the source wrote; '' when the time is unknown. */
  iso: string;
}

/** Settles times without year or zone for one file; caches the texts of its assumptions. */
export class TimeSettings {
  /** `referenceTimeMs` plus one day of clock skew: no inferred time may lie after it. */
  private readonly limit: number;
  private readonly limitYear: number;
  private readonly zoneAssumption: string;
  private readonly texts = new Map<string, string>();
  /** The last inferred-year assumption (consecutive lines nearly always share it). */
  private lastYear = NaN;
  private lastReason = '';
  private lastYearText = '';

  constructor(
    readonly zone: ZoneResolver,
    readonly year: number | undefined,
    referenceTimeMs: number,
  ) {
    this.limit = referenceTimeMs + DAY_MS;
    this.limitYear = new Date(this.limit).getUTCFullYear();
    this.zoneAssumption = `time zone ${zone.name} assumed (the line names none)`;
  }

  private text(key: string, make: () => string): string {
    let t = this.texts.get(key);
    if (t === undefined) {
      t = make();
      if (this.texts.size < 1024) this.texts.set(key, t);
    }
    return t;
  }

  /** The instant of `parts` in `year`, or NaN when that is not a calendar date. */
  private instant(parts: TimeParts, year: number, ms: number): number {
    if (!validParts(parts, year)) return NaN;
    const zone = parts.zone;
    if (zone === undefined || zone.kind === 'label') {
      return this.zone.toUtc(year, parts.month, parts.day, parts.hour, parts.minute, parts.second, ms);
    }
    const minutes = zone.kind === 'utc' ? 0 : zone.minutes;
    return Date.UTC(year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, ms) - minutes * 60000;
  }

  /**
   * Settles the parts of one line's time into an instant, recording each assumption it makes (year, zone) in
   * `assumptions`. `noYearReason` says why the year is missing (for the assumption text).
   */
  resolve(parts: TimeParts, noYearReason: string, assumptions: string[]): ResolvedTime {
    const ms = fractionMs(parts.fraction);
    const zone = parts.zone;
    if (zone === undefined) assumptions.push(this.zoneAssumption);
    else if (zone.kind === 'label') {
      assumptions.push(
        this.text(
          `z${zone.label}`,
          () =>
            `time zone ${this.zone.name} assumed (the zone name "${zone.label}" on the line is set by the device administrator, not a UTC offset)`,
        ),
      );
    }
    let year = parts.year;
    let t = NaN;
    if (year === undefined && this.year !== undefined) {
      const y = this.year;
      year = y;
      assumptions.push(this.text(`o${noYearReason}`, () => `year ${y} taken from the year option (${noYearReason})`));
    }
    if (year !== undefined) {
      t = this.instant(parts, year, ms);
    } else {
      // Only 1 January of the next year can fall before the limit (a zone ahead of UTC at New Year).
      const first = parts.month === 1 && parts.day === 1 ? this.limitYear + 1 : this.limitYear;
      for (let y = first; y >= this.limitYear - 8; y--) {
        const candidate = this.instant(parts, y, ms); // NaN for 29 February outside leap years
        if (candidate <= this.limit) {
          year = y;
          t = candidate;
          break;
        }
      }
      if (year !== undefined) {
        if (year !== this.lastYear || noYearReason !== this.lastReason) {
          const y = year;
          this.lastYear = year;
          this.lastReason = noYearReason;
          this.lastYearText = this.text(`i${y}${noYearReason}`, () => `year ${y} inferred (${noYearReason}) from the file time`);
        }
        assumptions.push(this.lastYearText);
      }
    }
    if (!Number.isFinite(t)) return { ms: NaN, iso: '' };
    return { ms: t, iso: isoOf(t, parts.fraction) };
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * ISO 8601 in UTC of instant `t`, with the source's fractional digits when it wrote more than milliseconds.
 * Hand-written because `Date.prototype.toISOString` costs close to a microsecond per line; the calendar
 * conversion is Howard Hinnant's `civil_from_days` (public-domain algorithm, "chrono-Compatible Low-Level Date
 * Algorithms").
 */
export function isoOf(t: number, fraction: string): string {
  const days = Math.floor(t / 86400000);
  let msOfDay = t - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(t).toISOString();
  const hour = Math.floor(msOfDay / 3600000);
  msOfDay -= hour * 3600000;
  const minute = Math.floor(msOfDay / 60000);
  msOfDay -= minute * 60000;
  const second = Math.floor(msOfDay / 1000);
  const milli = msOfDay - second * 1000;
  const y = year < 1000 ? `${year}`.padStart(4, '0') : `${year}`;
  const frac = fraction.length > 3 ? fraction : milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : `${milli}`;
  return `${y}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${frac}Z`;
}

const DAY_MS = 86400000;
