/**
 * The `correlation:` section of a correlation document and the `filter:` section of a filter document, validated
 * structurally (spec v2.1, `sigma-correlation-rules-specification.md`, `sigma-filters-specification.md`; types
 * value_sum/value_avg/value_percentile and the `neq` condition from v2.1, pySigma PR #330). The correlation engine
 * works on this model.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { ParsedNode } from 'yaml';
import type { Report } from '../core/diagnostic.js';
import { parseCondition } from './condition.js';
import { listValues, sigmaDiagnostic } from './diagnostic-codes.js';
import { parseDetectionEntries } from './detection.js';
import { CORRELATION_OPS, CORRELATION_TYPES } from './types.js';
import type { CorrelationCondition, CorrelationOp, CorrelationType, SigmaDetection, SourceLocation } from './types.js';
import { mapEntries, readString, scalarOffsetLocator } from './yaml-source.js';
import type { YamlSource } from './yaml-source.js';

/** Milliseconds per timespan unit (spec: "Time Selection": `Xs`, `Xm`, `Xh`, `Xd`). */
const TIMESPAN_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a timespan (`90m`) into milliseconds, or null. */
export function parseTimespan(text: string): number | null {
  const m = /^([1-9][0-9]*)([smhd])$/.exec(text.trim());
  if (m === null) return null;
  return Number(m[1]) * TIMESPAN_UNITS[m[2]];
}

/** Types whose condition counts or aggregates values of `field`. */
const FIELD_TYPES: ReadonlySet<CorrelationType> = new Set<CorrelationType>([
  'value_count',
  'value_sum',
  'value_avg',
  'value_percentile',
]);

/** Types whose condition may be left out (default: every referenced rule must match). */
const TEMPORAL_TYPES: ReadonlySet<CorrelationType> = new Set<CorrelationType>(['temporal', 'temporal_ordered']);

/** The parsed `correlation:` section. */
export interface CorrelationSection {
  correlationType: CorrelationType;
  rules: string[];
  groupBy: string[];
  timespan: { text: string; ms: number };
  condition?: CorrelationCondition;
  aliases: Record<string, Record<string, string>>;
  generate?: boolean;
  /** Where each referenced rule was written, for "unknown rule" checks. */
  ruleLocations: SourceLocation[];
}

/** Reads a list of strings (a single string counts as a list of one when `single` allows it). */
function readStringList(
  src: YamlSource,
  node: ParsedNode | null,
  single: boolean,
): { values: string[]; locations: SourceLocation[] } | null {
  if (single && isScalar(node)) {
    const s = readString(node);
    return s === undefined ? null : { values: [s], locations: [src.loc(node)] };
  }
  if (!isSeq(node)) return null;
  const values: string[] = [];
  const locations: SourceLocation[] = [];
  for (const el of node.items) {
    const n = src.deref(el);
    const s = readString(n);
    if (s === undefined) return null;
    values.push(s);
    locations.push(src.loc(n));
  }
  return { values, locations };
}

function parseThreshold(
  src: YamlSource,
  node: ParsedNode,
  type: CorrelationType,
  report: Report,
): CorrelationCondition | null {
  const comparisons: { op: CorrelationOp; value: number }[] = [];
  let field: string[] = [];
  let hasField = false;
  let percentile: number | undefined;
  let ok = true;
  for (const e of mapEntries(src, node)) {
    const at = src.loc(e.keyNode);
    if (e.key === 'percentile' && type === 'value_percentile') {
      // pySigma `SigmaCorrelationCondition.percentile`: the rank compared by value_percentile.
      const v = isScalar(e.value) ? e.value.value : undefined;
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < 0 || n > 100) {
        report(sigmaDiagnostic('MW1405', src.loc(e.value), { op: 'percentile', value: String(src.toJS(e.value)) }));
        ok = false;
      } else {
        percentile = n;
      }
      continue;
    }
    if (e.key === 'field') {
      hasField = true;
      const list = readStringList(src, e.value, true);
      if (list === null || list.values.length === 0) {
        report(sigmaDiagnostic('MW1005', at, { name: 'condition.field', expected: 'a field name or a list of field names' }));
        ok = false;
      } else {
        field = list.values;
      }
      continue;
    }
    if (!(CORRELATION_OPS as readonly string[]).includes(e.key)) {
      report(sigmaDiagnostic('MW1403', at, { value: e.key, expected: listValues([...CORRELATION_OPS, 'field']) }));
      ok = false;
      continue;
    }
    const op = e.key as CorrelationOp;
    const v = isScalar(e.value) ? e.value.value : undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      report(sigmaDiagnostic('MW1405', src.loc(e.value), { op, value: String(src.toJS(e.value)) }));
      ok = false;
      continue;
    }
    comparisons.push({ op, value: n });
  }
  if (!ok) return null;
  const at = src.loc(node);
  if (comparisons.length === 0) {
    report(sigmaDiagnostic('MW1409', at, { expected: listValues(CORRELATION_OPS) }));
    return null;
  }
  // At most one lower bound, one upper bound; eq stands alone (spec: "two = range").
  const lower = comparisons.filter((c) => c.op === 'gt' || c.op === 'gte');
  const upper = comparisons.filter((c) => c.op === 'lt' || c.op === 'lte');
  const eq = comparisons.filter((c) => c.op === 'eq');
  const conflict =
    lower.length > 1 ? [lower[0].op, lower[1].op] : upper.length > 1 ? [upper[0].op, upper[1].op] : eq.length > 0 && comparisons.length > 1 ? ['eq', comparisons.find((c) => c.op !== 'eq')?.op ?? 'eq'] : null;
  if (conflict !== null) {
    report(sigmaDiagnostic('MW1412', at, { op: conflict[0], other: conflict[1] }));
    return null;
  }
  if (FIELD_TYPES.has(type) && !hasField) {
    report(sigmaDiagnostic('MW1404', at, { type }));
    return null;
  }
  if (!FIELD_TYPES.has(type) && hasField) report(sigmaDiagnostic('MW1410', at, { type }));
  const out: CorrelationCondition = { kind: 'threshold', comparisons, field: FIELD_TYPES.has(type) ? field : [] };
  if (percentile !== undefined) out.percentile = percentile;
  return out;
}

