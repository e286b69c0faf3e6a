/**
 * Date parts for the v2.1 time modifiers (`minute`, `hour`, `day`, `week`, `month`, `year`;
 * `sigma-appendix-modifiers.md`, "Time Modifiers"). The specification warns that they do not handle time zones or
 * format conversions, so an ISO 8601 text is read as written (its own clock, offset ignored); other values are read
 * as instants in UTC: epoch numbers (seconds below 1e11, else milliseconds) and texts `Date.parse` understands.
 */
import type { TimePart } from './types.js';

/** The valid range of each part, for rule validation and messages. */
export const TIME_PART_RANGES: Readonly<Record<TimePart, readonly [number, number]>> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  week: [1, 53],
  month: [1, 12],
  year: [0, 9999],
};

/** Broken-down date and time. */
interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

// `2024-05-01`, `2024-05-01T10:15`, `2024-05-01 10:15:30.123Z`, `2024-05-01T10:15:30+02:00`.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/;

function fromIso(text: string): DateFields | null {
  const m = ISO.exec(text);
  if (m === null) return null;
  const f: DateFields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
  };
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 23 || f.minute > 59) return null;
  return f;
}

function fromEpochMs(ms: number): DateFields | null {
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(year: number, month: number, day: number): number {
  const t = Date.UTC(year, month - 1, day);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = t + (3 - dow) * 86_400_000;
  const thursdayYear = new Date(thursday).getUTCFullYear();
  const jan1 = Date.UTC(thursdayYear, 0, 1);
  return Math.floor((thursday - jan1) / 86_400_000 / 7) + 1;
}

/** Extracts one part of a date value, or undefined when the value is not a date. */
export function extractTimePart(value: unknown, part: TimePart): number | undefined {
  let f: DateFields | null = null;
  if (typeof value === 'number') f = fromEpochMs(Math.abs(value) < 1e11 ? value * 1000 : value);
  else if (typeof value === 'string') {
    f = fromIso(value);
    if (f === null) {
      const trimmed = value.trim();
      if (/^\d+(\.\d+)?$/.test(trimmed)) {
        const n = Number(trimmed);
        f = fromEpochMs(n < 1e11 ? n * 1000 : n);
      } else {
        f = fromEpochMs(Date.parse(value));
      }
    }
  }
  if (f === null) return undefined;
  switch (part) {
    case 'minute':
      return f.minute;
    case 'hour':
      return f.hour;
    case 'day':
      return f.day;
    case 'week':
      return isoWeek(f.year, f.month, f.day);
    case 'month':
      return f.month;
    case 'year':
      return f.year;
    default: {
      const never: never = part;
      throw new Error(`unexpected time part ${String(never)}`);
    }
  }
}
