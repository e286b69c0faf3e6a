import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../src/core/diagnostic.js';
import { loadRuleFiles, loadRuleText } from '../../src/sigma/load.js';
import { repoPath } from '../helpers/paths.js';
import { dedent, load, loadErrors, oneError } from './sigma-helpers.js';

const fixture = (...p: string[]): string => repoPath('test', 'fixtures', 'sigma', ...p);

describe('loading rule files', () => {
  test('a rule keeps every attribute, unknown keys as custom and its location', () => {
    const file = fixture('rules', 'aws', 'aws_ec2_traffic_mirror_session_created.yml');
    const r = loadRuleText(readFileSync(file, 'utf8'), file);
    assert.deepEqual(r.diagnostics, []);
    const rule = r.rules[0];
    assert.equal(rule.title, 'AWS EC2 Traffic Mirroring Session or Target Created');
    assert.equal(rule.id, '3c1e5b8a-7d42-4f0e-9a6b-2f8d1c0e4b71');
    assert.equal(rule.status, 'experimental');
    assert.equal(rule.level, 'high');
    assert.equal(rule.date, '2024-05-01');
    assert.equal(rule.modified, '2024-06-12');
    assert.equal(rule.author, 'mirrorwatch');
    assert.deepEqual(rule.tags, ['attack.exfiltration', 'attack.collection', 'attack.t1020.001']);
    assert.deepEqual(rule.logsource, { product: 'aws', service: 'cloudtrail', custom: {} });
    assert.deepEqual(rule.fields, ['userIdentity.arn', 'sourceIPAddress', 'requestParameters']);
    assert.deepEqual(rule.falsepositives, ['Network monitoring appliances set up by the network team']);
    assert.equal(rule.references.length, 2);
    assert.match(rule.description ?? '', /Traffic Mirroring session/);
    assert.deepEqual(rule.custom, { mirrorwatch: { playbook: 'aws-traffic-mirroring', risk_factors: ['new-mirror-target'] } });
    assert.deepEqual(rule.source, { file, line: 1, column: 1 });
    assert.deepEqual(
      rule.detection.identifiers.map((i) => [i.name, i.location.line]),
      [
        ['selection', 22],
        ['filter_main_failed', 30],
        ['filter_optional_aws_service', 32],
      ],
    );
    assert.equal(rule.detection.conditions[0].text, 'selection and not 1 of filter_*');
  });

  test('a multi-document file loads its rules, correlations and filters', () => {
    const file = fixture('rules', 'correlations', 'mr_traffic_mirroring_burst.yml');
    const r = loadRuleText(readFileSync(file, 'utf8'), file);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.rules.map((x) => x.name), ['aws_mirror_target_created', 'aws_mirror_session_created']);
    assert.equal(r.rules[1].source.line, 15);
    const [ordered, count] = r.correlations;
    assert.equal(ordered.correlationType, 'temporal_ordered');
    assert.deepEqual(ordered.rules, ['aws_mirror_target_created', 'aws_mirror_session_created']);
    assert.deepEqual(ordered.groupBy, ['principal']);
    assert.deepEqual(ordered.timespan, { text: '30m', ms: 30 * 60_000 });
    assert.equal(ordered.condition, undefined);
    assert.deepEqual(ordered.aliases, {
      principal: { aws_mirror_target_created: 'userIdentity.arn', aws_mirror_session_created: 'userIdentity.arn' },
    });
    assert.equal(ordered.generate, false);
    assert.equal(count.correlationType, 'value_count');
    assert.deepEqual(count.condition, {
      kind: 'threshold',
      comparisons: [{ op: 'gte', value: 5 }],
      field: ['requestParameters.CreateTrafficMirrorSessionRequest.NetworkInterfaceId'],
    });
    assert.equal(count.generate, true);
    assert.equal(count.level, 'critical');
    const [filter] = r.filters;
    assert.deepEqual(filter.rules, ['aws_mirror_session_created', '3c1e5b8a-7d42-4f0e-9a6b-2f8d1c0e4b71']);
    assert.equal(filter.detection.conditions[0].text, 'not selection');
    assert.deepEqual(filter.logsource, { product: 'aws', service: 'cloudtrail', custom: {} });
  });

  test('a broken document is reported at its line and the others still load', () => {
    const file = fixture('broken', 'loader_errors.yml');
    const r = loadRuleText(readFileSync(file, 'utf8'), file);
    assert.deepEqual(r.rules.map((x) => x.title), ['Good Rule In A Broken File']);
    assert.deepEqual(r.correlations, []);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.column]),
      [
        ['MW1003', 19, 9],
        ['MW1009', 21, 8],
        ['MW1001', 25, 1],
        ['MW1303', 37, 34],
        ['MW1400', 41, 11],
        ['MW1402', 44, 15],
      ],
    );
    assert.equal(
      formatDiagnostic(r.diagnostics[0]),
      `MW1003 error ${file}:19:9: unknown modifier "contians": did you mean "contains"?`,
    );
    assert.ok(r.diagnostics.every((d) => d.file === file));
  });

  test('missing required attributes are reported at the document start', () => {
    const r = loadRuleText('---\ntitle: x\n---\ndescription: only\ndetection:\n  sel: {a: 1}\n  condition: sel\n', 'm.yml');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.message, d.line]),
      [
        ['MW1004', 'missing required attribute "logsource"', 2],
        ['MW1004', 'missing required attribute "detection"', 2],
        ['MW1004', 'missing required attribute "title"', 4],
        ['MW1004', 'missing required attribute "logsource"', 4],
      ],
    );
    assert.equal(r.rules.length, 0);
  });

  test('wrong attribute types, a non-map document and sigma 1 collections are reported', () => {
    const r = loadRuleText(
      dedent(`
        title: t
        tags: {a: b}
        logsource: cloudtrail
        detection:
            sel: {a: 1}
            condition: sel
        ---
        - just
        - a list
        ---
        action: global
        title: old style
      `),
      'bad.yml',
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line]),
      [
        ['MW1005', 2],
        ['MW1005', 3],
        ['MW1002', 8],
        ['MW1007', 11],
      ],
    );
  });

  test('status and level must be known values', () => {
    const r = loadRuleText('title: t\nstatus: prod\nlevel: severe\nlogsource: {product: aws}\ndetection: {sel: {a: 1}, condition: sel}\n', 's.yml');
    assert.deepEqual(r.diagnostics.map((d) => d.message), [
      'unknown status "prod": expected stable, test, experimental, deprecated, unsupported',
      'unknown level "severe": expected informational, low, medium, high, critical',
    ]);
  });

  test('detection structure errors', () => {
    oneError(`sel: []\ncondition: sel`, 'MW1106');
    oneError(`sel:\n  - a: 1\n  - plain\ncondition: sel`, 'MW1103');
    oneError(`sel:\n  a: {nested: map}\ncondition: sel`, 'MW1102');
    oneError(`sel:\n  a: []\ncondition: sel`, 'MW1104');
    oneError(`sel: null\ncondition: sel`, 'MW1101');
    oneError(`condition: x`, 'MW1109');
    assert.equal(loadErrors(`and: {a: 1}\ncondition: and`)[0].code, 'MW1110');
  });

  test('a list of maps becomes an or of ands, and keywords an item without a field', () => {
    const r = load(`sel:\n  - a: 1\n    b: 2\n  - c: 3\nkw:\n  - foo\n  - bar\ncondition: sel or kw`);
    const [sel, kw] = r.rules[0].detection.identifiers;
    assert.equal(sel.body.kind, 'or');
    assert.equal(kw.body.kind, 'and');
    if (kw.body.kind === 'and') {
      assert.equal(kw.body.items[0].field, null);
      assert.equal(kw.body.items[0].values.length, 2);
    }
  });

  test('placeholders given to the loader are resolved at load time', () => {
    const r = load(`sel: {SourceIp|expand: '%Servers%'}\ncondition: sel`, { placeholders: { Servers: ['10.1.*', 'db01'] } });
    const body = r.rules[0].detection.identifiers[0].body;
    assert.equal(body.kind === 'and' && body.items[0].values[0].kind, 'expansion');
  });

  test('loadRuleFiles walks directories, skips example files and reports missing paths', async () => {
    const r = await loadRuleFiles([fixture('rules'), fixture('does-not-exist')]);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.file]), [['MW1006', fixture('does-not-exist')]]);
    assert.deepEqual(
      r.rules.map((x) => x.title).sort(),
      [
        'AWS EC2 Traffic Mirroring Session or Target Created',
        'AWS Traffic Mirror Session Created',
        'AWS Traffic Mirror Target Created',
        'GCP Packet Mirroring Policy Created or Patched',
      ],
    );
    assert.equal(r.correlations.length, 2);
    assert.equal(r.filters.length, 1);
    assert.ok(r.rules.every((x) => !x.source.file.endsWith('.tests.yml')));
  });

  test('loadRuleFiles skips a .tests.yml file even when named', async () => {
    const r = await loadRuleFiles([fixture('rules', 'aws', 'aws_ec2_traffic_mirror_session_created.tests.yml')]);
    assert.deepEqual(r, { rules: [], correlations: [], filters: [], diagnostics: [] });
  });
});

