/**
 * From matches to alerts. Matches of one rule that describe one action become one alert: records sharing an
 * action key (Azure Start/Accept/Success of one `correlationId`, GCP first/last of one `operation.id`, the
 * sub-mode lines of one SPAN session in one configuration session) and, for rules that ask for it, repeated
 * matches folded by `mirrorwatch.aggregate`. The same record read twice (a CloudTrail `eventID` delivered in two
 * files) is one piece of evidence with two origins. Alerts are sorted by time, then origin, so output does not
 * depend on the order files were read.
 */
import { createHash } from 'node:crypto';
import type { AlertDocument, Evidence } from '../core/alert.js';
import { SEVERITY_NUMBERS } from '../core/alert.js';
import type { Event, Origin } from '../core/event.js';
import { getPath, isObject } from '../core/json.js';
import { describeMirror } from '../enrich/mirror.js';
import { ecsOf, type EcsDocument } from '../normalize/index.js';
import type { ActiveRule } from './active-rule.js';
import type { AnalyticFinding } from './analytic.js';
import type { Match } from './scan.js';
import { eventTarget, type FieldAliases } from './target.js';
import { threatFromTags } from './threat.js';

/** Evidence records kept in full per alert; the rest are counted. */
export const MAX_EVIDENCE = 50;

/** Matches of one rule grouped into one alert, before the document is built. */
export interface AlertGroup {
  rule: ActiveRule;
  key: string;
  /** Distinct records, in time order (at most MAX_EVIDENCE). */
  events: Event[];
  /** Further origins of records read more than once, by record key. */
  duplicates: Map<string, Origin[]>;
  /** All distinct records, including those beyond MAX_EVIDENCE. */
  count: number;
  firstMs: number;
  lastMs: number;
  /** Rules that matched the same action and were superseded by this group's rule. */
  alsoMatched: { id: string; title: string }[];
}

/** Renders an origin as `file:line[:column] (record N)`. */
export function originText(o: Origin): string {
  let s = o.file;
  if (o.line !== undefined) s += `:${o.line}`;
  if (o.column !== undefined && o.column > 1) s += `:${o.column}`;
  if (o.record !== undefined) s += ` (record ${o.record})`;
  return s;
}

