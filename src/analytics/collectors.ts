/**
 * The approved-collector list (`scan --collectors FILE`): where copies of traffic may legitimately go — the
 * organisation's NDR sensors, packet brokers, Traffic Mirroring targets. A mirror stream to an address on the list
 * raises nothing; one to any other address is an unapproved collector (ATT&CK AN1131's `MirrorDestinationCIDR`).
 *
 * The file is either plain text, one entry per line — an IPv4/IPv6 address or CIDR block, optionally followed by a
 * name; `#` starts a comment:
 *
 *     10.20.0.2          ndr-sensor-1
 *     192.0.2.0/28       packet broker farm   # racks 4–5
 *
 * or YAML with a `collectors:` list whose items are such strings or maps `{address: 10.20.0.2, name: ndr-1}`.
 * Mistakes are numbered diagnostics with the line (MW3081–MW3083); a bad entry is skipped, the rest still apply.
 */
import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { CodeInfo, Report } from '../core/diagnostic.js';

/** Diagnostics of the collectors file. */
export const COLLECTOR_CODES = {
  unreadable: { code: 'MW3081', severity: 'error', summary: 'the collectors file cannot be read' },
  badEntry: { code: 'MW3082', severity: 'error', summary: 'an entry is not an IP address or CIDR block (skipped)' },
  empty: { code: 'MW3083', severity: 'warning', summary: 'the collectors file lists no collector' },
} as const satisfies Record<string, CodeInfo>;

/** One approved collector. */
export interface CollectorEntry {
  /** The address or CIDR as written. */
  cidr: string;
  name?: string;
  /** Where it was written (`file:line`). */
  where?: string;
}

/** A set of approved collectors, matched by address. */
export class ApprovedCollectors {
  private readonly list = new BlockList();
  readonly entries: readonly CollectorEntry[];

  constructor(entries: readonly CollectorEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      const [addr, bits] = e.cidr.split('/');
      const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, family);
      else this.list.addSubnet(addr, Number(bits), family);
    }
  }

  /** The empty list: every collector is unapproved. */
  static none(): ApprovedCollectors {
    return new ApprovedCollectors([]);
  }

  /** True when no collector is approved (no `--collectors`). */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The entry approving an address, if any (non-IP text, such as a MAC address, is never approved). */
  approves(address: string): CollectorEntry | undefined {
    const family = isIP(address);
    if (family === 0) return undefined;
    if (!this.list.check(address, family === 6 ? 'ipv6' : 'ipv4')) return undefined;
    for (const e of this.entries) {
      const single = new BlockList();
      const [addr, bits] = e.cidr.split('/');
      const f = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) single.addAddress(addr, f);
      else single.addSubnet(addr, Number(bits), f);
      if (single.check(address, family === 6 ? 'ipv6' : 'ipv4')) return e;
    }
    return undefined;
  }
}

/** Validates `10.0.0.1` or `10.0.0.0/24` (IPv4 or IPv6); returns the normalised text or an error message. */
export function parseCidr(text: string): { ok: true; cidr: string } | { ok: false; message: string } {
  const t = text.trim();
  const [addr, bits, extra] = t.split('/');
  if (extra !== undefined || !addr) return { ok: false, message: `${JSON.stringify(t)} is not an address or CIDR block` };
  const family = isIP(addr);
  if (family === 0) return { ok: false, message: `${JSON.stringify(addr)} is not an IPv4 or IPv6 address` };
  if (bits === undefined) return { ok: true, cidr: addr };
  const n = Number(bits);
  const max = family === 6 ? 128 : 32;
  if (!/^\d+$/.test(bits) || n > max) return { ok: false, message: `prefix length ${JSON.stringify(bits)} is not 0–${max}` };
  if (n === 0) return { ok: false, message: `${t} approves every address; list the collectors themselves` };
  return { ok: true, cidr: `${addr}/${n}` };
}

/** Parses the text of a collectors file (plain lines or YAML); problems go to `report`. */
export function parseCollectors(text: string, file: string, report: Report): ApprovedCollectors {
  const entries: CollectorEntry[] = [];
  const bad = (line: number | undefined, message: string) => report({ code: COLLECTOR_CODES.badEntry.code, severity: 'error', message, file, line });
  if (/^\s*collectors\s*:/m.test(text)) {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      report({ code: COLLECTOR_CODES.unreadable.code, severity: 'error', message: `not valid YAML: ${e.message.split('\n')[0]}`, file, line: e.linePos?.[0].line });
      return new ApprovedCollectors([]);
    }
    const root = doc.contents;
    const list = isMap(root) ? root.get('collectors', true) : undefined;
    if (!isSeq(list)) {
      report({ code: COLLECTOR_CODES.unreadable.code, severity: 'error', message: '`collectors:` must be a list', file });
      return new ApprovedCollectors([]);
    }
    for (const item of list.items) {
      const range = (item as { range?: [number, number, number] } | null)?.range;
      const line = range ? counter.linePos(range[0]).line : undefined;
      let address: unknown;
      let name: unknown;
      if (isScalar(item)) address = item.value;
      else if (isMap(item)) {
        address = item.get('address') ?? item.get('cidr');
        name = item.get('name');
      }
      if (typeof address !== 'string') {
        bad(line, 'a collector entry needs an `address` (an IP address or CIDR block)');
        continue;
      }
      const p = parseCidr(address);
      if (!p.ok) bad(line, p.message);
      else entries.push({ cidr: p.cidr, ...(typeof name === 'string' ? { name } : {}), where: `${file}:${line ?? '?'}` });
    }
  } else {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const content = lines[i].replace(/#.*$/, '').trim();
      if (!content) continue;
      const [first, ...rest] = content.split(/\s+/);
      const p = parseCidr(first);
      if (!p.ok) bad(i + 1, p.message);
      else entries.push({ cidr: p.cidr, ...(rest.length > 0 ? { name: rest.join(' ') } : {}), where: `${file}:${i + 1}` });
    }
  }
  if (entries.length === 0) report({ code: COLLECTOR_CODES.empty.code, severity: 'warning', message: 'no collector is listed: every mirror destination counts as unapproved', file });
  return new ApprovedCollectors(entries);
}

/** Reads a collectors file; an unreadable file is reported and yields the empty list. */
export async function loadCollectors(file: string, report: Report): Promise<ApprovedCollectors> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    report({ code: COLLECTOR_CODES.unreadable.code, severity: 'error', message: `cannot read the collectors file: ${(err as Error).message}`, file });
    return new ApprovedCollectors([]);
  }
  return parseCollectors(text, file, report);
}
