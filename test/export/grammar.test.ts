/**
 * Grammar proof for the targets without a vendor validator that runs here: every query mirrorwatch emits for EQL,
 * ES|QL, Kibana KQL, Lucene, SPL, AQL and YARA-L (every rule × target, correlations included) is parsed by a parser
 * of that language's published grammar (src/export/grammar/). No maintained offline validator exists on npm for
 * these languages (npm `lucene` 2.1.1 has no regexp terms and reads a leading operator as nothing; there is no npm
 * EQL, ES|QL, SPL, AQL or YARA-L parser), so the parsers are our own, written from the vendors' grammars, and each
 * one is shown to reject broken queries: hand-written ones per language (unbalanced parentheses, bad operators,
 * values that need quoting, wrong escapes, `nocase` on an enum, one-sided lower-casing) and, systematically, every
 * emitted query with its last closing parenthesis removed or a string quote dropped.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { GRAMMAR_TARGETS, grammarError, type GrammarTarget } from '../../src/export/grammar/index.js';
import { parseLuceneRegexp } from '../../src/export/grammar/lucene-regexp.js';
import { SEED_AQL, SEED_EQL } from '../../src/export/seed-queries.js';
import type { RuleExport } from '../../src/export/types.js';
import { loadRuleFiles } from '../../src/sigma/index.js';
import { repoPath } from '../helpers/paths.js';

const loaded = await loadRuleFiles([repoPath('rules'), repoPath('test', 'fixtures', 'export', 'correlations')]);
const exportsOf = new Map<GrammarTarget, RuleExport[]>();
for (const t of GRAMMAR_TARGETS) exportsOf.set(t, compileAll(t, await fieldMapFor(repoPath('mappings'), t, () => undefined), loaded.rules, loaded.correlations));

/** Deliberately broken queries, each with the reason a parser must give (a fragment of its message). */
const BROKEN: Record<GrammarTarget, [string, RegExp][]> = {
  eql: [
    ['any where event.action : "a" and (user.name : "b"', /closing \)/],
    ['any where event.action = "a"', /= is not an EQL operator/],
    ['any where event.action == "Create*"', /== has no wildcards/],
    ['any where event.action : "a\\q"', /escape \\q/],
    ["any where event.action : 'a'", /string constants/],
    ['any where event.action : CreateTrafficMirrorSession', /string constants/],
    ['any where event.action regex~ ".*(a"', /invalid Lucene regexp/],
    ['any where event.action regex~ "a@b.*"', /reserved character @/],
    ['any where stringContainz(event.action, "a")', /unknown function/],
    ['sequence with maxspan=15 [any where a : "b"] [any where c : "d"]', /time unit/],
    ['sequence by user.name [any where a : "b"]', /at least two/],
  ],
  esql: [
    ['FROM logs-* | WHERE TO_LOWER(event.action) == "CreateTrafficMirrorSession"', /upper-case letters/],
    ['FROM logs-* | WHERE event.action LIKE "a\\\\.b*"', /LIKE escape/],
    ['FROM logs-* | WHERE event.action = "a"', /assignment/],
    ['FROM logs-* | WHERE (event.action == "a"', /closing \)/],
    ['FROM logs-* | WHERE event.action RLIKE ".*[a"', /invalid Lucene regexp/],
    ["FROM logs-* | WHERE event.action == 'a'", /single quotes/],
    ['FROM logs-* | WHERE event.action == "a\\x"', /escape \\x/],
    ['FROM logs-* | WHERE event.action IN ("a", "b"', /closing \)/],
  ],
  'kibana-kql': [
    ['event.action: (a or b', /closing \)/],
    ['event.action.caseless: "CreateTrafficMirrorSession"', /lower case/],
    ['event.action: a\\.b', /escape \\\./],
    ['"CreateTrafficMirrorSession"', /without a field/],
    ['event.action: "a" and', /unexpected text|expected/],
    ['event.action: a:b', /unexpected text/],
    ['event.action: {x: y}', /nested/],
  ],
  lucene: [
    ['a:b AND c:d OR e:f', /without parentheses/],
    ['a:b c:d', /implicit operator/],
    ['NOT a:b', /negated clauses only/],
    ['source.ip:0.0.0.0/0', /implicit operator|unexpected/],
    ['a:/ab(c/', /invalid Lucene regexp/],
    ['a:(b OR c', /closing \)/],
    ['a:b OR NOT c:d', /OR NOT/],
    ['a:\\>5', /range/],
    ['event.action.caseless:CreateTrafficMirrorSession', /lower case/],
  ],
  splunk: [
    ['search eventName="a" or eventName="b"', /upper case/],
    ['search sourcetype="x"\n| where userIdentity.type=="AWSService"', /single-quoted/],
    ['search sourcetype="x"\n| where lower(eventName)=="CreateTrafficMirrorSession"', /upper-case letters/],
    ['search eventName="a\\q"', /escape \\q/],
    ['search sourcetype="x"\n| where match(eventName, "(?i)^(Create")', /invalid regex/],
    ['search (eventName="a" OR eventName="b"', /closing \)/],
    ['search CreateTrafficMirrorSession', /bare search term/],
    ['search sourcetype="x"\n| streamstats time_window=15 count by user', /time_window/],
    ['search sourcetype="x"\n| where lowr(eventName)=="a"', /unknown eval function/],
  ],
  qradar: [
    ['SELECT * FROM events WHERE LOWER("eventName") = \'CreateTrafficMirrorSession\'', /upper-case letters/],
    ['SELECT * FROM events WHERE LOWER("eventName") LIKE \'%Create%\'', /upper-case letters/],
    ['SELECT * FROM events WHERE "eventName" = \'a\' LAST 5 WEEKS', /MINUTES, HOURS or DAYS/],
    ['SELECT * FROM events WHERE "eventName" IMATCHES \'(a\'', /invalid regex/],
    ['SELECT * FROM events WHERE ("eventName" = \'a\'', /closing \)/],
    ['SELECT * FROM events WHERE "eventName" == \'a\'', /expected a value/],
    ['SELECT * FROM events WHERE "eventName" = \'a', /unterminated string/],
    ['SELECT * FROM events WHERE LOWERCASE("eventName") = \'a\'', /unknown function/],
    ['SELECT * FROM events WHERE "eventName" = \'a\' HAVING COUNT(*) > 1 GROUP BY "x"', /unexpected text/],
  ],
  secops: [
    ['rule a { events: $e.metadata.log_type = "AWS_CLOUDTRAIL" nocase condition: $e }', /nocase on the enum field/],
    ['rule a { events: $e.metadata.event_type = /RESOURCE_.*/ condition: $e }', /regex on the enum field/],
    ['rule a { events: $e.metadata.product_event_type = /a(?=b)/ condition: $e }', /not RE2/],
    ['rule a { events: $e.metadata.product_event_type = "X" match: $u over 5m condition: $e }', /not assigned in events/],
    ['rule a { events: $e.metadata.product_event_type = "X" condition: $f }', /not an event variable/],
    ['rule a { events: $e.metadata.product_event_type = "X" $u = $e.principal.ip match: $u over 3d condition: $e }', /between 1m and 48h/],
    ['rule a { events: ($e.metadata.product_event_type = "X" condition: $e }', /closing \)/],
    ['rule a { events: $e.metadata.product_event_type = "a\\q" condition: $e }', /escape \\q/],
    ['rule a { events: $e.target.ip = "1" $f.target.ip = "2" condition: $e }', /not used in the condition/],
  ],
};

