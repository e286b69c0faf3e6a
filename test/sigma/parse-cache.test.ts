/**
 * The rule parse cache (`sigma/parse-cache.ts`), made by `npm run build`: every bundled rule file comes from it, and
 * what it gives is exactly what parsing the YAML gives, under whatever path the file is loaded; a text it does not
 * hold (an edited rule) is parsed; a file with diagnostics is never cached.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { findRuleFiles, loadRuleText, parseRuleText } from '../../src/sigma/load.js';
import { buildParseCache, cachedLoad } from '../../src/sigma/parse-cache.js';
import { repoPath } from '../helpers/paths.js';

test('every bundled rule file comes from the cache, equal to parsing it, under the path it is loaded from', async () => {
  const files = await findRuleFiles([repoPath('rules')], () => undefined);
  assert.ok(files.length >= 30, `found ${files.length} rule files`);
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const as of [file, 'relative/name.yml']) {
      const cached = cachedLoad(text, as);
      assert.ok(cached !== undefined, `${file} is in the cache`);
      assert.deepEqual(cached, parseRuleText(text, as), file);
      assert.ok(JSON.stringify(cached).includes(JSON.stringify(as)), 'source locations name the path given');
    }
    // Two loads never share objects.
    const a = loadRuleText(text, file);
    const b = loadRuleText(text, file);
    assert.notEqual(a.rules[0] ?? a.correlations[0] ?? a.filters[0], b.rules[0] ?? b.correlations[0] ?? b.filters[0]);
  }
});

test('an edited rule misses the cache and is parsed; a file with diagnostics is left out of a cache', async () => {
  const [file] = await findRuleFiles([repoPath('rules/aws')], () => undefined);
  const text = await readFile(file, 'utf8');
  const edited = text.replace(/^title: (.*)$/m, 'title: $1 (edited)');
  assert.notEqual(edited, text);
  assert.equal(cachedLoad(edited, file), undefined);
  assert.match(loadRuleText(edited, file).rules[0]?.title ?? '', /\(edited\)$/);
  const broken = `${text}\nunknownkey: [unclosed\n`;
  const built = buildParseCache([text, broken], (t, f) => parseRuleText(t, f));
  assert.equal(built.files, 1);
});
