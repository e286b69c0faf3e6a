/**
 * Proof by evaluation for EQL, ES|QL, Kibana KQL, Lucene and AQL: every compiled rule is parsed and evaluated with
 * its language's semantics (src/export/evaluate/) over the corpus (the bundled examples, the reference samples,
 * every rule's examples), each record shaped as the SIEM stores it (the ECS document of Elastic's integrations; a
 * QRadar event with the JSON custom properties of mappings/qradar.yml), and must select exactly the records the
 * native engine matches for that rule. A rule with a declared approximation may miss records, but only those the
 * approximation names (a device command inside a configuration sub-mode; a list sent empty), and never select one
 * the engine does not. Semantics tests pin the behaviours the evaluators model, and a deliberately case-sensitive
 * EQL query shows the evaluation catches a wrong operator.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { buildCorpus, filesUnder, ruleExampleInputs, type CorpusRecord } from '../../src/export/corpus.js';
import type { ElasticDoc, QradarEvent } from '../../src/export/evaluate/documents.js';
import { aqlMatches } from '../../src/export/evaluate/aql.js';
import { eqlMatches } from '../../src/export/evaluate/eql.js';
import { esqlMatches } from '../../src/export/evaluate/esql.js';
import { EVALUATED_TARGETS, evaluateExports, minus, type RuleAgreement } from '../../src/export/evaluate/index.js';
import { kqlMatches, luceneMatches } from '../../src/export/evaluate/kql-lucene.js';
import { parseAql } from '../../src/export/grammar/aql.js';
import { parseEql } from '../../src/export/grammar/eql.js';
import { parseEsql } from '../../src/export/grammar/esql.js';
import { parseKql } from '../../src/export/grammar/kql.js';
import { parseLucene } from '../../src/export/grammar/lucene.js';
import type { RuleExport } from '../../src/export/types.js';
import { ecsOf } from '../../src/normalize/index.js';
import { loadRuleFiles } from '../../src/sigma/index.js';
import { bundled } from '../helpers/engine.js';
import { repoPath, samplesDir } from '../helpers/paths.js';

let records: CorpusRecord[] = [];
const results = new Map<string, RuleAgreement[]>();
const exportsOf = new Map<string, RuleExport[]>();

before(async () => {
  const { rules, aliases } = await bundled();
  const inputs = [
    ...(await filesUnder([repoPath('examples')], 'examples')),
    ...(await filesUnder([samplesDir], 'samples')).map((i) => ({ ...i, group: i.name })),
    ...(await ruleExampleInputs(rules)),
  ];
  records = await buildCorpus(inputs, rules, aliases);
  const loaded = await loadRuleFiles([repoPath('rules')]);
  for (const t of EVALUATED_TARGETS) {
    const map = await fieldMapFor(repoPath('mappings'), t, () => undefined);
    const exports = compileAll(t, map, loaded.rules, loaded.correlations);
    exportsOf.set(t, exports);
    results.set(t, evaluateExports(t, exports, map, records));
  }
});

/** Why a declared approximation may lose a record. */
function explained(r: CorpusRecord, codes: string[]): boolean {
  const f = r.event.fields;
  if (codes.includes('device-context') && typeof f.command_line === 'string' && f.command_line !== f.command) return true;
  if (codes.includes('empty-value') && JSON.stringify(f).includes('[]')) return true;
  return false;
}

describe('compiled rules, evaluated with their language semantics, select what scan matches', () => {
  for (const target of EVALUATED_TARGETS) {
    test(target, () => {
      const agreements = results.get(target) ?? [];
      assert.ok(agreements.length >= 18, `${target}: ${agreements.length} rules evaluated`);
      const byKey = new Map(records.map((r) => [r.key, r]));
      let exact = 0;
      for (const a of agreements) {
        assert.ok(a.native.size > 0, `${a.title}: the corpus has matches`);
        assert.deepEqual(minus(a.selected, a.native), [], `${target} ${a.title}: selects records scan does not match`);
        const missed = minus(a.native, a.selected);
        if (a.approximations.length === 0) assert.deepEqual(missed, [], `${target} ${a.title}: misses records with no declared approximation`);
        for (const k of missed) assert.ok(explained(byKey.get(k) as CorpusRecord, a.approximations), `${target} ${a.title}: ${k} is not explained by ${a.approximations.join(', ')}`);
        if (missed.length === 0) exact++;
      }
      // Every cloud rule that compiles agrees record for record.
      const cloud = agreements.filter((a) => a.approximations.length === 0);
      assert.ok(cloud.length >= 17 && exact >= cloud.length, `${target}: ${exact} exact of ${agreements.length}`);
    });
  }

  test('the evaluation catches a wrong operator: the EQL with case-sensitive == misses upper-case Azure records', () => {
    const e = (exportsOf.get('eql') ?? []).find((x) => x.title.includes('Virtual Network TAP Created'));
    assert.ok(e && e.result.status === 'compiled');
    const right = parseEql(e.result.queries[0].text);
    const wrong = parseEql(e.result.queries[0].text.replace(/azure\.activitylogs\.operation_name : /g, 'azure.activitylogs.operation_name == '));
    const docs = records.filter((r) => r.event.dataset === 'azure.activitylogs' && r.rules.has(e.ruleId)).map((r) => ({ index: `logs-${r.event.dataset}-default`, ecs: ecsDoc(r), caseless: new Set<string>() }));
    assert.ok(docs.length > 2);
    assert.ok(docs.every((d) => eqlMatches(right, d)));
    assert.ok(docs.some((d) => !eqlMatches(wrong, d)), 'no upper-case operation name in the corpus');
  });
});

