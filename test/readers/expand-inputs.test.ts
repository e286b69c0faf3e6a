/**
 * Walking the paths a user names (`expandInputs`): sorted order, hidden entries left out, each file once however
 * many links reach it (the first place wins), symbolic-link loops cut, dangling links reported as warnings, missing
 * paths as errors, and the reports in the order of the walk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { expandInputs } from '../../src/readers/source.js';

test('a tree with links, loops, hidden and dangling entries expands to each file once, in order', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mw-expand-'));
  try {
    for (const d of ['logs/a', 'logs/b/deep', 'logs/.git']) mkdirSync(join(root, d), { recursive: true });
    for (const f of ['logs/a/2.json', 'logs/a/1.json', 'logs/b/deep/3.json.gz', 'logs/b/z.log', 'logs/.hidden.json', 'logs/.git/HEAD']) writeFileSync(join(root, f), 'x');
    symlinkSync(join(root, 'logs/a/1.json'), join(root, 'logs/b/link-to-1.json')); // reached again later: once
    symlinkSync(join(root, 'logs'), join(root, 'logs/b/deep/loop')); // back up the tree: cut
    symlinkSync(join(root, 'logs/a'), join(root, 'logs/c-alias')); // a second way into a: its files already listed
    symlinkSync(join(root, 'nowhere.json'), join(root, 'logs/b/dangling.json'));
    for (let i = 0; i < 150; i++) writeFileSync(join(root, 'logs/b/deep', `n${String(i).padStart(3, '0')}.json`), 'x'); // more than a batch
    const reports: Diagnostic[] = [];
    const files = await expandInputs([join(root, 'logs'), join(root, 'missing'), join(root, 'logs/a/2.json')], (d) => reports.push(d));
    const names = files.map((f) => relative(root, f.path));
    assert.deepEqual(names, [
      'logs/a/1.json',
      'logs/a/2.json',
      'logs/b/deep/3.json.gz',
      ...Array.from({ length: 150 }, (_, i) => `logs/b/deep/n${String(i).padStart(3, '0')}.json`),
      'logs/b/z.log',
    ]);
    assert.ok(files.every((f) => f.size === 1 && f.mtimeMs > 0));
    assert.deepEqual(
      reports.map((d) => [d.severity, relative(root, d.file ?? '')]),
      [
        ['warning', 'logs/b/dangling.json'],
        ['error', 'missing'],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
