/**
 * Options of the HTTP senders, validated before anything is sent (a user's mistake is a numbered diagnostic naming
 * the option, never a failed request later), and the sender for a validated configuration.
 */
import type { CodeInfo, Report } from '../core/diagnostic.js';
import { HttpSender, type DeliveryOptions, type OutboundEvent, type Protocol, type WireDoc } from './http-batcher.js';
import { BULK_PROTOCOL, bulkDocument } from './http-bulk.js';
import { HEC_PROTOCOL, hecEnvelope } from './http-hec.js';
import { NDJSON_PROTOCOL, ndjsonLine } from './http-ndjson.js';

/** Diagnostics of the HTTP senders (MW3140–MW3159). */
export const HTTP = {
  badUrl: { code: 'MW3141', severity: 'error', summary: 'the collector URL is not an http:// or https:// URL' },
  badFormat: { code: 'MW3142', severity: 'error', summary: 'unknown wire format (expected hec, bulk or ndjson)' },
  missingToken: { code: 'MW3143', severity: 'error', summary: 'Splunk HEC needs a token (--token)' },
  badBatchSize: { code: 'MW3144', severity: 'error', summary: 'invalid batch size' },
  badNumber: { code: 'MW3145', severity: 'error', summary: 'invalid retry count or timeout' },
  badIndex: { code: 'MW3146', severity: 'error', summary: 'invalid index or data stream name' },
  insecure: { code: 'MW3147', severity: 'warning', summary: 'TLS certificates are not verified (--insecure)' },
  rejected: { code: 'MW3150', severity: 'error', summary: 'the collector rejected records (poison records); the others were delivered' },
  aborted: { code: 'MW3151', severity: 'error', summary: 'delivery stopped: the collector refused the requests or stayed unavailable' },
} as const satisfies Record<string, CodeInfo>;

/** The wire formats. */
export const HTTP_FORMATS = ['hec', 'bulk', 'ndjson'] as const;
/** A wire format. */
export type HttpFormat = (typeof HTTP_FORMATS)[number];

/** Options as given (strings from the command line). */
export interface RawHttpOptions {
  url?: string;
  format?: string;
  token?: string;
  index?: string;
  batchSize?: string;
  retries?: string;
  timeout?: string;
  insecure?: boolean;
}

/** Validated options. */
export interface HttpSenderConfig extends DeliveryOptions {
  format: HttpFormat;
  url: URL;
  token?: string;
  index?: string;
  timeoutMs: number;
  insecure: boolean;
}

/** HEC's default `max_content_length` in Splunk 6.4 was 1 MB; 1 MiB batches suit every collector (formats.md §4). */
export const DEFAULT_BATCH_BYTES = 1024 * 1024;

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i;

function parseBytes(s: string): number | undefined {
  const m = SIZE.exec(s);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}

/** Elasticsearch index and data stream names: lower case, no `\ / * ? " < > | , #` or spaces, not starting with `-_+`. */
const INDEX_NAME = /^[a-z0-9][a-z0-9._-]{0,254}$/;

