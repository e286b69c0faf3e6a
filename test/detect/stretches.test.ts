/**
 * A large NDJSON file scanned in stretches side by side (`detect/parallel.ts`) gives exactly what one thread reading
 * it whole gives: the same matches with the same origins (line numbers count from the file's start, not the
 * stretch's), the same diagnostics in the same order, the same counters. Where a stretch does not end between records
 * (a multi-line record across a cut) or invalid UTF-8 turns up, the file is read again whole, with the same result.
 *
 * The sizes are made small through the environment before the module is loaded: files from 1 byte on are cut into
 * stretches of about 3 KB, so a few hundred records make dozens of stretches and every kind of line meets a cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Match, ScanOptions } from '../../src/detect/scan.js';
import { loadAliases, loadRuleFilesOnce } from '../../src/detect/rule-set.js';
import { ALL_READERS } from '../../src/readers/registry.js';
import type { InputFile } from '../../src/readers/source.js';
import { bundled } from '../helpers/engine.js';
import { repoPath } from '../helpers/paths.js';
import { rng } from '../helpers/random.js';

process.env.MIRRORWATCH_STRETCH_MIN_BYTES = '1';
process.env.MIRRORWATCH_STRETCH_BYTES = '3000';
const { scanParallel } = await import('../../src/detect/parallel.js');
const { scan } = await import('../../src/detect/scan.js');

const FIXTURE = readFileSync(repoPath('test/fixtures/cloud/cloudtrail-records.ndjson'), 'utf8').trim().split('\n');

/** NDJSON CloudTrail: mirroring calls among benign ones, with the awkward lines a real export may hold. */
function cloudTrailLines(seed: number, n: number, broken = true): string[] {
  const random = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const base = JSON.parse(FIXTURE[i % FIXTURE.length]) as Record<string, unknown>;
    base.eventID = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const r = random();
    if (r < 0.6) base.eventName = 'DescribeInstances';
    let line = JSON.stringify(base);
    // (The file's first line is a whole record: a file whose head is not NDJSON is never cut.)
    const k = i === 0 ? 1 : random();
    if (k < 0.04 && broken) line = line.slice(0, Math.floor(line.length / 2)); // a broken record
    else if (k < 0.07) line = '';
    else if (k < 0.1) line += '\r';
    else if (k < 0.13) line = line.replace('"userAgent":"', '"userAgent":"caf\u00e9 ');
    else if (k < 0.16) line = line.replace('"userAgent":"', '"userAgent":"caf\\u00e9 ');
    else if (k < 0.18) line = `  ${line}`;
    lines.push(line);
  }
  return lines;
}

interface Outcome {
  matches: string[];
  diagnostics: Diagnostic[];
  counters: Record<string, unknown>;
}

function outcome(matches: Match[], diagnostics: Diagnostic[], stats: Record<string, unknown>): Outcome {
  const { elapsedMs: _elapsed, files: _files, ...counters } = stats;
  return {
    matches: matches.map((m) => `${m.rule.id} ${m.event.recordKey} ${JSON.stringify(m.event.origin)} ${m.event.time}`),
    diagnostics,
    counters,
  };
}

async function compare(name: string, content: string | Buffer): Promise<{ units: number; stretches: number; rescanned: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mw-stretches-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, content);
    const st = statSync(path);
    const inputs: InputFile[] = [{ path, mtimeMs: st.mtimeMs, size: st.size }];
    const { rules, aliases } = await bundled();
    const base = (report: ScanOptions['report']): ScanOptions => ({
      rules,
      readers: ALL_READERS,
      readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
      prefilter: true,
      aliases,
      unknownFormatIsError: true,
      report,
    });
    const d1: Diagnostic[] = [];
    const one = await scan(inputs, base((d) => d1.push(d)));
    const d2: Diagnostic[] = [];
    const loaded = await loadRuleFilesOnce([repoPath('rules')]);
    const setup = {
      rules: { rules: loaded.rules, filters: loaded.filters },
      aliases: await loadAliases(repoPath('mappings'), () => undefined),
      readerOptions: { timeZone: 'UTC', maxRecordChars: 32 * 1024 * 1024 },
      prefilter: true,
      unknownFormatIsError: true,
      analyticDatasets: [],
    };
    const two = await scanParallel(inputs, base((d) => d2.push(d)), setup, 2);
    assert.ok(one.matches.length > 0, 'the file holds matches');
    assert.deepEqual(outcome(two.matches, d2, { ...two.stats }), outcome(one.matches, d1, { ...one.stats }));
    return two.work;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an NDJSON CloudTrail file in stretches: the same matches, origins, diagnostics and counters as whole', async () => {
  for (const seed of [1, 2, 3]) {
    const lines = cloudTrailLines(seed, 300, false);
    // With and without a final line end.
    const text = lines.join('\n') + (seed === 2 ? '' : '\n');
    const work = await compare(`trail-${seed}.ndjson`, text);
    assert.ok(work.stretches > 50, `cut into many stretches (${work.stretches})`);
    assert.equal(work.rescanned, 0, 'every stretch ended between records');
  }
});

test('broken records: the same result, whether a cut falls after one (the file is then read again whole) or not', async () => {
  let rescanned = 0;
  for (const seed of [4, 5, 6, 7]) {
    const lines = cloudTrailLines(seed, 300);
    // A broken record on the last line, without a line end: reported as truncated, at its line.
    lines.push(lines[1].slice(0, 200));
    const work = await compare(`broken-${seed}.ndjson`, lines.join('\n'));
    assert.ok(work.stretches > 50);
    rescanned += work.rescanned;
  }
  // (A broken record runs on into the next line, as JSON allows: a stretch ending after one does not end between
  // records, and the file is read again. With a broken record every 25 lines, every file here has such a cut.)
  assert.equal(rescanned, 4);
});

test('a record across a cut, or invalid UTF-8, makes the file be read again whole, with the same result', async () => {
  const lines = cloudTrailLines(7, 200);
  // A pretty-printed record in the middle: NDJSON at the head, not everywhere.
  const pretty = JSON.stringify(JSON.parse(FIXTURE[0]), null, 2);
  const mixed = [...lines.slice(0, 100), pretty, ...lines.slice(100)].join('\n') + '\n';
  const a = await compare('mixed.ndjson', mixed);
  assert.equal(a.rescanned, 1);
  const bad = Buffer.concat([Buffer.from(lines.slice(0, 120).join('\n') + '\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(lines.slice(120).join('\n') + '\n')]);
  const b = await compare('bad-utf8.ndjson', bad);
  assert.equal(b.rescanned, 1);
});

test('an Azure Activity Log storage export (a record per line) in stretches', async () => {
  const file = repoPath('test/fixtures/cloud/insights-activity-logs/resourceId=/SUBSCRIPTIONS/7D3E8F1A-2B4C-4D5E-9F60-718293A4B5C6/y=2024/m=05/d=14/h=13/m=00/PT1H.json');
  const records = readFileSync(file, 'utf8').trim().split('\n');
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) for (const r of records) lines.push(r.replace(/"time":\s*"[^"]*"/, `"time": "2024-05-14T13:${String(i % 60).padStart(2, '0')}:00.0000000Z"`));
  const work = await compare('PT1H.json', lines.join('\n') + '\n');
  assert.ok(work.stretches > 20);
  assert.equal(work.rescanned, 0);
});

test('files that are not NDJSON, and compressed files, are never cut', async () => {
  // An S3 log file is one long document: read whole by one thread.
  const doc = `{"Records":[${FIXTURE.join(',')}]}`;
  const work = await compare('s3.json', doc);
  assert.equal(work.stretches, 0);
});
