/**
 * The detection section (spec v2.1, "Detection"): search identifiers are maps (items AND-ed) or lists (of maps,
 * OR-ed; of plain values, a keyword search), plus the condition. Filter documents reuse this for their `filter:`
 * section.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { ParsedNode } from 'yaml';
import type { Report } from '../core/diagnostic.js';
import { CONDITION_KEYWORDS, parseCondition } from './condition.js';
import { sigmaDiagnostic } from './diagnostic-codes.js';
import { buildDetectionItem, splitItemKey } from './modifiers.js';
import type { WrittenValue } from './modifiers.js';
import type {
  ConditionNode,
  DetectionItem,
  DetectionNode,
  SearchIdentifier,
  SigmaCondition,
  SigmaDetection,
  SourceLocation,
} from './types.js';
import { mapEntries, readString, scalarOffsetLocator, scalarText } from './yaml-source.js';
import type { MapEntry, YamlSource } from './yaml-source.js';

/** Reads a scalar node as a written value (null for YAML null, numbers with their source text). */
function writtenValue(src: YamlSource, node: ParsedNode | null, fallback: SourceLocation): WrittenValue | null {
  if (node === null) return { value: null, text: '', location: fallback };
  if (!isScalar(node)) return null;
  const v = node.value;
  const location = src.loc(node);
  if (v === null || v === undefined) return { value: null, text: '', location };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    return { value: v, text: scalarText(node), location };
  }
  return { value: String(v), text: String(v), location };
}

/** Builds one item from a map entry `field|mods: value(s)`. */
function parseItem(src: YamlSource, entry: MapEntry, report: Report): DetectionItem | null {
  const keyLocation = src.loc(entry.keyNode);
  const { field, modifiers } = splitItemKey(entry.key);
  if (field === null && modifiers.length === 0) {
    report(sigmaDiagnostic('MW1107', keyLocation, { key: entry.key }));
    return null;
  }
  const values: WrittenValue[] = [];
  const node = entry.value;
  if (isSeq(node)) {
    for (const el of node.items) {
      const elNode = src.deref(el);
      const w = writtenValue(src, elNode, src.loc(node));
      if (w === null) {
        report(sigmaDiagnostic('MW1102', src.loc(elNode), { key: entry.key }));
        return null;
      }
      values.push(w);
    }
  } else {
    const w = writtenValue(src, node, keyLocation);
    if (w === null) {
      report(sigmaDiagnostic('MW1102', src.loc(node), { key: entry.key }));
      return null;
    }
    values.push(w);
  }
  return buildDetectionItem({ key: entry.key, field, modifiers, values, keyLocation }, report);
}

/** A map of items: AND. */
function parseMap(src: YamlSource, node: ParsedNode, name: string, report: Report): DetectionNode | null {
  const entries = mapEntries(src, node);
  if (entries.length === 0) {
    report(sigmaDiagnostic('MW1106', src.loc(node), { name }));
    return null;
  }
  const items: DetectionItem[] = [];
  let ok = true;
  for (const e of entries) {
    const item = parseItem(src, e, report);
    if (item === null) ok = false;
    else items.push(item);
  }
  return ok ? { kind: 'and', items } : null;
}

/** The body of one search identifier. */
function parseIdentifierBody(src: YamlSource, entry: MapEntry, report: Report): DetectionNode | null {
  const node = entry.value;
  const at = src.loc(entry.keyNode);
  if (isMap(node)) return parseMap(src, node, entry.key, report);
  if (isSeq(node)) {
    const elements = node.items.map((el) => src.deref(el));
    if (elements.length === 0) {
      report(sigmaDiagnostic('MW1106', at, { name: entry.key }));
      return null;
    }
    const maps = elements.filter((el) => isMap(el)).length;
    if (maps === elements.length) {
      const children: DetectionNode[] = [];
      let ok = true;
      for (const el of elements) {
        const child = parseMap(src, el as ParsedNode, entry.key, report);
        if (child === null) ok = false;
        else children.push(child);
      }
      if (!ok) return null;
      return children.length === 1 ? children[0] : { kind: 'or', children };
    }
    if (maps > 0) {
      report(sigmaDiagnostic('MW1103', at, { name: entry.key }));
      return null;
    }
    // A list of plain values: keywords, OR-ed.
    const values: WrittenValue[] = [];
    for (const el of elements) {
      const w = writtenValue(src, el, at);
      if (w === null) {
        report(sigmaDiagnostic('MW1102', src.loc(el), { key: entry.key }));
        return null;
      }
      values.push(w);
    }
    const item = buildDetectionItem(
      { key: entry.key, field: null, modifiers: [], values, keyLocation: at },
      report,
    );
    return item === null ? null : { kind: 'and', items: [item] };
  }
  if (isScalar(node) && node.value !== null && node.value !== undefined) {
    // A single plain value under an identifier: one keyword (pySigma accepts this form too).
    const w = writtenValue(src, node, at);
    if (w === null) return null;
    const item = buildDetectionItem(
      { key: entry.key, field: null, modifiers: [], values: [w], keyLocation: at },
      report,
    );
    return item === null ? null : { kind: 'and', items: [item] };
  }
  report(sigmaDiagnostic('MW1101', at, { name: entry.key }));
  return null;
}

