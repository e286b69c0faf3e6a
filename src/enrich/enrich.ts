/**
 * The enrichment step between detection and sinks: for the alerts of one scan it sets the risk factors
 * (`mirrorwatch.risk_factors`), recomputes the severity (`mirrorwatch.severity`, `event.severity`,
 * `event.risk_score`, with the formula's parts in `mirrorwatch.scoring`), adds the playbook
 * (`mirrorwatch.playbook`), applies the tuning file (suppressed alerts move to `suppressed` with
 * `mirrorwatch.suppressed_by`; nothing is dropped), and tells the baselines what it saw.
 *
 * Alerts of one scan are read together: a session's target and filter are usually created minutes before it, a
 * denied or dry-run attempt precedes the success, and a correlation alert's parts are among them. Baselines are asked
 * about every alert before anything of this scan is remembered, so the answer does not depend on alert order.
 * The documents are enriched in place (they are returned in the two lists). Enrichment is idempotent: running it
 * again on its own output gives the same result.
 */
import type { AlertDocument, SuppressedBy } from '../core/alert.js';
import type { Report } from '../core/diagnostic.js';
import { getPath, isObject } from '../core/json.js';
import type { Baselines } from '../store/types.js';
import { buildPlaybook } from './playbook.js';
import type { AlertFacts, Attempt, BaselineAnswers, RiskFactor } from './risk.js';
import { approvedCollector, ATTEMPT_WINDOW_MS, evaluateFactors, factsOf, ScanIndex, scoreRisk, severityNumber, sortFactors } from './risk.js';
import type { FieldCondition, Pattern, Scope, Tuning, TuningEntry } from './tuning.js';
import { activeEntries, kindLabel } from './tuning.js';

/** What enrichment needs. */
export interface EnrichContext {
  /** The parsed tuning file, when one was given. */
  tuning?: Tuning;
  /** Baselines of the state store (an in-memory one with `--no-state`). */
  baselines: Baselines;
  /** The scan's clock (playbook times, expiry was judged when the tuning file was parsed). */
  now: Date;
  /** Where diagnostics go (none are emitted today; kept for MW42xx notes the CLI may print). */
  report: Report;
}

/** The enriched alerts, and the ones the tuning file suppressed. */
export interface EnrichResult {
  alerts: AlertDocument[];
  suppressed: AlertDocument[];
}

/** Enriches the alerts of one scan (see the module comment). Alerts keep their input order in each list. */
export function enrichAlerts(alerts: AlertDocument[], ctx: EnrichContext): EnrichResult {
  const facts = alerts.map(factsOf);
  const index = new ScanIndex(facts);
  for (const f of facts) index.resolve(f);

  // Baselines first, for every alert, before anything is remembered.
  const answers: BaselineAnswers[] = facts.map((f) => {
    if (f.principal === undefined || f.platform === undefined) return {};
    return {
      principalFirstSeen: ctx.baselines.firstSeen('principal-mirroring', f.principal.key, f.platform),
      ipFirstSeen: f.sourceIp !== undefined ? ctx.baselines.firstSeen('principal-source-ip', f.principal.key, f.sourceIp) : undefined,
    };
  });

  const attempts = attemptsByPrincipal(facts);
  const byOrigin = originIndex(facts);
  const factorsOf: RiskFactor[][] = facts.map((f, i) =>
    evaluateFactors(f, {
      index,
      tuning: ctx.tuning,
      baseline: answers[i],
      attempts: priorAttempts(f, attempts),
    }),
  );
  // A correlation alert describes its primary part; it also carries the factors of every part found in this scan
  // (for each factor, the evidence with the largest weight).
  const partsOf: AlertFacts[][] = facts.map((f) => (f.correlation ? partsOfCorrelation(f, byOrigin) : []));
  facts.forEach((f, i) => {
    if (!f.correlation) return;
    const merged = new Map<string, RiskFactor>();
    for (const x of [...factorsOf[i], ...partsOf[i].flatMap((p) => factorsOf[facts.indexOf(p)])]) {
      const cur = merged.get(x.name);
      if (cur === undefined || x.weight > cur.weight) merged.set(x.name, x);
    }
    factorsOf[i] = [...merged.values()];
  });

  const decisions = facts.map((f) => (f.correlation ? undefined : suppression(f, ctx.tuning)));
  facts.forEach((f, i) => {
    if (!f.correlation) return;
    // Its own rule's exceptions first; then it follows its parts: suppressed when all of them were.
    decisions[i] =
      suppression(f, ctx.tuning, true) ?? (partsOf[i].length > 0 ? correlationSuppression(partsOf[i], facts, decisions) : suppression(f, ctx.tuning));
  });

  const kept: AlertDocument[] = [];
  const suppressed: AlertDocument[] = [];
  facts.forEach((f, i) => {
    const doc = f.doc;
    const mine = sortFactors([...factorsOf[i]]);
    const foreign = doc.mirrorwatch.risk_factors.filter((x) => x.strength === undefined);
    const scoring = scoreRisk(f.baseLevel, mine);
    doc.mirrorwatch.risk_factors = [...mine, ...foreign];
    doc.mirrorwatch.severity = scoring.severity;
    doc.mirrorwatch.scoring = scoring;
    if (isObject(doc.event)) {
      doc.event.severity = severityNumber(scoring.severity);
      doc.event.risk_score = scoring.score;
    }
    doc.mirrorwatch.playbook = buildPlaybook(f, mine, scoring, partsOf[i], ctx.now);
    const notes = tuningNotes(f, ctx.tuning);
    if (notes.length > 0) doc.mirrorwatch.tuning_notes = notes;
    else delete doc.mirrorwatch.tuning_notes;
    const decision = decisions[i];
    if (decision !== undefined) {
      doc.mirrorwatch.suppressed_by = decision;
      suppressed.push(doc);
    } else {
      delete doc.mirrorwatch.suppressed_by;
      kept.push(doc);
    }
  });

  // Remember what this scan saw (successful actions only: a denied attempt does not make a principal known).
  for (const f of facts) {
    if (f.correlation || f.principal === undefined || f.platform === undefined || Number.isNaN(f.timeMs)) continue;
    if (f.outcome !== 'success' && f.outcome !== 'unknown') continue;
    if (f.mutating) ctx.baselines.remember('principal-mirroring', f.principal.key, f.platform, f.timeMs);
    if (f.sourceIp !== undefined) ctx.baselines.remember('principal-source-ip', f.principal.key, f.sourceIp, f.timeMs);
  }
  return { alerts: kept, suppressed };
}

