/**
 * Field maps: one YAML file per target under `mappings/<target>.yml`, data rather than code (pySigma keeps the same
 * knowledge in processing pipelines, `field_name_mapping` + `change_logsource`). Each file lists sources (one per
 * platform): the datasets it covers and how the target selects them (index, table, sourcetype, device type), and
 * how each Sigma field of those rules is named or computed in the target.
 *
 * ```yaml
 * target: sentinel
 * requirements: [...]            # what the deployment must provide (shown in the report)
 * sources:
 *   aws:
 *     from: AWSCloudTrail          # table / index pattern / sourcetype the queries read
 *     datasets:                    # dataset → conditions that select it (target field → value)
 *       aws.cloudtrail: {}
 *     fields:
 *       eventName: EventName       # or {name: …, caseless: …, kind: keyword|enum|text|number|boolean}
 *       requestParameters.*: 'tostring(parse_json(RequestParameters).{rest})'
 *     lists: [protoPayload.request.filter.cidrRanges]   # Sigma fields whose values are JSON lists
 * ```
 *
 * A mistake in a map is a numbered diagnostic (MW4501…) with the file and line, never an exception.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { Diagnostic, Report } from '../core/diagnostic.js';
import { DATASETS, type Dataset } from '../core/event.js';
import { isObject } from '../core/json.js';
import type { TargetName } from './types.js';

/** Diagnostic codes of field maps (MW4500–MW4599). */
export const FIELD_MAP_CODES = {
  unreadable: 'MW4501',
  malformed: 'MW4502',
  unknownDataset: 'MW4503',
  badField: 'MW4504',
} as const;

/** How a target field compares strings. */
export type FieldKind = 'keyword' | 'enum' | 'text' | 'number' | 'boolean';

/** One Sigma field in a target. */
export interface FieldSpec {
  /** The target's field name or expression. */
  name: string;
  /** A lower-case-normalised copy of the field (Kibana KQL / Lucene), when the deployment has one. */
  caseless?: string;
  kind: FieldKind;
  /** A declared approximation that using this field implies (device commands without their sub-mode). */
  approximation?: string;
  /** The field holds a JSON list (the source's `lists:`): a predicate holds when any element satisfies it. */
  list?: boolean;
}

/** One platform of a field map. */
export interface SourceMap {
  key: string;
  /** Where queries read (index pattern, table, sourcetype). */
  from: string;
  /** Extra per-target settings of the source (device type ids, log types, OCSF tables). */
  settings: Record<string, unknown>;
  datasets: Map<Dataset, Record<string, string>>;
  fields: Map<string, FieldSpec>;
  /** `prefix.*` entries: the field's remaining path replaces `{rest}` in the template. */
  prefixes: { prefix: string; spec: FieldSpec }[];
  /** Sigma fields whose values are JSON lists in this source (e.g. a GCP packet-mirroring filter's cidrRanges). */
  lists: Set<string>;
}

/** A target's field map. */
export interface FieldMap {
  target: TargetName;
  file: string;
  requirements: string[];
  sources: SourceMap[];
}

const KINDS: readonly FieldKind[] = ['keyword', 'enum', 'text', 'number', 'boolean'];

