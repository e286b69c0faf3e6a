/**
 * Shared pieces of the network analytics: ATT&CK tags and references, tunnel ports, bounded evidence lists and
 * number formatting for plain-words messages.
 */
import type { Event } from '../core/event.js';

/** Every network analytic is detection content for T1020.001 (ATT&CK DET0403, analytics AN1131 and AN1132). */
export const TAGS = ['attack.exfiltration', 'attack.t1020', 'attack.t1020.001'];

/** References every network analytic cites. */
export const REFERENCES = [
  'https://attack.mitre.org/techniques/T1020/001/',
  'https://attack.mitre.org/detectionstrategies/DET0403/',
];

/** UDP ports of mirror and overlay encapsulations (shared reference network.md §2.6). */
export const TUNNEL_PORTS: ReadonlyMap<number, string> = new Map([
  [4789, 'VXLAN'],
  [8472, 'VXLAN (Linux default port)'],
  [4790, 'VXLAN-GPE'],
  [6081, 'GENEVE'],
  [37008, 'TZSP'],
  [7932, 'HP ERM'],
]);

/** True when a flow goes to a tunnel port over UDP, or is GRE (IP protocol 47, ERSPAN). */
export function isTunnelFlow(proto: number, dport: number): boolean {
  return proto === 47 || (proto === 17 && TUNNEL_PORTS.has(dport));
}

/** The transport of a tunnel flow in words: `UDP/4789 (VXLAN)` or `GRE (ERSPAN)`. */
export function tunnelTransport(proto: number, dport: number): string {
  if (proto === 47) return 'GRE (IP protocol 47, used by ERSPAN)';
  const name = TUNNEL_PORTS.get(dport);
  return `UDP/${dport}${name ? ` (${name})` : ''}`;
}

/** Evidence kept per finding; the rest is counted. */
export const EVIDENCE_KEPT = 20;

/** A bounded evidence list with a total count. */
export class EvidenceList {
  readonly events: Event[] = [];
  count = 0;
  constructor(private readonly max = EVIDENCE_KEPT) {}
  /** Adds one event (kept while there is room). */
  add(ev: Event): void {
    this.count++;
    if (this.events.length < this.max) this.events.push(ev);
  }
}

/** `1.2 MB`, `532 B`, `4.5 kB` (decimal units, as `ls -h --si` and nfdump print). */
export function bytesText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** `3 packets`, `1 packet`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

/** A list for a sentence: `a, b and c`, cut to `max` items with `and N more`. */
export function listText(items: readonly string[], max = 3): string {
  if (items.length === 0) return '';
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length === 1) return shown[0];
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** ISO time of epoch ms, or undefined. */
export function isoOf(ms: number): string | undefined {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
