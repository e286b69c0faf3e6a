/** The state store: what mirrorwatch remembers between scans (see `types.ts` for the contract). */
export type { BaselineFact, BaselineKind, Baselines, StateStore, SuppressionRecord } from './types.js';
export { BASELINE_KINDS } from './types.js';
export { MemoryStateStore } from './memory.js';
export { DEFAULT_BUSY_TIMEOUT_MS, SqliteStateStore, openSqliteStore } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export { STATE_FILE_NAME, defaultStatePath, openStateStore } from './open.js';
export type { OpenStateStoreOptions, PlatformInfo } from './open.js';
export { SCHEMA_VERSION } from './migrations.js';
export { STORE } from './store-diagnostic-codes.js';