/** Parses a field map's text; problems are reported and the broken parts left out. */
export function parseFieldMap(text: string, file: string, target: TargetName, report: Report): FieldMap {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const map: FieldMap = { target, file, requirements: [], sources: [] };
  const at = (node: unknown): { line?: number; column?: number } => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return {};
    const p = lc.linePos(range[0]);
    return { line: p.line, column: p.col };
  };
  const err = (code: string, message: string, node: unknown): void => report({ code, severity: 'error', message, file, ...at(node) });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) report({ code: FIELD_MAP_CODES.malformed, severity: 'error', message: e.message, file, line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col });
    return map;
  }
  const data: unknown = doc.toJS();
  if (!isObject(data) || !isObject(data.sources)) {
    err(FIELD_MAP_CODES.malformed, 'expected a map with `sources:`', doc.contents);
    return map;
  }
  if (Array.isArray(data.requirements)) map.requirements = data.requirements.map(String);
  const sourcesNode = doc.get('sources', true);
  for (const [key, raw] of Object.entries(data.sources)) {
    const node = isMap(sourcesNode) ? sourcesNode.get(key, true) : undefined;
    if (!isObject(raw) || typeof raw.from !== 'string' || !isObject(raw.datasets) || !isObject(raw.fields)) {
      err(FIELD_MAP_CODES.malformed, `source ${key} needs from (a string), datasets and fields (maps)`, node);
      continue;
    }
    const src: SourceMap = { key, from: raw.from, settings: isObject(raw.settings) ? raw.settings : {}, datasets: new Map(), fields: new Map(), prefixes: [], lists: new Set() };
    if (raw.lists !== undefined) {
      if (!Array.isArray(raw.lists) || !raw.lists.every((x) => typeof x === 'string')) err(FIELD_MAP_CODES.badField, `source ${key}: lists must be a list of Sigma field names`, node);
      else for (const f of raw.lists) src.lists.add(f);
    }
    for (const [ds, cond] of Object.entries(raw.datasets)) {
      if (!(DATASETS as readonly string[]).includes(ds)) {
        err(FIELD_MAP_CODES.unknownDataset, `unknown dataset ${ds} in source ${key} (known: ${DATASETS.join(', ')})`, isMap(node) ? (node.get('datasets', true) as unknown) : node);
        continue;
      }
      const conditions: Record<string, string> = {};
      if (isObject(cond)) for (const [f, v] of Object.entries(cond)) conditions[f] = String(v);
      src.datasets.set(ds as Dataset, conditions);
    }
    const fieldsNode = isMap(node) ? node.get('fields', true) : undefined;
    for (const [sigmaField, spec] of Object.entries(raw.fields)) {
      const fnode = isMap(fieldsNode) ? fieldsNode.get(sigmaField, true) : undefined;
      let parsed: FieldSpec | undefined;
      if (typeof spec === 'string') parsed = { name: spec, kind: 'keyword' };
      else if (isObject(spec) && typeof spec.name === 'string') {
        const kind = spec.kind === undefined ? 'keyword' : spec.kind;
        if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
          err(FIELD_MAP_CODES.badField, `field ${sigmaField}: kind must be one of ${KINDS.join(', ')}`, fnode);
          continue;
        }
        parsed = { name: spec.name, kind: kind as FieldKind };
        if (typeof spec.caseless === 'string') parsed.caseless = spec.caseless;
        if (typeof spec.approximation === 'string') parsed.approximation = spec.approximation;
      }
      if (!parsed) {
        err(FIELD_MAP_CODES.badField, `field ${sigmaField}: expected a target field name or {name, kind, caseless}`, fnode ?? (isScalar(fnode) ? fnode : node));
        continue;
      }
      if (sigmaField.endsWith('.*')) src.prefixes.push({ prefix: sigmaField.slice(0, -1), spec: parsed });
      else src.fields.set(sigmaField, parsed);
    }
    map.sources.push(src);
  }
  return map;
}

/** Reads `mappings/<target>.yml` from a mappings directory. */
export async function loadFieldMap(mappingsDir: string, target: TargetName, report: Report): Promise<FieldMap> {
  const file = join(mappingsDir, `${target}.yml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const d: Diagnostic = { code: FIELD_MAP_CODES.unreadable, severity: 'error', message: `cannot read the field map: ${(e as Error).message}`, file };
    report(d);
    return { target, file, requirements: [], sources: [] };
  }
  return parseFieldMap(text, file, target, report);
}

/** A Sigma field's spec in a source, through exact names first and then `prefix.*` templates. */
export function resolveField(src: SourceMap, field: string): FieldSpec | undefined {
  const spec = resolveName(src, field);
  return spec && src.lists.has(field) ? { ...spec, list: true } : spec;
}

function resolveName(src: SourceMap, field: string): FieldSpec | undefined {
  const exact = src.fields.get(field);
  if (exact) return exact;
  for (const { prefix, spec } of src.prefixes) {
    if (field.startsWith(prefix) && field.length > prefix.length) {
      const rest = field.slice(prefix.length);
      const sub = (s: string): string => s.replaceAll('{rest}', rest).replaceAll('{rest_snake}', rest.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      return { ...spec, name: sub(spec.name), caseless: spec.caseless === undefined ? undefined : sub(spec.caseless) };
    }
  }
  return undefined;
}
