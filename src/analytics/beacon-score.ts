/**
 * Beacon scoring: RITA v5's published formulas, ported from the mathematics in the shared reference (network.md §5,
 * which cites activecm/rita `analysis/beacons.go` and montanaflynn/stats for quartiles and MAD). RITA is GPL-3.0;
 * this is an independent implementation of the formulas only, checked against the reference lab's independent
 * Python implementation (`lab/rita_score.py`) in `test/network/beacon-score.test.ts`.
 *
 * Inputs per (source, destination) pair: connection start times in whole seconds and the originator's IP bytes per
 * connection. Scores:
 * - `ts` and `ds`: the mean of a Bowley-skewness score S(x) = 1 − |B(x)| and a MAD score
 *   M(x) = max(0, (median − MAD) / median) (M defaults to 1 for intervals and 0 for sizes when the median < 1), over
 *   the non-zero intervals and over the sizes. B(x) = (Q1 + Q3 − 2·Q2)/(Q3 − Q1), forced to 0 unless the IQR ≥ 10 and
 *   Q2 differs from Q1 and Q3; quartiles are the medians of the lower and upper halves (middle value excluded when n
 *   is odd); MAD is unscaled.
 * - `hist`: over 24 equal bins spanning the whole dataset, max(cv score, bimodal fit): cv score = 1 − σ/μ (0 when
 *   σ/μ > 1, population σ); bimodal fit = (two largest buckets of bar heights, bucket width ⌈0.05·max⌉) / max(bars − 1,
 *   1) when at least 11 bins are non-zero.
 * - `dur`: when at least 6 bins are non-zero, max(⌈1000·(t_n − t_1)/(T_max − T_min)⌉/1000, ⌈1000·L/12⌉/1000), both
 *   capped at 1, with L the longest run of non-zero bins wrapping around.
 * - total = r(0.25·ts + 0.25·ds + 0.25·dur + 0.25·hist), r(v) = round(1000·v)/1000 (Go's math.Round: halves away
 *   from zero).
 * Gates (v5): at least 4 distinct timestamps, fewer than 86 400 connections (more is a "strobe"), at least 3 non-zero
 * intervals.
 */

/** Round to three decimals, halves away from zero (Go math.Round). */
export function r3(v: number): number {
  const x = v * 1000;
  return (x < 0 ? -Math.round(-x) : Math.round(x)) / 1000;
}

function ceil3(v: number): number {
  return Math.ceil(v * 1000) / 1000;
}

