/**
 * The documents the evaluators run queries over, shaped as each SIEM stores an event:
 * - Elastic (EQL, ES|QL, Kibana KQL, Lucene): the ECS document of Elastic's integrations (`ecsOf`, which follows
 *   their ingest pipelines) in the data stream `logs-<dataset>-default`. Field values are read as Elasticsearch
 *   indexes them: arrays are flattened (objects inside arrays too), nulls and empty arrays are no value (ES "exists
 *   query": `[]` and `[null]` have no value), and a `<field>.caseless` multi-field (keyword + `lowercase` normalizer,
 *   from the package's component template) holds the lower-cased values where the field map declares one.
 * - QRadar (AQL): an event of a log source type (`devicetype`) with built-in columns (`username`, `sourceip`,
 *   `starttime`) and the JSON custom properties of mappings/qradar.yml, each the value at its JSON path in the record.
 *   The seed's "EventName" property is taken to hold the API name (ECS `event.action`), the assumption that gives the
 *   seed its best chance (QRadar has no such built-in column: events.md §8.2).
 */
import type { Event } from '../../core/event.js';
import { isObject } from '../../core/json.js';
import { ecsOf } from '../../normalize/index.js';
import type { FieldMap } from '../field-map.js';

/** A scalar value of a document field. */
export type Scalar = string | number | boolean;

/** The values of a dotted field in a JSON document, as Elasticsearch indexes them. */
export function docValues(doc: unknown, path: string): Scalar[] {
  const out: Scalar[] = [];
  const walk = (node: unknown, parts: string[]): void => {
    if (Array.isArray(node)) {
      for (const x of node) walk(x, parts);
      return;
    }
    if (parts.length === 0) {
      if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') out.push(node);
      return;
    }
    if (!isObject(node)) return;
    // A key may itself hold dots (flattened objects keep the source's keys): try the longest join first.
    for (let n = parts.length; n >= 1; n--) {
      const key = parts.slice(0, n).join('.');
      if (key in node) walk(node[key], parts.slice(n));
    }
  };
  walk(doc, path.split('.'));
  return out;
}

/** An event as Elastic stores it: its ECS document, data stream and the caseless multi-fields available. */
export interface ElasticDoc {
  index: string;
  ecs: Record<string, unknown>;
  caseless: ReadonlySet<string>;
}

/** The Elastic document of an event. `caseless` lists the fields with a `.caseless` multi-field. */
export function elasticDoc(event: Event, caseless: ReadonlySet<string> = new Set()): ElasticDoc {
  return { index: `logs-${event.dataset}-default`, ecs: ecsOf(event), caseless };
}

/** The values of a field of an Elastic document, `.caseless` multi-fields included. */
export function elasticValues(doc: ElasticDoc, field: string): Scalar[] {
  if (field.endsWith('.caseless')) {
    const base = field.slice(0, -'.caseless'.length);
    if (!doc.caseless.has(base)) return [];
    return docValues(doc.ecs, base).map((v) => String(v).toLowerCase());
  }
  return docValues(doc.ecs, field);
}

/** The base fields that have a `.caseless` copy in a field map (what the package's template creates). */
export function caselessFields(map: FieldMap): Set<string> {
  const out = new Set<string>();
  for (const src of map.sources) {
    // Exactly what packages.ts caselessTemplate() creates: exact fields only (flattened sub-fields cannot have one).
    for (const spec of src.fields.values()) if (spec.caseless) out.add(spec.name);
  }
  return out;
}

/** True when an index name matches a comma-separated list of index patterns (`*` wildcards). */
export function indexMatches(patterns: string, index: string): boolean {
  return patterns
    .split(',')
    .map((p) => p.trim())
    .some((p) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(index));
}

/** A QRadar event: log source type, built-in columns and custom properties (null when absent). */
export interface QradarEvent {
  devicetype: number | null;
  builtins: Record<string, string | number | null>;
  properties: Map<string, string | null>;
}

/** The QRadar event of an event under a field map's custom properties, plus the seed's "EventName". */
export function qradarEvent(event: Event, map: FieldMap): QradarEvent {
  const ecs = ecsOf(event);
  const first = (p: string): string | null => {
    const v = docValues(ecs, p)[0];
    return v === undefined ? null : String(v);
  };
  const source = map.sources.find((s) => s.datasets.has(event.dataset));
  const devicetype = source?.datasets.get(event.dataset)?.devicetype;
  const properties = new Map<string, string | null>();
  // Every property is defined for every log source; it extracts nothing from another source's payload.
  for (const src of map.sources) {
    for (const spec of src.fields.values()) {
      if (properties.has(spec.name) && properties.get(spec.name) !== null) continue;
      let v: string | null = null;
      if (src === source) {
        const raw = jsonPath(event.fields, spec.name);
        v = raw === undefined || raw === null ? null : typeof raw === 'string' ? raw : JSON.stringify(raw);
      }
      properties.set(spec.name, v);
    }
  }
  properties.set('EventName', first('event.action'));
  return {
    devicetype: devicetype === undefined ? null : Number(devicetype),
    builtins: { username: first('user.name'), sourceip: first('source.ip'), starttime: event.timeMs ?? null, logsourceid: null, qid: null },
    properties,
  };
}

/** A QRadar JSON property expression (`/"a"/"b"`) applied to a record: the value at the dotted path. */
function jsonPath(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}
