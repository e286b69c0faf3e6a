/** Small JSON helpers shared by readers and normalizers. */

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a string that holds JSON (an object or array) and returns the value, or the string unchanged when it is
 * not JSON. Providers send some fields either as objects or as JSON text (Azure `properties`, `identity`,
 * request/response bodies; CloudTrail lookup-events `CloudTrailEvent`): never assume which.
 */
export function parseJsonString(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (s.length < 2) return v;
  const first = s.charCodeAt(0);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) return v;
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}

/** Reads a dotted path (`a.b.c`) from nested objects; an exact key containing dots wins over descent. */
export function getPath(obj: unknown, path: string): unknown {
  if (!isObject(obj)) return undefined;
  if (path in obj) return obj[path];
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Returns `v` as a string when it is a non-empty string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