function compareOrigin(a: Origin, b: Origin): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.record ?? 0) - (b.record ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

function compareEvents(a: Event, b: Event): number {
  const ta = Number.isNaN(a.timeMs) ? Infinity : a.timeMs;
  const tb = Number.isNaN(b.timeMs) ? Infinity : b.timeMs;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareOrigin(a.origin, b.origin);
}

function aggregateKey(rule: ActiveRule, ev: Event, aliases?: FieldAliases): string | undefined {
  if (!rule.aggregate) return undefined;
  const target = eventTarget(ev, aliases);
  return rule.aggregate.by.map((f) => JSON.stringify(target.get(f) ?? null)).join('|');
}

/** Groups matches into alert groups (see the module comment). */
export function groupMatches(matches: readonly Match[], aliases?: FieldAliases): AlertGroup[] {
  const sorted = [...matches].sort((a, b) => compareEvents(a.event, b.event) || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  const open = new Map<string, AlertGroup>();
  const groups: AlertGroup[] = [];
  for (const { rule, event } of sorted) {
    const agg = aggregateKey(rule, event, aliases);
    const base = `${rule.id}|${agg === undefined ? `action:${event.actionKey}` : `agg:${agg}`}`;
    let group = open.get(base);
    if (group && rule.aggregate && !Number.isNaN(event.timeMs) && event.timeMs - group.lastMs > rule.aggregate.withinMs) {
      group = undefined; // the window has passed: a new alert
    }
    if (!group) {
      group = {
        rule,
        key: `${base}|${groups.length}`,
        events: [],
        duplicates: new Map(),
        count: 0,
        firstMs: event.timeMs,
        lastMs: event.timeMs,
        alsoMatched: [],
      };
      open.set(base, group);
      groups.push(group);
    }
    if (group.events.some((e) => e.recordKey === event.recordKey) || group.duplicates.has(event.recordKey)) {
      const seen = group.events.find((e) => e.recordKey === event.recordKey);
      if (!seen || compareOrigin(seen.origin, event.origin) !== 0) {
        const list = group.duplicates.get(event.recordKey) ?? [];
        list.push(event.origin);
        group.duplicates.set(event.recordKey, list);
      }
      continue;
    }
    group.count++;
    if (group.events.length < MAX_EVIDENCE) group.events.push(event);
    else group.duplicates.set(event.recordKey, []); // remembered so a later copy is not counted again
    if (!Number.isNaN(event.timeMs)) {
      if (Number.isNaN(group.firstMs) || event.timeMs < group.firstMs) group.firstMs = event.timeMs;
      if (Number.isNaN(group.lastMs) || event.timeMs > group.lastMs) group.lastMs = event.timeMs;
    }
  }
  return applySupersedes(groups);
}

/**
 * Drops a group when a rule that supersedes its rule raised a group for the same action (shared action key), and
 * records the dropped rule on the surviving alert, so one device configuration yields one alert per behaviour.
 */
function applySupersedes(groups: AlertGroup[]): AlertGroup[] {
  if (!groups.some((g) => g.rule.supersedes.length > 0)) return groups;
  const dropped = new Set<AlertGroup>();
  for (const winner of groups) {
    if (winner.rule.supersedes.length === 0) continue;
    const keys = new Set(winner.events.map((e) => e.actionKey));
    for (const loser of groups) {
      if (loser === winner || dropped.has(loser) || !winner.rule.supersedes.includes(loser.rule.id)) continue;
      if (!loser.events.some((e) => keys.has(e.actionKey))) continue;
      dropped.add(loser);
      if (!winner.alsoMatched.some((r) => r.id === loser.rule.id)) winner.alsoMatched.push({ id: loser.rule.id, title: loser.rule.title });
    }
  }
  return groups.filter((g) => !dropped.has(g));
}

/** ECS top-level fields copied from the evidence's ECS view into the alert (event.* is the alert's own). */
const CONTEXT_FIELDS = ['cloud', 'user', 'source', 'client', 'user_agent', 'observer', 'host', 'service', 'process', 'log', 'aws', 'azure', 'gcp', 'cisco', 'network'];

/** Picks the outcome an action ended with: a definite success/failure wins over unknown. */
function finalOutcome(ecs: EcsDocument[]): string {
  let outcome = 'unknown';
  for (const doc of ecs) {
    const o = getPath(doc, 'event.outcome');
    if (o === 'success' || o === 'failure') outcome = o;
  }
  return outcome;
}

function mergeRelated(ecs: EcsDocument[]): Record<string, string[]> {
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

/** Supplies the other lines of a device mirroring object (see `ActionContext` in `scan.ts`). */
export interface ContextSource {
  get(actionKey: string): readonly Event[];
}

/** Orders alert documents by time (parsed, not as strings: `…:11Z` and `…:11.5Z` differ in precision), then origin. */
export function compareAlerts(a: AlertDocument, b: AlertDocument): number {
  const ta = Date.parse(a['@timestamp']);
  const tb = Date.parse(b['@timestamp']);
  const na = Number.isNaN(ta) ? Infinity : ta;
  const nb = Number.isNaN(tb) ? Infinity : tb;
  if (na !== nb) return na < nb ? -1 : 1;
  const oa = a.mirrorwatch.evidence[0]?.origin ?? '';
  const ob = b.mirrorwatch.evidence[0]?.origin ?? '';
  return oa < ob ? -1 : oa > ob ? 1 : 0;
}

/**
 * Builds the alert document for a group (ECS + `mirrorwatch`), per DESIGN.md §6. With `context`, the configuration
 * lines of the same mirroring object that did not match themselves are added to the evidence (marked
 * `matched: false`) and to the mirror description.
 */
export function buildAlert(group: AlertGroup, aliases?: FieldAliases, context?: ContextSource, now = new Date()): AlertDocument {
  const { rule } = group;
  const matchedKeys = new Set(group.events.map((e) => e.recordKey));
  const extra: Event[] = [];
  if (context) {
    for (const key of new Set(group.events.map((e) => e.actionKey))) {
      for (const e of context.get(key)) {
        if (!matchedKeys.has(e.recordKey) && !extra.some((x) => x.recordKey === e.recordKey)) extra.push(e);
      }
    }
  }
  const events = extra.length === 0 ? group.events : [...group.events, ...extra].sort(compareEvents).slice(0, MAX_EVIDENCE);
  const ecs = group.events.map(ecsOf);
  const primary = ecs[0];
  const mirror = describeMirror(events);
  const severity = rule.level;
  const nums = SEVERITY_NUMBERS[severity];
  const evidence = evidenceOf(events, matchedKeys, group.duplicates);
  const assumptions = [...new Set(events.flatMap((e) => e.assumptions ?? []))];
  const primaryEvent = isObject(primary.event) ? primary.event : {};
  const doc: AlertDocument = {
    '@timestamp': events[0].time,
    message: mirror.summary || rule.title,
    event: {
      kind: 'alert',
      module: 'mirrorwatch',
      dataset: group.events[0].dataset,
      provider: primaryEvent.provider,
      action: primaryEvent.action,
      outcome: finalOutcome(ecs),
      severity: nums.severity,
      risk_score: nums.risk,
      start: events[0].time,
      end: events[events.length - 1].time,
      created: now.toISOString(),
      id: createHash('sha256').update(`${rule.id}|${group.events[0].recordKey}`).digest('hex').slice(0, 24),
    },
    rule: {
      id: rule.id,
      name: rule.title,
      description: rule.description,
      reference: rule.references[0],
      ruleset: 'mirrorwatch',
      author: rule.author,
      category: rule.logsource.product ?? rule.logsource.category,
    },
    threat: threatFromTags(rule.tags),
    mirrorwatch: {
      severity,
      risk_factors: [],
      evidence,
      evidence_count: group.count + extra.length,
      mirror,
      explanation: rule.explain(eventTarget(group.events[0], aliases)),
      false_positives: rule.falsepositives,
      ...(group.alsoMatched.length > 0 ? { also_matched: group.alsoMatched } : {}),
      rule_source: rule.source,
      ...(assumptions.length > 0 ? { assumptions } : {}),
    },
  };
  addContext(doc, ecs);
  return doc;
}

/** Evidence entries for events: raw record, where it was read, duplicates, and whether it matched itself. */
function evidenceOf(events: readonly Event[], matchedKeys: ReadonlySet<string>, duplicates: ReadonlyMap<string, Origin[]>): Evidence[] {
  return events.map((e) => ({
    '@timestamp': e.time,
    dataset: e.dataset,
    matched: matchedKeys.has(e.recordKey),
    origin: originText(e.origin),
    location: e.origin,
    duplicates: (duplicates.get(e.recordKey) ?? []).map(originText),
    record: e.raw,
  }));
}

/** Copies the ECS context of the first evidence event (cloud, user, observer, …) and merges `related.*`. */
function addContext(doc: AlertDocument, ecs: EcsDocument[]): void {
  const primary = ecs[0];
  for (const field of CONTEXT_FIELDS) {
    if (primary !== undefined && primary[field] !== undefined) doc[field] = primary[field];
  }
  const related = mergeRelated(ecs);
  if (Object.keys(related).length > 0) doc.related = related;
}

/** Builds the alert document for an analytic's finding, with the same contract as a rule's alert. */
export function buildFindingAlert(finding: AnalyticFinding, now = new Date()): AlertDocument {
  const events = [...finding.events].sort(compareEvents);
  const ecs = events.map(ecsOf);
  const severity = finding.level ?? finding.analytic.level;
  const nums = SEVERITY_NUMBERS[severity];
  const primaryEvent = ecs.length > 0 && isObject(ecs[0].event) ? ecs[0].event : {};
  const first = events[0];
  const doc: AlertDocument = {
    '@timestamp': first?.time ?? now.toISOString(),
    message: finding.message,
    event: {
      kind: 'alert',
      module: 'mirrorwatch',
      dataset: first?.dataset,
      provider: primaryEvent.provider,
      action: primaryEvent.action ?? finding.analytic.title,
      outcome: 'unknown',
      severity: nums.severity,
      risk_score: nums.risk,
      start: first?.time,
      end: events[events.length - 1]?.time,
      created: now.toISOString(),
      id: createHash('sha256').update(`${finding.analytic.id}|${first?.recordKey ?? finding.message}`).digest('hex').slice(0, 24),
    },
    rule: {
      id: finding.analytic.id,
      name: finding.analytic.title,
      description: finding.analytic.description,
      reference: finding.analytic.references[0],
      ruleset: 'mirrorwatch',
      author: 'mirrorwatch',
      category: 'analytic',
    },
    threat: threatFromTags(finding.analytic.tags),
    mirrorwatch: {
      severity,
      risk_factors: finding.riskFactors ?? [],
      evidence: evidenceOf(events, new Set(events.map((e) => e.recordKey)), new Map()),
      evidence_count: finding.count,
      analytic: finding.details,
      false_positives: finding.analytic.falsepositives,
    },
  };
  addContext(doc, ecs);
  return doc;
}
