import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../src/core/diagnostic.js';
import { lintRuleFiles, lintRuleText } from '../../src/sigma/lint.js';
import { SIGMA_DIAGNOSTICS } from '../../src/sigma/diagnostic-codes.js';
import { repoPath } from '../helpers/paths.js';
import { ruleText } from './sigma-helpers.js';

const fixture = (...p: string[]): string => repoPath('test', 'fixtures', 'sigma', ...p);

/** Lints a fixture file alone and returns `[code, line, column]` triples. */
function lintFixture(...p: string[]): { codes: [string, number | undefined, number | undefined][]; text: string[] } {
  const file = fixture(...p);
  const ds = lintRuleText(readFileSync(file, 'utf8'), file);
  return { codes: ds.map((d) => [d.code, d.line, d.column]), text: ds.map(formatDiagnostic) };
}

describe('rule linter', () => {
  test('a clean SigmaHQ-style rule lints without diagnostics', async () => {
    assert.deepEqual(await lintRuleFiles([fixture('rules')]), []);
  });

  test('style problems are each reported with their code and position', () => {
    const { codes, text } = lintFixture('broken', 'lint_problems.yml');
    assert.deepEqual(codes, [
      ['MW1500', 2, 5],
      ['MW1515', 5, 13],
      ['MW1503', 7, 7],
      ['MW1504', 9, 7],
      ['MW1505', 10, 7],
      ['MW1518', 12, 7],
      ['MW1516', 15, 14],
      ['MW1510', 19, 9],
      ['MW1507', 20, 5],
      ['MW1509', 26, 1],
      ['MW1513', 33, 11],
      ['MW1508', 41, 5],
      ['MW1514', 43, 16],
      ['MW1511', 49, 11],
    ]);
    const file = fixture('broken', 'lint_problems.yml');
    assert.ok(text.includes(`MW1505 warning ${file}:10:7: tag "mitre.t1020" has unknown namespace "mitre": expected attack, car, cve, detection, tlp, stp`));
    assert.ok(text.includes(`MW1510 warning ${file}:19:9: regular expression "^Create\\w+Mirror(?:Session|Target)$" uses \\w, non-capturing group (?:…), outside the sigma regex subset`));
    assert.ok(text.includes(`MW1511 error ${file}:49:11: correlation refers to unknown rule "no_such_rule"`));
  });

  test('the linter includes every loader diagnostic', () => {
    const { codes } = lintFixture('broken', 'loader_errors.yml');
    assert.deepEqual(codes.map((c) => c[0]), ['MW1003', 'MW1009', 'MW1001', 'MW1303', 'MW1400', 'MW1402']);
  });

  test('duplicate ids and names across files are errors pointing at the first', async () => {
    const ds = await lintRuleFiles([fixture('duplicates')]);
    const second = fixture('duplicates', 'second.yml');
    assert.deepEqual(ds.map(formatDiagnostic), [
      `MW1501 error ${second}:2:5: duplicate id "7c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f" (also at ${fixture('duplicates', 'first.yml')}:2:5)`,
      `MW1502 error ${second}:3:7: duplicate name "mirror_rule" (also at ${fixture('duplicates', 'first.yml')}:3:7)`,
    ]);
  });

  test('references resolve across files: a filter naming a rule elsewhere is fine', async () => {
    const alone = lintFixture('rules', 'correlations', 'mr_traffic_mirroring_burst.yml');
    assert.deepEqual(alone.codes.map((c) => c[0]), ['MW1511']);
    const together = await lintRuleFiles([fixture('rules')]);
    assert.deepEqual(together, []);
  });

  test('title length, empty title, missing logsource fields and placeholders', () => {
    const long = `title: ${'x'.repeat(257)}\nlogsource: {product: aws}\ndetection: {sel: {a: 1}, condition: sel}\n`;
    assert.deepEqual(lintRuleText(long, 'l.yml').map((d) => [d.code, d.message]), [['MW1506', 'title is 257 characters long: the limit is 256']]);
    const empty = `title: ''\nlogsource: {definition: CloudTrail management events}\ndetection: {sel: {a: 1}, condition: sel}\n`;
    assert.deepEqual(lintRuleText(empty, 'e.yml').map((d) => d.code), ['MW1517', 'MW1512']);
    const ph = ruleText(`sel: {SourceIp|expand: '%JumpServers%'}\ncondition: sel`);
    assert.deepEqual(lintRuleText(ph, 'p.yml').map((d) => [d.code, d.severity]), [['MW1519', 'info']]);
    assert.deepEqual(lintRuleText(ph, 'p.yml', { placeholders: { Servers: [] } }).map((d) => [d.code, d.severity]), [['MW1210', 'error']]);
    assert.deepEqual(lintRuleText(ph, 'p.yml', { placeholders: { JumpServers: ['j*'] } }), []);
  });

  test('tags: ATT&CK technique format and valid namespaces', () => {
    const withTags = (tags: string[]): string[] =>
      lintRuleText(`title: t\ntags: [${tags.join(', ')}]\nlogsource: {product: aws}\ndetection: {sel: {a: 1}, condition: sel}\n`, 't.yml').map(
        (d) => d.code,
      );
    assert.deepEqual(withTags(['attack.t1020.001', 'attack.t1020', 'attack.exfiltration', 'tlp.amber', 'cve.2021-44228', 'car.2013-05-004', 'detection.threat-hunting', 'stp.2a']), []);
    assert.deepEqual(withTags(['attack.t1020.1']), ['MW1504']);
    assert.deepEqual(withTags(['t1020']), ['MW1504']);
    assert.deepEqual(withTags(['Attack.T1020']), ['MW1504']);
    assert.deepEqual(withTags(['mitre.t1020']), ['MW1505']);
  });

  test('dates must be real calendar dates', () => {
    const withDate = (d: string): string[] =>
      lintRuleText(`title: t\ndate: ${d}\nlogsource: {product: aws}\ndetection: {sel: {a: 1}, condition: sel}\n`, 'd.yml').map((x) => x.code);
    assert.deepEqual(withDate('2024-02-29'), []);
    assert.deepEqual(withDate('2023-02-29'), ['MW1503']);
    assert.deepEqual(withDate('2024-13-01'), ['MW1503']);
    assert.deepEqual(withDate('2024-5-1'), ['MW1503']);
  });

  test('every catalogue entry has a code in range, a severity and a lower-case message', () => {
    for (const [code, entry] of Object.entries(SIGMA_DIAGNOSTICS)) {
      assert.match(code, /^MW1\d{3}$/);
      assert.ok(['error', 'warning', 'info'].includes(entry.severity));
      assert.equal(entry.message[0], entry.message[0].toLowerCase(), code);
    }
  });
});
