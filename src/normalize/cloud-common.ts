/**
 * Helpers shared by the cloud audit-log normalizers (CloudTrail, Azure Activity Log, GCP audit): event times,
 * IP addresses, fallback record keys, and the small pieces the ECS views are built from.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Location } from '../core/diagnostic.js';
import type { Origin } from '../core/event.js';
import { isObject, type JsonObject } from '../core/json.js';

/** An event time: the ISO 8601 string in UTC with the source's own fractional digits, and epoch milliseconds. */
export interface EventTime {
  iso: string;
  ms: number;
}

/**
 * ISO 8601 date-time as the cloud providers write it: `2022-11-15T22:58:13Z` (CloudTrail), `2022-11-15 22:58:13`
 * (Panther's normalised CloudTrail, UTC), `2023-01-22 16:53:53.000` (CloudTrail Lake, UTC),
 * `2019-01-21T22:14:26.9792776Z` (Azure, 7 digits), `2024-11-19T13:13:13.176899Z` (GCP, up to 9 digits), or with
 * an offset (`2021-11-18T09:41:02-08:00`). A time without a zone is UTC. No nested quantifiers: linear.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,12}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1];
}

/**
 * Parses an event time string; undefined when it is not an ISO 8601 date-time. The ISO result keeps every
 * fractional digit (JavaScript dates hold only milliseconds; Azure and GCP write 7 and 9 digits).
 */
export function parseEventTime(v: unknown): EventTime | undefined {
  if (typeof v !== 'string') return undefined;
  const m = ISO_TIME.exec(v.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return undefined;
  const frac = m[7] ?? '';
  if (m[9] === undefined && s < 60 && y >= 100) {
    // The usual case (UTC, no leap second, a year `Date.UTC` takes as written): the fields are already canonical.
    const wholeMs = Date.UTC(y, mo - 1, d, h, mi, s);
    const ms = wholeMs + (frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0);
    return { iso: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac ? `.${frac}` : ''}Z`, ms };
  }
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
  }
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  const wholeMs = t.getTime() - offsetMin * 60_000;
  const whole = new Date(wholeMs);
  const year = whole.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  const ms = wholeMs + (frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0);
  const iso = `${whole.toISOString().slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
  return { iso, ms };
}

/** True for an IPv4 or IPv6 address (what Elastic's `%{IP}` grok and `convert type: ip` accept). */
export function isIpAddress(v: unknown): v is string {
  return typeof v === 'string' && isIP(v) !== 0;
}

/** A stable key for a record that has no natural identifier: a hash of its exact text. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** The diagnostic location of an origin. */
export function originLocation(o: Origin): Location {
  const loc: Location = { file: o.file };
  if (o.line !== undefined) loc.line = o.line;
  if (o.column !== undefined) loc.column = o.column;
  if (o.record !== undefined) loc.record = o.record;
  return loc;
}

/** `v` when it is an object, else an empty object (for reading optional nested members). */
export function objectAt(v: unknown): JsonObject {
  return isObject(v) ? v : EMPTY;
}

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

/** Sets a dotted path in a nested document, creating objects on the way; undefined values are not set. */
export function put(doc: JsonObject, path: string, value: unknown): void {
  if (value === undefined) return;
  let cur = doc;
  let from = 0;
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', from)) {
    const key = path.slice(from, dot);
    let next = cur[key];
    if (!isObject(next)) {
      next = {};
      cur[key] = next;
    }
    cur = next as JsonObject;
    from = dot + 1;
  }
  cur[path.slice(from)] = value;
}

/** Appends strings to an array at a dotted path, skipping empty values and duplicates (ingest `append`, `allow_duplicates: false`). */
export function appendUnique(doc: JsonObject, path: string, ...values: unknown[]): void {
  for (const v of values) {
    if (typeof v !== 'string' || v.length === 0) continue;
    let list = pathValue(doc, path);
    if (!Array.isArray(list)) {
      list = [];
      put(doc, path, list);
    }
    const arr = list as unknown[];
    if (!arr.includes(v)) arr.push(v);
  }
}

function pathValue(doc: JsonObject, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Nesting depth beyond which recursive helpers stop descending (JSON.parse accepts any depth). */
export const MAX_DEPTH = 256;

/**
 * A deep copy without null, empty-string, empty-object and empty-array values: the "Drops null/empty values
 * recursively" script of Elastic's CloudTrail and GCP audit pipelines (elastic/integrations
 * `packages/aws/data_stream/cloudtrail/elasticsearch/ingest_pipeline/default.yml`,
 * `packages/gcp/data_stream/audit/elasticsearch/ingest_pipeline/default.yml`). The GCP one also drops keys made of
 * dots only (`dropDotKeys`). Undefined when nothing is left.
 */
export function withoutEmpty(v: unknown, dropDotKeys = false, depth = 0): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  // Deeper than any real record: kept as it is rather than risking the stack on hostile input.
  if (depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const y = withoutEmpty(x, dropDotKeys, depth + 1);
      if (y !== undefined) out.push(y);
    }
    return out.length > 0 ? out : undefined;
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    let any = false;
    for (const [k, x] of Object.entries(v)) {
      if (dropDotKeys && k.length > 0 && /^\.+$/.test(k)) continue;
      const y = withoutEmpty(x, dropDotKeys, depth + 1);
      if (y !== undefined) {
        out[k] = y;
        any = true;
      }
    }
    return any ? out : undefined;
  }
  return v;
}
