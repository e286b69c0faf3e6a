/**
 * The match target of an event: the canonical fields, searched by Sigma field paths, with per-dataset aliases so
 * rules written for another schema still find their fields (SigmaHQ's GCP rules use Elastic's
 * `gcp.audit.method_name`; an Elastic user may write `event.action`). Aliases come from `mappings/aliases.yml`; an
 * alias also maps the paths below it (`aws.cloudtrail.flattened.request_parameters.X` → `requestParameters.X`).
 */
import type { Dataset, Event } from '../core/event.js';
import { objectTarget } from '../sigma/index.js';
import type { MatchTarget } from './active-rule.js';

/** For each dataset, alias field name → canonical field path. */
export type FieldAliases = Partial<Record<Dataset, Record<string, string>>>;

const resolved = new WeakMap<Record<string, string>, Map<string, string | null>>();

/** The canonical path for `path` under an alias map, or null when no alias covers it. */
function canonicalPath(map: Record<string, string>, path: string): string | null {
  let cache = resolved.get(map);
  if (!cache) {
    cache = new Map();
    resolved.set(map, cache);
  }
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  let out: string | null = map[path] ?? null;
  if (out === null) {
    // Longest alias that is a dotted prefix of the path.
    let best = '';
    for (const alias of Object.keys(map)) {
      if (alias.length > best.length && path.startsWith(`${alias}.`)) best = alias;
    }
    if (best) out = `${map[best]}${path.slice(best.length)}`;
  }
  cache.set(path, out);
  return out;
}

/** Builds the target rules match an event against. */
export function eventTarget(event: Event, aliases?: FieldAliases): MatchTarget {
  const inner = objectTarget(event.fields, typeof event.raw === 'string' ? event.raw : undefined);
  const map = aliases?.[event.dataset];
  if (!map) return inner;
  return {
    get(path: string): unknown {
      const v = inner.get(path);
      if (v !== undefined) return v;
      const canonical = canonicalPath(map, path);
      return canonical === null ? undefined : inner.get(canonical);
    },
    keywords: () => inner.keywords(),
  };
}
