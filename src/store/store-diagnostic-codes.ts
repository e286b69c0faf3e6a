/**
 * Diagnostic codes for the state store (MW4300–MW4399). Every message names the state file and says what to do:
 * move or delete the file, point `--state` at another file, or run with `--no-state`.
 */
import type { CodeInfo } from '../core/diagnostic.js';

/** State store diagnostics, by name. */
export const STORE = {
  corrupt: { code: 'MW4301', severity: 'error', summary: 'the state file is not a readable SQLite database (corrupt or not a database)' },
  locked: { code: 'MW4302', severity: 'error', summary: 'the state file stayed locked by another process past the busy timeout' },
  notWritable: { code: 'MW4303', severity: 'error', summary: 'the state file or its directory cannot be created or written' },
  newerSchema: { code: 'MW4304', severity: 'error', summary: 'the state file was written by a newer mirrorwatch (unknown schema version)' },
  foreign: { code: 'MW4305', severity: 'error', summary: 'the file is an SQLite database of another application, not a mirrorwatch state store' },
  loosePermissions: { code: 'MW4306', severity: 'warning', summary: 'the state file can be read by other users' },
  badCorrelationState: { code: 'MW4307', severity: 'warning', summary: 'the saved correlation state is not valid JSON and was ignored' },
  writeFailed: { code: 'MW4308', severity: 'error', summary: 'the state store could not write (disk full, I/O error)' },
  driverUnavailable: { code: 'MW4309', severity: 'error', summary: 'the SQLite driver (better-sqlite3) could not be loaded' },
  migrated: { code: 'MW4310', severity: 'info', summary: 'the state file was upgraded to the current schema' },
} as const satisfies Record<string, CodeInfo>;

/** The advice every blocking state diagnostic ends with. */
export const STATE_ADVICE = 'or run with --state PATH (another file) or --no-state';