// ---------------------------------------------------------------------------------------------------------------
// Attempts before success

/** Failed, denied and dry-run mutating attempts per principal, in time order. */
function attemptsByPrincipal(facts: readonly AlertFacts[]): Map<string, Attempt[]> {
  const out = new Map<string, Attempt[]>();
  for (const f of facts) {
    if (f.correlation || f.principal === undefined || Number.isNaN(f.timeMs)) continue;
    if (f.outcome !== 'failure' && f.outcome !== 'denied' && f.outcome !== 'dry-run') continue;
    const key = `${f.platform}|${f.principal.key}`;
    const list = out.get(key) ?? [];
    list.push({ timeMs: f.timeMs, action: f.mirror?.action ?? f.ruleName, outcome: f.outcome, reason: f.mirror?.outcomeReason });
    out.set(key, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.timeMs - b.timeMs);
  return out;
}

/** The attempts that precede one alert within the window. */
function priorAttempts(f: AlertFacts, all: Map<string, Attempt[]>): Attempt[] {
  if (f.principal === undefined || Number.isNaN(f.timeMs)) return [];
  const list = all.get(`${f.platform}|${f.principal.key}`) ?? [];
  // The list is in time order: binary-search the window's ends.
  const lowest = (t: number, inclusive: boolean): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].timeMs < t || (inclusive && list[mid].timeMs === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return list.slice(lowest(f.timeMs - ATTEMPT_WINDOW_MS, false), lowest(f.timeMs, true));
}

// ---------------------------------------------------------------------------------------------------------------
// Correlation alerts

/** Evidence origin → the (non-correlation) alerts whose evidence was read there. */
function originIndex(facts: readonly AlertFacts[]): Map<string, AlertFacts[]> {
  const out = new Map<string, AlertFacts[]>();
  for (const f of facts) {
    if (f.correlation) continue;
    for (const e of f.doc.mirrorwatch.evidence) {
      if (!e.matched) continue;
      const list = out.get(e.origin) ?? [];
      list.push(f);
      out.set(e.origin, list);
    }
  }
  return out;
}

/** The alerts of this scan that a correlation alert links (found through shared evidence). */
function partsOfCorrelation(f: AlertFacts, byOrigin: Map<string, AlertFacts[]>): AlertFacts[] {
  const out: AlertFacts[] = [];
  for (const e of f.doc.mirrorwatch.evidence) {
    for (const p of byOrigin.get(e.origin) ?? []) if (!out.includes(p)) out.push(p);
  }
  return out.sort((a, b) => a.timeMs - b.timeMs);
}

/** A correlation alert is suppressed when every part found in this scan was (by the first part's entry). */
function correlationSuppression(parts: readonly AlertFacts[], facts: readonly AlertFacts[], decisions: (SuppressedBy | undefined)[]): SuppressedBy | undefined {
  if (parts.length === 0) return undefined;
  const own = parts.map((p) => decisions[facts.indexOf(p)]);
  if (own.some((d) => d === undefined)) return undefined;
  const first = own[0] as SuppressedBy;
  return { ...first, reason: `every linked alert was suppressed; first by ${first.id}: ${first.reason}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Tuning

/** The record of the entry that suppressed an alert. */
function record(entry: TuningEntry): SuppressedBy {
  return {
    id: entry.id,
    kind: entry.kind,
    reason: entry.reason,
    ...(entry.ticket !== undefined ? { ticket: entry.ticket } : {}),
    ...(entry.expires !== undefined && entry.expiresMs !== undefined ? { expires: new Date(entry.expiresMs).toISOString() } : {}),
    location: entry.location,
  };
}

/** Whether any pattern matches any of the values. */
function anyMatch(patterns: readonly Pattern[], values: readonly string[]): boolean {
  return values.some((v) => patterns.some((p) => p.test(v)));
}

/** Values at a dotted path of the alert (arrays flattened; scalars as text). */
function valuesAt(doc: AlertDocument, path: string): string[] | undefined {
  const v = getPath(doc, path);
  if (v === undefined || v === null) return undefined;
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean').map((x) => String(x));
}

function conditionHolds(c: FieldCondition, doc: AlertDocument): boolean {
  const values = valuesAt(doc, c.path);
  switch (c.modifier) {
    case 'exists':
      return (values !== undefined && values.some((x) => x !== '')) === c.exists;
    case 'glob':
    case 'cidr':
      return values !== undefined && anyMatch(c.patterns, values);
  }
}

/**
 * Whether an entry's scope conditions hold for an alert. A `destinations` or `sources` condition does not exclude
 * an alert that names no destination or no source (a filter, a read); every mirrored source must match `sources`.
 */
export function scopeHolds(scope: Scope, f: AlertFacts): boolean {
  if (scope.rules !== undefined && !scope.rules.includes(f.ruleId.toLowerCase())) return false;
  if (scope.platforms !== undefined && (f.platform === undefined || !scope.platforms.includes(f.platform))) return false;
  if (scope.principals !== undefined && (f.principal === undefined || !anyMatch(scope.principals, f.principal.identities))) return false;
  if (scope.destinations !== undefined && f.destination !== undefined && !anyMatch(scope.destinations, f.destination.ids)) return false;
  if (scope.sources !== undefined && !f.sources.every((names) => anyMatch(scope.sources as Pattern[], names))) return false;
  if (scope.accounts !== undefined && !anyMatch(scope.accounts, f.accounts)) return false;
  if (scope.userAgents !== undefined && (f.userAgent === undefined || !anyMatch(scope.userAgents, [f.userAgent]))) return false;
  if (scope.match !== undefined && !scope.match.every((c) => conditionHolds(c, f.doc))) return false;
  return true;
}

/** Whether an approved principal's entry accepts the alert's destination. */
function destinationAccepted(f: AlertFacts, entry: { anyDestination: boolean; scope: Scope }, tuning: Tuning): boolean {
  if (f.destination === undefined || entry.anyDestination) return true;
  if (entry.scope.destinations !== undefined) return true; // checked by scopeHolds
  return approvedCollector(f.destination, tuning.collectors) !== undefined;
}

/**
 * The tuning entry that suppresses an alert, if any. Precedence: per-rule exceptions, then windows, then approved
 * principals (the most specific entry is the one recorded). `rulesOnly` evaluates exceptions only (correlation
 * alerts, whose other facts belong to their parts).
 */
function suppression(f: AlertFacts, tuning: Tuning | undefined, rulesOnly = false): SuppressedBy | undefined {
  if (tuning === undefined) return undefined;
  for (const e of activeEntries(tuning.exceptions)) {
    if (e.rules.includes(f.ruleId.toLowerCase()) && scopeHolds(e.scope, f)) return record(e);
  }
  if (rulesOnly) return undefined;
  for (const w of activeEntries(tuning.windows)) {
    if (Number.isNaN(f.timeMs) || f.timeMs < w.startsMs || f.timeMs >= w.expiresMs) continue;
    if (scopeHolds(w.scope, f)) return record(w);
  }
  for (const p of activeEntries(tuning.principals)) {
    if (f.principal === undefined || !anyMatch(p.principals, f.principal.identities)) continue;
    if (!scopeHolds(p.scope, f)) continue;
    if (destinationAccepted(f, p, tuning)) return record(p);
  }
  return undefined;
}

/** Notes for the analyst when a tuning entry nearly applied (an approved principal sending to an unapproved place). */
function tuningNotes(f: AlertFacts, tuning: Tuning | undefined): string[] {
  if (tuning === undefined || f.principal === undefined || f.correlation) return [];
  const out: string[] = [];
  for (const p of activeEntries(tuning.principals)) {
    if (!anyMatch(p.principals, f.principal.identities) || !scopeHolds(p.scope, f)) continue;
    if (!destinationAccepted(f, p, tuning)) {
      out.push(
        `${f.principal.label} is ${kindLabel(p.kind)} "${p.id}" (${p.location}), but ${f.destination !== undefined ? `${f.destination.label}${f.destination.resolvedVia !== undefined ? ` (${f.destination.resolvedVia})` : ''}` : 'the destination'} is not an approved collector, so the alert is kept`,
      );
    }
  }
  return out;
}
