/**
 * The rule linter: everything the loader reports, plus the checks a careful rule author wants (spec v2.1 attribute
 * formats, SigmaHQ conventions), each with its own code and a `file:line:column`.
 */
import { isMap, isSeq } from 'yaml';
import type { Diagnostic, Report } from '../core/diagnostic.js';
import { formatLocation } from '../core/diagnostic.js';
import { conditionIdentifiers } from './condition.js';
import { listValues, sigmaDiagnostic } from './diagnostic-codes.js';
import { KNOWN_KEYS, findRuleFiles, parseRuleDocuments, readRuleFile, sortByPosition } from './load.js';
import type { ParsedDocument } from './load.js';
import { detectionPlaceholders } from './placeholders.js';
import type { PlaceholderMap } from './placeholders.js';
import { regexOutsideSubset } from './regex-subset.js';
import { SIGMA_RELATION_TYPES } from './types.js';
import type { ConditionNode, DetectionNode, SigmaDetection, SigmaValue, SourceLocation } from './types.js';
import { mapEntries, readString } from './yaml-source.js';
import type { MapEntry } from './yaml-source.js';

/** Options for linting. */
export interface LintOptions {
  /**
   * The placeholder map rules will be compiled with: when given, an unresolved placeholder is an error (MW1210);
   * when absent, each placeholder is noted (MW1519).
   */
  placeholders?: PlaceholderMap;
}

/** Tag namespaces of the Sigma tags appendix (`sigma-appendix-tags.md`). */
export const TAG_NAMESPACES: readonly string[] = ['attack', 'car', 'cve', 'detection', 'tlp', 'stp'];

