/**
 * The prefilter may only skip records that cannot match (DESIGN.md §5). Property test over the real rule pack:
 * thousands of records derived from every JSON example event of every rule and from the reference samples, mutated
 * the ways real writers and real data differ (re-cased values, values swapped for other rules' literals, `\uXXXX`
 * and `\/` escapes, non-ASCII characters, numbers written as exponents, JSON strings inside strings), scanned once
 * with the prefilter and once without: the matches must be identical. A second property checks the literal pieces
 * against records that are known to match.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isObject } from '../../src/core/json.js';
import { buildPrefilter, searchablePiece } from '../../src/detect/prefilter.js';
import { scan } from '../../src/detect/scan.js';
import { READERS } from '../../src/readers/registry.js';
import { bundled } from '../helpers/engine.js';
import { repoPath, samplesDir } from '../helpers/paths.js';
import { rng } from '../helpers/random.js';

/** Every JSON example record of every rule, and the JSON samples. */
function seedRecords(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, name.name);
      if (name.isDirectory()) walk(p);
      else if (name.name.endsWith('.tests.yml')) {
        const doc = parseYaml(readFileSync(p, 'utf8')) as Record<string, { record?: unknown }[] | undefined>;
        for (const kind of ['match', 'no_match']) for (const ex of doc[kind] ?? []) if (isObject(ex.record)) out.push(ex.record);
      }
    }
  };
  walk(repoPath('rules'));
  for (const name of readdirSync(samplesDir)) {
    if (!/^(aws_cloudtrail|azure_activitylog_(eventhub|storage)|gcp_audit_compute_v1)/.test(name)) continue;
    const text = readFileSync(join(samplesDir, name), 'utf8');
    for (const line of name.endsWith('.jsonl') ? text.split('\n').filter(Boolean) : [text]) {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (isObject(v.record)) out.push(v.record);
      else if (Array.isArray(v.records)) out.push(...(v.records as Record<string, unknown>[]));
      else out.push(v);
    }
  }
  return out;
}

/** Strings worth swapping in: literal values the rules look for, in odd casings. */
const SWAPS = [
  'CreateTrafficMirrorSession', 'createtrafficmirrorsession', 'DELETETRAFFICMIRRORFILTERRULE', 'DescribeTrafficMirrorTargets',
  'ModifyTrafficMirrorFilterNetworkServices', 'ec2.amazonaws.com', 'EC2.AMAZONAWS.COM', 'Client.DryRunOperation', 'Client.UnauthorizedOperation',
  'config.amazonaws.com', 'cloudformation.amazonaws.com', 'AWSService', 'MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE',
  'microsoft.network/networkinterfaces/tapconfigurations/delete', 'Microsoft.Network/virtualNetworkTaps/join/action',
  'v1.compute.packetMirrorings.insert', 'beta.compute.packetMirrorings.patch', 'alpha.compute.packetMirrorings.delete',
  'v1.compute.networkFirewallPolicies.addPacketMirroringRule', 'compute.googleapis.com', 'v1.compute.packetMirrorings.get',
];

/** Rewrites one random string leaf (re-case, swap, or add a non-ASCII character). */
function mutate(value: unknown, r: () => number): unknown {
  if (typeof value === 'string') {
    const x = r();
    if (x < 0.35) return SWAPS[Math.floor(r() * SWAPS.length)];
    if (x < 0.55) return value.toUpperCase();
    if (x < 0.57) return value.replace(/s/g, '\u017f'); // LATIN SMALL LETTER LONG S upper-cases to S
    if (x < 0.59) return value.replace(/k/gi, '\u212a'); // KELVIN SIGN lower-cases to k
    return value.toLowerCase();
  }
  if (Array.isArray(value)) return value.map((v) => (r() < 0.3 ? mutate(v, r) : v));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = r() < 0.25 ? mutate(v, r) : isObject(v) || Array.isArray(v) ? mutate(v, r) : v;
    return out;
  }
  return value;
}

