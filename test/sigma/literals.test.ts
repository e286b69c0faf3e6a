import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../src/core/diagnostic.js';
import { compileRule } from '../../src/sigma/compile.js';
import { loadRuleText } from '../../src/sigma/load.js';
import { objectTarget } from '../../src/sigma/match-target.js';
import { compile, ruleText } from './sigma-helpers.js';
import { rng as prng } from '../helpers/random.js';

const literals = (detection: string): string[] | null => compile(detection).literals;

describe('prefilter literals', () => {
  test('an AND keeps the most selective child: many long names beat one common source', () => {
    const det = `selection:\n  eventSource: ec2.amazonaws.com\n  eventName:\n    - CreateTrafficMirrorSession\n    - CreateTrafficMirrorTarget\n    - CreateTrafficMirrorFilter\ncondition: selection`;
    assert.deepEqual(literals(det), ['createtrafficmirrorfilter', 'createtrafficmirrorsession', 'createtrafficmirrortarget']);
    assert.deepEqual(literals(`sel:\n  a: averyveryverylongvalue\n  b: [x1, x2]\ncondition: sel`), ['averyveryverylongvalue']);
  });

  test('OR unions, NOT gives nothing, and one unknown branch spoils an OR', () => {
    assert.deepEqual(literals(`a: {f: alpha}\nb: {g: bravo}\ncondition: a or b`), ['alpha', 'bravo']);
    assert.equal(literals(`a: {f: alpha}\ncondition: not a`), null);
    assert.equal(literals(`a: {f: alpha}\nb: {g|re: 'x+'}\ncondition: a or b`), null);
    assert.deepEqual(literals(`a: {f: alpha}\nb: {g|re: 'x+'}\ncondition: a and not b`), ['alpha']);
    assert.deepEqual(literals(`s1: {f: alpha}\ns2: {g: bravo}\ncondition: 1 of s*`), ['alpha', 'bravo']);
    assert.deepEqual(literals(`s1: {f: alpha}\ns2: {g: bravocharlie}\ncondition: all of s*`), ['bravocharlie']);
  });

  test('wildcards split a value and the longest piece is kept', () => {
    assert.deepEqual(literals(`s: {m: 'v*.compute.packetMirrorings.insert'}\ncondition: s`), ['.compute.packetmirrorings.insert']);
    assert.deepEqual(literals(`s: {m|contains: 'Mirror'}\ncondition: s`), ['mirror']);
    assert.deepEqual(literals(`s: {m: 'ab?cdef*g'}\ncondition: s`), ['cdef']);
    assert.equal(literals(`s: {m: '*'}\ncondition: s`), null);
    assert.equal(literals(`s: {m: ''}\ncondition: s`), null);
  });

  test('typed values without a certain text give nothing', () => {
    for (const v of [`f|cidr: 10.0.0.0/8`, `f|gt: 5`, `f: null`, `f|exists: true`, `f|fieldref: g`, `f|hour: 3`, `f|re: 'a[bc]d'`]) {
      assert.equal(literals(`s: {${v}}\ncondition: s`), null, v);
    }
    assert.equal(literals(`s: {f|neq: alpha}\ncondition: s`), null);
  });

  test('a regular expression yields the longest literal every match contains (regex-literals.ts)', () => {
    assert.deepEqual(literals(`s: {f|re: '^(.* ; )?Monitor-S[a-z]*( |$)'}\ncondition: s`), ['monitor-s']);
    assert.deepEqual(literals(`s: {f|re|i: 'forwarding-options +(analyzer|port-mirroring)'}\ncondition: s`), ['forwarding-options ']);
    assert.equal(literals(`s: {f|re: 'monitor|span'}\ncondition: s`), null);
  });

  test('encoded values yield their encoded forms, every variant', () => {
    assert.deepEqual(literals(`s: {f|base64offset|contains: 'http://'}\ncondition: s`), ['ahr0cdovl', 'h0dha6ly', 'odhrwoi8v']);
    assert.deepEqual(literals(`s: {f|base64: 'hello world'}\ncondition: s`), ['agvsbg8gd29ybgq=']);
    assert.deepEqual(literals(`s: {f|windash|contains: ' -enc '}\ncondition: s`), [' -enc ', ' /enc ', ' \u2013enc ', ' \u2014enc ', ' \u2015enc ']);
    assert.deepEqual(literals(`s: {f|wide|contains: 'cmd'}\ncondition: s`), ['c\u0000m\u0000d\u0000']);
  });

  test('all keeps one value; numbers give both written and canonical forms; keywords give their pieces', () => {
    assert.deepEqual(literals(`s:\n  f|contains|all: [ab, abcdef]\ncondition: s`), ['abcdef']);
    assert.deepEqual(literals(`s: {f: 1.0}\ncondition: s`), ['1']);
    assert.deepEqual(literals(`s: {f: 4789}\ncondition: s`), ['4789']);
    assert.deepEqual(literals(`s: {f: 0x17}\ncondition: s`), ['0x17']);
    assert.deepEqual(literals(`s: {f: false}\ncondition: s`), ['false']);
    assert.deepEqual(literals(`k: ['monitor session', 'erspan*dest']\ncondition: k`), ['erspan', 'monitor session']);
  });

  test('a cased value with non-ASCII text gives nothing (lower-casing may depend on context)', () => {
    assert.equal(literals(`s: {f|cased: 'ΑΣ'}\ncondition: s`), null);
    assert.deepEqual(literals(`s: {f|cased: 'Mirror'}\ncondition: s`), ['mirror']);
  });
});

