/**
 * Where the state lives by default: `$XDG_DATA_HOME/mirrorwatch/state.db` when XDG_DATA_HOME is an absolute path,
 * else `~/.local/share/mirrorwatch/state.db` on Linux, `~/Library/Application Support/mirrorwatch/state.db` on
 * macOS, `%LOCALAPPDATA%\mirrorwatch\state.db` on Windows; and `openStateStore` creating it there, or keeping the
 * state in memory for `--no-state`.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { MemoryStateStore } from '../../src/store/memory.js';
import { defaultStatePath, openStateStore } from '../../src/store/open.js';
import { removeDir, tempDir } from './store-helpers.js';

const root = tempDir();
after(() => removeDir(root));

describe('default state path', () => {
  it('uses XDG_DATA_HOME when it is an absolute path, on any platform', () => {
    const env = { XDG_DATA_HOME: '/srv/data', HOME: '/home/ana' };
    assert.equal(defaultStatePath({ env, platform: 'linux', homeDir: '/home/ana' }), '/srv/data/mirrorwatch/state.db');
    assert.equal(defaultStatePath({ env, platform: 'darwin', homeDir: '/Users/ana' }), '/srv/data/mirrorwatch/state.db');
    assert.equal(
      defaultStatePath({ env: { XDG_DATA_HOME: 'D:\\xdg' }, platform: 'win32', homeDir: 'C:\\Users\\ana' }),
      'D:\\xdg\\mirrorwatch\\state.db',
    );
  });

  it('ignores an empty or relative XDG_DATA_HOME, as the XDG spec says', () => {
    for (const XDG_DATA_HOME of ['', 'relative/data', './data']) {
      assert.equal(defaultStatePath({ env: { XDG_DATA_HOME }, platform: 'linux', homeDir: '/home/ana' }), '/home/ana/.local/share/mirrorwatch/state.db');
    }
  });

  it('falls back to the platform data directory', () => {
    assert.equal(defaultStatePath({ env: {}, platform: 'linux', homeDir: '/home/ana' }), '/home/ana/.local/share/mirrorwatch/state.db');
    assert.equal(defaultStatePath({ env: {}, platform: 'freebsd', homeDir: '/home/ana' }), '/home/ana/.local/share/mirrorwatch/state.db');
    assert.equal(
      defaultStatePath({ env: {}, platform: 'darwin', homeDir: '/Users/ana' }),
      '/Users/ana/Library/Application Support/mirrorwatch/state.db',
    );
    assert.equal(
      defaultStatePath({ env: { LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }, platform: 'win32', homeDir: 'C:\\Users\\ana' }),
      'C:\\Users\\ana\\AppData\\Local\\mirrorwatch\\state.db',
    );
    assert.equal(
      defaultStatePath({ env: { USERPROFILE: 'C:\\Users\\ana' }, platform: 'win32', homeDir: 'C:\\Users\\other' }),
      'C:\\Users\\ana\\AppData\\Local\\mirrorwatch\\state.db',
      'without LOCALAPPDATA, the profile directory',
    );
  });
});

describe('openStateStore', () => {
  it('creates the default file under XDG_DATA_HOME from the environment', () => {
    const data = join(root, 'xdg-data');
    const saved = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = data;
    try {
      const diagnostics: Diagnostic[] = [];
      const store = openStateStore({ report: (d) => diagnostics.push(d) });
      assert.ok(store);
      assert.deepEqual(diagnostics, []);
      const expected = join(data, 'mirrorwatch', 'state.db');
      assert.equal(store.location, expected);
      store.markReported(['a'], 1);
      assert.equal(store.commit(), true);
      store.close();
      assert.ok(statSync(expected).isFile());
    } finally {
      if (saved === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = saved;
    }
  });

  it('keeps the state in memory and touches no file with disabled (--no-state)', () => {
    const home = join(root, 'home-untouched');
    const store = openStateStore({ disabled: true, path: join(home, 'state.db'), env: { XDG_DATA_HOME: home }, report: () => assert.fail('no diagnostics') });
    assert.ok(store instanceof MemoryStateStore);
    assert.equal(store.location, ':memory:');
    store.remember('principal-mirroring', 'alice', 'aws', 5);
    assert.equal(store.commit(), true);
    assert.equal(store.firstSeen('principal-mirroring', 'alice', 'aws'), 5);
    store.close();
    assert.equal(existsSync(home), false);
  });

  it('resolves a relative --state path and shows it as given', () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const store = openStateStore({ path: 'relative-state.db', report: () => assert.fail('no diagnostics') });
      assert.ok(store);
      assert.equal(store.location, 'relative-state.db');
      store.close();
      assert.ok(readdirSync(root).includes('relative-state.db'));
    } finally {
      process.chdir(cwd);
    }
  });
});
