/**
 * Placeholders (`%name%` under `expand`; spec v2.1, "Placeholders"): resolution into value lists, as pySigma's
 * `ValueListPlaceholderTransformation` does. The specification requires a tool that cannot resolve a placeholder to
 * reject the rule, so an unresolved one is an error here.
 */
import type { Report } from '../core/diagnostic.js';
import { sigmaDiagnostic } from './diagnostic-codes.js';
import { formatSigmaString, hasPlaceholder, parseSigmaString } from './sigma-string.js';
import type { DetectionItem, DetectionNode, SigmaDetection, SigmaValue, SourceLocation, StringPart } from './types.js';

/** A placeholder map: names without `%` (a key written as `%Servers%` is accepted too) to values with wildcards. */
export type PlaceholderMap = Record<string, string[]>;

function lookup(map: PlaceholderMap, name: string): string[] | undefined {
  if (Object.prototype.hasOwnProperty.call(map, name)) return map[name];
  const pct = `%${name}%`;
  if (Object.prototype.hasOwnProperty.call(map, pct)) return map[pct];
  return undefined;
}

/** Every placeholder name used by a value, in order of appearance. */
export function valuePlaceholders(v: SigmaValue, out: string[] = []): string[] {
  if (v.kind === 'string') {
    for (const p of v.parts) if (p.kind === 'placeholder' && !out.includes(p.name)) out.push(p.name);
  } else if (v.kind === 'expansion') {
    for (const x of v.values) valuePlaceholders(x, out);
  }
  return out;
}

/** Every placeholder of a detection with the location of the item that uses it. */
export function detectionPlaceholders(d: SigmaDetection): { name: string; location: SourceLocation }[] {
  const out: { name: string; location: SourceLocation }[] = [];
  const walk = (node: DetectionNode): void => {
    if (node.kind === 'or') {
      for (const c of node.children) walk(c);
      return;
    }
    for (const item of node.items) {
      const names: string[] = [];
      for (const v of item.values) valuePlaceholders(v, names);
      for (const name of names) out.push({ name, location: item.location });
    }
  };
  for (const id of d.identifiers) walk(id.body);
  return out;
}

/** Substitutes placeholders in one string's parts: one variant per combination of placeholder values. */
function expandParts(parts: readonly StringPart[], map: PlaceholderMap): StringPart[][] | string {
  let variants: StringPart[][] = [[]];
  for (const p of parts) {
    let options: StringPart[][];
    if (p.kind === 'placeholder') {
      const values = lookup(map, p.name);
      if (values === undefined) return p.name;
      options = values.map((s) => parseSigmaString(s));
    } else {
      options = [[p]];
    }
    const next: StringPart[][] = [];
    for (const v of variants) for (const o of options) next.push(mergeText([...v, ...o]));
    variants = next;
  }
  return variants;
}

/** Joins adjacent text parts and runs of `*` that substitution may have put side by side. */
function mergeText(parts: StringPart[]): StringPart[] {
  const out: StringPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === 'text' && last !== undefined && last.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + p.text };
    else if (p.kind === 'multi' && last !== undefined && last.kind === 'multi') continue;
    else out.push(p);
  }
  return out;
}

/** Resolves one value; returns the name of the first unresolved placeholder instead when there is one. */
function resolveValue(v: SigmaValue, map: PlaceholderMap): SigmaValue | string {
  if (v.kind === 'string' && hasPlaceholder(v.parts)) {
    const variants = expandParts(v.parts, map);
    if (typeof variants === 'string') return variants;
    return {
      kind: 'expansion',
      source: 'placeholder',
      written: formatSigmaString(v.parts),
      values: variants.map((parts): SigmaValue => ({ kind: 'string', parts, cased: v.cased })),
    };
  }
  if (v.kind === 'expansion') {
    const values: SigmaValue[] = [];
    for (const x of v.values) {
      const r = resolveValue(x, map);
      if (typeof r === 'string') return r;
      values.push(r);
    }
    return { ...v, values };
  }
  return v;
}

/**
 * Resolves every placeholder of a detection. Unresolved ones are reported (MW1210, one per name) and make the
 * result null: the rule must then be rejected.
 */
export function resolveDetectionPlaceholders(
  d: SigmaDetection,
  map: PlaceholderMap,
  report: Report,
): SigmaDetection | null {
  let failed = false;
  const reported = new Set<string>();
  const resolveItem = (item: DetectionItem): DetectionItem => {
    let changed = false;
    const values: SigmaValue[] = [];
    for (const v of item.values) {
      const r = resolveValue(v, map);
      if (typeof r === 'string') {
        failed = true;
        if (!reported.has(r)) {
          reported.add(r);
          report(sigmaDiagnostic('MW1210', item.location, { name: r }));
        }
        values.push(v);
      } else {
        if (r !== v) changed = true;
        values.push(r);
      }
    }
    return changed ? { ...item, values } : item;
  };
  const walk = (node: DetectionNode): DetectionNode =>
    node.kind === 'or' ? { kind: 'or', children: node.children.map(walk) } : { kind: 'and', items: node.items.map(resolveItem) };
  const identifiers = d.identifiers.map((id) => ({ ...id, body: walk(id.body) }));
  return failed ? null : { ...d, identifiers };
}
