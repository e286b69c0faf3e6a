/** The in-memory state store (`--no-state`) passes the shared state store contract. */
import { MemoryStateStore } from '../../src/store/memory.js';
import { runStateStoreContract } from './contract.js';

runStateStoreContract('memory', { create: () => new MemoryStateStore() });
