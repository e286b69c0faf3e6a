/**
 * Beacon scoring against the reference: mirrorwatch's port of RITA v5's formulas and the lab's independent Python
 * implementation (`lab/rita_score.py`, shared reference) give the same sub-scores on the same flows — the lab's
 * 10-minute beacon capture (timestamp and size parts) and the 26-hour day (histogram and duration parts, which are
 * only meaningful over about a day). Flows come from softflowd → nfcapd → nfdump CSV, read by mirrorwatch's nfdump
 * reader. The Python script's output for both files is stored beside them; when the script and python3 are
 * reachable it is also run live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bowley, histogramScore, mad, quartiles, r3, regularity, scoreBeacon } from '../../src/analytics/beacon-score.js';
import { datasetStretches } from '../../src/analytics/beacon.js';
import { flowOf } from '../../src/normalize/network-flow.js';
import { readEvents } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';
import { netFixture } from './helpers.js';

test('quartiles are the medians of the halves, the middle value left out when n is odd', () => {
  assert.deepEqual(quartiles([1, 2, 3, 4, 5, 6, 7]), [2, 4, 6]);
  assert.deepEqual(quartiles([1, 2, 3, 4, 5, 6, 7, 8]), [2.5, 4.5, 6.5]);
  assert.deepEqual(quartiles([29, 30, 30, 31]), [29.5, 30, 30.5]);
});

test('Bowley skewness is forced to 0 when the IQR is under 10 or the median equals a quartile', () => {
  assert.equal(bowley([10, 20, 30, 40, 100]), (15 + 70 - 2 * 30) / (70 - 15));
  assert.equal(bowley([29, 30, 30, 30, 31]), 0);
  assert.equal(bowley([10, 10, 10, 50, 90]), 0, 'median equals Q1');
});

test('MAD is unscaled and the MAD score defaults apply below a median of 1', () => {
  assert.equal(mad([1, 1, 2, 2, 4, 6, 9]), 1);
  assert.equal(regularity([0, 0, 0, 0], 0).score, 0.5, 'sizes of 0: skew part 1, MAD part 0');
  assert.equal(regularity([30, 30, 30, 30], 1).score, 1);
  assert.equal(r3(0.8125), 0.813, 'halves round away from zero, as Go math.Round');
});

test('histogram: a connection every hour over a day fills every bin evenly; three hours fill three', () => {
  const day = Array.from({ length: 24 }, (_, i) => i * 3600 + 60);
  const even = histogramScore(day, 0, 24 * 3600);
  assert.equal(even.hist, 1);
  assert.equal(even.dur, 1);
  const short = histogramScore(day.slice(2, 5), 0, 24 * 3600);
  assert.equal(short.nonZero, 3);
  assert.equal(short.hist, 0, 'cv over 1 and fewer than 11 bins');
  assert.equal(short.dur, 0, 'fewer than 6 bins');
});

test('scoring gates: fewer than 4 distinct timestamps are not scored', () => {
  assert.equal(scoreBeacon([1, 2, 3], [5, 5, 5], 0, 10), 'too-few-timestamps');
  assert.equal(scoreBeacon([1, 1, 2, 2, 3, 3], [5, 5, 5, 5, 5, 5], 0, 10), 'too-few-timestamps');
  assert.equal(typeof scoreBeacon([1, 2, 3, 4], [5, 5, 5, 5], 0, 10), 'object');
});

test('datasets are cut where no flow was seen for more than a day', () => {
  const hours = new Map<number, [number, number]>([
    [0, [10, 3000]],
    [5, [18000, 18500]],
    [1000, [3_600_000, 3_600_100]],
  ]);
  assert.deepEqual(datasetStretches(hours), [
    [10, 18500],
    [3_600_000, 3_600_100],
  ]);
});

interface Row {
  src: string;
  dst: string;
  conns: number;
  ts_score: number;
  ts_skew: number;
  ts_mad: number;
  ds_score: number;
  ds_skew: number;
  ds_mad: number;
  hist_score: number;
  dur_score: number;
  score: number;
}

function parseScores(text: string): Row[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => {
    const v = l.split(',');
    const o: Record<string, unknown> = {};
    cols.forEach((c, i) => (o[c] = c === 'src' || c === 'dst' ? v[i] : Number(v[i])));
    return o as unknown as Row;
  });
}

/** mirrorwatch's scores of every pair in an nfdump CSV, over the file's span, as rita_score.py computes them. */
function mirrorwatchScores(csvPath: string): Map<string, Row> {
  const events = readEvents(csvPath, readFileSync(csvPath, 'utf8'));
  const pairs = new Map<string, { times: number[]; sizes: number[] }>();
  let min = Infinity;
  let max = -Infinity;
  for (const ev of events) {
    const v = flowOf(ev);
    if (!v || !Number.isFinite(v.startMs)) continue; // the softflowd 1970 row, as rita_score.py skips it
    const t = Math.floor(v.startMs / 1000);
    min = Math.min(min, t);
    max = Math.max(max, t);
    const key = `${v.src},${v.dst}`;
    const p = pairs.get(key) ?? { times: [], sizes: [] };
    p.times.push(t);
    p.sizes.push(v.bytes);
    pairs.set(key, p);
  }
  const out = new Map<string, Row>();
  for (const [key, p] of pairs) {
    const s = scoreBeacon(p.times, p.sizes, min, max);
    if (typeof s === 'string') continue;
    const [src, dst] = key.split(',');
    out.set(key, {
      src,
      dst,
      conns: s.connections,
      ts_score: s.ts.score,
      ts_skew: Math.round(s.ts.skew * 1000) / 1000,
      ts_mad: s.ts.mad,
      ds_score: s.ds.score,
      ds_skew: Math.round(s.ds.skew * 1000) / 1000,
      ds_mad: s.ds.mad,
      hist_score: s.hist,
      dur_score: s.dur,
      score: s.score,
    });
  }
  return out;
}

