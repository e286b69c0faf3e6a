/**
 * Golden files for every rule × target (and the correlation fixtures): `test/golden/export/<target>/<rule>.txt`
 * holds the annotated query, or the failure with its reason. A change in any compiler shows up here as a diff.
 * Regenerate deliberately, never silently: `node dist/test/export/golden.test.js --update-golden`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileAll, fieldMapFor } from '../../src/export/compile.js';
import { REASONS } from '../../src/export/reasons.js';
import { renderExport } from '../../src/export/render.js';
import { TARGET_NAMES } from '../../src/export/types.js';
import { loadRuleFiles } from '../../src/sigma/index.js';
import { repoPath } from '../helpers/paths.js';

const UPDATE = process.argv.includes('--update-golden');
const GOLDEN = repoPath('test', 'golden', 'export');

describe('export goldens (every rule × target)', async () => {
  const loaded = await loadRuleFiles([repoPath('rules'), repoPath('test', 'fixtures', 'export', 'correlations')]);
  for (const target of TARGET_NAMES) {
    test(target, async () => {
      const diags: string[] = [];
      const map = await fieldMapFor(repoPath('mappings'), target, (d) => diags.push(d.message));
      assert.deepEqual(diags, [], `mappings/${target}.yml has problems`);
      const exports = compileAll(target, map, loaded.rules, loaded.correlations);
      assert.equal(exports.length, loaded.rules.length + loaded.correlations.length);
      const dir = join(GOLDEN, target);
      if (UPDATE) await mkdir(dir, { recursive: true });
      const expectedFiles = new Set<string>();
      for (const e of exports) {
        if (e.result.status === 'failed') assert.ok(REASONS[e.result.reason], `${e.title}: an undocumented reason`);
        const file = join(dir, `${e.stem}.txt`);
        expectedFiles.add(`${e.stem}.txt`);
        const text = renderExport(e);
        if (UPDATE) await writeFile(file, text);
        else assert.equal(text, await readFile(file, 'utf8').catch(() => `(missing golden ${file})`), `${target}/${e.stem}`);
      }
      const present = (await readdir(dir)).filter((f) => f.endsWith('.txt'));
      assert.deepEqual(present.filter((f) => !expectedFiles.has(f)), [], 'stale golden files');
    });
  }
});