/** Top-level keys mirrorwatch itself defines, not reported as unknown. */
const MIRRORWATCH_KEYS: ReadonlySet<string> = new Set(['mirrorwatch']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
// Spec "Tags": lower-case letters, digits, `_` and `-`, namespaces separated by dots.
const TAG = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/;
// ATT&CK technique tags: attack.t1020 or attack.t1020.001.
const ATTACK_TECHNIQUE = /^attack\.t\d{4}(\.\d{3})?$/;
// Spec "LogSource": lower case, `_` for spaces, `.` and `-` allowed.
const LOGSOURCE_VALUE = /^[a-z0-9_.-]+$/;

/** True for a real calendar date in the form YYYY-MM-DD. */
export function isSigmaDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The entries of a document root, by key. */
function entriesOf(doc: ParsedDocument): Map<string, MapEntry> {
  return new Map(mapEntries(doc.src, doc.node).map((e) => [e.key, e]));
}

/** Checks on attributes every document kind has. */
function lintBase(doc: ParsedDocument, entries: Map<string, MapEntry>, report: Report): void {
  const { src } = doc;
  const title = entries.get('title');
  if (title !== undefined) {
    const t = readString(title.value);
    if (t !== undefined && t.trim() === '') report(sigmaDiagnostic('MW1517', src.loc(title.value), {}));
    else if (t !== undefined && t.length > 256) report(sigmaDiagnostic('MW1506', src.loc(title.value), { length: t.length }));
  }
  const id = entries.get('id');
  const idText = id === undefined ? undefined : readString(id.value);
  if (id !== undefined && idText !== undefined && !UUID.test(idText)) {
    report(sigmaDiagnostic('MW1500', src.loc(id.value), { value: idText }));
  }
  const dates: Record<'date' | 'modified', string | undefined> = { date: undefined, modified: undefined };
  for (const key of ['date', 'modified'] as const) {
    const e = entries.get(key);
    const text = e === undefined ? undefined : readString(e.value);
    if (e === undefined || text === undefined) continue;
    if (!isSigmaDate(text)) report(sigmaDiagnostic('MW1503', src.loc(e.value), { name: key, value: text }));
    else dates[key] = text;
  }
  if (dates.date !== undefined && dates.modified !== undefined && dates.modified < dates.date) {
    report(sigmaDiagnostic('MW1513', src.loc(entries.get('modified')?.value), { modified: dates.modified, date: dates.date }));
  }
  const tags = entries.get('tags');
  if (tags !== undefined && isSeq(tags.value)) {
    const seen = new Set<string>();
    for (const el of tags.value.items) {
      const node = src.deref(el);
      const tag = readString(node);
      if (tag === undefined) continue;
      const at = src.loc(node);
      if (seen.has(tag)) report(sigmaDiagnostic('MW1518', at, { value: tag }));
      seen.add(tag);
      if (!TAG.test(tag) || (/^attack\.t\d/.test(tag) && !ATTACK_TECHNIQUE.test(tag))) {
        report(sigmaDiagnostic('MW1504', at, { value: tag }));
        continue;
      }
      const ns = tag.slice(0, tag.indexOf('.'));
      if (!TAG_NAMESPACES.includes(ns)) {
        report(sigmaDiagnostic('MW1505', at, { value: tag, namespace: ns, expected: listValues(TAG_NAMESPACES) }));
      }
    }
  }
  const related = entries.get('related');
  if (related !== undefined && isSeq(related.value)) {
    for (const el of related.value.items) {
      const node = src.deref(el);
      if (!isMap(node)) continue;
      for (const e of mapEntries(src, node)) {
        const v = readString(e.value);
        if (v === undefined) continue;
        if (e.key === 'type' && !SIGMA_RELATION_TYPES.includes(v)) {
          report(sigmaDiagnostic('MW1515', src.loc(e.value), { value: v, expected: listValues(SIGMA_RELATION_TYPES) }));
        } else if (e.key === 'id' && !UUID.test(v)) {
          report(sigmaDiagnostic('MW1500', src.loc(e.value), { value: v }));
        }
      }
    }
  }
  const known = KNOWN_KEYS[doc.kind];
  for (const [key, e] of entries) {
    if (!known.has(key) && !MIRRORWATCH_KEYS.has(key) && key !== 'action') {
      report(sigmaDiagnostic('MW1509', src.loc(e.keyNode), { name: key }));
    }
  }
  const logsource = entries.get('logsource');
  if (logsource !== undefined && isMap(logsource.value)) {
    let any = false;
    for (const e of mapEntries(src, logsource.value)) {
      if (e.key !== 'category' && e.key !== 'product' && e.key !== 'service') continue;
      any = true;
      const v = readString(e.value);
      if (v !== undefined && !LOGSOURCE_VALUE.test(v)) {
        report(sigmaDiagnostic('MW1516', src.loc(e.value), { name: e.key, value: v }));
      }
    }
    if (!any) report(sigmaDiagnostic('MW1512', src.loc(logsource.keyNode), {}));
  }
}

function walkValues(node: DetectionNode, visit: (v: SigmaValue, at: SourceLocation) => void): void {
  if (node.kind === 'or') {
    for (const c of node.children) walkValues(c, visit);
    return;
  }
  for (const item of node.items) {
    const each = (v: SigmaValue): void => {
      visit(v, item.location);
      if (v.kind === 'expansion') v.values.forEach(each);
    };
    item.values.forEach(each);
  }
}

function usesAllOfThem(node: ConditionNode): boolean {
  switch (node.kind) {
    case 'of':
      return node.quantifier === 'all' && node.pattern === null;
    case 'not':
      return usesAllOfThem(node.child);
    case 'and':
    case 'or':
      return node.children.some(usesAllOfThem);
    case 'identifier':
      return false;
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
}

function usesThem(node: ConditionNode): boolean {
  switch (node.kind) {
    case 'of':
      return node.pattern === null;
    case 'not':
      return usesThem(node.child);
    case 'and':
    case 'or':
      return node.children.some(usesThem);
    case 'identifier':
      return false;
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
}

/** Checks on a parsed detection (rules and filters). */
function lintDetection(d: SigmaDetection, options: LintOptions, report: Report): void {
  const used = new Set<string>();
  for (const c of d.conditions) for (const n of conditionIdentifiers(c.ast)) used.add(n);
  const them = d.conditions.some((c) => usesThem(c.ast));
  for (const id of d.identifiers) {
    if (used.has(id.name)) continue;
    if (them && id.name.startsWith('_')) report(sigmaDiagnostic('MW1508', id.location, { name: id.name }));
    else report(sigmaDiagnostic('MW1507', id.location, { name: id.name }));
  }
  for (const c of d.conditions) if (usesAllOfThem(c.ast)) report(sigmaDiagnostic('MW1514', c.location, {}));
  for (const id of d.identifiers) {
    walkValues(id.body, (v, at) => {
      if (v.kind !== 'regex') return;
      const features = regexOutsideSubset(v.pattern);
      if (features.length > 0) report(sigmaDiagnostic('MW1510', at, { value: v.pattern, features: features.join(', ') }));
    });
  }
  const seen = new Set<string>();
  for (const p of detectionPlaceholders(d)) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    const map = options.placeholders;
    if (map === undefined) report(sigmaDiagnostic('MW1519', p.location, { name: p.name }));
    else if (!Object.prototype.hasOwnProperty.call(map, p.name) && !Object.prototype.hasOwnProperty.call(map, `%${p.name}%`)) {
      report(sigmaDiagnostic('MW1210', p.location, { name: p.name }));
    }
  }
}

/** One file's documents with the diagnostics the loader gave. */
interface FileDocuments {
  docs: ParsedDocument[];
  diagnostics: Diagnostic[];
}

function parseForLint(text: string, file: string): FileDocuments {
  const diagnostics: Diagnostic[] = [];
  const docs = parseRuleDocuments(text, file, (d) => diagnostics.push(d));
  return { docs, diagnostics };
}

/** Runs every check over a set of files' documents, including the checks across files. */
function lintAll(files: readonly FileDocuments[], options: LintOptions): Diagnostic[] {
  const perFile = files.map((f) => [...f.diagnostics]);
  const ids = new Map<string, SourceLocation>();
  const names = new Map<string, SourceLocation>();
  const references = new Set<string>();

  files.forEach((f, k) => {
    const report: Report = (d) => perFile[k].push(d);
    for (const doc of f.docs) {
      const entries = entriesOf(doc);
      lintBase(doc, entries, report);
      for (const key of ['id', 'name'] as const) {
        const e = entries.get(key);
        const v = e === undefined ? undefined : readString(e.value);
        if (e === undefined || v === undefined) continue;
        const at = doc.src.loc(e.value);
        const table = key === 'id' ? ids : names;
        const prior = table.get(v);
        if (prior !== undefined) {
          report(sigmaDiagnostic(key === 'id' ? 'MW1501' : 'MW1502', at, { value: v, other: formatLocation(prior) }));
        } else {
          table.set(v, at);
        }
        references.add(v);
      }
      const detection = doc.rule?.detection ?? doc.filter?.detection;
      if (detection !== undefined) lintDetection(detection, options, report);
    }
  });

  // References from correlations and filters, once every id and name is known.
  files.forEach((f, k) => {
    for (const doc of f.docs) {
      const section = doc.correlationSection ?? doc.filterSection;
      if (section === null) continue;
      section.rules.forEach((r, i) => {
        if (!references.has(r)) {
          perFile[k].push(
            sigmaDiagnostic('MW1511', section.ruleLocations[i], { kind: doc.kind === 'correlation' ? 'correlation' : 'filter', value: r }),
          );
        }
      });
    }
  });

  const out: Diagnostic[] = [];
  for (const list of perFile) {
    sortByPosition(list);
    out.push(...list);
  }
  return out;
}

/** Lints one file's text (cross-document checks apply within the text). */
export function lintRuleText(text: string, file: string, options: LintOptions = {}): Diagnostic[] {
  return lintAll([parseForLint(text, file)], options);
}

/** Lints rule files and directories (recursively, `*.yml`/`*.yaml`, skipping `*.tests.yml`), across files. */
export async function lintRuleFiles(paths: readonly string[], options: LintOptions = {}): Promise<Diagnostic[]> {
  const pathDiagnostics: Diagnostic[] = [];
  const report: Report = (d) => pathDiagnostics.push(d);
  const files: FileDocuments[] = [];
  for (const file of await findRuleFiles(paths, report)) {
    const text = await readRuleFile(file, report);
    if (text !== null) files.push(parseForLint(text, file));
  }
  return [...pathDiagnostics, ...lintAll(files, options)];
}