/** Validates options; reports every problem and returns undefined when there is one. */
export function parseHttpOptions(raw: RawHttpOptions, report: Report): HttpSenderConfig | undefined {
  let ok = true;
  const bad = (info: CodeInfo, option: string, message: string) => {
    if (info.severity === 'error') ok = false;
    report({ code: info.code, severity: info.severity, message, file: option });
  };
  let url: URL | undefined;
  if (raw.url === undefined || raw.url === '') bad(HTTP.badUrl, '--send', 'a collector URL is required, e.g. https://splunk.example.com:8088');
  else {
    try {
      url = new URL(raw.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        bad(HTTP.badUrl, '--send', `"${raw.url}" is a ${url.protocol} URL; use http:// or https://`);
        url = undefined;
      }
    } catch {
      bad(HTTP.badUrl, '--send', `"${raw.url}" is not a URL; expected e.g. https://splunk.example.com:8088`);
    }
  }
  const format = (raw.format ?? '').toLowerCase();
  if (!(HTTP_FORMATS as readonly string[]).includes(format)) bad(HTTP.badFormat, '--format', raw.format === undefined ? 'required with --send: hec, bulk or ndjson' : `unknown format "${raw.format}": expected hec, bulk or ndjson`);
  if (format === 'hec' && (raw.token === undefined || raw.token.trim() === '')) bad(HTTP.missingToken, '--token', 'Splunk HEC needs the token of an HTTP Event Collector input (a GUID)');
  let maxBatchBytes = DEFAULT_BATCH_BYTES;
  if (raw.batchSize !== undefined) {
    const n = parseBytes(raw.batchSize);
    if (n === undefined || n < 1024 || n > 512 * 1024 * 1024) bad(HTTP.badBatchSize, '--batch-size', `"${raw.batchSize}" is not a size between 1k and 512MB`);
    else maxBatchBytes = n;
  }
  let retries = 5;
  if (raw.retries !== undefined) {
    const n = Number(raw.retries);
    if (!Number.isInteger(n) || n < 0 || n > 20) bad(HTTP.badNumber, '--retries', `"${raw.retries}" is not a whole number from 0 to 20`);
    else retries = n;
  }
  let timeoutMs = 30_000;
  if (raw.timeout !== undefined) {
    const n = Number(raw.timeout);
    if (!Number.isFinite(n) || n <= 0 || n > 600) bad(HTTP.badNumber, '--timeout', `"${raw.timeout}" is not a number of seconds from 1 to 600`);
    else timeoutMs = Math.round(n * 1000);
  }
  if (raw.index !== undefined && (format === 'bulk' ? !INDEX_NAME.test(raw.index) : raw.index.trim() === '')) {
    bad(HTTP.badIndex, '--index', `"${raw.index}" is not a valid ${format === 'bulk' ? 'Elasticsearch index or data stream name (lower case letters, digits, . _ -)' : 'index name'}`);
  }
  if (raw.insecure) report({ code: HTTP.insecure.code, severity: HTTP.insecure.severity, message: 'TLS certificates of the collector are not verified', file: '--insecure' });
  if (!ok || url === undefined) return undefined;
  return {
    format: format as HttpFormat,
    url: endpointOf(format as HttpFormat, url),
    token: raw.token,
    index: raw.index,
    maxBatchBytes,
    retries,
    retryBaseMs: 500,
    retryMaxMs: 30_000,
    timeoutMs,
    insecure: raw.insecure === true,
  };
}

/** The endpoint path each protocol posts to, added when the user gave only the server. */
export function endpointOf(format: HttpFormat, url: URL): URL {
  const u = new URL(url.href);
  const path = u.pathname.replace(/\/+$/, '');
  switch (format) {
    case 'hec':
      if (path === '') u.pathname = '/services/collector/event';
      break;
    case 'bulk':
      if (!path.endsWith('/_bulk')) u.pathname = `${path}/_bulk`;
      break;
    case 'ndjson':
      break;
  }
  return u;
}

/** A sender for a validated configuration, and the function that frames events for it. */
export function createHttpSender(config: HttpSenderConfig, sleep?: (ms: number) => Promise<void>): { sender: HttpSender; encode: (e: OutboundEvent) => WireDoc } {
  const headers: Record<string, string> = { 'User-Agent': 'mirrorwatch-simulate' };
  if (config.url.username) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(config.url.username)}:${decodeURIComponent(config.url.password)}`).toString('base64')}`;
  }
  const url = new URL(config.url.href);
  url.username = '';
  url.password = '';
  let protocol: Protocol;
  let encode: (e: OutboundEvent) => WireDoc;
  switch (config.format) {
    case 'hec':
      headers['Content-Type'] = 'application/json';
      headers.Authorization = `Splunk ${config.token ?? ''}`;
      protocol = HEC_PROTOCOL;
      encode = (e) => hecEnvelope(e, config.index);
      break;
    case 'bulk':
      headers['Content-Type'] = 'application/x-ndjson';
      // An API key, as Elasticsearch expects it (`Authorization: ApiKey <base64 id:key>`); or Basic from the URL.
      if (config.token) headers.Authorization = `ApiKey ${config.token}`;
      protocol = BULK_PROTOCOL;
      encode = (e) => bulkDocument(e, config.index);
      break;
    case 'ndjson':
      headers['Content-Type'] = 'application/x-ndjson';
      if (config.token) headers.Authorization = `Bearer ${config.token}`;
      protocol = NDJSON_PROTOCOL;
      encode = ndjsonLine;
      break;
  }
  const sender = new HttpSender(protocol, { url, headers, timeoutMs: config.timeoutMs, insecure: config.insecure }, config, sleep);
  return { sender, encode };
}
