/**
 * Beaconing: "fixed size data packets at regular intervals" (ATT&CK DET0403). Every connection record — Zeek
 * conn.log, NetFlow, VPC Flow Logs, capture conversations — counts as one connection of its (source, destination)
 * pair, with its start time in whole seconds and the originator's IP bytes; `beacon-score.ts` scores each pair with
 * RITA v5's formulas over the span of all the data read.
 *
 * Thresholds (documented; RITA v5 `default_config.hjson` threat buckets on 100 × score: base 50, low 70, medium 90,
 * high 100):
 * - a pair is reported when its score is at least `BEACON_THRESHOLD` = 0.9 (RITA's medium bucket). On short data
 *   the histogram and duration parts are inflated (the 24 bins span the data; the lab's random control pair scored
 *   0.795 on a 10-minute capture), which a 0.9 threshold absorbs; `details.short_span` says when the data covers less
 *   than 24 h.
 * - level `low`; `medium` when the pair's connections go to a tunnel port or are GRE — a mirror of a beacon is
 *   itself a beacon (network.md §3 idea 5), so the pair is a mirror stream carrying a periodic flow.
 * When both directions of a pair score above the threshold (one-way flow records of requests and replies), one
 * finding reports the direction whose first connection came first.
 *
 * The "dataset" whose span the histogram divides is, as in RITA, the data read — but files from unrelated periods
 * scanned together (a 2023 capture beside a 2026 one) would stretch it over years. So the data is cut into
 * stretches wherever no flow at all was seen for more than `DATASET_GAP_MS` (24 h), and each pair is scored over
 * the stretch its connections fall in.
 */
import type { Event } from '../core/event.js';
import type { Level } from '../core/alert.js';
import type { Analytic, AnalyticFinding, AnalyticInfo } from '../detect/analytic.js';
import { flowOf } from '../normalize/network-flow.js';
import { scoreBeacon, type BeaconScore } from './beacon-score.js';
import { bytesText, isoOf, isTunnelFlow, plural, REFERENCES, TAGS, tunnelTransport } from './common.js';

/** The analytic's metadata. */
export const BEACON_INFO: AnalyticInfo = {
  id: '199cf8a3-00d8-47ce-bb67-c8b1873b3026',
  title: 'Beaconing: Fixed-Size Connections at Regular Intervals',
  description:
    'A source connects to a destination at regular intervals with data of a fixed size (RITA v5 beacon score: interval and size regularity by Bowley skewness and median absolute deviation, histogram consistency and duration).',
  level: 'low',
  tags: TAGS,
  references: [...REFERENCES, 'https://github.com/activecm/rita'],
  falsepositives: ['Monitoring agents, NTP, health checks, update checks and other scheduled jobs'],
};

/** Score at or above which a pair is reported. */
export const BEACON_THRESHOLD = 0.9;
/** Data spans shorter than this make the histogram and duration parts unreliable (RITA's guidance). */
const DAY_MS = 24 * 3600_000;
/** A gap without any flow longer than this separates two datasets. */
export const DATASET_GAP_MS = 24 * 3600_000;
/** Evidence events kept per pair. */
const EVIDENCE_PER_PAIR = 6;

interface Pair {
  src: string;
  dst: string;
  times: number[];
  sizes: number[];
  strobe: boolean;
  ports: Set<string>;
  tunnel: boolean;
  allTunnel: boolean;
  evidence: Event[];
  count: number;
  firstMs: number;
}