describe('correlation and filter validation', () => {
  const corr = (section: string): ReturnType<typeof loadRuleText> =>
    loadRuleText(`title: c\ncorrelation:\n${dedent(section).split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}`, 'c.yml');

  test('each correlation type is accepted with what it needs', () => {
    for (const type of ['event_count', 'value_count', 'value_sum', 'value_avg', 'value_percentile']) {
      const needsField = type !== 'event_count';
      const r = corr(`type: ${type}\nrules: [a]\ngroup-by: [host]\ntimespan: 2d\ncondition:\n    gt: 10\n    lte: 200\n${needsField ? '    field: bytes\n' : ''}`);
      assert.deepEqual(r.diagnostics, [], type);
      assert.equal(r.correlations[0].timespan.ms, 2 * 86_400_000);
    }
    for (const type of ['temporal', 'temporal_ordered']) {
      const r = corr(`type: ${type}\nrules: [a, b]\ntimespan: 90s`);
      assert.deepEqual(r.diagnostics, [], type);
    }
  });

  test('timespans, operators, fields and ranges are checked', () => {
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 1w\ncondition: {gte: 1}`).diagnostics[0].code, 'MW1402');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 0m\ncondition: {gte: 1}`).diagnostics[0].code, 'MW1402');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {more: 1}`).diagnostics[0].code, 'MW1403');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {gte: many}`).diagnostics[0].code, 'MW1405');
    assert.equal(corr(`type: value_count\nrules: [a]\ntimespan: 5m\ncondition: {gte: 2}`).diagnostics[0].code, 'MW1404');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 5m`).diagnostics[0].code, 'MW1406');
    assert.equal(corr(`type: event_count\nrules: [a]\ncondition: {gte: 1}`).diagnostics[0].code, 'MW1406');
    assert.equal(corr(`type: event_count\nrules: []\ntimespan: 5m\ncondition: {gte: 1}`).diagnostics[0].code, 'MW1401');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {gt: 1, gte: 2}`).diagnostics[0].code, 'MW1412');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {eq: 1, lt: 2}`).diagnostics[0].code, 'MW1412');
    assert.equal(corr(`type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {neq: 0}`).correlations.length, 1);
    const alias = corr(`type: temporal\nrules: [a, b]\ntimespan: 5m\naliases:\n    ip:\n        a: source.ip\n        c: dest.ip`);
    assert.deepEqual(alias.diagnostics.map((d) => d.code), ['MW1408']);
  });

  test('a temporal correlation may use a condition over its rules', () => {
    const r = corr(`type: temporal\nrules: [target_created, session_created, sensor_approved]\ntimespan: 1h\ncondition: target_created and session_created and not sensor_approved`);
    assert.deepEqual(r.diagnostics, []);
    const c = r.correlations[0].condition;
    assert.equal(c?.kind, 'expression');
    const bad = corr(`type: temporal\nrules: [a, b]\ntimespan: 1h\ncondition: a and c`);
    assert.equal(bad.diagnostics[0].code, 'MW1303');
  });

  test('a filter needs rules and a detection', () => {
    const r = loadRuleText('title: f\nlogsource: {product: aws}\nfilter:\n    selection: {a: 1}\n    condition: not selection\n', 'f.yml');
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['MW1004']);
    assert.equal(r.filters.length, 0);
  });
});
