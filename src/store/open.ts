/**
 * Opening the state store the command line asked for: `--no-state` (memory), `--state PATH`, or the default file
 * in the user's data directory. Directories are created user-only (0700) and a new state file user-only (0600)
 * before SQLite opens it; SQLite gives its `-wal` and `-shm` files the database file's permissions (the unix VFS
 * copies the mode of the database file, `robust_open`/`findCreateFileMode` in sqlite3's os_unix.c), so those stay
 * user-only too. Every problem is a numbered diagnostic naming the path and what to do; nothing is thrown.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';
import type { Report } from '../core/diagnostic.js';
import { MemoryStateStore } from './memory.js';
import { openSqliteStore } from './sqlite.js';
import { STORE } from './store-diagnostic-codes.js';
import type { StateStore } from './types.js';

/** Where to find the user's data directory; defaults are this process's. */
export interface PlatformInfo {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

/** Options of {@link openStateStore}. */
export interface OpenStateStoreOptions extends PlatformInfo {
  /** `--state PATH`; `:memory:` keeps a SQLite store in memory. Default: {@link defaultStatePath}. */
  path?: string;
  /** `--no-state`: an in-memory store that is gone at exit. */
  disabled?: boolean;
  report: Report;
  /**
   * How long to wait for another process's write lock, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /** The clock, for `meta` timestamps. */
  now?: () => number;
}

/** The file name of the state store inside the data directory. */
export const STATE_FILE_NAME = 'state.db';

/**
 * The default state file: `$XDG_DATA_HOME/mirrorwatch/state.db` when `XDG_DATA_HOME` is set to an absolute path
 * (on any platform: a user who sets it asks for it), else the platform's per-user data directory:
 * `~/.local/share` on Linux and other Unix systems (XDG Base Directory Specification,
 * https://specifications.freedesktop.org/basedir-spec/latest/: an unset, empty or relative value is ignored),
 * `~/Library/Application Support` on macOS (Apple's File System Programming Guide, "Application Support"), and
 * `%LOCALAPPDATA%` on Windows (FOLDERID_LocalAppData: per-user, per-machine data that does not roam; falling back
 * to `%USERPROFILE%\AppData\Local`).
 */
export function defaultStatePath(info: PlatformInfo = {}): string {
  const env = info.env ?? process.env;
  const platform = info.platform ?? process.platform;
  const home = info.homeDir ?? homedir();
  const path = platform === 'win32' ? win32 : posix;
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mirrorwatch', STATE_FILE_NAME);
  switch (platform) {
    case 'win32': {
      const local = env.LOCALAPPDATA && path.isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : path.join(env.USERPROFILE || home, 'AppData', 'Local');
      return path.join(local, 'mirrorwatch', STATE_FILE_NAME);
    }
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'mirrorwatch', STATE_FILE_NAME);
    default:
      return path.join(home, '.local', 'share', 'mirrorwatch', STATE_FILE_NAME);
  }
}

/**
 * Opens the state store: memory for `disabled`, otherwise SQLite at `path` or the default file, creating its
 * directory and the file as needed. Returns undefined after a numbered diagnostic when the file cannot be used
 * (the message says what to do: another `--state`, or `--no-state`).
 */
export function openStateStore(options: OpenStateStoreOptions): StateStore | undefined {
  const { report } = options;
  if (options.disabled) return new MemoryStateStore();
  const shown = options.path ?? defaultStatePath(options);
  const common = { report, busyTimeoutMs: options.busyTimeoutMs, now: options.now };
  if (shown === ':memory:') return openSqliteStore({ file: shown, ...common });
  const file = resolve(shown);
  const posixModes = (options.platform ?? process.platform) !== 'win32';
  const prepared = prepareFile(file, shown, report, posixModes);
  if (prepared === false) return undefined;
  const store = openSqliteStore({ file, displayPath: shown, ...common });
  // Warned only about a file that is a usable store: on a corrupt one the error says enough.
  if (store && prepared.looseMode !== undefined) {
    report({
      code: STORE.loosePermissions.code,
      severity: 'warning',
      file: shown,
      message: `the state file has mode ${prepared.looseMode.toString(8)} and can be read by other users (it holds principals, source addresses and alert ids); restrict it with: chmod 600 '${file}'`,
    });
  }
  return store;
}

/**
 * Creates the directory and an empty user-only file when missing; checks an existing one. False after a
 * diagnostic; otherwise the mode of an existing file that others can read, for a warning once it proves usable.
 */
function prepareFile(file: string, shown: string, report: Report, posixModes: boolean): false | { looseMode?: number } {
  const dir = resolve(file, '..');
  const fail = (what: string, e?: unknown): false => {
    const err = e as NodeJS.ErrnoException | undefined;
    const detail = err ? ` (${err.message})` : '';
    report({
      code: STORE.notWritable.code,
      severity: 'error',
      file: shown,
      message: `${what}${detail}; choose a writable location with --state PATH, or run with --no-state`,
    });
    return false;
  };
  try {
    // The XDG spec asks for 0700 on a data directory created on the user's behalf.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    return fail(`cannot create the state directory ${dir}`, e);
  }
  let existing;
  try {
    existing = statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    return fail(`cannot inspect the state file`, e);
  }
  if (existing && !existing.isFile()) {
    return fail(`the state path is ${existing.isDirectory() ? 'a directory' : 'not a regular file'}, not a state file`);
  }
  // SQLite creates `<file>-wal` and `<file>-shm` next to the database: the directory itself must be writable even
  // when the file already exists.
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    return fail(`the state directory ${dir} is not writable`, e);
  }
  if (!existing) {
    try {
      // O_EXCL: if another process creates it first, that one's file is used as it is.
      closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return fail('cannot create the state file', e);
    }
    return {};
  }
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch (e) {
    return fail('the state file is not readable and writable by this user', e);
  }
  return posixModes && (existing.mode & 0o077) !== 0 ? { looseMode: existing.mode & 0o777 } : {};
}