function ecsDoc(r: CorpusRecord): Record<string, unknown> {
  return ecsOf(r.event);
}

describe('the evaluators model each language', () => {
  const doc = (ecs: Record<string, unknown>, caseless: string[] = []): ElasticDoc => ({ index: 'logs-aws.cloudtrail-default', ecs, caseless: new Set(caseless) });
  const withUser = doc({ event: { action: 'CreateTrafficMirrorSession' }, user: { name: 'Alice' }, tags: ['a', 'b'] }, ['user.name']);
  const noUser = doc({ event: { action: 'CreateTrafficMirrorSession' } });

  test('EQL: : is case-insensitive with wildcards, == is not, not keeps documents without the field', () => {
    assert.ok(eqlMatches(parseEql('any where event.action : "createtraffic*"'), withUser));
    assert.ok(!eqlMatches(parseEql('any where event.action == "createtrafficmirrorsession"'), withUser));
    assert.ok(eqlMatches(parseEql('any where not (user.name : "bob")'), noUser));
    assert.ok(eqlMatches(parseEql('any where ?user.name == null'), noUser));
    assert.ok(eqlMatches(parseEql('any where tags : "b"'), withUser), 'a multi-valued field matches on any value');
    assert.ok(eqlMatches(parseEql('any where event.action regex~ "create.*session"'), withUser), 'regex~ matches the whole value, case-insensitively');
    assert.ok(!eqlMatches(parseEql('any where event.action regex "Mirror"'), withUser), 'a Lucene regexp is anchored');
  });

  test('ES|QL: three-valued logic drops rows where a NOT meets NULL; multivalues compare as NULL', () => {
    assert.ok(!esqlMatches(parseEsql('FROM logs-* | WHERE NOT (user.name == "bob")'), noUser));
    assert.ok(esqlMatches(parseEsql('FROM logs-* | WHERE NOT (user.name IS NOT NULL AND user.name == "bob")'), noUser));
    assert.ok(!esqlMatches(parseEsql('FROM logs-* | WHERE tags == "a"'), withUser));
    assert.ok(esqlMatches(parseEsql('FROM logs-* | WHERE TO_LOWER(event.action) LIKE "create*session"'), withUser));
    assert.ok(!esqlMatches(parseEsql('FROM logs-gcp* | WHERE TO_LOWER(event.action) LIKE "create*"'), withUser), 'FROM selects the data streams');
  });

  test('Kibana KQL and Lucene: exact keyword terms, caseless multi-fields, must_not keeps missing fields', () => {
    assert.ok(!kqlMatches(parseKql('user.name: "alice"'), withUser));
    assert.ok(kqlMatches(parseKql('user.name.caseless: "alice"'), withUser));
    assert.ok(!kqlMatches(parseKql('event.action.caseless: "createtrafficmirrorsession"'), withUser), 'no caseless copy declared for event.action');
    assert.ok(kqlMatches(parseKql('not user.name: *'), noUser));
    assert.ok(luceneMatches(parseLucene('user.name.caseless:ali* AND NOT event.action:x'), withUser));
    assert.ok(!luceneMatches(parseLucene('user.name:alice'), withUser));
    assert.ok(luceneMatches(parseLucene('(*:* AND NOT _exists_:user.name)'), noUser));
    assert.ok(luceneMatches(parseLucene('event.action:/Create.*Session/'), withUser));
  });

  test('AQL: LIKE is case-sensitive, ILIKE is not, NULL properties make NOT unknown, undefined properties are errors', () => {
    const ev: QradarEvent = { devicetype: 347, builtins: { username: null, sourceip: null, starttime: null, logsourceid: null, qid: null }, properties: new Map([['eventName', 'CreateTrafficMirrorSession'], ['errorCode', null]]) };
    const q = (where: string): boolean => aqlMatches(parseAql(`SELECT * FROM events WHERE ${where}`), ev);
    assert.ok(!q(`"eventName" LIKE 'create%'`));
    assert.ok(q(`"eventName" ILIKE 'create%'`));
    assert.ok(q(`LOWER("eventName") = 'createtrafficmirrorsession' AND devicetype = 347`));
    assert.ok(!q(`NOT ("errorCode" = 'AccessDenied')`), 'NOT NULL is NULL');
    assert.ok(q(`NOT ("errorCode" IS NOT NULL AND "errorCode" = 'AccessDenied')`));
    assert.ok(q(`"eventName" IMATCHES '(?s).*(?:mirror).*'`));
    assert.throws(() => q(`"EventNam" = 'x'`), /not defined/);
  });
});
