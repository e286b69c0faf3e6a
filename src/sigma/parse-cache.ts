/**
 * Parsed rule files, made by `npm run build` for the bundled rules, so that a scan does not parse their YAML again at
 * every start (the bundled pack took about 140 ms to parse, a third of the start-up of a scan).
 *
 * The cache maps the SHA-256 of a file's text to `loadRuleText`'s result for it, serialised with `node:v8` (which
 * keeps every value as it was; each hit is deserialised afresh, so no two rules share objects). Results hold the
 * file's path only in `file` properties (source locations); the cache stores a placeholder there and a hit gets the
 * path the file was loaded under. Only files that load without any diagnostic are cached, and only the exact text:
 * an edited rule misses and is parsed as before. A missing or unreadable cache is no cache.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { LoadResult } from './types.js';

/** Where `npm run build` writes the cache (the same URL from the CLI bundle in `dist/src/cli/` and from here). */
export const PARSE_CACHE_URL = new URL('../sigma/rule-parse-cache.bin', import.meta.url);

/** Stands for the file's path in cached results. */
const FILE_PLACEHOLDER = '\u0000rule-file\u0000';

/** The cache key of a file's text. */
function keyOf(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

let entries: Map<string, Uint8Array> | null | undefined;

function loaded(): Map<string, Uint8Array> | null {
  if (entries === undefined) {
    try {
      entries = deserialize(readFileSync(PARSE_CACHE_URL)) as Map<string, Uint8Array>;
      if (!(entries instanceof Map)) entries = null;
    } catch {
      entries = null;
    }
  }
  return entries;
}

/** Sets every `file` property equal to `from` to `to`, through the whole value. */
function relocate(value: unknown, from: string, to: string): void {
  if (Array.isArray(value)) {
    for (const v of value) relocate(v, from, to);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k === 'file' && o[k] === from) o[k] = to;
      else relocate(o[k], from, to);
    }
  }
}

/** The cached result of loading `text` as the file `file`, if the cache holds that text. */
export function cachedLoad(text: string, file: string): LoadResult | undefined {
  const cache = loaded();
  if (cache === null || cache.size === 0) return undefined;
  const bytes = cache.get(keyOf(text));
  if (bytes === undefined) return undefined;
  const result = deserialize(bytes) as LoadResult;
  relocate(result, FILE_PLACEHOLDER, file);
  return result;
}

/**
 * Builds the cache from rule file texts and the loader (`loadRuleText`); files that load with any diagnostic are
 * left out. Returns the serialised cache and how many files it holds.
 */
export function buildParseCache(texts: readonly string[], load: (text: string, file: string) => LoadResult): { bytes: Buffer; files: number } {
  const map = new Map<string, Uint8Array>();
  for (const text of texts) {
    const result = load(text, FILE_PLACEHOLDER);
    if (result.diagnostics.length > 0) continue;
    map.set(keyOf(text), serialize(result));
  }
  return { bytes: serialize(map), files: map.size };
}