/** Median of a sorted array. */
export function medianSorted(v: readonly number[]): number {
  const n = v.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/** Quartiles Q1, Q2, Q3 of a sorted array: medians of the halves, the middle value excluded when n is odd. */
export function quartiles(sorted: readonly number[]): [number, number, number] {
  const n = sorted.length;
  const half = Math.floor(n / 2);
  const lower = sorted.slice(0, half);
  const upper = sorted.slice(n % 2 === 0 ? half : half + 1);
  return [medianSorted(lower), medianSorted(sorted), medianSorted(upper)];
}

/** Bowley skewness (0 when the IQR is under 10 or the median equals a quartile). */
export function bowley(sorted: readonly number[]): number {
  const [q1, q2, q3] = quartiles(sorted);
  const iqr = q3 - q1;
  if (iqr >= 10 && q2 !== q1 && q2 !== q3) return (q1 + q3 - 2 * q2) / iqr;
  return 0;
}

/** Median absolute deviation (unscaled). */
export function mad(sorted: readonly number[]): number {
  const m = medianSorted(sorted);
  const dev = sorted.map((x) => Math.abs(x - m)).sort((a, b) => a - b);
  return medianSorted(dev);
}

/** The skew and MAD parts of one regularity score. */
export interface RegularityScore {
  score: number;
  skew: number;
  mad: number;
  median: number;
}

/** ts or ds: the mean of the skew score and the MAD score, rounded. `madDefault` applies when the median < 1. */
export function regularity(values: readonly number[], madDefault: number): RegularityScore {
  const sorted = [...values].sort((a, b) => a - b);
  const skew = bowley(sorted);
  const m = medianSorted(sorted);
  const d = mad(sorted);
  const madScore = m >= 1 ? Math.max(0, (m - d) / m) : madDefault;
  return { score: r3((1 - Math.abs(skew) + madScore) / 2), skew, mad: d, median: m };
}

/** Histogram and duration scores. */
export interface HistogramScore {
  hist: number;
  dur: number;
  /** Connections per bin. */
  bins: number[];
  /** Non-zero bins and the longest run of them (wrapping). */
  nonZero: number;
  longestRun: number;
  cv: number;
  bimodal: number;
}

/** The 24-bin histogram and duration scores of one pair's timestamps over the dataset span [tMin, tMax]. */
export function histogramScore(times: readonly number[], tMin: number, tMax: number, binsCount = 24): HistogramScore {
  const span = tMax - tMin;
  const step = span / binsCount;
  const bins = new Array<number>(binsCount).fill(0);
  for (const t of times) {
    const i = step > 0 ? Math.min(Math.floor((t - tMin) / step), binsCount - 1) : 0;
    bins[Math.max(0, i)]++;
  }
  const total = bins.reduce((a, b) => a + b, 0);
  const mean = total / binsCount;
  const sd = Math.sqrt(bins.reduce((a, h) => a + (h - mean) ** 2, 0) / binsCount);
  const cvRatio = mean > 0 ? sd / mean : Infinity;
  const cv = cvRatio > 1 ? 0 : r3(1 - cvRatio);
  const nonZero = bins.filter((h) => h > 0).length;
  const width = Math.ceil(Math.max(...bins) * 0.05);
  const buckets = new Map<number, number>();
  for (const h of bins) {
    if (h === 0) continue;
    const b = Math.floor(h / width) * width;
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  let run = 0;
  let longest = 0;
  for (let i = 0; i < binsCount * 2; i++) {
    if (bins[i % binsCount] > 0) run++;
    else {
      longest = Math.max(longest, run);
      run = 0;
    }
  }
  longest = Math.min(Math.max(longest, run), binsCount);
  let bimodal = 0;
  if (nonZero >= 11) {
    const top = [...buckets.values()].sort((a, b) => b - a);
    bimodal = ((top[0] ?? 0) + (top[1] ?? 0)) / Math.max(nonZero - 1, 1);
  }
  const hist = Math.max(cv, Math.min(r3(bimodal), 1));
  let dur = 0;
  if (nonZero >= 6) {
    const first = Math.min(...times);
    const last = Math.max(...times);
    const coverage = span > 0 ? Math.min(ceil3((last - first) / span), 1) : 1;
    const consistency = Math.min(ceil3(longest / 12), 1);
    dur = Math.max(coverage, consistency);
  }
  return { hist, dur, bins, nonZero, longestRun: longest, cv, bimodal };
}

/** The full score of one pair. */
export interface BeaconScore {
  connections: number;
  ts: RegularityScore;
  ds: RegularityScore;
  hist: number;
  dur: number;
  score: number;
  histogram: HistogramScore;
}

/** Why a pair was not scored. */
export type BeaconGate = 'too-few-timestamps' | 'strobe' | 'too-few-intervals';

/** RITA v5 gates. */
export const BEACON_GATES = { minUniqueTimestamps: 4, strobeConnections: 86_400, minIntervals: 3 } as const;

/**
 * Scores one pair: `times` are connection start times in whole seconds, `sizes` the originator's bytes per
 * connection (same order), [tMin, tMax] the whole dataset's span.
 */
export function scoreBeacon(times: readonly number[], sizes: readonly number[], tMin: number, tMax: number): BeaconScore | BeaconGate {
  const n = times.length;
  if (n >= BEACON_GATES.strobeConnections) return 'strobe';
  if (new Set(times).size < BEACON_GATES.minUniqueTimestamps) return 'too-few-timestamps';
  const sorted = [...times].sort((a, b) => a - b);
  const intervals: number[] = [];
  for (let i = 1; i < n; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d > 0) intervals.push(d);
  }
  if (intervals.length < BEACON_GATES.minIntervals || sizes.length < 3) return 'too-few-intervals';
  const ts = regularity(intervals, 1);
  const ds = regularity(sizes, 0);
  const histogram = histogramScore(sorted, tMin, tMax);
  const score = r3(0.25 * ts.score + 0.25 * ds.score + 0.25 * histogram.dur + 0.25 * histogram.hist);
  return { connections: n, ts, ds, hist: histogram.hist, dur: histogram.dur, score, histogram };
}
