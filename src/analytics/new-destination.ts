/**
 * New destination: a host sends a large volume to a destination it never sent to before (ATT&CK DET0403:
 * "destinations never seen before"; a new mirror collector is one). Reads every flow source — VPC Flow Logs
 * included, which cannot show mirrored traffic but do show a host's new peers — and capture conversations.
 *
 * "Before" is the first-seen baseline (`baseline.ts`): facts from earlier scans when a state store backs it, and
 * otherwise a learning period at the start of this scan's data — a host's destinations during its first
 * `learningMs` (default 24 h) are its baseline, and only what is first seen after it can be new. A host whose data
 * does not reach past its learning period is not judged. Thresholds (documented, options of the analytic):
 * - a new destination must receive at least `minBytes` (default 1 MB) from the host during the scan;
 * - level `low`, `medium` when a new destination receives ≥ 100 MB or is reached on a tunnel port / GRE.
 * One finding per host lists its new destinations ranked by volume.
 *
 * Who contacted whom: two-way records (Zeek, captures) say it (`orig`). One-way records (NetFlow, VPC) are taken as
 * the source contacting the destination when the destination port is below 1024 or below the source port — so a
 * server's replies to its clients are not its "new destinations".
 */
import type { Event } from '../core/event.js';
import type { Level } from '../core/alert.js';
import type { Analytic, AnalyticFinding, AnalyticInfo } from '../detect/analytic.js';
import { flowOf, type FlowView } from '../normalize/network-flow.js';
import type { FirstSeenBaseline } from './baseline.js';
import { bytesText, isoOf, isTunnelFlow, listText, plural, REFERENCES, TAGS } from './common.js';

/** The analytic's metadata. */
export const NEW_DESTINATION_INFO: AnalyticInfo = {
  id: '8691d03e-e490-4554-9a46-0009856e0efe',
  title: 'Large Volume to a Destination Never Seen from the Host',
  description:
    'A host sends a large volume of traffic to a destination it never sent to during its baseline: an uncommon flow, as ATT&CK DET0403 describes for traffic duplication to a new collector.',
  level: 'low',
  tags: TAGS,
  references: REFERENCES,
  falsepositives: ['New services, software updates and backups to new endpoints', 'Hosts whose baseline period was unusually quiet'],
};

/** Options of the analytic. */
export interface NewDestinationOptions {
  baseline: FirstSeenBaseline;
  /** Learning period per host when the baseline does not know it yet (ms). */
  learningMs?: number;
  /** Least volume (bytes sent by the host) that makes a new destination worth an alert. */
  minBytes?: number;
}

/** Defaults: 24 h learning, 1 MB. */
export const NEW_DESTINATION_DEFAULTS = { learningMs: 24 * 3600_000, minBytes: 1_000_000, mediumBytes: 100_000_000 } as const;

interface Pair {
  firstMs: number;
  lastMs: number;
  bytes: number;
  packets: number;
  flows: number;
  ports: Set<string>;
  tunnel: boolean;
  firstEvent: Event;
}

interface Host {
  firstMs: number;
  lastMs: number;
  dests: Map<string, Pair>;
}

/** True when a flow record shows `src` contacting `dst` (see the module comment). */
function outbound(v: FlowView): boolean {
  if (v.respPackets !== undefined) return true;
  if (v.proto !== 6 && v.proto !== 17) return true;
  return v.dport < 1024 || v.dport < v.sport;
}

