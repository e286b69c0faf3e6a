/**
 * From a correlation hit to an alert, with the output contract of rule alerts (`buildAlert` in `alerts.ts`,
 * DESIGN.md §6): the rule is the correlation rule, the evidence is every record of every part with where it was
 * read, the message links the parts in plain words with their identifiers, and `mirrorwatch.correlation` says which
 * correlation type, group and window were satisfied and by which parts.
 */
import { isAbsolute, relative } from 'node:path';
import type { AlertDocument, Evidence, Level } from '../core/alert.js';
import { isLevel, levelRank, SEVERITY_NUMBERS } from '../core/alert.js';
import type { Event, Origin } from '../core/event.js';
import { getPath, isObject } from '../core/json.js';
import { describeMirror, type MirrorDetails } from '../enrich/mirror.js';
import { ecsOf, type EcsDocument } from '../normalize/index.js';
import type { ActiveRule } from './active-rule.js';
import { MAX_EVIDENCE, originText, type ContextSource } from './alerts.js';
import type { CorrelationHit, CorrelationHitPart } from './correlate.js';
import { threatFromTags } from './threat.js';

/** ECS top-level fields copied into the alert from the part that describes the mirror best. */
const CONTEXT_FIELDS = ['cloud', 'user', 'source', 'client', 'user_agent', 'observer', 'host', 'service', 'process', 'log', 'aws', 'azure', 'gcp', 'cisco', 'network'];

/** Options for building correlation alerts. */
export interface CorrelationAlertOptions {
  /** The loaded rules, for the parts' levels when the correlation sets none. */
  rulesById?: ReadonlyMap<string, ActiveRule>;
  /** Supplies the other configuration lines of a device mirroring object (as for rule alerts). */
  context?: ContextSource;
  now?: Date;
}

function compareEvents(a: Event, b: Event): number {
  const ta = Number.isNaN(a.timeMs) ? Infinity : a.timeMs;
  const tb = Number.isNaN(b.timeMs) ? Infinity : b.timeMs;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const fa = a.origin.file;
  const fb = b.origin.file;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.origin.line ?? 0) - (b.origin.line ?? 0) || (a.origin.record ?? 0) - (b.origin.record ?? 0);
}

/** A rule file as shown to people: relative to the working directory when it lies below it (as rule alerts do). */
function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** `HH:MM:SS` of an instant in UTC, for the message. */
function clock(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, 19) : '??:??:??';
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  return JSON.stringify(v);
}

/** How the window and group read in a sentence. */
function groupText(hit: CorrelationHit): string {
  return hit.group.map((g) => `${g.name} ${valueText(g.value)}`).join(', ');
}

/** What the correlation measured, in words. */
function measureText(hit: CorrelationHit): string {
  const c = hit.correlation;
  const span = c.timespan.text;
  const field = c.condition?.kind === 'threshold' ? c.condition.field.join(', ') : '';
  switch (c.correlationType) {
    case 'event_count':
      return `${hit.value} matching actions within ${span}`;
    case 'value_count':
      return `${hit.value} distinct ${field} within ${span}`;
    case 'value_sum':
      return `${field} adding up to ${hit.value} within ${span}`;
    case 'value_avg':
      return `${field} averaging ${hit.value} within ${span}`;
    case 'value_percentile': {
      const p = c.condition?.kind === 'threshold' ? c.condition.percentile : undefined;
      return `${p !== undefined ? `${p}th percentile` : 'percentile'} of ${field} at ${hit.value} within ${span}`;
    }
    case 'temporal':
      return c.condition?.kind === 'expression' ? `${hit.value} linked steps within ${span}` : `${hit.value} of ${c.rules.length} linked steps within ${span}`;
    case 'temporal_ordered':
      return c.condition?.kind === 'expression' ? `${hit.value} steps in order within ${span}` : `${hit.value} of ${c.rules.length} steps in order within ${span}`;
  }
}

/** The condition as written, for the explanation. */
function conditionText(hit: CorrelationHit): string {
  const c = hit.correlation.condition;
  if (c === undefined) return 'all referenced rules';
  if (c.kind === 'expression') return c.text;
  const cmp = c.comparisons.map((x) => `${x.op} ${x.value}`).join(' and ');
  const f = c.field.length > 0 ? ` (field ${c.field.join(', ')})` : '';
  const p = c.percentile !== undefined ? ` (percentile ${c.percentile})` : '';
  return `${cmp}${f}${p}`;
}

/** The severity: the correlation's level, else the highest level of the rules it links. */
function severityOf(hit: CorrelationHit, rules?: ReadonlyMap<string, ActiveRule>): Level {
  if (isLevel(hit.correlation.level)) return hit.correlation.level;
  let best: Level = 'medium';
  let found = false;
  for (const p of hit.parts) {
    const r = rules?.get(p.ruleId);
    if (r !== undefined && (!found || levelRank(r.level) > levelRank(best))) {
      best = r.level;
      found = true;
    }
  }
  return best;
}

/** The part whose mirror says most (sources and a destination), else the last part. */
function primaryPart<T extends { part: CorrelationHitPart; mirror: MirrorDetails }>(parts: readonly T[]): T {
  return parts.find((p) => p.mirror.sources.length > 0 && p.mirror.destination !== undefined) ?? parts[parts.length - 1];
}

function finalOutcome(ecs: readonly EcsDocument[]): string {
  let outcome = 'unknown';
  for (const doc of ecs) {
    const o = getPath(doc, 'event.outcome');
    if (o === 'success' || o === 'failure') outcome = o;
  }
  return outcome;
}

