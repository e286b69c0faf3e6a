import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { formatCondition, parseCondition } from '../../src/sigma/condition.js';
import type { ConditionNode } from '../../src/sigma/types.js';
import { load, matches, oneError } from './sigma-helpers.js';

/** Parses a condition over the given identifiers, collecting diagnostics. */
function parse(text: string, identifiers: string[]): { ast: ConditionNode | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const ast = parseCondition(text, {
    identifiers,
    locate: (offset) => ({ file: 'c.yml', line: 1, column: 12 + offset }),
    report: (d) => diagnostics.push(d),
  });
  return { ast, diagnostics };
}

const ABC = ['a', 'b', 'c'];

describe('condition grammar', () => {
  test('and binds tighter than or, not tighter than and', () => {
    const { ast } = parse('a or b and not c', ABC);
    assert.ok(ast);
    assert.deepEqual(ast, {
      kind: 'or',
      children: [
        { kind: 'identifier', name: 'a' },
        { kind: 'and', children: [{ kind: 'identifier', name: 'b' }, { kind: 'not', child: { kind: 'identifier', name: 'c' } }] },
      ],
    });
    assert.equal(formatCondition(parse('(a or b) and not c', ABC).ast as ConditionNode), '(a or b) and not c');
    assert.equal(formatCondition(parse('not (a and b)', ABC).ast as ConditionNode), 'not (a and b)');
  });

  test('precedence decides matching: a or b and not c', () => {
    const det = `a: {x: 1}\nb: {y: 1}\nc: {z: 1}\ncondition: a or b and not c`;
    assert.equal(matches(det, { x: 1, z: 1 }), true, 'a alone suffices');
    assert.equal(matches(det, { y: 1 }), true);
    assert.equal(matches(det, { y: 1, z: 1 }), false);
    const grouped = `a: {x: 1}\nb: {y: 1}\nc: {z: 1}\ncondition: (a or b) and not c`;
    assert.equal(matches(grouped, { x: 1, z: 1 }), false);
  });

  test('keywords are case-insensitive', () => {
    const { ast, diagnostics } = parse('a AND NOT b Or 1 OF c', ABC);
    assert.deepEqual(diagnostics, []);
    assert.equal(formatCondition(ast as ConditionNode), 'a and not b or 1 of c');
  });

  test('1 of, any of and all of select identifiers by pattern, wildcard anywhere', () => {
    const ids = ['selection_aws', 'selection_azure', 'filter_main', 'filter_optional_x', '_helper'];
    const one = parse('1 of selection_*', ids).ast;
    assert.deepEqual(one, { kind: 'of', quantifier: 'any', pattern: 'selection_*', identifiers: ['selection_aws', 'selection_azure'] });
    assert.deepEqual((parse('any of *_a*', ids).ast as { identifiers: string[] }).identifiers, ['selection_aws', 'selection_azure']);
    assert.deepEqual((parse('all of filter*', ids).ast as { quantifier: string }).quantifier, 'all');
    assert.deepEqual((parse('1 of *opt*', ids).ast as { identifiers: string[] }).identifiers, ['filter_optional_x']);
  });

  test('them and patterns leave out identifiers starting with _, unless the pattern asks for them', () => {
    const ids = ['sel', 'filter', '_internal'];
    assert.deepEqual((parse('1 of them', ids).ast as { identifiers: string[] }).identifiers, ['sel', 'filter']);
    assert.deepEqual((parse('all of *', ids).ast as { identifiers: string[] }).identifiers, ['sel', 'filter']);
    assert.deepEqual((parse('1 of _*', ids).ast as { identifiers: string[] }).identifiers, ['_internal']);
  });

  test('1 of them and all of them match as OR and AND over identifiers', () => {
    const one = `s1: {a: 1}\ns2: {b: 1}\n_x: {c: 1}\ncondition: 1 of them`;
    assert.equal(matches(one, { b: 1 }), true);
    assert.equal(matches(one, { c: 1 }), false, '_x is not part of them');
    const all = `s1: {a: 1}\ns2: {b: 1}\ncondition: all of them`;
    assert.equal(matches(all, { a: 1, b: 1 }), true);
    assert.equal(matches(all, { a: 1 }), false);
    assert.equal(matches(`sel_a: {a: 1}\nsel_b: {b: 1}\ncondition: all of sel_* and not 1 of filter*\nfilter_x: {c: 1}`, { a: 1, b: 1 }), true);
  });

  test('a list of conditions is an OR', () => {
    const det = `a: {x: 1}\nb: {y: 1}\ncondition:\n  - a\n  - b`;
    assert.equal(matches(det, { y: 1 }), true);
    assert.equal(matches(det, { z: 1 }), false);
    assert.equal(load(det).rules[0].detection.conditions.length, 2);
  });

  test('an unknown identifier is reported at its column, with a suggestion', () => {
    const d = oneError(`selection: {x: 1}\ncondition: selection and not filter_aws`, 'MW1303');
    assert.equal(d.line, 6);
    assert.equal(d.column, 34);
    const s = oneError(`selection: {x: 1}\ncondition: selectoin`, 'MW1303');
    assert.match(s.message, /did you mean "selection"/);
  });

  test('a pattern that matches nothing is an error', () => {
    const d = oneError(`selection: {x: 1}\ncondition: selection and not 1 of filter_*`, 'MW1304');
    assert.equal(d.message, '"filter_*" matches no search identifier');
    assert.equal(d.column, 39);
  });

  test('unbalanced parentheses are errors pointing at the culprit', () => {
    const open = parse('(a or b', ABC);
    assert.equal(open.ast, null);
    assert.equal(open.diagnostics[0].code, 'MW1305');
    assert.match(open.diagnostics[0].message, /missing "\)"/);
    assert.equal(open.diagnostics[0].column, 12);
    const close = parse('a or b)', ABC);
    assert.equal(close.diagnostics[0].code, 'MW1305');
    assert.equal(close.diagnostics[0].column, 18);
  });

  test('trailing tokens, a dangling operator and a bad quantifier are errors', () => {
    assert.equal(parse('a b', ABC).diagnostics[0].code, 'MW1306');
    assert.equal(parse('a and', ABC).diagnostics[0].code, 'MW1308');
    assert.equal(parse('not', ABC).diagnostics[0].code, 'MW1308');
    assert.equal(parse('2 of a*', ABC).diagnostics[0].code, 'MW1307');
    assert.equal(parse('1 of', ABC).diagnostics[0].code, 'MW1308');
    assert.equal(parse('a or or b', ABC).diagnostics[0].code, 'MW1306');
    assert.equal(parse('  ', ABC).diagnostics[0].code, 'MW1302');
  });

  test('sigma 1 aggregations are refused with a pointer to correlations', () => {
    const d = oneError(`selection: {x: 1}\ncondition: selection | count() by host > 5`, 'MW1309');
    assert.match(d.message, /correlation rule/);
  });

  test('a missing or non-string condition is an error', () => {
    oneError(`selection: {x: 1}`, 'MW1300');
    oneError(`selection: {x: 1}\ncondition: {a: b}`, 'MW1301');
  });
});