const RITA = process.env.MW_RITA_SCORE ?? repoPath('..', 'shared', 'reference', 'lab', 'rita_score.py');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const haveRita = existsSync(RITA) && spawnSync(PYTHON, ['--version'], { stdio: 'ignore' }).status === 0;

/** The reference's scores: stored, and live from rita_score.py when it can run. */
function referenceScores(csvPath: string, stored: string): { stored: Row[]; live?: Row[] } {
  const out: { stored: Row[]; live?: Row[] } = { stored: parseScores(readFileSync(stored, 'utf8')) };
  if (haveRita) {
    // rita_score.py reads the CSV rows only (no nfdump summary block).
    const dir = mkdtempSync(join(tmpdir(), 'mw-rita-'));
    try {
      const rows = readFileSync(csvPath, 'utf8')
        .split('\n')
        .filter((l) => /^(ts,|\d{4}-)/.test(l));
      writeFileSync(join(dir, 'flows.csv'), `${rows.join('\n')}\n`);
      const r = spawnSync(PYTHON, [RITA, join(dir, 'flows.csv')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      out.live = parseScores(r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

function compare(mine: Map<string, Row>, ref: Row[], what: string): void {
  assert.equal(mine.size, ref.length, `${what}: pairs scored (${[...mine.keys()].join(' ')})`);
  for (const r of ref) {
    const m = mine.get(`${r.src},${r.dst}`);
    assert.ok(m, `${what}: ${r.src} → ${r.dst} scored`);
    for (const k of ['conns', 'ts_score', 'ts_skew', 'ts_mad', 'ds_score', 'ds_skew', 'ds_mad', 'hist_score', 'dur_score', 'score'] as const) {
      // Python rounds halves to even, Go and mirrorwatch away from zero: at most one unit in the last place.
      assert.ok(Math.abs(m[k] - r[k]) <= 0.0011, `${what}: ${r.src} → ${r.dst} ${k}: mirrorwatch ${m[k]}, reference ${r[k]}`);
    }
  }
}

for (const [name, csv, stored] of [
  ['the lab beacon capture (10 minutes: ts and ds parts)', 'lab-beacon_mirrored-nfdump.csv', 'lab-beacon_mirrored-rita-scores.csv'],
  ['the 26-hour day (histogram and duration parts)', 'day-nfdump.csv', 'day-rita-scores.csv'],
] as const) {
  test(`scores on ${name} match rita_score.py${haveRita ? ' (run live, and its stored output)' : ' (its stored output; the script is not reachable here)'}`, () => {
    const mine = mirrorwatchScores(netFixture('flows', csv));
    const ref = referenceScores(netFixture('flows', csv), netFixture('flows', stored));
    compare(mine, ref.stored, 'stored reference');
    if (ref.live) compare(mine, ref.live, 'live reference');
  });
}

test('the 26-hour day exercises every part: a day-long beacon, office hours, a three-hour beacon, random control', () => {
  const s = mirrorwatchScores(netFixture('flows', 'day-nfdump.csv'));
  const get = (src: string, dst: string) => s.get(`${src},${dst}`) as Row;
  // The day-long beacon and its mirror: everything regular.
  assert.equal(get('172.31.5.10', '93.184.216.34').score, 1);
  assert.equal(get('172.31.5.10', '172.31.9.20').score, 1);
  // Office hours only: regular-ish intervals, but eight of 24 bins: no histogram credit, duration from the run.
  const office = get('172.31.5.12', '198.51.100.20');
  assert.equal(office.hist_score, 0);
  assert.equal(office.dur_score, 0.667);
  // Three hours of a perfect beacon: ts and ds are 1, but the day-long view gives it neither histogram nor duration.
  const brief = get('172.31.5.13', '203.0.113.9');
  assert.deepEqual([brief.ts_score, brief.ds_score, brief.hist_score, brief.dur_score, brief.score], [1, 1, 0, 0, 0.5]);
  // Random control: below the 0.9 threshold.
  assert.ok(get('172.31.5.11', '198.51.100.7').score < 0.9);
});