function durationText(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Creates the analytic. */
export function createBeaconAnalytic(): Analytic {
  const pairs = new Map<string, Pair>();
  /** Earliest and latest connection second seen in each hour, to find the stretches of data. */
  const hours = new Map<number, [number, number]>();
  return {
    info: BEACON_INFO,
    datasets: ['network.flow', 'network.pcap'],
    observe(ev: Event): void {
      const v = flowOf(ev);
      if (!v || v.kind !== 'conn' || !Number.isFinite(v.startMs)) return;
      const t = Math.floor(v.startMs / 1000);
      const hour = Math.floor(t / 3600);
      const h = hours.get(hour);
      if (!h) hours.set(hour, [t, t]);
      else {
        if (t < h[0]) h[0] = t;
        if (t > h[1]) h[1] = t;
      }
      const key = `${v.src}|${v.dst}`;
      let p = pairs.get(key);
      if (!p) {
        p = { src: v.src, dst: v.dst, times: [], sizes: [], strobe: false, ports: new Set(), tunnel: false, allTunnel: true, evidence: [], count: 0, firstMs: v.startMs };
        pairs.set(key, p);
      }
      p.count++;
      if (v.startMs < p.firstMs) p.firstMs = v.startMs;
      // Most pairs never connect often enough to be scored: they keep one event until they reach the gate.
      if (p.evidence.length === 0 || (p.count > 3 && p.evidence.length < EVIDENCE_PER_PAIR)) p.evidence.push(ev);
      const tunnel = isTunnelFlow(v.proto, v.dport);
      if (tunnel) p.tunnel = true;
      else p.allTunnel = false;
      if (p.ports.size < 8) p.ports.add(v.proto === 47 ? 'GRE' : `${v.proto === 6 ? 'TCP' : v.proto === 17 ? 'UDP' : v.proto === 1 ? 'ICMP' : `proto ${v.proto}`}${v.dport ? `/${v.dport}` : ''}`);
      if (p.strobe) return;
      if (p.times.length >= 86_400) {
        // RITA calls a pair with a connection every second for a day a strobe and does not score it.
        p.strobe = true;
        p.times = [];
        p.sizes = [];
        return;
      }
      p.times.push(t);
      p.sizes.push(v.bytes);
    },
    finish(): AnalyticFinding[] {
      const stretches = datasetStretches(hours);
      const scored: { p: Pair; s: BeaconScore; span: number }[] = [];
      for (const p of pairs.values()) {
        if (p.strobe || p.times.length === 0) continue;
        const first = Math.min(...p.times);
        const [tMin, tMax] = stretches.find(([a, b]) => first >= a && first <= b) ?? [first, Math.max(...p.times)];
        const s = scoreBeacon(p.times, p.sizes, tMin, tMax);
        if (typeof s === 'string' || s.score < BEACON_THRESHOLD) continue;
        scored.push({ p, s, span: tMax - tMin });
      }
      const byKey = new Map(scored.map((x) => [`${x.p.src}|${x.p.dst}`, x]));
      const out: AnalyticFinding[] = [];
      for (const x of scored) {
        const reverse = byKey.get(`${x.p.dst}|${x.p.src}`);
        if (reverse && (reverse.p.firstMs < x.p.firstMs || (reverse.p.firstMs === x.p.firstMs && reverse.p.src < x.p.src))) continue;
        out.push(finding(x.p, x.s, reverse?.s, x.span));
      }
      return out;
    },
  };
}

/** The [first, last] seconds of each stretch of data without a gap longer than `DATASET_GAP_MS`. */
export function datasetStretches(hours: ReadonlyMap<number, readonly [number, number]>): [number, number][] {
  const keys = [...hours.keys()].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const k of keys) {
    const [lo, hi] = hours.get(k) as [number, number];
    const last = out[out.length - 1];
    if (last && lo - last[1] <= DATASET_GAP_MS / 1000) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function finding(p: Pair, s: BeaconScore, reverse: BeaconScore | undefined, spanS: number): AnalyticFinding {
  const level: Level = p.allTunnel ? 'medium' : 'low';
  const ports = [...p.ports];
  const tunnelPort = p.allTunnel ? ports[0] : undefined;
  const first = Math.min(...p.times);
  const last = Math.max(...p.times);
  const message =
    `${p.src} contacts ${p.dst} like a beacon (score ${s.score.toFixed(3)} of 1): ${plural(s.connections, 'connection')} over ${durationText(last - first)} ` +
    `at regular intervals (median ${durationText(s.ts.median)}, deviation ${s.ts.mad} s) with a fixed size (median ${bytesText(s.ds.median)}, deviation ${s.ds.mad} B)` +
    (tunnelPort ? `; these are tunnel packets (${ports.join(', ')}): a mirror copying a periodic flow is itself a beacon` : ` on ${ports.slice(0, 3).join(', ')}`) +
    '.';
  return {
    analytic: BEACON_INFO,
    level,
    events: p.evidence,
    count: p.count,
    message,
    details: {
      source: p.src,
      destination: p.dst,
      connections: s.connections,
      score: s.score,
      ts_score: s.ts.score,
      ts_skew: Math.round(s.ts.skew * 1000) / 1000,
      ts_mad: s.ts.mad,
      ts_median: s.ts.median,
      ds_score: s.ds.score,
      ds_skew: Math.round(s.ds.skew * 1000) / 1000,
      ds_mad: s.ds.mad,
      ds_median: s.ds.median,
      hist_score: s.hist,
      dur_score: s.dur,
      histogram: s.histogram.bins,
      first: isoOf(first * 1000),
      last: isoOf(last * 1000),
      ports,
      tunnel: p.allTunnel ? tunnelTransport(ports[0] === 'GRE' ? 47 : 17, Number(ports[0]?.split('/')[1] ?? 0)) : undefined,
      data_span_hours: Math.round((spanS / 3600) * 100) / 100,
      ...(spanS * 1000 < DAY_MS ? { short_span: 'the data covers less than 24 h: the histogram and duration parts are inflated (RITA scores them over 24 bins of the whole span)' } : {}),
      ...(reverse ? { reverse_score: reverse.score } : {}),
      thresholds: { report_at: BEACON_THRESHOLD },
    },
    riskFactors: [{ name: 'beacon', weight: Math.round(s.score * 30), evidence: `score ${s.score.toFixed(3)} (ts ${s.ts.score}, ds ${s.ds.score}, hist ${s.hist}, dur ${s.dur})` }],
  };
}