// ------------------------------------------------------------------------------------------------------------
// Property: whenever a rule matches an event, one of its literals occurs in the event's lower-cased JSON text.
// ------------------------------------------------------------------------------------------------------------

const WORDS = ['mirror', 'Session', 'eni-1a', 'TARGET', 'tms', '10.0.0.1', 'vxlan', '4789', 'Ab', 'x', 'Über', 'a"b', 'c\\d', '-enc', '/enc'];
const FIELDS = ['eventName', 'eventSource', 'userIdentity.type', 'requestParameters.target', 'tags', 'count', 'ok'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function randomCase(r: () => number, s: string): string {
  return r() < 0.5 ? s : r() < 0.5 ? s.toUpperCase() : s.toLowerCase();
}

function randomText(r: () => number): string {
  const n = 1 + Math.floor(r() * 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(randomCase(r, pick(r, WORDS)));
  let s = parts.join(pick(r, ['', ' ', '.', '-']));
  if (r() < 0.1) s = Buffer.from(s).toString('base64');
  return s;
}

function randomScalar(r: () => number): unknown {
  const x = r();
  if (x < 0.7) return randomText(r);
  if (x < 0.8) return Math.floor(r() * 5000);
  if (x < 0.85) return r() < 0.5;
  if (x < 0.9) return null;
  return [randomText(r), randomText(r)];
}

function randomEvent(r: () => number): Record<string, unknown> {
  const ev: Record<string, unknown> = {};
  for (const f of FIELDS) {
    if (r() < 0.25) continue;
    const v = randomScalar(r);
    if (f.includes('.')) {
      const [a, b] = f.split('.');
      const inner = (ev[a] as Record<string, unknown> | undefined) ?? {};
      inner[b] = v;
      ev[a] = r() < 0.15 ? [inner, { [b]: randomText(r) }] : inner;
    } else {
      ev[f] = v;
    }
  }
  return ev;
}

/** YAML single-quoted scalar. */
function q(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function randomPattern(r: () => number): string {
  let s = randomText(r);
  if (r() < 0.3) s = s.slice(0, Math.max(1, Math.floor(s.length / 2))) + pick(r, ['*', '?', '*x*']) + s.slice(Math.floor(s.length / 2));
  if (r() < 0.15) s = '*' + s;
  if (r() < 0.15) s = s + '*';
  return s;
}

function randomItem(r: () => number): string {
  const field = pick(r, FIELDS);
  const mods = pick(r, ['', '|contains', '|startswith', '|endswith', '|cased', '|contains|cased', '|neq', '|windash|contains', '|base64', '|base64offset|contains', '|contains|all', '|re', '|exists', '|gt', '|cidr']);
  const count = mods.includes('all') ? 2 : 1 + Math.floor(r() * 3);
  const vals: string[] = [];
  for (let i = 0; i < count; i++) {
    if (mods === '|exists') vals.push(r() < 0.5 ? 'true' : 'false');
    else if (mods === '|gt') vals.push(String(Math.floor(r() * 5000)));
    else if (mods === '|cidr') vals.push(q('10.0.0.0/8'));
    else if (mods === '|re') vals.push(q(pick(r, ['mirr?or', '^Ses', 'tms|vxlan', '[0-9]+'])));
    else if (mods.includes('base64') || mods.includes('windash')) vals.push(q(pick(r, WORDS)));
    else if (mods === '' && r() < 0.15) vals.push(pick(r, ['4789', 'true', 'false', '1.0']));
    else vals.push(q(randomPattern(r)));
  }
  const value = vals.length === 1 && mods !== '|contains|all' ? vals[0] : `[${vals.join(', ')}]`;
  return `${field}${mods}: ${value}`;
}

function randomRule(r: () => number): string {
  const ids: string[] = [];
  const lines: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const name = `${pick(r, ['sel', 'filter'])}_${i}`;
    ids.push(name);
    if (r() < 0.15) {
      lines.push(`${name}: [${q(randomPattern(r))}, ${q(randomPattern(r))}]`);
    } else if (r() < 0.2) {
      lines.push(`${name}:\n  - {${randomItem(r)}}\n  - {${randomItem(r)}}`);
    } else {
      const items = 1 + Math.floor(r() * 2);
      const body: string[] = [];
      for (let k = 0; k < items; k++) body.push(`  ${randomItem(r)}`);
      // Duplicate keys are invalid YAML: keep the first of each field.
      const seen = new Set<string>();
      lines.push(`${name}:\n${body.filter((b) => !seen.has(b.split(':')[0]) && seen.add(b.split(':')[0])).join('\n')}`);
    }
  }
  const expr = (depth: number): string => {
    const x = r();
    if (depth > 2 || x < 0.4) return pick(r, ids);
    if (x < 0.55) return `not ${expr(depth + 1)}`;
    if (x < 0.7) return `${pick(r, ['1', 'all'])} of ${pick(r, ['sel_*', 'filter_*', 'them', '*_0'])}`;
    return `(${expr(depth + 1)} ${pick(r, ['and', 'or'])} ${expr(depth + 1)})`;
  };
  lines.push(`condition: ${expr(0)}`);
  return lines.join('\n');
}

/** The literal as it appears inside JSON text (JSON escaping works character by character). */
function jsonEscaped(lit: string): string {
  return JSON.stringify(lit).slice(1, -1);
}

describe('prefilter soundness property', () => {
  test('for random rules and events, a match implies a literal in the lower-cased JSON text', () => {
    const seed = 20240501;
    const r = prng(seed);
    let rulesWithLiterals = 0;
    let checkedMatches = 0;
    for (let i = 0; i < 1500; i++) {
      const det = randomRule(r);
      const loaded = loadRuleText(ruleText(det), `random-${i}.yml`);
      if (loaded.rules.length === 0) {
        // A generated combination the loader refuses (e.g. a pattern `*x*` matching no identifier): skip it, but it
        // must have said why.
        assert.ok(loaded.diagnostics.some((d) => d.severity === 'error'), loaded.diagnostics.map(formatDiagnostic).join('\n'));
        continue;
      }
      const c = compileRule(loaded.rules[0]);
      if (c.literals === null) continue;
      rulesWithLiterals++;
      for (let k = 0; k < 60; k++) {
        const ev = randomEvent(r);
        if (!c.match(objectTarget(ev))) continue;
        checkedMatches++;
        const text = JSON.stringify(ev).toLowerCase();
        assert.ok(
          c.literals.some((lit) => text.includes(jsonEscaped(lit))),
          `seed ${seed}, rule ${i}:\n${det}\nliterals ${JSON.stringify(c.literals)}\nevent ${JSON.stringify(ev)}`,
        );
      }
    }
    // The property must have been exercised, not vacuously true.
    assert.ok(rulesWithLiterals > 300, `only ${rulesWithLiterals} rules had literals`);
    assert.ok(checkedMatches > 300, `only ${checkedMatches} matches were checked`);
  });
});
