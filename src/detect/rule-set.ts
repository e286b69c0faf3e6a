/**
 * Loading the rules a scan runs: Sigma rule files (directories walked recursively, `*.tests.yml` example files
 * skipped), Sigma filter documents folded into the rules they name, each rule compiled once. Loading problems are
 * diagnostics; a broken rule is left out and the others still run.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isLevel } from '../core/alert.js';
import type { Diagnostic, Report } from '../core/diagnostic.js';
import { DATASETS, type Dataset } from '../core/event.js';
import { isObject } from '../core/json.js';
import { applyFilters, compileRule, loadRuleFiles, parseTimespan, type SigmaRule } from '../sigma/index.js';
import type { ActiveRule, Aggregation } from './active-rule.js';
import type { FieldAliases } from './target.js';

/** Codes for rule-set assembly problems (MW4000–MW4099). */
export const RULE_SET = {
  badAggregate: 'MW4001',
  duplicateId: 'MW4002',
  badAliases: 'MW4004',
} as const;

/** Reads `mirrorwatch.aggregate: {by: [...], within: 1h}` from a rule's custom attributes. */
function aggregationOf(rule: SigmaRule, report: Report): Aggregation | undefined {
  const mw = rule.custom.mirrorwatch;
  if (!isObject(mw) || mw.aggregate === undefined) return undefined;
  const agg = mw.aggregate;
  const where = { file: rule.source.file, line: rule.source.line };
  if (!isObject(agg) || !Array.isArray(agg.by) || !agg.by.every((x) => typeof x === 'string') || typeof agg.within !== 'string') {
    report({ code: RULE_SET.badAggregate, severity: 'error', message: 'mirrorwatch.aggregate needs by: [field, …] and within: <timespan such as 1h>', ...where });
    return undefined;
  }
  const span = parseTimespan(agg.within);
  if (span === null) {
    report({ code: RULE_SET.badAggregate, severity: 'error', message: `mirrorwatch.aggregate.within "${agg.within}" is not a timespan (e.g. 30m, 1h, 1d)`, ...where });
    return undefined;
  }
  return { by: agg.by as string[], withinMs: span };
}

/** Reads `mirrorwatch.supersedes: [rule id, …]`. */
function supersededBy(rule: SigmaRule, report: Report): string[] {
  const mw = rule.custom.mirrorwatch;
  if (!isObject(mw) || mw.supersedes === undefined) return [];
  if (!Array.isArray(mw.supersedes) || !mw.supersedes.every((x) => typeof x === 'string')) {
    report({ code: RULE_SET.badAggregate, severity: 'error', message: 'mirrorwatch.supersedes must be a list of rule ids', file: rule.source.file, line: rule.source.line });
    return [];
  }
  return mw.supersedes as string[];
}

/** A rule file as shown to people: relative to the working directory when it lies below it. */
function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** Turns a loaded Sigma rule into the engine's rule, compiling its detection. */
export function activate(rule: SigmaRule, report: Report): ActiveRule | undefined {
  const compiled = compileRule(rule, { report });
  if (compiled.rejected) return undefined;
  const level = isLevel(rule.level) ? rule.level : 'medium';
  return {
    id: rule.id ?? `${rule.source.file}:${rule.source.line}`,
    title: rule.title,
    description: (rule.description ?? '').trim(),
    level,
    status: rule.status,
    logsource: {
      ...(rule.logsource.category !== undefined ? { category: rule.logsource.category } : {}),
      ...(rule.logsource.product !== undefined ? { product: rule.logsource.product } : {}),
      ...(rule.logsource.service !== undefined ? { service: rule.logsource.service } : {}),
    },
    tags: rule.tags,
    references: rule.references,
    falsepositives: rule.falsepositives,
    author: rule.author,
    source: `${displayPath(rule.source.file)}:${rule.source.line}`,
    file: rule.source.file,
    literals: compiled.literals,
    match: (t) => compiled.match(t),
    explain: (t) => compiled.explain(t),
    aggregate: aggregationOf(rule, report),
    supersedes: supersededBy(rule, report),
  };
}

const loadedFiles = new Map<string, ReturnType<typeof loadRuleFiles>>();

/**
 * Loads the rule files under `paths` once per process: the rule set, the correlations and the export all read the
 * same files, and parsing a large pack (a thousand files) is the expensive part of starting a scan.
 */
export function loadRuleFilesOnce(paths: readonly string[]): ReturnType<typeof loadRuleFiles> {
  const key = JSON.stringify(paths);
  let p = loadedFiles.get(key);
  if (!p) {
    p = loadRuleFiles(paths);
    loadedFiles.set(key, p);
  }
  return p;
}

/** Loads and compiles every rule under `paths`. Each rule id is kept once (the first loaded wins). */
export async function loadRuleSet(paths: readonly string[], report: Report): Promise<ActiveRule[]> {
  const loaded = await loadRuleFilesOnce(paths);
  for (const d of loaded.diagnostics) report(d);
  return activateRules(loaded, report);
}

/** The rules and filters of loaded rule files, as plain data (a scan worker receives them instead of parsing YAML). */
export type ParsedRuleFiles = Pick<Awaited<ReturnType<typeof loadRuleFiles>>, 'rules' | 'filters'>;

/** Compiles parsed rules, their filters applied. Each rule id is kept once (the first wins). */
export function activateRules(loaded: ParsedRuleFiles, report: Report): ActiveRule[] {
  const out: ActiveRule[] = [];
  const seen = new Map<string, string>();
  for (const rule of loaded.rules) {
    const active = activate(applyFilters(rule, loaded.filters), report);
    if (!active) continue;
    const first = seen.get(active.id);
    if (first !== undefined) {
      if (first !== active.source) {
        report({ code: RULE_SET.duplicateId, severity: 'warning', message: `rule id ${active.id} also loaded from ${first}; this copy is ignored`, file: rule.source.file, line: rule.source.line });
      }
      continue;
    }
    seen.set(active.id, active.source);
    out.push(active);
  }
  return out;
}

/**
 * Loads field aliases (`mappings/aliases.yml`: dataset → alias field → canonical path), which let rules written
 * for other schemas run on the canonical fields.
 */
export async function loadAliases(mappingsDir: string, report: Report): Promise<FieldAliases> {
  const file = join(mappingsDir, 'aliases.yml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  const bad = (message: string): FieldAliases => {
    report({ code: RULE_SET.badAliases, severity: 'error', message, file } satisfies Diagnostic);
    return {};
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return bad(`cannot parse: ${(err as Error).message}`);
  }
  if (!isObject(doc)) return bad('expected a map of dataset → { alias: canonical field }');
  const out: FieldAliases = {};
  for (const [ds, map] of Object.entries(doc)) {
    if (!(DATASETS as readonly string[]).includes(ds)) return bad(`unknown dataset "${ds}": expected ${DATASETS.join(', ')}`);
    if (!isObject(map) || !Object.values(map).every((v) => typeof v === 'string')) return bad(`${ds}: expected alias: canonical-field pairs`);
    out[ds as Dataset] = map as Record<string, string>;
  }
  return out;
}
