/** Parsing and validation of option values shared by commands; a bad value is a message, not an exception. */
import { isLevel, LEVELS, type Level } from '../core/alert.js';

/** A parsed value or the reason it is invalid. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses `--min-level`. */
export function parseLevel(s: string): Parsed<Level> {
  const v = s.toLowerCase() === 'info' ? 'informational' : s.toLowerCase();
  return isLevel(v) ? { ok: true, value: v } : { ok: false, message: `unknown level "${s}": expected ${LEVELS.join(', ')}` };
}

/** Parses a size such as `32MB`, `512k`, `1g` or a plain number of bytes. */
export function parseSize(s: string): Parsed<number> {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(s);
  if (!m) return { ok: false, message: `invalid size "${s}": expected a number with an optional unit (k, MB, GiB)` };
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const n = Math.floor(Number(m[1]) * mult);
  if (n < 1024) return { ok: false, message: `size "${s}" is too small: at least 1k` };
  return { ok: true, value: n };
}

/** Validates a time zone: `UTC`, an IANA name, or a fixed offset `+02:00`/`-0530`. */
export function parseTimeZone(s: string): Parsed<string> {
  if (/^(utc|gmt|z)$/i.test(s)) return { ok: true, value: 'UTC' };
  if (/^[+-](\d{2}):?(\d{2})$/.test(s)) {
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(s) as RegExpExecArray;
    if (Number(m[2]) > 14 || Number(m[3]) > 59) return { ok: false, message: `invalid offset "${s}"` };
    return { ok: true, value: `${m[1]}${m[2]}:${m[3]}` };
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return { ok: true, value: s };
  } catch {
    return { ok: false, message: `unknown time zone "${s}": use UTC, an IANA name such as Europe/Berlin, or an offset such as +02:00` };
  }
}

/** Parses `--year`. */
export function parseYear(s: string): Parsed<number> {
  const n = Number(s);
  return Number.isInteger(n) && n >= 1990 && n <= 2100 ? { ok: true, value: n } : { ok: false, message: `invalid year "${s}"` };
}

/** Output formats of `scan`. */
export const FORMATS = ['table', 'ndjson', 'json'] as const;
/** An output format of `scan`. */
export type Format = (typeof FORMATS)[number];

/** Parses `--format`. */
export function parseFormat(s: string): Parsed<Format> {
  const v = s.toLowerCase();
  return (FORMATS as readonly string[]).includes(v) ? { ok: true, value: v as Format } : { ok: false, message: `unknown format "${s}": expected ${FORMATS.join(', ')}` };
}

/** Parses `--jobs`: a positive whole number (at most 256). */
export function parseJobs(s: string): Parsed<number> {
  const n = Number(s);
  return Number.isInteger(n) && n >= 1 && n <= 256 ? { ok: true, value: n } : { ok: false, message: `invalid number of jobs "${s}": expected a whole number from 1 to 256` };
}

/** Parses a duration such as `15m`, `2h`, `90s` or `1d` (Sigma's timespan units) into milliseconds; `0` is allowed. */
export function parseDuration(s: string): Parsed<number> {
  const m = /^\s*(\d+)\s*([smhd])\s*$/i.exec(s);
  if (!m) return s.trim() === '0' ? { ok: true, value: 0 } : { ok: false, message: `invalid duration "${s}": expected a number with a unit s, m, h or d (e.g. 15m)` };
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return { ok: true, value: Number(m[1]) * unit };
}
