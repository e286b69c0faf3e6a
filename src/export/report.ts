/**
 * The coverage report of `mirrorwatch export --report`: per target, which rules compile, which fail and why, which
 * approximations were needed, and how the target's output is proven; over one corpus, what mirrorwatch's compiled
 * EQL, ES|QL, KQL, Lucene and AQL select when evaluated with their languages' semantics (src/export/evaluate/),
 * rule by rule against the native engine; and, evaluated by the same method, what the seeds' own EQL and AQL
 * flag (src/export/seed-queries.ts).
 */
import { ecsOf } from '../normalize/index.js';
import type { CorpusRecord } from './corpus.js';
import { levelRank } from '../core/alert.js';
import type { SigmaLevel } from '../sigma/types.js';
import { evaluateExports, isEvaluated, minus, type RuleAgreement } from './evaluate/index.js';
import type { FieldMap } from './field-map.js';
import { REASONS, type ReasonCode } from './reasons.js';
import { seedAqlMatches, seedEqlMatches } from './seed-queries.js';
import type { RuleExport, TargetName } from './types.js';

/** Per-target counts. */
export interface TargetCoverage {
  target: TargetName;
  rules: number;
  compiled: number;
  correlations: number;
  correlationsCompiled: number;
  failures: Partial<Record<ReasonCode, string[]>>;
  approximations: string[];
}

/** Counts a target's results. */
export function coverageOf(target: TargetName, exports: readonly RuleExport[]): TargetCoverage {
  const c: TargetCoverage = { target, rules: 0, compiled: 0, correlations: 0, correlationsCompiled: 0, failures: {}, approximations: [] };
  for (const e of exports) {
    if (e.kind === 'rule') c.rules++;
    else c.correlations++;
    if (e.result.status === 'compiled') {
      if (e.kind === 'rule') c.compiled++;
      else c.correlationsCompiled++;
      for (const a of e.result.approximations) {
        const line = `${a.code}: ${a.message}`;
        if (!c.approximations.includes(line)) c.approximations.push(line);
      }
    } else (c.failures[e.result.reason] ??= []).push(e.title);
  }
  return c;
}

/** What one query flags over a corpus, against the records mirrorwatch alerts on. */
export interface SeedScore {
  flagged: number;
  attacksFlagged: number;
  attacksMissed: number;
  benignFlagged: number;
  missedExamples: string[];
  benignExamples: string[];
}

function action(r: CorpusRecord): string {
  const f = r.event.fields;
  const v = f.eventName ?? f.operationName ?? (f.protoPayload as Record<string, unknown> | undefined)?.methodName ?? f.command ?? f.mnemonic;
  return `${r.event.dataset} ${typeof v === 'string' ? v : '?'}`;
}

function score(records: readonly CorpusRecord[], flags: (r: CorpusRecord) => boolean): SeedScore {
  const s: SeedScore = { flagged: 0, attacksFlagged: 0, attacksMissed: 0, benignFlagged: 0, missedExamples: [], benignExamples: [] };
  for (const r of records) {
    const f = flags(r);
    if (f) s.flagged++;
    if (r.alerted && f) s.attacksFlagged++;
    if (r.alerted && !f) {
      s.attacksMissed++;
      const a = action(r);
      if (!s.missedExamples.includes(a)) s.missedExamples.push(a);
    }
    if (!r.alerted && f) {
      s.benignFlagged++;
      const a = action(r);
      if (!s.benignExamples.includes(a)) s.benignExamples.push(a);
    }
  }
  return s;
}

/** One of mirrorwatch's compiled packs evaluated over the corpus: the records any rule at level low or above selects. */
export interface PackSelection {
  name: string;
  selected: ReadonlySet<string>;
}

/** The seeds, and mirrorwatch's evaluated packs, over one corpus. */
export function seedComparison(
  records: readonly CorpusRecord[],
  packs: readonly PackSelection[] = [],
): { records: number; attacks: number; eql: SeedScore; aql: SeedScore; packs: { name: string; score: SeedScore }[] } {
  const ecs = new Map(records.map((r) => [r.key, ecsOf(r.event)]));
  return {
    records: records.length,
    attacks: records.filter((r) => r.alerted).length,
    eql: score(records, (r) => seedEqlMatches(ecs.get(r.key) ?? {})),
    aql: score(records, (r) => seedAqlMatches(ecs.get(r.key) ?? {})),
    packs: packs.map((p) => ({ name: p.name, score: score(records, (r) => p.selected.has(r.key)) })),
  };
}

/** How each target's output is proven in `npm test`. */
export const PROOF: Record<TargetName, string> = {
  eql: 'grammar (EqlBase.g4) + evaluation over the corpus',
  esql: 'grammar (EsqlBaseParser.g4) + evaluation over the corpus',
  'kibana-kql': "grammar (Kibana's grammar.peggy) + evaluation over the corpus",
  lucene: 'grammar (classic QueryParser.jj + ES query_string) + evaluation over the corpus',
  splunk: 'grammar only (search, where, eval, streamstats)',
  sentinel: "analysis by Microsoft's Kusto language service against the table schemas",
  qradar: 'grammar (AQL reference) + evaluation over the corpus',
  secops: 'grammar only (YARA-L 2.0 syntax, UDM enums)',
  athena: 'execution on DuckDB (CloudTrail and Security Lake OCSF tables), rule by rule against scan',
  bigquery: 'execution on DuckDB (audit-log export table), rule by rule against scan',
  sigma: 're-loaded, linted and matched by mirrorwatch itself',
};