/** The index of the last `c` outside quoted strings (backslash escapes honoured), or -1. */
function lastOutsideStrings(text: string, c: string, quote: string): number {
  let inString = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    if (inString && text[i] === '\\') i++;
    else if (text[i] === quote) inString = !inString;
    else if (!inString && text[i] === c) last = i;
  }
  return last;
}

describe('every emitted query parses with its language grammar', () => {
  for (const target of GRAMMAR_TARGETS) {
    test(target, () => {
      const exports = exportsOf.get(target) ?? [];
      let queries = 0;
      let correlations = 0;
      for (const e of exports) {
        if (e.result.status !== 'compiled') continue;
        for (const q of e.result.queries) {
          const err = grammarError(target, q.text);
          assert.equal(err, null, `${e.title} (${target})\n${q.text}\n${err?.message ?? ''}`);
          queries++;
          if (e.kind === 'correlation') correlations++;
        }
      }
      assert.ok(queries >= 17, `${target}: only ${queries} queries compiled`);
      if (target !== 'kibana-kql' && target !== 'lucene' && target !== 'qradar') assert.ok(correlations >= 1, `${target}: no correlation parsed`);
    });
  }
});

describe('the parsers reject broken queries', () => {
  for (const target of GRAMMAR_TARGETS) {
    test(`${target}: hand-written broken queries, each for its reason`, () => {
      assert.ok(BROKEN[target].length >= 7);
      for (const [q, reason] of BROKEN[target]) {
        const err = grammarError(target, q);
        assert.ok(err, `${target} accepted a broken query:\n${q}`);
        assert.match(err.message, reason, `${target}: ${q}`);
        assert.ok(err.line >= 1 && err.column >= 1);
      }
    });

    test(`${target}: every emitted query, truncated at its last ) or with a string quote dropped, is rejected`, () => {
      let mutated = 0;
      for (const e of exportsOf.get(target) ?? []) {
        if (e.result.status !== 'compiled') continue;
        for (const q of e.result.queries) {
          const close = lastOutsideStrings(q.text, ')', target === 'qradar' ? "'" : '"');
          if (close > 0) {
            const broken = q.text.slice(0, close) + q.text.slice(close + 1);
            assert.ok(grammarError(target, broken), `${target} accepted ${e.title} without its last ):\n${broken}`);
            mutated++;
          }
          const quote = target === 'qradar' ? q.text.lastIndexOf("'") : q.text.lastIndexOf('"');
          if (quote > 0 && target !== 'lucene') {
            const broken = q.text.slice(0, quote) + q.text.slice(quote + 1);
            assert.ok(grammarError(target, broken), `${target} accepted ${e.title} with a quote dropped:\n${broken}`);
            mutated++;
          }
        }
      }
      assert.ok(mutated >= 17, `${target}: ${mutated} mutations`);
    });
  }

  test('Lucene regexps: the core subset parses, operators of the default flags and broken syntax do not', () => {
    for (const ok of ['.*monitor-s[a-z]*( |.*)', '(.* ; )?monitor[ ]session.*', '[^0-9]{2,3}x?', 'a\\.b\\@c']) assert.doesNotThrow(() => parseLuceneRegexp(ok), ok);
    for (const bad of ['a&b', '~a', 'a<1-5>', '"ab"', '#', 'a@', '(a', 'a)', '[a', '*a', 'a{2', '[z-a]', 'a\\']) assert.throws(() => parseLuceneRegexp(bad), bad);
  });

  test("the seeds' queries parse with the same grammars (they are evaluated the same way)", () => {
    assert.equal(grammarError('eql', SEED_EQL), null);
    assert.equal(grammarError('qradar', SEED_AQL), null);
  });
});