/** Reads the condition(s) of a detection section. */
function parseConditions(
  src: YamlSource,
  node: ParsedNode | null,
  keyLocation: SourceLocation,
  identifiers: readonly string[],
  report: Report,
): SigmaCondition[] | null {
  const scalars: ParsedNode[] = [];
  if (isSeq(node)) {
    for (const el of node.items) scalars.push(src.deref(el) as ParsedNode);
    if (scalars.length === 0) {
      report(sigmaDiagnostic('MW1302', keyLocation, {}));
      return null;
    }
  } else if (node !== null) {
    scalars.push(node);
  }
  if (scalars.length === 0) {
    report(sigmaDiagnostic('MW1302', keyLocation, {}));
    return null;
  }
  const out: SigmaCondition[] = [];
  let ok = true;
  for (const s of scalars) {
    const text = readString(s);
    if (text === undefined || !isScalar(s)) {
      report(sigmaDiagnostic('MW1301', src.loc(s), {}));
      ok = false;
      continue;
    }
    const locate = scalarOffsetLocator(src, s);
    const ast = parseCondition(text, { identifiers, locate, report });
    if (ast === null) ok = false;
    else out.push({ text, ast, location: src.loc(s) });
  }
  return ok ? out : null;
}

/** Combines a list of conditions: one stays itself, several are OR-ed (spec: "The condition can be a list"). */
export function combineConditions(conditions: readonly SigmaCondition[]): ConditionNode {
  return conditions.length === 1 ? conditions[0].ast : { kind: 'or', children: conditions.map((c) => c.ast) };
}

/**
 * Parses the entries of a detection section (`skip` names keys that belong to the enclosing section, such as a
 * filter's `rules`). Every problem is reported; the result is null when any was an error.
 */
export function parseDetectionEntries(
  src: YamlSource,
  entries: readonly MapEntry[],
  at: SourceLocation,
  report: Report,
  skip: ReadonlySet<string> = new Set(),
): SigmaDetection | null {
  let ok = true;
  const identifiers: SearchIdentifier[] = [];
  const names: string[] = [];
  let condition: MapEntry | undefined;
  for (const e of entries) {
    if (skip.has(e.key)) continue;
    if (e.key === 'condition') {
      condition = e;
      continue;
    }
    if (e.key === 'timeframe') {
      report(sigmaDiagnostic('MW1108', src.loc(e.keyNode), {}));
      continue;
    }
    names.push(e.key);
    if (CONDITION_KEYWORDS.has(e.key.toLowerCase())) {
      report(sigmaDiagnostic('MW1110', src.loc(e.keyNode), { name: e.key }));
      ok = false;
      continue;
    }
    const body = parseIdentifierBody(src, e, report);
    if (body === null) ok = false;
    else identifiers.push({ name: e.key, body, location: src.loc(e.keyNode) });
  }
  if (names.length === 0) {
    report(sigmaDiagnostic('MW1109', at, {}));
    return null;
  }
  if (condition === undefined) {
    report(sigmaDiagnostic('MW1300', at, {}));
    return null;
  }
  const conditions = parseConditions(src, condition.value, src.loc(condition.keyNode), names, report);
  if (conditions === null || !ok) return null;
  return { identifiers, conditions, condition: combineConditions(conditions), location: at };
}

/** Parses a `detection:` node. */
export function parseDetection(src: YamlSource, node: ParsedNode | null, at: SourceLocation, report: Report): SigmaDetection | null {
  if (!isMap(node)) {
    report(sigmaDiagnostic('MW1100', node === null ? at : src.loc(node), {}));
    return null;
  }
  return parseDetectionEntries(src, mapEntries(src, node), src.loc(node), report);
}