/** Creates the analytic. */
export function createNewDestinationAnalytic(options: NewDestinationOptions): Analytic {
  const learningMs = options.learningMs ?? NEW_DESTINATION_DEFAULTS.learningMs;
  const minBytes = options.minBytes ?? NEW_DESTINATION_DEFAULTS.minBytes;
  const hosts = new Map<string, Host>();
  return {
    info: NEW_DESTINATION_INFO,
    datasets: ['network.flow', 'network.pcap'],
    observe(ev: Event): void {
      const v = flowOf(ev);
      if (!v || v.kind !== 'conn' || !Number.isFinite(v.startMs)) return;
      if (v.l3Copy || (v.tunnelParents && v.tunnelParents.length > 0)) return; // copies of other hosts' traffic
      let h = hosts.get(v.src);
      if (!h) {
        h = { firstMs: v.startMs, lastMs: v.startMs, dests: new Map() };
        hosts.set(v.src, h);
      }
      if (v.startMs < h.firstMs) h.firstMs = v.startMs;
      const end = Number.isFinite(v.endMs) ? Math.max(v.endMs, v.startMs) : v.startMs;
      if (end > h.lastMs) h.lastMs = end;
      if (!outbound(v)) return;
      let p = h.dests.get(v.dst);
      if (!p) {
        p = { firstMs: v.startMs, lastMs: end, bytes: 0, packets: 0, flows: 0, ports: new Set(), tunnel: false, firstEvent: ev };
        h.dests.set(v.dst, p);
      }
      if (v.startMs < p.firstMs) {
        p.firstMs = v.startMs;
        p.firstEvent = ev;
      }
      if (end > p.lastMs) p.lastMs = end;
      p.bytes += v.bytes;
      p.packets += v.packets;
      p.flows++;
      if (p.ports.size < 16) p.ports.add(v.proto === 47 ? 'GRE' : `${v.proto === 6 ? 'TCP' : v.proto === 17 ? 'UDP' : `proto ${v.proto}`}/${v.dport}`);
      if (isTunnelFlow(v.proto, v.dport)) p.tunnel = true;
    },
    finish(): AnalyticFinding[] {
      const out: AnalyticFinding[] = [];
      const b = options.baseline;
      for (const [host, h] of hosts) {
        const known = b.firstSeen('host-destination', host, '*');
        const learnEnd = known !== undefined && known < h.firstMs ? -Infinity : h.firstMs + learningMs;
        const judged = h.lastMs >= learnEnd;
        const fresh: [string, Pair][] = [];
        if (judged) {
          for (const [dst, p] of h.dests) {
            const prior = b.firstSeen('host-destination', host, dst);
            if (prior !== undefined && prior < p.firstMs) continue;
            if (p.firstMs < learnEnd || p.bytes < minBytes) continue;
            fresh.push([dst, p]);
          }
        }
        b.remember('host-destination', host, '*', h.firstMs);
        for (const [dst, p] of h.dests) b.remember('host-destination', host, dst, p.firstMs);
        if (fresh.length === 0) continue;
        fresh.sort((x, y) => y[1].bytes - x[1].bytes);
        const level: Level = fresh.some(([, p]) => p.bytes >= NEW_DESTINATION_DEFAULTS.mediumBytes || p.tunnel) ? 'medium' : 'low';
        const top = fresh[0];
        const describe = ([dst, p]: [string, Pair]) => `${dst} (${bytesText(p.bytes)}, ${[...p.ports].slice(0, 3).join(' ')})`;
        const baselineText = learnEnd === -Infinity ? 'its stored baseline' : `its first ${Math.round(learningMs / 3600_000)} h in this data (${isoOf(h.firstMs)} to ${isoOf(learnEnd)})`;
        const message =
          `${host} sent ${bytesText(top[1].bytes)} to ${top[0]}, a destination never seen from it during ${baselineText}` +
          (fresh.length > 1 ? `; ${plural(fresh.length, 'new destination')} in all, by volume: ${listText(fresh.map(describe), 5)}` : ` (${[...top[1].ports].slice(0, 3).join(' ')})`) +
          (top[1].tunnel ? `; ${top[0]} was reached on a tunnel port (${[...top[1].ports].join(' ')}), as a mirror collector would be` : '') +
          '.';
        out.push({
          analytic: NEW_DESTINATION_INFO,
          level,
          events: fresh.slice(0, 20).map(([, p]) => p.firstEvent),
          count: fresh.reduce((a, [, p]) => a + p.flows, 0),
          message,
          details: {
            host,
            baseline: learnEnd === -Infinity ? 'stored' : { learning_from: isoOf(h.firstMs), learning_until: isoOf(learnEnd) },
            new_destinations: fresh.slice(0, 50).map(([dst, p], i) => ({
              rank: i + 1,
              destination: dst,
              bytes: p.bytes,
              packets: p.packets,
              flows: p.flows,
              first: isoOf(p.firstMs),
              last: isoOf(p.lastMs),
              ports: [...p.ports],
              tunnel_port: p.tunnel,
            })),
            new_destinations_total: fresh.length,
            thresholds: { learning_hours: learningMs / 3600_000, min_bytes: minBytes, medium_bytes: NEW_DESTINATION_DEFAULTS.mediumBytes },
          },
          riskFactors: [{ name: 'new-destination', weight: 20, evidence: `${top[0]} first seen ${isoOf(top[1].firstMs)}` }],
        });
      }
      return out;
    },
  };
}