/** Parses a `correlation:` section; reports every problem; null when any was an error. */
export function parseCorrelationSection(src: YamlSource, node: ParsedNode | null, at: SourceLocation, report: Report): CorrelationSection | null {
  if (!isMap(node)) {
    report(sigmaDiagnostic('MW1005', node === null ? at : src.loc(node), { name: 'correlation', expected: 'a map' }));
    return null;
  }
  let ok = true;
  const entries = new Map(mapEntries(src, node).map((e) => [e.key, e]));
  const sectionAt = src.loc(node);

  const typeEntry = entries.get('type');
  let type: CorrelationType | undefined;
  if (typeEntry === undefined) {
    report(sigmaDiagnostic('MW1004', sectionAt, { name: 'correlation.type' }));
    ok = false;
  } else {
    const t = readString(typeEntry.value);
    if (t === undefined || !(CORRELATION_TYPES as readonly string[]).includes(t)) {
      report(sigmaDiagnostic('MW1400', src.loc(typeEntry.value), { value: t ?? String(src.toJS(typeEntry.value)), expected: listValues(CORRELATION_TYPES) }));
      ok = false;
    } else {
      type = t as CorrelationType;
    }
  }

  const rulesEntry = entries.get('rules');
  let rules: string[] = [];
  let ruleLocations: SourceLocation[] = [];
  if (rulesEntry === undefined) {
    report(sigmaDiagnostic('MW1004', sectionAt, { name: 'correlation.rules' }));
    ok = false;
  } else {
    const list = readStringList(src, rulesEntry.value, true);
    if (list === null || list.values.length === 0) {
      report(sigmaDiagnostic('MW1401', src.loc(rulesEntry.value ?? rulesEntry.keyNode), {}));
      ok = false;
    } else {
      rules = list.values;
      ruleLocations = list.locations;
    }
  }

  const groupBy: string[] = [];
  const groupEntry = entries.get('group-by');
  if (groupEntry !== undefined) {
    const list = readStringList(src, groupEntry.value, true);
    if (list === null) {
      report(sigmaDiagnostic('MW1005', src.loc(groupEntry.keyNode), { name: 'group-by', expected: 'a list of field names' }));
      ok = false;
    } else {
      list.values.forEach((g, k) => {
        if (groupBy.includes(g)) report(sigmaDiagnostic('MW1411', list.locations[k], { field: g }));
        else groupBy.push(g);
      });
    }
  }

  let timespan: { text: string; ms: number } | undefined;
  const tsEntry = entries.get('timespan');
  if (tsEntry === undefined) {
    report(sigmaDiagnostic('MW1406', sectionAt, { type: type ?? 'correlation', name: 'timespan' }));
    ok = false;
  } else {
    const text = readString(tsEntry.value);
    const ms = text === undefined ? null : parseTimespan(text);
    if (ms === null) {
      report(sigmaDiagnostic('MW1402', src.loc(tsEntry.value), { value: text ?? String(src.toJS(tsEntry.value)) }));
      ok = false;
    } else {
      timespan = { text: (text ?? '').trim(), ms };
    }
  }

  let condition: CorrelationCondition | undefined;
  const condEntry = entries.get('condition');
  if (type !== undefined) {
    if (condEntry === undefined || condEntry.value === null) {
      if (!TEMPORAL_TYPES.has(type)) {
        report(sigmaDiagnostic('MW1406', sectionAt, { type, name: 'condition' }));
        ok = false;
      }
    } else if (isMap(condEntry.value)) {
      const c = parseThreshold(src, condEntry.value, type, report);
      if (c === null) ok = false;
      else condition = c;
    } else if (TEMPORAL_TYPES.has(type) && isScalar(condEntry.value) && typeof condEntry.value.value === 'string') {
      const text = condEntry.value.value;
      const ast = parseCondition(text, {
        identifiers: rules,
        locate: scalarOffsetLocator(src, condEntry.value),
        report,
        allowOf: false,
      });
      if (ast === null) ok = false;
      else condition = { kind: 'expression', text, ast };
    } else {
      report(
        sigmaDiagnostic('MW1005', src.loc(condEntry.value), {
          name: 'correlation.condition',
          expected: TEMPORAL_TYPES.has(type) ? 'a map of comparisons or a condition over the rules' : 'a map of comparisons',
        }),
      );
      ok = false;
    }
  }

  const aliases: Record<string, Record<string, string>> = {};
  const aliasEntry = entries.get('aliases');
  if (aliasEntry !== undefined && aliasEntry.value !== null) {
    if (!isMap(aliasEntry.value)) {
      report(sigmaDiagnostic('MW1005', src.loc(aliasEntry.value), { name: 'aliases', expected: 'a map of aliases' }));
      ok = false;
    } else {
      for (const a of mapEntries(src, aliasEntry.value)) {
        if (!isMap(a.value)) {
          report(sigmaDiagnostic('MW1407', src.loc(a.keyNode), { alias: a.key }));
          ok = false;
          continue;
        }
        const map: Record<string, string> = {};
        for (const r of mapEntries(src, a.value)) {
          const field = readString(r.value);
          if (field === undefined) {
            report(sigmaDiagnostic('MW1407', src.loc(r.keyNode), { alias: a.key }));
            ok = false;
            continue;
          }
          if (rules.length > 0 && !rules.includes(r.key)) {
            report(sigmaDiagnostic('MW1408', src.loc(r.keyNode), { alias: a.key, rule: r.key }));
          }
          map[r.key] = field;
        }
        aliases[a.key] = map;
      }
    }
  }

  let generate: boolean | undefined;
  const genEntry = entries.get('generate');
  if (genEntry !== undefined) {
    const v = isScalar(genEntry.value) ? genEntry.value.value : undefined;
    if (typeof v !== 'boolean') {
      report(sigmaDiagnostic('MW1005', src.loc(genEntry.value ?? genEntry.keyNode), { name: 'generate', expected: 'true or false' }));
      ok = false;
    } else {
      generate = v;
    }
  }

  for (const e of entries.values()) {
    if (!['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate'].includes(e.key)) {
      report(sigmaDiagnostic('MW1413', src.loc(e.keyNode), { name: e.key }));
    }
  }

  if (!ok || type === undefined || timespan === undefined) return null;
  const out: CorrelationSection = { correlationType: type, rules, groupBy, timespan, aliases, ruleLocations };
  if (condition !== undefined) out.condition = condition;
  if (generate !== undefined) out.generate = generate;
  return out;
}

