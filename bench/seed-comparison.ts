/**
 * How the two seed queries fare against mirrorwatch on the same fixture sets: every record is read by the real
 * readers, the seeds are evaluated on its ECS view (src/export/seed-queries.ts), and mirrorwatch runs with the
 * bundled rules. For each set: mirrorwatch's alerts (at low or above) and the records they rest on, and for each
 * seed the records it flags, split into those mirrorwatch also alerts on, those it does not (noise: reads, AWS
 * Config, join/action, duplicates of one operation), and the mirrorwatch-alerted records the seed misses.
 *
 * Run: `npm run build && node dist/bench/seed-comparison.js` (prints a Markdown table).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { levelRank } from '../src/core/alert.js';
import { readExamples } from '../src/detect/rule-examples.js';
import { ecsOf } from '../src/normalize/index.js';
import { bundled, readEvents, scanTexts } from '../test/helpers/engine.js';
import { repoPath } from '../test/helpers/paths.js';
import { seedAqlMatches, seedEqlMatches } from '../src/export/seed-queries.js';

interface Input {
  name: string;
  text: string;
}

function filesUnder(dir: string): Input[] {
  const out: Input[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const buf = readFileSync(p);
        const text = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
        out.push({ name: relative(repoPath(), p), text });
      }
    }
  };
  walk(dir);
  return out;
}

async function ruleExampleInputs(): Promise<Input[]> {
  const { rules } = await bundled();
  const out: Input[] = [];
  for (const rule of rules) {
    const { examples } = await readExamples(rule);
    examples.forEach((e, i) => out.push({ name: `${rule.file}#${i}`, text: e.text }));
  }
  return out;
}

interface Row {
  set: string;
  records: number;
  alerts: number;
  alertedRecords: number;
  eql: { flagged: number; onAlerted: number; noise: number; missed: number };
  aql: { flagged: number; onAlerted: number; noise: number; missed: number };
}

async function compare(set: string, inputs: Input[], together = true): Promise<Row> {
  const alerted = new Set<string>();
  let alerts = 0;
  const eqlHits = new Set<string>();
  const aqlHits = new Set<string>();
  let records = 0;
  const logs = inputs.filter((input) => {
    try {
      readEvents(input.name, input.text);
      return true;
    } catch {
      return false; // not a log format (documentation, API examples)
    }
  });
  // All files of a set in one scan, as a user would run it (duplicates across files are one alert); rule examples
  // are independent cases that reuse identifiers, so each is scanned on its own.
  const found = together ? (await scanTexts(logs)).alerts : (await Promise.all(logs.map(async (l) => (await scanTexts([l])).alerts))).flat();
  const shown = found.filter((a) => levelRank(a.mirrorwatch.severity) >= levelRank('low'));
  alerts += shown.length;
  for (const a of shown) {
    for (const e of a.mirrorwatch.evidence) {
      if (!e.matched) continue;
      alerted.add(`${e.location.file}|${e.origin}`);
      for (const d of e.duplicates) alerted.add(`${d.replace(/:\d.*$/, '')}|${d}`);
    }
  }
  for (const input of logs) {
    const events = readEvents(input.name, input.text);
    for (const ev of events) {
      records++;
      const key = `${input.name}|${ev.origin.file}:${ev.origin.line ?? ''}${ev.origin.column !== undefined && ev.origin.column > 1 ? `:${ev.origin.column}` : ''}${ev.origin.record !== undefined ? ` (record ${ev.origin.record})` : ''}`;
      const ecs = ecsOf(ev);
      if (seedEqlMatches(ecs)) eqlHits.add(key);
      if (seedAqlMatches(ecs)) aqlHits.add(key);
    }
  }
  const score = (hits: Set<string>) => ({
    flagged: hits.size,
    onAlerted: [...hits].filter((k) => alerted.has(k)).length,
    noise: [...hits].filter((k) => !alerted.has(k)).length,
    missed: [...alerted].filter((k) => !hits.has(k)).length,
  });
  return { set, records, alerts, alertedRecords: alerted.size, eql: score(eqlHits), aql: score(aqlHits) };
}

const rows = [
  await compare('examples/ (npm start)', filesUnder(repoPath('examples'))),
  await compare('reference samples', filesUnder(repoPath('test', 'fixtures', 'reference-samples'))),
  await compare('cloud reader fixtures', filesUnder(repoPath('test', 'fixtures', 'cloud'))),
  await compare('device reader fixtures', filesUnder(repoPath('test', 'fixtures', 'devices'))),
  await compare('rule examples (all rules, each alone)', await ruleExampleInputs(), false),
];
console.log('| fixture set | records | mirrorwatch alerts (records) | seed EQL: flagged / on alerted / noise / missed | seed AQL: flagged / on alerted / noise / missed |');
console.log('|---|---:|---:|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.set} | ${r.records} | ${r.alerts} (${r.alertedRecords}) | ${r.eql.flagged} / ${r.eql.onAlerted} / ${r.eql.noise} / ${r.eql.missed} | ${r.aql.flagged} / ${r.aql.onAlerted} / ${r.aql.noise} / ${r.aql.missed} |`,
  );
}
