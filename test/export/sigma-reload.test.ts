/**
 * Proof for the `sigma` target (normalised Sigma for sharing): every normalised rule and correlation is written to
 * disk, loaded again with mirrorwatch's own loader and linter, and must load without errors, lint with no finding
 * the original did not have, keep each correlation's structure, and — compiled again — match exactly the same
 * records as the original rules over the corpus (the bundled examples, the reference samples, every rule's
 * examples), record by record.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { loadRuleSet } from '../../src/detect/rule-set.js';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { buildCorpus, filesUnder, ruleExampleInputs, type CorpusInput, type CorpusRecord } from '../../src/export/corpus.js';
import type { RuleExport } from '../../src/export/types.js';
import { lintRuleFiles, loadRuleFiles } from '../../src/sigma/index.js';
import type { SigmaCorrelation } from '../../src/sigma/types.js';
import { bundled } from '../helpers/engine.js';
import { repoPath, samplesDir } from '../helpers/paths.js';

const SOURCES = [repoPath('rules'), repoPath('test', 'fixtures', 'export', 'correlations')];
let dir = '';
let exports: RuleExport[] = [];
let original: Awaited<ReturnType<typeof loadRuleFiles>>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mw-sigma-'));
  original = await loadRuleFiles(SOURCES);
  exports = compileAll('sigma', await fieldMapFor(repoPath('mappings'), 'sigma', () => undefined), original.rules, original.correlations);
  for (const e of exports) {
    assert.equal(e.result.status, 'compiled', e.title);
    if (e.result.status === 'compiled') await writeFile(join(dir, `${e.stem}.yml`), e.result.queries[0].text);
  }
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function structure(c: SigmaCorrelation): unknown {
  return { type: c.correlationType, rules: c.rules, groupBy: c.groupBy, timespan: c.timespan.ms, condition: c.condition, aliases: c.aliases, generate: c.generate, level: c.level, id: c.id };
}

describe('normalised Sigma re-loads into the same detection', () => {
  test('every document loads again without an error, and the correlations keep their structure', async () => {
    const again = await loadRuleFiles([dir]);
    assert.deepEqual(again.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(again.rules.length, original.rules.length);
    assert.equal(again.correlations.length, original.correlations.length);
    const byId = new Map(again.correlations.map((c) => [c.id, c]));
    for (const c of original.correlations) {
      const r = byId.get(c.id);
      assert.ok(r, `${c.title} re-loaded`);
      assert.deepEqual(structure(r), structure(c), c.title);
    }
    const rulesById = new Map(again.rules.map((r) => [r.id, r]));
    for (const r of original.rules) {
      const n = rulesById.get(r.id);
      assert.ok(n, r.title);
      assert.deepEqual(n.logsource, r.logsource, r.title);
      assert.equal(n.level, r.level);
      assert.deepEqual(n.tags, r.tags);
    }
  });

  test('the linter finds nothing in the normalised files that it does not find in the originals', async () => {
    const key = (d: Diagnostic): string => `${d.code} ${d.message.replace(/\s+at .*$/, '')}`;
    const lintOf = async (paths: string[]): Promise<Map<string, string[]>> => {
      const out = new Map<string, string[]>();
      const loaded = await loadRuleFiles(paths);
      const titleOf = new Map([...loaded.rules, ...loaded.correlations].map((d) => [d.source.file, d.title]));
      for (const d of await lintRuleFiles(paths)) {
        if (d.severity === 'info') continue;
        const t = titleOf.get(d.file ?? '') ?? d.file ?? '';
        out.set(t, [...(out.get(t) ?? []), key(d)]);
      }
      return out;
    };
    const before = await lintOf(SOURCES);
    const after = await lintOf([dir]);
    for (const [title, found] of after) {
      for (const f of found) {
        const had = before.get(title) ?? [];
        assert.ok(had.some((h) => h.split(' ')[0] === f.split(' ')[0]), `${title}: new lint finding ${f}`);
      }
    }
  });

  test('compiled again, the normalised rules match exactly the records the originals match', async () => {
    const { rules, aliases } = await bundled();
    const normalised = await loadRuleSet([dir], () => undefined);
    assert.equal(normalised.length, rules.length);
    const inputs: CorpusInput[] = [
      ...(await filesUnder([repoPath('examples')], 'examples')),
      ...(await filesUnder([samplesDir], 'samples')).map((i) => ({ ...i, group: i.name })),
      ...(await ruleExampleInputs(rules)),
    ];
    const a: CorpusRecord[] = await buildCorpus(inputs, rules, aliases);
    const b: CorpusRecord[] = await buildCorpus(inputs, normalised, aliases);
    assert.equal(a.length, b.length);
    let matched = 0;
    for (let i = 0; i < a.length; i++) {
      assert.equal(a[i].key, b[i].key);
      assert.deepEqual([...b[i].rules].sort(), [...a[i].rules].sort(), a[i].key);
      if (a[i].rules.size) matched++;
    }
    assert.ok(matched > 150, `${matched} matched records`);
  });
});