/** The parsed `filter:` section. */
export interface FilterSection {
  rules: string[];
  appliesToAll: boolean;
  ruleLocations: SourceLocation[];
  detection: SigmaDetection;
}

/** Parses a `filter:` section: `rules` plus search identifiers and a condition, like a detection. */
export function parseFilterSection(src: YamlSource, node: ParsedNode | null, at: SourceLocation, report: Report): FilterSection | null {
  if (!isMap(node)) {
    report(sigmaDiagnostic('MW1005', node === null ? at : src.loc(node), { name: 'filter', expected: 'a map' }));
    return null;
  }
  const entries = mapEntries(src, node);
  const sectionAt = src.loc(node);
  let ok = true;
  const rulesEntry = entries.find((e) => e.key === 'rules');
  let rules: string[] = [];
  let ruleLocations: SourceLocation[] = [];
  let appliesToAll = false;
  if (rulesEntry === undefined) {
    report(sigmaDiagnostic('MW1004', sectionAt, { name: 'filter.rules' }));
    ok = false;
  } else {
    const list = readStringList(src, rulesEntry.value, true);
    if (isScalar(rulesEntry.value) && list !== null && list.values[0].toLowerCase() === 'any') {
      // `rules: any` applies the filter to every rule of its log source (pySigma `SigmaFilter._should_apply_on_rule`).
      appliesToAll = true;
    } else if (list === null || list.values.length === 0) {
      report(sigmaDiagnostic('MW1401', src.loc(rulesEntry.value ?? rulesEntry.keyNode), {}));
      ok = false;
    } else {
      rules = list.values;
      ruleLocations = list.locations;
    }
  }
  const detection = parseDetectionEntries(src, entries, sectionAt, report, new Set(['rules']));
  if (detection === null || !ok) return null;
  return { rules, appliesToAll, ruleLocations, detection };
}