function mergeRelated(ecs: readonly EcsDocument[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const doc of ecs) {
    const rel = doc.related;
    if (!isObject(rel)) continue;
    for (const [k, v] of Object.entries(rel)) {
      const set = (out[k] ??= new Set());
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && x) set.add(x);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, s]) => [k, [...s].sort()]));
}

/** Builds the alert document for a correlation hit. */
export function buildCorrelationAlert(hit: CorrelationHit, options: CorrelationAlertOptions = {}): AlertDocument {
  const c = hit.correlation;
  const now = options.now ?? new Date();
  const described = hit.parts.map((part) => {
    // Device parts show their whole mirroring object, as rule alerts do.
    const extra: Event[] = [];
    if (options.context) {
      const keys = new Set(part.events.map((e) => e.actionKey));
      const have = new Set(part.events.map((e) => e.recordKey));
      for (const k of keys) for (const e of options.context.get(k)) if (!have.has(e.recordKey) && !extra.some((x) => x.recordKey === e.recordKey)) extra.push(e);
    }
    const events = extra.length === 0 ? part.events : [...part.events, ...extra].sort(compareEvents);
    return { part, events, mirror: describeMirror(events) };
  });
  const primary = primaryPart(described);
  const last = described[described.length - 1];

  // Evidence: every record of every part once, in time order; a record read twice keeps both origins.
  const matchedKeys = new Set(hit.parts.flatMap((p) => p.events.map((e) => e.recordKey)));
  const byKey = new Map<string, Event>();
  for (const d of described) for (const e of d.events) if (!byKey.has(e.recordKey)) byKey.set(e.recordKey, e);
  const all = [...byKey.values()].sort(compareEvents);
  const duplicates = new Map<string, Origin[]>();
  for (const p of hit.parts) for (const [k, list] of Object.entries(p.duplicates)) duplicates.set(k, [...(duplicates.get(k) ?? []), ...list]);
  const evidence: Evidence[] = all.slice(0, MAX_EVIDENCE).map((e) => ({
    '@timestamp': e.time,
    dataset: e.dataset,
    matched: matchedKeys.has(e.recordKey),
    origin: originText(e.origin),
    location: e.origin,
    duplicates: (duplicates.get(e.recordKey) ?? []).map(originText),
    record: e.raw,
  }));

  const severity = severityOf(hit, options.rulesById);
  const nums = SEVERITY_NUMBERS[severity];
  // Parts that describe the same object the same way (the lines of one device session matched by two rules) are
  // named once, at the first time.
  const steps: string[] = [];
  const said = new Set<string>();
  for (const d of described) {
    const what = d.mirror.summary || d.part.ruleTitle;
    if (said.has(what)) continue;
    said.add(what);
    steps.push(`at ${clock(d.part.timeMs)} ${what}`);
  }
  const message = `${c.title} (${[groupText(hit), measureText(hit)].filter((s) => s !== '').join('; ')}): ${steps.join('; then ')}`;

  const primaryEcs = ecsOf(primary.events[0]);
  const lastEcs = last.events.map(ecsOf);
  const lastEvent = isObject(lastEcs[0]?.event) ? lastEcs[0].event : {};
  const assumptions = [...new Set(all.flatMap((e) => e.assumptions ?? []))];
  const firstTime = hit.parts[0].time;
  const lastTime = last.part.time;
  const doc: AlertDocument = {
    '@timestamp': lastTime,
    message,
    event: {
      kind: 'alert',
      module: 'mirrorwatch',
      dataset: last.events[0].dataset,
      provider: lastEvent.provider,
      action: lastEvent.action,
      outcome: finalOutcome(lastEcs),
      severity: nums.severity,
      risk_score: nums.risk,
      start: firstTime,
      end: lastTime,
      created: now.toISOString(),
      id: hit.id,
    },
    rule: {
      id: c.id ?? `${c.source.file}:${c.source.line}`,
      name: c.title,
      description: (c.description ?? '').trim(),
      reference: c.references[0],
      ruleset: 'mirrorwatch',
      author: c.author,
      category: 'correlation',
    },
    threat: threatFromTags(c.tags),
    mirrorwatch: {
      severity,
      risk_factors: [],
      evidence,
      evidence_count: all.length,
      mirror: primary.mirror,
      correlation: {
        type: c.correlationType,
        group: Object.fromEntries(hit.group.map((g) => [g.name, g.value])),
        timespan: c.timespan.text,
        value: hit.value,
        window: { start: new Date(hit.windowStartMs).toISOString(), end: new Date(hit.windowEndMs).toISOString() },
        parts: described.map((d) => ({
          rule: { id: d.part.ruleId, title: d.part.ruleTitle },
          time: d.part.time,
          record_key: d.part.events[0]?.recordKey,
          action_key: d.part.hit === undefined ? d.part.key : undefined,
          correlation_id: d.part.hit?.id,
          action: d.mirror.action,
          summary: d.mirror.summary,
          records: d.part.events.length,
        })),
      },
      explanation: { correlation: c.correlationType, condition: conditionText(hit), measured: hit.value, group_by: c.groupBy, timespan: c.timespan.text },
      false_positives: c.falsepositives,
      rule_source: `${displayPath(c.source.file)}:${c.source.line}`,
      ...(assumptions.length > 0 ? { assumptions } : {}),
    },
  };
  for (const field of CONTEXT_FIELDS) if (primaryEcs[field] !== undefined) doc[field] = primaryEcs[field];
  const related = mergeRelated(all.map(ecsOf));
  if (Object.keys(related).length > 0) doc.related = related;
  return doc;
}
