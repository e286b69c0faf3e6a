/**
 * `npm run bench`: mirrorwatch against jq, ripgrep, Node's gunzip and DuckDB on the same CloudTrail files, answering
 * the same question (which records does the AWS T1020.001 pack match; `peers.ts`), every answer checked to be the
 * same records. Reports wall time (median of several runs), MB/s of decompressed data, records/s, peak RSS and
 * ratios to each peer; writes `bench/RESULTS.md`.
 *
 *   npm run bench                      400,000-record archive, NDJSON, many rules, memory on a 2 GB file
 *   npm run bench -- --records 100000  a smaller corpus
 *   npm run bench -- --big             also the 1 GB and 10 GB corpora for flat-memory figures (slow: minutes)
 *   npm run bench -- --runs 5          more runs per measurement (default 3)
 *   npm run bench -- --platforms-only  only the Azure, GCP and device corpora (E), printed, RESULTS.md untouched
 *
 * The corpus is made by `mirrorwatch simulate` (S3 layout, realistic records and sizes, a few planted mirroring
 * calls) into `.bench-corpus/` and reused by later runs.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { JQ_FILTER } from './peers.js';
import { filesUnder, have, median, q, repeat, runShell, size, type RunResult } from './tools.js';
import { repoPath } from '../test/helpers/paths.js';
import { loadRuleSet } from '../src/detect/rule-set.js';

interface Options {
  records: number;
  runs: number;
  big: boolean;
  /** Only section E, printed and not written to RESULTS.md (a quick check of the other platforms). */
  platformsOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { records: 400_000, runs: 3, big: false, platformsOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--records') o.records = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--big') o.big = true;
    else if (a === '--platforms-only') o.platformsOnly = true;
    else {
      process.stderr.write(`unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.records) || o.records < 1000) throw new Error('--records must be a whole number ≥ 1000');
  return o;
}

const CLI = `node ${q(repoPath('bin', 'mirrorwatch.js'))}`;
const CORPUS = repoPath('.bench-corpus');
const AWS_RULES = repoPath('rules', 'aws');

/** Makes (or reuses) an S3-layout CloudTrail archive of about `records` records. */
async function archive(records: number, seed: number): Promise<string> {
  const dir = join(CORPUS, `cloudtrail-${records}-${seed}`);
  if (existsSync(join(dir, '.done'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`generating ${records.toLocaleString('en-US')} CloudTrail records in ${dir} …\n`);
  const r = await runShell(`${CLI} simulate aws-session --noise ${records} --seed ${seed} --out ${q(dir)}`);
  if (r.code !== 0) throw new Error(`simulate failed (${r.code}): ${r.stderr}`);
  writeFileSync(join(dir, '.done'), '');
  return dir;
}

/** Every record of the archive as one NDJSON file (made once). */
async function ndjsonOf(dir: string, copies = 1): Promise<string> {
  const file = `${dir}${copies > 1 ? `-x${copies}` : ''}.ndjson`;
  if (existsSync(`${file}.done`)) return file;
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((res) => (out.write(s) ? res() : out.once('drain', () => res())));
  for (let c = 0; c < copies; c++) {
    for (const f of filesUnder(dir)) {
      if (!f.path.endsWith('.json.gz') || f.path.includes('CloudTrail-Digest')) continue;
      const chunks: Buffer[] = [];
      for await (const b of createReadStream(f.path).pipe(createGunzip())) chunks.push(b as Buffer);
      const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records?: unknown[] };
      for (const rec of doc.Records ?? []) await write(`${JSON.stringify(rec)}\n`);
    }
  }
  await new Promise<void>((res) => out.end(() => res()));
  writeFileSync(`${file}.done`, '');
  return file;
}

/** Counts the lines of a file without holding it. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) {
    const b = chunk as Buffer;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** Decompressed bytes and record count of an archive (from Node's gunzip peer). */
function corpusStats(dir: string): { gzBytes: number; files: number } {
  const files = filesUnder(dir).filter((f) => f.path.endsWith('.gz'));
  return { gzBytes: files.reduce((s, f) => s + f.size, 0), files: files.length };
}

/** Event ids from mirrorwatch's NDJSON alerts (the records that matched, each once). */
function mirrorwatchIds(ndjson: string): Set<string> {
  const ids = new Set<string>();
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const a = JSON.parse(line) as { mirrorwatch: { evidence: { matched: boolean; record: { eventID?: string } }[] } };
    for (const e of a.mirrorwatch.evidence) if (e.matched && e.record.eventID) ids.add(e.record.eventID);
  }
  return ids;
}

function idSet(text: string): Set<string> {
  return new Set(text.split('\n').map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

interface Row {
  tool: string;
  runs: RunResult[];
  answer: string;
}

function fmtRow(r: Row, bytes: number, records: number, base?: Row): string {
  const ms = median(r.runs.map((x) => x.wallMs));
  const rss = Math.max(...r.runs.map((x) => x.rssKb));
  const ratio = base ? `${(ms / median(base.runs.map((x) => x.wallMs))).toFixed(2)}×` : '';
  // (A `|` in a cell, as in `zcat | jq`, would end it.)
  return `| ${r.tool.replaceAll('|', '\\|')} | ${(ms / 1000).toFixed(2)} s | ${((bytes / 1e6) / (ms / 1000)).toFixed(0)} MB/s | ${Math.round(records / (ms / 1000)).toLocaleString('en-US')} | ${rss ? `${Math.round(rss / 1024)} MB` : 'n/a'} | ${ratio} | ${r.answer} |`;
}

async function measure(tool: string, script: string, runs: number, check: (out: string) => string): Promise<Row> {
  process.stderr.write(`  ${tool} …\n`);
  const rs = await repeat(script, runs);
  const bad = rs.find((x) => x.code !== 0 && x.code !== 1);
  if (bad) return { tool, runs: rs, answer: `failed (exit ${bad.code}): ${bad.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  return { tool, runs: rs, answer: check(rs[0].stdout) };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  for (const tool of ['jq', 'rg', 'zcat']) if (!have(tool)) process.stderr.write(`note: ${tool} is not installed; its rows are skipped (Debian: apt-get install ${tool === 'rg' ? 'ripgrep' : tool === 'zcat' ? 'gzip' : tool})\n`);
  mkdirSync(CORPUS, { recursive: true });
  if (o.platformsOnly) {
    process.stdout.write(`${(await otherPlatforms(o)).join('\n')}\n`);
    return;
  }
  const lines: string[] = [];
  const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  lines.push('<!-- scan-bench:start (written by dist/bench/run.js) -->', `## Scanning CloudTrail: mirrorwatch vs jq, ripgrep, Node gunzip and DuckDB`, '', `Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`, '');

  // ---- A. The gzipped S3-layout archive --------------------------------------------------------------------------
  const dir = await archive(o.records, 7);
  const { gzBytes, files } = corpusStats(dir);
  const gunzip = await runShell(`node ${q(repoPath('dist', 'bench', 'gunzip.js'))} ${q(dir)}`);
  const rawBytes = Number(gunzip.stdout.trim());
  const nd = await ndjsonOf(dir);
  const records = await countLines(nd);
  const scan = `${CLI} scan ${q(dir)} --rules ${q(AWS_RULES)} --format ndjson --min-level informational -q --ignore-unknown --no-state`;
  const reference = mirrorwatchIds((await runShell(scan)).stdout);
  const check = (got: Set<string>) => (sameSet(got, reference) ? `same ${got.size} records` : `DIFFERENT: ${got.size} vs ${reference.size}`);
  process.stderr.write(`A. archive: ${files} files, ${size(gzBytes)} gzip, ${size(rawBytes)} decompressed, ${records} records; ${reference.size} match\n`);
  const listFile = join(CORPUS, 'files.txt');
  writeFileSync(listFile, filesUnder(dir).filter((f) => f.path.endsWith('.json.gz') && !f.path.includes('CloudTrail-Digest')).map((f) => f.path).join('\n'));
  const rows: Row[] = [];
  rows.push(await measure('mirrorwatch (--jobs 1, the default on 2 cores)', `${scan} --jobs 1`, o.runs, (out) => check(mirrorwatchIds(out))));
  rows.push(await measure(`mirrorwatch (--jobs ${Math.max(2, availableParallelism())})`, `${scan} --jobs ${Math.max(2, availableParallelism())}`, o.runs, (out) => check(mirrorwatchIds(out))));
  rows.push(await measure('Node gunzip, one thread (decompression limit)', `node ${q(repoPath('dist', 'bench', 'gunzip.js'))} ${q(dir)}`, o.runs, (out) => `${size(Number(out.trim()))} out`));
  if (have('zcat') && have('rg')) {
    rows.push(
      await measure('zcat | rg -i trafficmirror (byte scan, no parsing)', `xargs -a ${q(listFile)} zcat | rg -c -i trafficmirror || true`, o.runs, (out) => `${out.trim() || 0} lines (whole files)`),
    );
  }
  rows.push(
    await measure('DuckDB read_json + the same filter', `node ${q(repoPath('dist', 'bench', 'duckdb-query.js'))} archive ${q(`${dir}/**/*.json.gz`)}`, o.runs, (out) => check(idSet(out))),
  );
  if (have('jq') && have('zcat')) {
    rows.push(await measure('zcat | jq (the same filter)', `xargs -a ${q(listFile)} zcat | jq -r ${q(JQ_FILTER)}`, 1, (out) => check(idSet(out))));
  }
  lines.push(`### A. ${records.toLocaleString('en-US')}-record gzipped CloudTrail archive (S3 layout)`, '');
  lines.push(`${files} files, ${size(gzBytes)} compressed, ${size(rawBytes)} decompressed; ${reference.size} records match the AWS pack. Median of ${o.runs} runs (jq: 1 run).`, '');
  lines.push('| tool | wall | MB/s (decompressed) | records/s | peak RSS | ratio to mirrorwatch | answer |', '|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) lines.push(fmtRow(r, rawBytes, records, rows[0]));
  lines.push('');

  // ---- B. Uncompressed NDJSON -----------------------------------------------------------------------------------
  process.stderr.write('B. NDJSON …\n');
  const ndBytes = filesUnder(CORPUS).find((f) => f.path === nd)?.size ?? 0;
  const scanNd = `${CLI} scan ${q(nd)} --rules ${q(AWS_RULES)} --format ndjson --min-level informational -q --no-state`;
  const scanNdFull = `${CLI} scan ${q(nd)} --format ndjson --min-level informational -q --no-state`;
  const rowsB: Row[] = [];
  rowsB.push(await measure('mirrorwatch, AWS rules', scanNd, o.runs, (out) => check(mirrorwatchIds(out))));
  const packRules = (await loadRuleSet([repoPath('rules')], () => undefined)).length;
  rowsB.push(await measure(`mirrorwatch, full pack (${packRules} rules)`, scanNdFull, o.runs, (out) => check(mirrorwatchIds(out))));
  const jobsB = Math.max(2, availableParallelism());
  rowsB.push(await measure(`mirrorwatch, full pack, --jobs ${jobsB} (stretches side by side)`, `${scanNdFull} --jobs ${jobsB}`, o.runs, (out) => check(mirrorwatchIds(out))));
  if (have('rg')) rowsB.push(await measure('rg -c -i trafficmirror', `rg -c -i trafficmirror ${q(nd)} || true`, o.runs, (out) => `${out.trim() || 0} lines`));
  rowsB.push(await measure('DuckDB read_json_objects + the same filter', `node ${q(repoPath('dist', 'bench', 'duckdb-query.js'))} ndjson ${q(nd)}`, o.runs, (out) => check(idSet(out))));
  if (have('jq')) rowsB.push(await measure('jq (the same filter)', `jq -r ${q(JQ_FILTER)} ${q(nd)}`, 1, (out) => check(idSet(out))));
  lines.push(`### B. The same records as one uncompressed NDJSON file (${size(ndBytes)})`, '');
  lines.push('| tool | wall | MB/s | records/s | peak RSS | ratio to mirrorwatch | answer |', '|---|---:|---:|---:|---:|---:|---|');
  for (const r of rowsB) lines.push(fmtRow(r, ndBytes, records, rowsB[0]));
  lines.push('');

  // ---- C. Many rules ------------------------------------------------------------------------------------------------
  process.stderr.write('C. many rules …\n');
  const manyDir = join(CORPUS, 'rules-1000');
  writeGeneratedPack(manyDir, 1000);
  const rowsC: Row[] = [];
  rowsC.push(await measure(`bundled pack (${packRules} rules)`, scanNdFull, o.runs, (out) => check(mirrorwatchIds(out))));
  rowsC.push(
    await measure(
      'bundled pack + 1,000 generated CloudTrail rules',
      `${CLI} scan ${q(nd)} --rules default --rules ${q(manyDir)} --format ndjson --min-level informational -q --no-state`,
      o.runs,
      (out) => `${mirrorwatchIds(out).size} records matched (the generated rules match none of the corpus's event names by design: ${sameSet(mirrorwatchIds(out), reference) ? 'same records as the bundled pack' : 'DIFFERENT'})`,
    ),
  );
  lines.push('### C. Many rules (NDJSON file above)', '');
  lines.push('| rule set | wall | MB/s | records/s | peak RSS | ratio | answer |', '|---|---:|---:|---:|---:|---:|---|');
  for (const r of rowsC) lines.push(fmtRow(r, ndBytes, records, rowsC[0]));
  lines.push('');

  // ---- D. Memory ----------------------------------------------------------------------------------------------------
  process.stderr.write('D. memory …\n');
  const mem: string[] = ['### D. Memory', '', '| input | size | wall | peak RSS |', '|---|---:|---:|---:|'];
  const big = await ndjsonOf(dir, Math.max(1, Math.ceil((2 * 2 ** 30) / Math.max(1, ndBytes))));
  const bigBytes = filesUnder(CORPUS).find((f) => f.path === big)?.size ?? 0;
  const one = await runShell(`${CLI} scan ${q(big)} --format ndjson -q --no-state > /dev/null`);
  mem.push(`| one NDJSON file | ${size(bigBytes)} | ${(one.wallMs / 1000).toFixed(1)} s | ${Math.round(one.rssKb / 1024)} MB |`);
  const oneJobs = await runShell(`${CLI} scan ${q(big)} --format ndjson -q --no-state --jobs ${jobsB} > /dev/null`);
  mem.push(`| the same, \`--jobs ${jobsB}\` (stretches) | ${size(bigBytes)} | ${(oneJobs.wallMs / 1000).toFixed(1)} s | ${Math.round(oneJobs.rssKb / 1024)} MB |`);
  const small = await runShell(`${CLI} scan ${q(dir)} --format ndjson -q --ignore-unknown --no-state > /dev/null`);
  mem.push(`| archive A | ${size(rawBytes)} | ${(small.wallMs / 1000).toFixed(1)} s | ${Math.round(small.rssKb / 1024)} MB |`);
  if (o.big) {
    for (const target of [1e9, 1e10]) {
      const n = Math.round((target / rawBytes) * records);
      const d = await archive(n, 11);
      const bytes = Number((await runShell(`node ${q(repoPath('dist', 'bench', 'gunzip.js'))} ${q(d)}`)).stdout.trim());
      const r = await runShell(`${CLI} scan ${q(d)} --format ndjson -q --ignore-unknown --no-state > /dev/null`);
      mem.push(`| archive of ${n.toLocaleString('en-US')} records | ${size(bytes)} | ${(r.wallMs / 1000).toFixed(1)} s | ${Math.round(r.rssKb / 1024)} MB |`);
    }
  } else {
    mem.push('', '(1 GB and 10 GB archives: `npm run bench -- --big`.)');
  }
  lines.push(...mem, '');

  // ---- E. Azure, GCP and device corpora -----------------------------------------------------------------------------
  process.stderr.write('E. other platforms …\n');
  lines.push(...(await otherPlatforms(o)), '');

  lines.push('<!-- scan-bench:end -->');
  const text = lines.join('\n');
  // Other benchmarks (pcap-bench.js) keep their own marked sections of the same file.
  const path = repoPath('bench', 'RESULTS.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const re = /<!-- scan-bench:start[\s\S]*?<!-- scan-bench:end -->/;
  writeFileSync(path, re.test(old) ? old.replace(re, text) : old.replace(/^# Benchmarks\n/, `# Benchmarks\n\n${text}\n`));
  process.stdout.write(`${text}\n`);
}

/** One non-AWS corpus of section E: a scenario with noise, a byte-scan pattern, and a jq filter printing natural keys. */
interface PlatformCorpus {
  title: string;
  scenario: string;
  noise: number;
  /** `rg -c -i -e` pattern: the byte-scan limit. */
  rg: string;
  /** jq program printing each matching record's natural key as the manifest writes it (JSON formats only). */
  jq?: string;
  /** The natural key of a manifest attack record (what jq prints). */
  manifestKey?: (r: { key: Record<string, string | boolean>; file: string; line?: number }) => string;
  /** An alert's evidence entry as the manifest's `expected_alerts[].evidence` names it. */
  evidenceKey: (e: { record: unknown; location?: { file: string; line?: number } }, dir: string) => string;
}

const OTHER_PLATFORMS: PlatformCorpus[] = [
  {
    title: 'Azure Activity Log storage export (PT1H.json)',
    scenario: 'azure-vtap',
    noise: 100_000,
    rg: 'virtualnetworktaps|tapconfigurations',
    jq: 'select((.operationName // "") | ascii_downcase | test("^microsoft\\\\.network/(virtualnetworktaps|networkinterfaces/tapconfigurations)/(write|delete)$")) | "\\(.correlationId)/\\(.resultType)"',
    manifestKey: (r) => `${String(r.key.correlationId)}/${String(r.key.resultType)}`,
    evidenceKey: (e) => String((e.record as { correlationId?: string }).correlationId),
  },
  {
    title: 'GCP Cloud Audit Logs sink files',
    scenario: 'gcp-packet-mirroring',
    noise: 100_000,
    rg: 'packetmirrorings',
    jq: 'select((.protoPayload.methodName // "") | ascii_downcase | test("^(v1|beta)\\\\.compute\\\\.packetmirrorings\\\\.(insert|patch|delete)$")) | .insertId',
    manifestKey: (r) => String(r.key.insertId),
    evidenceKey: (e) => {
      const rec = e.record as { insertId?: string; operation?: { id?: string } };
      return String(rec.operation?.id ?? rec.insertId);
    },
  },
  {
    title: 'Device logs (syslog, NX-OS accounting, TACACS+ accounting)',
    scenario: 'cisco-span',
    noise: 1_000_000,
    rg: 'monitor session|monitor-session|analyzer|port-mirror',
    evidenceKey: (e, dir) => `${(e.location?.file ?? '').slice(dir.length + 1)}:${e.location?.line ?? 0}`,
  },
];

/** Section E: mirrorwatch, ripgrep and jq on each non-AWS corpus, answers checked against the scenario's manifest. */
async function otherPlatforms(o: Options): Promise<string[]> {
  const out = ['### E. Azure, GCP and device logs', '', 'Each corpus is `mirrorwatch simulate SCENARIO --noise N`; every answer is checked against the records its `manifest.json` lists as the attack (the ground truth). Median of ' + o.runs + ' runs (jq: 1 run).', ''];
  out.push('| corpus | size | records | tool | wall | MB/s | peak RSS | ratio to mirrorwatch | answer |', '|---|---:|---:|---|---:|---:|---:|---:|---|');
  for (const c of OTHER_PLATFORMS) {
    const dir = join(CORPUS, `${c.scenario}-${c.noise}`);
    if (!existsSync(join(dir, '.done'))) {
      rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`generating ${c.scenario} with ${c.noise.toLocaleString('en-US')} noise records …\n`);
      const r = await runShell(`${CLI} simulate ${c.scenario} --noise ${c.noise} --seed 5 --out ${q(dir)}`);
      if (r.code !== 0) throw new Error(`simulate failed (${r.code}): ${r.stderr}`);
      writeFileSync(join(dir, '.done'), '');
    }
    type ManifestRecord = { key: Record<string, string | boolean>; file: string; line?: number };
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      attack_records: ManifestRecord[];
      expected_alerts: { evidence: string[] }[];
      files: { path: string; records: number }[];
    };
    const logs = filesUnder(dir).filter((f) => !f.path.endsWith('manifest.json') && !f.path.endsWith('.done'));
    const bytes = logs.reduce((sum, f) => sum + f.size, 0);
    const records = manifest.files.reduce((sum, f) => sum + f.records, 0);
    const listFile = join(CORPUS, `${c.scenario}-files.txt`);
    writeFileSync(listFile, logs.map((f) => f.path).join('\n'));
    const rows: Row[] = [];
    // mirrorwatch: exactly the manifest's alerts, each expected evidence record cited (what `test --scenarios` checks).
    const wanted = new Set(manifest.expected_alerts.flatMap((a) => a.evidence));
    rows.push(
      await measure('mirrorwatch (full pack)', `${CLI} scan ${q(dir)} --format ndjson --min-level informational -q --no-state --jobs 1`, o.runs, (text) => {
        const cited = new Set<string>();
        let alerts = 0;
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          alerts++;
          const a = JSON.parse(line) as { mirrorwatch: { evidence: { record: unknown; location?: { file: string; line?: number } }[] } };
          for (const e of a.mirrorwatch.evidence) cited.add(c.evidenceKey(e, dir));
        }
        const missing = [...wanted].filter((k) => !cited.has(k)).length;
        return alerts === manifest.expected_alerts.length && missing === 0
          ? `the manifest's ${alerts} alerts, every expected evidence record cited`
          : `DIFFERENT: ${alerts} alerts vs ${manifest.expected_alerts.length} expected, ${missing} expected evidence records not cited`;
      }),
    );
    if (have('rg')) rows.push(await measure('rg -c -i (byte scan, no parsing)', `xargs -a ${q(listFile)} rg -c -i -e ${q(c.rg)} --no-filename | awk '{ s += $1 } END { print s + 0 }'`, o.runs, (text) => `${text.trim() || 0} lines`));
    if (c.jq && c.manifestKey && have('jq')) {
      const truth = new Set(manifest.attack_records.map(c.manifestKey));
      rows.push(
        await measure('jq (operation filter)', `xargs -a ${q(listFile)} cat | jq -r ${q(c.jq)}`, 1, (text) => {
          const got = idSet(text);
          return sameSet(got, truth) ? `the scenario's ${got.size} attack records` : `DIFFERENT: ${got.size} records vs the scenario's ${truth.size}`;
        }),
      );
    }
    for (const r of rows) {
      const ms = median(r.runs.map((x) => x.wallMs));
      const rss = Math.max(...r.runs.map((x) => x.rssKb));
      const ratio = (ms / median(rows[0].runs.map((x) => x.wallMs))).toFixed(2);
      out.push(`| ${c.title} | ${size(bytes)} | ${records.toLocaleString('en-US')} | ${r.tool} | ${(ms / 1000).toFixed(2)} s | ${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s | ${rss ? `${Math.round(rss / 1024)} MB` : 'n/a'} | ${ratio}× | ${r.answer} |`);
    }
  }
  return out;
}

/** Writes a pack of generated CloudTrail rules (SigmaHQ-style, one per event-name list) into `dir`. */
function writeGeneratedPack(dir: string, count: number): void {
  if (existsSync(join(dir, '.done'))) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const verbs = ['Create', 'Delete', 'Update', 'Put', 'Attach', 'Detach', 'Enable', 'Disable', 'Associate', 'Import', 'Export', 'Restore'];
  const nouns = ['Widget', 'Gizmo', 'Sprocket', 'Lattice', 'Conduit', 'Beacon', 'Quorum', 'Ledger', 'Harbor', 'Vertex', 'Prism', 'Tandem', 'Nimbus', 'Cascade'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < count; i++) {
    const names = Array.from({ length: 1 + (next() % 4) }, () => `${verbs[next() % verbs.length]}${nouns[next() % nouns.length]}${nouns[next() % nouns.length]}${i}`);
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    writeFileSync(
      join(dir, `generated-${i}.yml`),
      `title: Generated rule ${i}\nid: ${id}\nstatus: experimental\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventSource: example${i % 37}.amazonaws.com\n    eventName:\n${names.map((n) => `      - ${n}`).join('\n')}\n  filter:\n    userIdentity.type: AWSService\n  condition: selection and not filter\nlevel: low\n`,
    );
  }
  writeFileSync(join(dir, '.done'), '');
}

await main();
