import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compileRule } from '../../src/sigma/compile.js';
import { applyFilters, filterAppliesTo } from '../../src/sigma/filters.js';
import { loadRuleText } from '../../src/sigma/load.js';
import { objectTarget } from '../../src/sigma/match-target.js';
import { repoPath } from '../helpers/paths.js';

const file = repoPath('test', 'fixtures', 'sigma', 'rules', 'correlations', 'mr_traffic_mirroring_burst.yml');

describe('filter documents', () => {
  const loaded = loadRuleText(readFileSync(file, 'utf8'), file);
  const [targetRule, sessionRule] = loaded.rules;
  const [filter] = loaded.filters;
  const session = (arn: string): Record<string, unknown> => ({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTrafficMirrorSession',
    userIdentity: { type: 'AssumedRole', arn },
  });

  test('a filter applies to the rules it names whose log source it covers', () => {
    assert.equal(filterAppliesTo(filter, sessionRule), true);
    assert.equal(filterAppliesTo(filter, targetRule), false);
    const gcp = { ...sessionRule, logsource: { product: 'gcp', service: 'gcp.audit', custom: {} } };
    assert.equal(filterAppliesTo(filter, gcp), false);
  });

  test('an applied filter excludes the approved principal and keeps the rest', () => {
    const filtered = applyFilters(sessionRule, loaded.filters);
    assert.equal(filtered.detection.conditions[0].text, '(selection) and (not _filter0_selection)');
    const c = compileRule(filtered);
    assert.equal(c.match(objectTarget(session('arn:aws:sts::111122223333:assumed-role/NetworkSensorAdmin/jane'))), false);
    assert.equal(c.match(objectTarget(session('arn:aws:sts::111122223333:assumed-role/Contractor/bob'))), true);
    // Unfiltered, both match; a rule the filter does not name is returned unchanged.
    assert.equal(compileRule(sessionRule).match(objectTarget(session('arn:aws:sts::111122223333:assumed-role/NetworkSensorAdmin/jane'))), true);
    assert.equal(applyFilters(targetRule, loaded.filters), targetRule);
  });

  test('rules: any applies to every rule of the log source', () => {
    const r = loadRuleText(
      'title: f\nlogsource: {product: aws}\nfilter:\n    rules: any\n    selection: {userIdentity.type: AWSService}\n    condition: not selection\n',
      'f.yml',
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.filters[0].appliesToAll, true);
    assert.equal(filterAppliesTo(r.filters[0], targetRule), true);
  });
});