/** JSON text with random legal escapes: `\uXXXX` for any character, `\/` for slashes, exponent numbers. */
function writeJson(value: unknown, r: () => number): string {
  if (typeof value === 'string') {
    let s = '"';
    const escapeSome = r() < 0.02; // now and then a writer escapes characters it need not escape
    for (const ch of value) {
      const code = ch.codePointAt(0) as number;
      if (ch === '"' || ch === '\\') s += `\\${ch}`;
      else if (code < 0x20) s += `\\u${code.toString(16).padStart(4, '0')}`;
      else if (ch === '/' && r() < 0.5) s += '\\/';
      else if (escapeSome && r() < 0.2 && code < 0x10000) s += `\\u${code.toString(16).padStart(4, '0')}`;
      else s += ch;
    }
    return `${s}"`;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 10 && value % 10 === 0 && r() < 0.5) {
    return `${value / 10}e1`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => writeJson(v, r)).join(',')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${writeJson(k, r)}:${writeJson(v, r)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

test('scanning with and without the prefilter gives the same matches (mutated records, every bundled rule)', async () => {
  const { rules, aliases } = await bundled();
  const seeds = seedRecords();
  assert.ok(seeds.length > 120, `expected many seed records, got ${seeds.length}`);
  const r = rng(1020001);
  const lines: string[] = [];
  for (let round = 0; round < 12; round++) {
    for (const rec of seeds) {
      const m = round === 0 ? rec : (mutate(rec, r) as Record<string, unknown>);
      // Unique ids so duplicate handling does not merge distinct mutants.
      const id = `mut-${round}-${lines.length}`;
      if ('eventID' in m) m.eventID = id;
      if ('insertId' in m) m.insertId = id;
      if ('correlationId' in m) m.correlationId = id;
      if (isObject(m.properties) && r() < 0.3) m.properties = JSON.stringify(m.properties); // JSON inside a string
      lines.push(writeJson(m, r));
    }
  }
  // One file per platform, so each file is sniffed as its format.
  const byFormat = new Map<string, string[]>();
  for (const line of lines) {
    const key = line.includes('protoPayload') ? 'gcp' : line.includes('eventSource') || line.includes('eventName') ? 'aws' : 'azure';
    (byFormat.get(key) ?? byFormat.set(key, []).get(key) as string[]).push(line);
  }
  const inputs = [...byFormat].map(([k, ls]) => ({ path: `${k}.json`, mtimeMs: 0, text: ls.join('\n') + '\n' }));
  const run = async (prefilter: boolean, ruleIndexMinRules?: number) => {
    const { matches, stats } = await scan(inputs, {
      rules,
      readers: READERS,
      readerOptions: { timeZone: 'UTC', maxRecordChars: 1 << 25 },
      prefilter,
      ruleIndexMinRules,
      aliases,
      unknownFormatIsError: true,
      report: () => undefined,
    });
    return { keys: matches.map((m) => `${m.rule.id}|${m.event.recordKey}`).sort(), stats };
  };
  const withPrefilter = await run(true);
  const without = await run(false);
  assert.ok(without.keys.length > 500, `the property must be exercised on many matches, got ${without.keys.length}`);
  assert.ok(withPrefilter.stats.recordsPrefiltered > 0, 'the prefilter must actually skip something');
  assert.deepEqual(withPrefilter.keys, without.keys);
  // The rule index (used from 48 rules on) forced on for the bundled pack: each record's text chooses its rules.
  const indexed = await run(true, 0);
  assert.deepEqual(indexed.keys, without.keys);
});

test('the rule index chooses by literal pieces, and gives every rule to text it cannot trust', async () => {
  const { RuleIndex } = await import('../../src/detect/rule-index.js');
  const rule = (id: string, literals: string[] | null) => ({ id, literals }) as unknown as Parameters<typeof buildPrefilter>[0] & { id: string };
  const rules = [rule('a', ['createtrafficmirrorsession']), rule('b', null), rule('c', ['virtualnetworktaps/write', 'deletetrafficmirrorsession']), rule('d', ['6'])];
  const index = new RuleIndex(rules as never);
  const pick = (text: string, plain = true) => {
    const mask = index.select(text, plain);
    return mask === undefined ? 'all' : rules.filter((_, i) => mask[i] === 1).map((r) => r.id).join('');
  };
  assert.equal(pick('{"eventName":"CreateTrafficMirrorSession"}'), 'abd', 'b offers no literals and d only a number: always evaluated');
  assert.equal(pick('{"operationName":"MICROSOFT.NETWORK/VIRTUALNETWORKTAPS/WRITE"}'), 'bcd');
  assert.equal(pick('{"eventName":"DeleteTrafficMirrorSession","x":"CreateTrafficMirrorSession"}'), 'abcd');
  assert.equal(pick('{"eventName":"DescribeInstances"}'), 'bd');
  assert.equal(pick('{"eventName":"Create\\u0054rafficMirrorSession"}', false), 'all');
});

test('every literal piece of every rule occurs in the records that rule matches', async () => {
  const { rules } = await bundled();
  for (const rule of rules) {
    if (rule.literals === null) continue;
    for (const lit of rule.literals) assert.equal(lit, lit.toLowerCase(), `${rule.title}: literal ${lit} must be lower case`);
    const pieces = rule.literals.map((l) => searchablePiece(l));
    // A rule without usable pieces must disable skipping rather than skip everything.
    if (pieces.some((p) => p === undefined)) assert.equal(buildPrefilter([rule.literals]).passAll, true);
  }
});

test('the prefilter never skips a record with \\u escapes or non-ASCII text', () => {
  const p = buildPrefilter([['createtrafficmirrorsession']]);
  assert.equal(p.mayMatch('{"eventName":"DescribeInstances"}'), false);
  assert.equal(p.mayMatch('{"eventName":"CREATETRAFFICMIRRORSESSION"}'), true);
  assert.equal(p.mayMatch('{"eventName":"Create\\u0054rafficMirrorSession"}'), true);
  assert.equal(p.mayMatch('{"eventName":"DescribeInstances","note":"Kelvin \u212A"}'), true);
  assert.equal(buildPrefilter([['microsoft.network/virtualnetworktaps/write']]).mayMatch('{"operationName":"MICROSOFT.NETWORK\\/VIRTUALNETWORKTAPS\\/WRITE"}'), true);
  assert.equal(buildPrefilter([['6']]).passAll, true, 'a numeric literal cannot be trusted (6 may be written 6.0 or 6e0)');
  assert.equal(buildPrefilter([null, ['x-y-z']]).passAll, true, 'one rule without literals disables skipping');
});

test('the many-rules automaton finds exactly what a case-insensitive substring search finds', async () => {
  const { LiteralAutomaton } = await import('../../src/detect/prefilter.js');
  const r = rng(424242);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/-_"{}[], \\';
  const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  for (let round = 0; round < 40; round++) {
    const needles = Array.from({ length: 1 + Math.floor(r() * 300) }, () => pick(2 + Math.floor(r() * 12)).toLowerCase().replace(/\\/g, ''))
      .filter((x) => x.length > 0);
    const automaton = new LiteralAutomaton(needles);
    for (let t = 0; t < 200; t++) {
      let text = pick(Math.floor(r() * 120));
      if (r() < 0.3) text = text.slice(0, 40) + needles[Math.floor(r() * needles.length)].toUpperCase() + text.slice(40);
      if (r() < 0.1) text += 'ß';
      if (r() < 0.1) text += '\\u00e9';
      const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
      const literal = needles.some((nd) => lower.includes(nd));
      const nonAscii = Array.from(text).some((c) => c.charCodeAt(0) > 0x7f);
      const special = nonAscii || /\\u/i.test(text); // \U is not JSON; matching it too is merely cautious
      assert.equal(automaton.test(text, false), literal || special, `full: ${JSON.stringify(text)}`);
      if (!special) assert.equal(automaton.test(text, true), literal, `plain: ${JSON.stringify(text)}`);
    }
  }
});

test('a pack of more than a thousand rules gets the automaton, and it still never skips a match', async () => {
  const { buildPrefilter } = await import('../../src/detect/prefilter.js');
  const sets = Array.from({ length: 1200 }, (_, i) => [`creatething${i}widget`, `deletething${i}gadget`]);
  sets.push(['createtrafficmirrorsession']);
  const p = buildPrefilter(sets);
  assert.match(p.description, /Aho-Corasick/);
  assert.equal(p.mayMatch('{"eventName":"CreateTrafficMirrorSession"}', true), true);
  assert.equal(p.mayMatch('{"eventName":"DELETETHING77GADGET"}', true), true);
  assert.equal(p.mayMatch('{"eventName":"DescribeInstances"}', true), false);
  assert.equal(p.mayMatch('{"eventName":"Describe\\u0049nstances"}', false), true);
});

test('the two-stage check finds exactly the records that hold a piece, and drops those that only hold the shared search string', () => {
  const r = rng(20261123);
  const affixes = ['create', 'delete', 'modify', 'describe', 'get', 'list', 'x', 'trafficmirror', 'mirror', 'traffic', ''];
  const tails = ['session', 'sessions', 'target', 'targets', 'filter', 'filterrule', 'filters', 'rr', ''];
  const piecesFrom = (n: number) => Array.from({ length: n }, () => `${affixes[Math.floor(r() * affixes.length)]}trafficmirror${tails[Math.floor(r() * tails.length)]}`);
  const recase = (s: string) => Array.from(s, (c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');
  let dropped = 0;
  for (let round = 0; round < 60; round++) {
    const pieces = [...new Set(piecesFrom(2 + Math.floor(r() * 8)))];
    const p = buildPrefilter(pieces.map((x) => [x]));
    assert.equal(p.passAll, false);
    for (let t = 0; t < 300; t++) {
      // Records made of the same words: pieces, near-misses that hold only the shared search string, overlaps.
      const words = Array.from({ length: 1 + Math.floor(r() * 4) }, () => (r() < 0.3 ? pieces[Math.floor(r() * pieces.length)] : piecesFrom(1)[0]));
      const text = `{"eventName":"${words.map(recase).join(r() < 0.5 ? '' : '","')}"}`;
      const holds = pieces.some((piece) => text.toLowerCase().includes(piece));
      assert.equal(p.mayMatch(text, true), holds, `${JSON.stringify(pieces)} in ${text}`);
      if (!holds) dropped++;
    }
  }
  assert.ok(dropped > 1000, `the second stage dropped ${dropped} records that only hold the shared string`);
});

test('nextHit: a stretch that ends before the hit holds no literal piece; the skipping search finds the first needle exactly, the automaton never after it', async () => {
  const { LiteralAutomaton, SkipSearch } = await import('../../src/detect/prefilter.js');
  const r = rng(777);
  const alphabet = 'abcdefgh.-_:"';
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  for (let round = 0; round < 150; round++) {
    const short = r() < 0.3;
    const needles = [...new Set(Array.from({ length: 1 + Math.floor(r() * (r() < 0.5 ? 10 : 120)) }, () => word((short ? 2 : 4) + Math.floor(r() * 6))))];
    const prefilter = buildPrefilter(needles.map((n) => [n]));
    const pieces = needles.map((n) => searchablePiece(n)).filter((x): x is string => x !== undefined);
    const automaton = new LiteralAutomaton(needles);
    const skip = needles.every((n) => n.length >= SkipSearch.MIN_WINDOW) ? new SkipSearch(needles) : undefined;
    for (let t = 0; t < 40; t++) {
      let text = word(Math.floor(r() * 300));
      if (r() < 0.5) text = text.replace(/[a-h]/g, (c) => (r() < 0.5 ? c.toUpperCase() : c));
      const from = Math.floor(r() * Math.max(1, text.length));
      const lower = text.toLowerCase();
      const first = Math.min(text.length, ...needles.map((n) => (lower.indexOf(n, from) === -1 ? text.length : lower.indexOf(n, from))));
      const where = `${JSON.stringify(needles.slice(0, 5))} in ${JSON.stringify(text)} from ${from}`;
      // The prefilter's contract: a stretch that ends at or before nextHit holds no literal piece.
      const end = from + Math.floor(r() * (text.length - from + 1));
      if (prefilter.nextHit(text, from) >= end) {
        const stretch = lower.slice(from, end);
        assert.ok(!pieces.some((piece) => stretch.includes(piece)), `prefilter (${prefilter.description}): ${where} to ${end}`);
      }
      if (skip) assert.equal(skip.nextHit(text, from), first, `skip: ${where}`);
      const a = automaton.nextHit(text, from);
      assert.ok(a >= Math.min(from, text.length) && a <= first && (first < text.length || a === text.length), `automaton: ${where}`);
    }
  }
});

test('needles with non-ASCII characters do not break the many-rules automaton, and stay sound', () => {
  const sets = Array.from({ length: 80 }, (_, i) => [`plainword${i}x`]);
  sets.push(['überwachung']);
  const p = buildPrefilter(sets);
  assert.match(p.description, /Aho-Corasick/);
  assert.equal(p.mayMatch('{"a":"Überwachung"}', false), true);
  assert.equal(p.mayMatch('{"a":"plainword7x"}', true), true);
  assert.equal(p.mayMatch('{"a":"nothing here"}', true), false);
});