/** Evaluated rules of one target against the native engine. */
export interface TargetEvaluation {
  target: TargetName;
  agreements: RuleAgreement[];
}

/** The per-target evaluation table: rules that select exactly the native records, and the differences. */
export function renderEvaluation(evaluations: readonly TargetEvaluation[]): string {
  const out = ['| target | rules evaluated | same records as scan | records missed (declared approximation) | records missed (other) | extra records |', '|---|---:|---:|---:|---:|---:|'];
  for (const ev of evaluations) {
    let same = 0;
    let missedDeclared = 0;
    let missedOther = 0;
    let extra = 0;
    for (const a of ev.agreements) {
      const missed = minus(a.native, a.selected).length;
      const more = minus(a.selected, a.native).length;
      if (missed === 0 && more === 0) same++;
      if (a.approximations.length) missedDeclared += missed;
      else missedOther += missed;
      extra += more;
    }
    out.push(`| ${ev.target} | ${ev.agreements.length} | ${same} | ${missedDeclared} | ${missedOther} | ${extra} |`);
  }
  return `${out.join('\n')}\n`;
}

/** The report as Markdown. */
export function renderReport(
  coverage: readonly TargetCoverage[],
  seeds?: ReturnType<typeof seedComparison>,
  corpusName = 'corpus',
  evaluations: readonly TargetEvaluation[] = [],
): string {
  const out: string[] = [];
  out.push('| target | rules compiled | correlations compiled | failed (reason: count) | approximations | proven by |', '|---|---:|---:|---|---|---|');
  for (const c of coverage) {
    const fails = Object.entries(c.failures)
      .map(([r, titles]) => `${r}: ${titles.length}`)
      .join(', ');
    const approx = [...new Set(c.approximations.map((a) => a.split(':')[0]))].join(', ');
    out.push(`| ${c.target} | ${c.compiled}/${c.rules} | ${c.correlationsCompiled}/${c.correlations} | ${fails || '—'} | ${approx || '—'} | ${PROOF[c.target]} |`);
  }
  if (evaluations.length) {
    out.push('', `Compiled rules evaluated with their languages' semantics over the ${corpusName}, against the records \`scan\` matches for each rule:`, '');
    out.push(renderEvaluation(evaluations).trimEnd());
  }
  const reasons = new Set(coverage.flatMap((c) => Object.keys(c.failures) as ReasonCode[]));
  if (reasons.size) {
    out.push('', 'Failure reasons:', '');
    for (const r of reasons) out.push(`- \`${r}\`: ${REASONS[r]}`);
  }
  const approximations = [...new Set(coverage.flatMap((c) => c.approximations.map((a) => `${c.target}: ${a}`)))];
  if (approximations.length) {
    out.push('', 'Approximations:', '');
    for (const a of approximations) out.push(`- ${a}`);
  }
  if (seeds) {
    const row = (name: string, s: SeedScore): string =>
      `| ${name} | ${s.flagged} | ${s.attacksFlagged}/${seeds.attacks} | ${s.attacksMissed} (${s.missedExamples.slice(0, 6).join('; ') || '—'}) | ${s.benignFlagged} (${s.benignExamples.slice(0, 6).join('; ') || '—'}) |`;
    out.push(
      '',
      `Seed queries over the ${corpusName} (${seeds.records} records; ${seeds.attacks} records in alerts mirrorwatch raises at low or above):`,
      '',
      '| query | records flagged | attack records flagged | attacks missed | benign records flagged |',
      '|---|---:|---:|---|---|',
      `| mirrorwatch rules (native engine; the SQL exports return the same records on DuckDB) | ${seeds.attacks} | ${seeds.attacks}/${seeds.attacks} | 0 | 0 |`,
      ...seeds.packs.map((p) => row(p.name, p.score)),
      row('seed Elastic EQL', seeds.eql),
      row('seed QRadar AQL', seeds.aql),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The compiled exports of one target with its field map, as the report evaluates them. */
export interface TargetExports {
  target: TargetName;
  exports: readonly RuleExport[];
  map: FieldMap;
}

const PACK_NAMES: Partial<Record<TargetName, string>> = {
  eql: 'mirrorwatch EQL export (evaluated)',
  esql: 'mirrorwatch ES|QL export (evaluated)',
  'kibana-kql': 'mirrorwatch Kibana KQL export (evaluated)',
  lucene: 'mirrorwatch Lucene export (evaluated)',
  qradar: 'mirrorwatch AQL export (evaluated)',
};

/**
 * The whole report: coverage, the evaluation of every evaluated target over the corpus, and the seed comparison in
 * which mirrorwatch's evaluated packs (rules at level low or above) stand beside the seeds, evaluated the same way.
 */
export function fullReport(coverage: readonly TargetCoverage[], targets: readonly TargetExports[], records: readonly CorpusRecord[], levels: ReadonlyMap<string, string | undefined>, corpusName: string): string {
  const evaluations: TargetEvaluation[] = [];
  const packs: PackSelection[] = [];
  for (const t of targets) {
    if (!isEvaluated(t.target)) continue;
    const agreements = evaluateExports(t.target, t.exports, t.map, records);
    evaluations.push({ target: t.target, agreements });
    const selected = new Set<string>();
    for (const a of agreements) if (levelRank((levels.get(a.ruleId) ?? 'medium') as SigmaLevel) >= levelRank('low')) for (const k of a.selected) selected.add(k);
    packs.push({ name: PACK_NAMES[t.target] ?? t.target, selected });
  }
  return renderReport(coverage, seedComparison(records, packs), corpusName, evaluations);
}
