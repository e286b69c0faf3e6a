/**
 * Normalised Sigma, for sharing a rule with other Sigma tools: attributes in the specification's order, string
 * shapes written with wildcards instead of `contains`/`startswith`/`endswith` and transformation modifiers (base64,
 * utf16) already applied, so every Sigma converter reads the same values the engine matched. Other values keep the
 * modifiers they were written with. Correlations are written back as correlation documents. Nothing here depends on
 * a field map: the rule keeps its source-native field names.
 */
import { stringify } from 'yaml';
import { formatSigmaString } from '../../sigma/sigma-string.js';
import type { DetectionItem, DetectionNode, SigmaCorrelation, SigmaDetection, SigmaRule, SigmaValue } from '../../sigma/types.js';
import { TextQueryBackend, type RuleParts, type StringMatch } from '../backend.js';
import type { FieldSpec } from '../field-map.js';
import type { CompileResult, CompiledQuery, TargetName } from '../types.js';

const KEPT_FOR_STRINGS = new Set(['all', 'cased', 'neq']);

function writtenValue(v: SigmaValue): unknown {
  switch (v.kind) {
    case 'string':
      return formatSigmaString(v.parts);
    case 'number':
      return v.value;
    case 'boolean':
      return v.value;
    case 'null':
      return null;
    case 'regex':
      return v.pattern;
    case 'cidr':
      return v.cidr;
    case 'compare':
      return v.value;
    case 'exists':
      return v.exists;
    case 'fieldref':
      return v.field;
    case 'expansion':
      return v.written;
    case 'timepart':
      return v.value;
  }
}

function itemEntry(item: DetectionItem): [string, unknown] {
  const plainStrings = item.values.every((v) => v.kind === 'string');
  const modifiers = plainStrings ? item.modifiers.filter((m) => KEPT_FOR_STRINGS.has(m)) : item.modifiers;
  const key = [item.field ?? '', ...modifiers].join('|');
  const values = item.values.map(writtenValue);
  return [key, values.length === 1 ? values[0] : values];
}

function nodeValue(node: DetectionNode): unknown {
  if (node.kind === 'or') return node.children.map(nodeValue);
  if (node.items.length === 1 && node.items[0].field === null) {
    const [key, v] = itemEntry(node.items[0]);
    return key === '' ? (Array.isArray(v) ? v : [v]) : { [key]: v };
  }
  const out: Record<string, unknown> = {};
  for (const item of node.items) {
    const [key, v] = itemEntry(item);
    out[key] = v;
  }
  return out;
}

function detectionValue(d: SigmaDetection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const id of d.identifiers) out[id.name] = nodeValue(id.body);
  out.condition = d.conditions.length === 1 ? d.conditions[0].text : d.conditions.map((c) => c.text);
  return out;
}

function base(doc: SigmaRule | SigmaCorrelation): Record<string, unknown> {
  const out: Record<string, unknown> = { title: doc.title };
  if (doc.id !== undefined) out.id = doc.id;
  if (doc.name !== undefined) out.name = doc.name;
  if (doc.status !== undefined) out.status = doc.status;
  if (doc.description !== undefined) out.description = doc.description;
  if (doc.references.length) out.references = doc.references;
  if (doc.author !== undefined) out.author = doc.author;
  if (doc.date !== undefined) out.date = doc.date;
  if (doc.modified !== undefined) out.modified = doc.modified;
  if (doc.tags.length) out.tags = doc.tags;
  return out;
}

/** A rule as normalised Sigma YAML. */
export function normalisedSigma(rule: SigmaRule): string {
  const out = base(rule);
  const ls: Record<string, unknown> = {};
  for (const k of ['category', 'product', 'service', 'definition'] as const) if (rule.logsource[k] !== undefined) ls[k] = rule.logsource[k];
  out.logsource = ls;
  out.detection = detectionValue(rule.detection);
  if (rule.fields.length) out.fields = rule.fields;
  if (rule.falsepositives.length) out.falsepositives = rule.falsepositives;
  if (rule.level !== undefined) out.level = rule.level;
  for (const [k, v] of Object.entries(rule.custom)) out[k] = v;
  return stringify(out, { lineWidth: 0 });
}

/** A correlation as a normalised Sigma correlation document. */
export function normalisedCorrelation(corr: SigmaCorrelation): string {
  const out = base(corr);
  const c: Record<string, unknown> = { type: corr.correlationType, rules: corr.rules };
  if (corr.groupBy.length) c['group-by'] = corr.groupBy;
  c.timespan = corr.timespan.text;
  if (corr.condition?.kind === 'threshold') {
    const cond: Record<string, unknown> = {};
    for (const x of corr.condition.comparisons) cond[x.op] = x.value;
    if (corr.condition.field.length) cond.field = corr.condition.field.length === 1 ? corr.condition.field[0] : corr.condition.field;
    c.condition = cond;
  } else if (corr.condition?.kind === 'expression') c.condition = corr.condition.text;
  if (Object.keys(corr.aliases).length) c.aliases = corr.aliases;
  if (corr.generate) c.generate = true;
  out.correlation = c;
  if (corr.falsepositives.length) out.falsepositives = corr.falsepositives;
  if (corr.level !== undefined) out.level = corr.level;
  return stringify(out, { lineWidth: 0 });
}

/** The normalised-Sigma "compiler": never fails, never needs a field map. */
export class SigmaBackend extends TextQueryBackend {
  readonly target: TargetName = 'sigma';
  protected str(_f: FieldSpec, _m: StringMatch): string {
    throw new Error('the sigma target writes documents, not predicates');
  }
  protected exists(): string {
    throw new Error('unused');
  }
  protected isNull(): string {
    throw new Error('unused');
  }
  protected query(_p: RuleParts): CompiledQuery[] {
    throw new Error('unused');
  }
  override compileRule(rule: SigmaRule): CompileResult {
    return { status: 'compiled', queries: [{ on: 'sigma', text: normalisedSigma(rule) }], approximations: [], requirements: [] };
  }
  override compileCorrelation(corr: SigmaCorrelation): CompileResult {
    return { status: 'compiled', queries: [{ on: 'sigma', text: normalisedCorrelation(corr) }], approximations: [], requirements: [] };
  }
}
