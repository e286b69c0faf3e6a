/**
 * What a compiled rule matches against: field lookup by path and the text keyword searches look through.
 */
import { isObject } from '../core/json.js';

/** The event as the matcher sees it. */
export interface MatchTarget {
  /**
   * The value at a field path: `undefined` when missing. A path through an array yields an array of every element's
   * value (missing ones left out).
   */
  get(path: string): unknown;
  /** The texts keyword searches look in (each keyword must occur in one of them). */
  keywords(): readonly string[];
  /**
   * Filled by the matcher, not by the target's maker: the lower-cased text forms of each path looked up, shared by
   * every rule evaluated on this target (a dozen rules reading `eventName` lower-case it once).
   */
  lowerMemo?: Map<string, unknown>;
}

/**
 * A path split for lookup: `keys[i][j - i - 1]` is `parts[i..j)` joined with dots, so a lookup can try an exact
 * dotted key at every level without building strings per event.
 */
interface SplitPath {
  parts: string[];
  joined: string[][];
}

/** Split paths are cached: paths come from rules, so the set is small; the cap guards against odd callers. */
const splitCache = new Map<string, SplitPath>();
const SPLIT_CACHE_LIMIT = 10_000;

function splitPath(path: string): SplitPath {
  let sp = splitCache.get(path);
  if (sp !== undefined) return sp;
  const parts = path.split('.');
  const joined: string[][] = [];
  for (let i = 0; i < parts.length; i++) {
    const row: string[] = [];
    let acc = parts[i];
    row.push(acc);
    for (let j = i + 1; j < parts.length; j++) {
      acc += '.' + parts[j];
      row.push(acc);
    }
    joined.push(row);
  }
  sp = { parts, joined };
  if (splitCache.size >= SPLIT_CACHE_LIMIT) splitCache.clear();
  splitCache.set(path, sp);
  return sp;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Resolves `parts[from..]` in `node`. At each object level the longest exact key wins (a key holding dots, such as
 * `http://schemas.xmlsoap.org/...` or `gcp.audit.method_name`, beats descent); arrays are descended element-wise.
 */
function resolve(node: unknown, sp: SplitPath, from: number): unknown {
  if (Array.isArray(node)) {
    let out: unknown[] | undefined;
    for (const el of node) {
      const v = resolve(el, sp, from);
      if (v === undefined) continue;
      out ??= [];
      if (Array.isArray(v) && !Array.isArray(el)) {
        // Flatten one level produced by descending: a path through nested arrays yields a flat list of values.
        for (const x of v) out.push(x);
      } else {
        out.push(v);
      }
    }
    return out;
  }
  if (!isObject(node)) return undefined;
  const n = sp.parts.length;
  const row = sp.joined[from];
  for (let j = n; j > from; j--) {
    const key = row[j - from - 1];
    if (!hasOwn.call(node, key)) continue;
    const child = node[key];
    if (j === n) return child;
    const v = resolve(child, sp, j);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Looks up a dotted path in plain JSON data (see `resolve`). */
export function getFieldPath(fields: Record<string, unknown>, path: string): unknown {
  if (hasOwn.call(fields, path)) return fields[path];
  if (!path.includes('.')) return undefined;
  return resolve(fields, splitPath(path), 0);
}

/** Collects the string form of every scalar leaf (strings, finite numbers, booleans), depth first. */
function collectLeaves(node: unknown, out: string[]): void {
  if (typeof node === 'string') out.push(node);
  else if (typeof node === 'number') {
    if (Number.isFinite(node)) out.push(String(node));
  } else if (typeof node === 'boolean') out.push(node ? 'true' : 'false');
  else if (Array.isArray(node)) for (const el of node) collectLeaves(el, out);
  else if (isObject(node)) for (const k in node) collectLeaves(node[k], out);
}

/**
 * A target over a plain object. `keywords()` is `[raw]` when the raw record text is given, else every scalar leaf
 * of `fields` as text (numbers and booleans too, since Sigma compares values as strings), computed once.
 */
export function objectTarget(fields: Record<string, unknown>, raw?: string): MatchTarget {
  let leaves: string[] | undefined = raw === undefined ? undefined : [raw];
  return {
    get: (path) => getFieldPath(fields, path),
    keywords: () => {
      if (leaves === undefined) {
        leaves = [];
        collectLeaves(fields, leaves);
      }
      return leaves;
    },
  };
}
