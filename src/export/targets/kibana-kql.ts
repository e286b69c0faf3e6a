/**
 * Kibana Query Language (elastic.co/docs/reference/query-languages/kql; query-languages.md §3.3). On keyword fields
 * a value must match exactly, case included, and KQL has no case-insensitive operator, no regex and no
 * single-character wildcard. Sigma's case-insensitive values therefore need a caseless copy of the field (a keyword
 * multi-field with the built-in `lowercase` normalizer, which Elasticsearch also applies to the query's terms); the
 * field map names it (`caseless:`) and the Elastic package ships the component template that creates it. Without
 * one the rule fails with `case-insensitive-unavailable`: never a silently case-sensitive query.
 * Quoted values are phrases without wildcards; unquoted values escape `\ ( ) : < > " * { }` and whitespace.
 */
import { rejectSingleWildcard, TextQueryBackend, type RuleParts, type StringMatch } from '../backend.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import type { CompiledQuery, TargetName } from '../types.js';

/** A KQL quoted value (no wildcards inside). */
export function kqlQuoted(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Escapes a KQL unquoted literal. */
function kqlLiteral(s: string): string {
  if (/\s/.test(s)) fail('value-unrepresentable', `whitespace in the wildcard value "${s}"`);
  // KQL's keywords `and`, `or`, `not` must be escaped when they form a whole unquoted value.
  const escaped = s.replace(/[\\():<>"*{}]/g, (c) => `\\${c}`);
  return /^(and|or|not)$/i.test(escaped) ? `\\${escaped}` : escaped;
}

/** The KQL value of a string match (lower-cased for caseless fields). */
export function kqlValue(m: StringMatch, lower: boolean): string {
  rejectSingleWildcard(m);
  const t = (s: string): string => (lower ? s.toLowerCase() : s);
  switch (m.shape.kind) {
    case 'exact':
      return kqlQuoted(t(m.shape.text));
    case 'prefix':
      return `${kqlLiteral(t(m.shape.text))}*`;
    case 'suffix':
      return `*${kqlLiteral(t(m.shape.text))}`;
    case 'contains':
      return `*${kqlLiteral(t(m.shape.text))}*`;
    case 'pattern':
      return m.shape.parts.map((p) => (p.kind === 'multi' ? '*' : p.kind === 'text' ? kqlLiteral(t(p.text)) : '')).join('');
  }
}

/** The field a case-insensitive comparison uses, or the failure. */
export function caselessField(f: FieldSpec, m: StringMatch, target: string): string {
  if (m.cased) return f.name;
  if (f.kind === 'enum' || f.kind === 'number' || f.kind === 'boolean') return f.name;
  if (f.caseless) return f.caseless;
  return fail('case-insensitive-unavailable', `${f.name} is a keyword field without a caseless copy in mappings/${target}.yml`);
}

/** The Kibana KQL compiler. */
export class KibanaKqlBackend extends TextQueryBackend {
  readonly target: TargetName = 'kibana-kql';
  // Elasticsearch indexes every element of a JSON list as a value of the field.
  protected override listValues = 'multi-value' as const;

  protected str(f: FieldSpec, m: StringMatch): string {
    const name = caselessField(f, m, this.target);
    return `${name}: ${kqlValue(m, name !== f.name)}`;
  }

  protected override list(f: FieldSpec, ms: StringMatch[]): string | null {
    const name = caselessField(f, ms[0], this.target);
    return `${name}: (${ms.map((m) => kqlValue(m, name !== f.name)).join(' or ')})`;
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return exists ? `${f.name}: *` : `not ${f.name}: *`;
  }

  protected isNull(f: FieldSpec): string {
    return `not ${f.name}: *`;
  }

  protected override cidr(f: FieldSpec, cidr: string): string {
    return `${f.name}: ${kqlQuoted(cidr)}`;
  }

  protected override compare(f: FieldSpec, op: 'lt' | 'lte' | 'gt' | 'gte', value: number): string {
    return `${f.name} ${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[op]} ${value}`;
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: p.scope ? `${p.scope} and (${p.condition})` : p.condition }];
  }
}
