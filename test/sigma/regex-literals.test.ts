/**
 * The literal guard in front of `re` values (`regex-literals.ts`) must never turn away a string the expression
 * matches. Property test: random patterns (literals, escapes, classes, groups with alternation, every quantifier,
 * lazy ones, anchors, top-level alternation), each with strings built to match it; every such string must pass the
 * guard and hold every claimed literal. Plus the claims made for the bundled rules' patterns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regexGuard, requiredLiterals } from '../../src/sigma/regex-literals.js';
import { rng } from '../helpers/random.js';

/** A generated pattern piece: its source and a sampler of strings it matches. */
interface Piece {
  src: string;
  sample: () => string;
}

function generator(r: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const LETTERS = 'abcdefmnorstuwxyzABMNSTXZ019';
  const char = (): Piece => {
    const roll = r();
    if (roll < 0.6) {
      const c = pick([...LETTERS, ' ', '-', ';', ':', '=', ',']);
      return { src: c, sample: () => c };
    }
    if (roll < 0.75) {
      const c = pick(['.', '(', ')', '[', ']', '{', '}', '*', '+', '?', '|', '/', '\\', '^', '$', '-']);
      return { src: `\\${c}`, sample: () => c };
    }
    if (roll < 0.8) return { src: '.', sample: () => pick([...LETTERS, ' ', '#']) };
    if (roll < 0.85) return { src: '\\d', sample: () => pick(['0', '5', '9']) };
    if (roll < 0.88) return { src: '\\cJ', sample: () => '\n' };
    if (roll < 0.91) return { src: '\\x41', sample: () => 'A' };
    if (roll < 0.94) return { src: '\\u0062', sample: () => 'b' };
    if (roll < 0.97) return { src: '[a-c]', sample: () => pick(['a', 'b', 'c']) };
    return { src: '[^x]', sample: () => pick(['y', 'Q', ' ']) };
  };
  const quantified = (p: Piece): Piece => {
    const roll = r();
    const lazy = r() < 0.2 ? '?' : '';
    const rep = (min: number, max: number) => () => Array.from({ length: min + Math.floor(r() * (max - min + 1)) }, p.sample).join('');
    if (roll < 0.55) return p;
    if (roll < 0.65) return { src: `${p.src}*${lazy}`, sample: rep(0, 3) };
    if (roll < 0.75) return { src: `${p.src}+${lazy}`, sample: rep(1, 3) };
    if (roll < 0.85) return { src: `${p.src}?${lazy}`, sample: rep(0, 1) };
    const min = Math.floor(r() * 3);
    const max = min + Math.floor(r() * 3);
    return r() < 0.5 ? { src: `${p.src}{${min}}${lazy}`, sample: rep(min, min) } : { src: `${p.src}{${min},${max}}${lazy}`, sample: rep(min, max) };
  };
  const sequence = (depth: number, length: number): Piece => {
    const parts: Piece[] = [];
    for (let k = 0; k < length; k++) parts.push(quantified(depth < 2 && r() < 0.15 ? group(depth + 1) : char()));
    return { src: parts.map((p) => p.src).join(''), sample: () => parts.map((p) => p.sample()).join('') };
  };
  const group = (depth: number): Piece => {
    const alts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => sequence(depth, 1 + Math.floor(r() * 4)));
    const open = pick(['(', '(?:', '(?<g>']);
    return { src: `${open}${alts.map((a) => a.src).join('|')})`, sample: () => pick(alts).sample() };
  };
  const pattern = (): Piece => {
    const alts = Array.from({ length: r() < 0.15 ? 2 : 1 }, () => sequence(0, 2 + Math.floor(r() * 10)));
    const anchored = r() < 0.3;
    const chosen = () => pick(alts).sample();
    return {
      src: `${anchored ? '^' : ''}${alts.map((a) => a.src).join('|')}`,
      sample: anchored && alts.length === 1 ? () => chosen() + pick(['', ' tail']) : () => pick(['', 'pre ', 'x;']) + chosen() + pick(['', ' post']),
    };
  };
  return pattern;
}

test('the guard passes every string a random pattern matches, and every claimed literal is in it', () => {
  const r = rng(20261123);
  const pattern = generator(r);
  let guarded = 0;
  let rejectedOthers = 0;
  for (let round = 0; round < 3000; round++) {
    const p = pattern();
    const flags = r() < 0.5 ? 'i' : '';
    let re: RegExp;
    try {
      re = new RegExp(p.src, flags);
    } catch {
      continue; // e.g. a duplicate group name: not a pattern a rule could hold
    }
    const literals = requiredLiterals(p.src, flags);
    const guard = regexGuard(p.src, flags);
    if (guard) guarded++;
    for (let k = 0; k < 20; k++) {
      let s = p.sample();
      if (flags === 'i') s = Array.from(s, (c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
      if (!re.test(s)) continue; // the sampler's anchoring is approximate; only strings that match count
      assert.notEqual(guard?.(s), false, `guard rejected ${JSON.stringify(s)} which /${p.src}/${flags} matches`);
      for (const lit of literals) {
        const holds = flags === 'i' ? s.toLowerCase().includes(lit.toLowerCase()) : s.includes(lit);
        assert.ok(holds, `claimed literal ${JSON.stringify(lit)} missing from ${JSON.stringify(s)} (/${p.src}/${flags})`);
      }
    }
    if (guard && !guard('zzzz zzzz') && !re.test('zzzz zzzz')) rejectedOthers++;
  }
  assert.ok(guarded > 300, `the property must be exercised on many guarded patterns, got ${guarded}`);
  assert.ok(rejectedOthers > 200, `guards must also turn strings away, got ${rejectedOthers}`);
});

test('the bundled device rules\' patterns yield the literals they obviously require', () => {
  assert.deepEqual(requiredLiterals('^(.* ; )?monitor-s[a-z]*( |$)', 'i'), ['monitor-s']);
  assert.deepEqual(requiredLiterals('^(set|activate) +(.* )?forwarding-options +(analyzer|port-mirroring)( |$)', 'i'), ['forwarding-options ']);
  assert.deepEqual(requiredLiterals('^(do +)?sho?w?( |$)', 'i'), [], 'too short to be worth a search');
  assert.deepEqual(requiredLiterals('a|bcdef', ''), [], 'alternation at the top requires nothing');
  assert.deepEqual(requiredLiterals('abc\\cJxyz', ''), ['abc', 'xyz'], '\\cJ is one character, J is not a literal');
  assert.deepEqual(requiredLiterals('abcdef', 'u'), [], 'unicode mode: nothing claimed');
  assert.equal(regexGuard('monitor session', 'i')?.('MONITOR SESSION 1'), true);
  assert.equal(regexGuard('monitor session', '')?.('MONITOR SESSION 1'), false);
});
