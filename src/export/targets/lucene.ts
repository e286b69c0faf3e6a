/**
 * Lucene `query_string` syntax (query-languages.md §3.3): `field:value`, `AND`/`OR`/`NOT`, `*`/`?` wildcards,
 * `/regexp/` matched against the whole term, `_exists_:field`; the characters
 * `+ - = && || > < ! ( ) { } [ ] ^ " ~ * ? : \ /` and spaces are escaped with `\`. Like Kibana KQL it has no
 * case-insensitive operator on keyword fields, so case-insensitive values use the field map's caseless copy
 * (lower-cased value and lower-cased regexp) or fail with `case-insensitive-unavailable`. A negation is written
 * `(*:* AND NOT x)` where it is not part of an AND, because a purely negative Lucene clause matches nothing.
 */
import { TextQueryBackend, type RuleContext, type RuleParts, type StringMatch } from '../backend.js';
import type { Expr, LeafValue } from '../expression.js';
import type { FieldSpec } from '../field-map.js';
import { fail } from '../reasons.js';
import { parseRegex, toLucene } from '../regex.js';
import type { CompiledQuery, TargetName } from '../types.js';
import { caselessField } from './kibana-kql.js';

/** Escapes a Lucene query_string term. */
export function luceneEscape(s: string): string {
  return s.replace(/[+\-=&|><!(){}[\]^"~*?:\\/ ]/g, (c) => `\\${c}`);
}

/** The Lucene compiler. */
export class LuceneBackend extends TextQueryBackend {
  readonly target: TargetName = 'lucene';
  // Elasticsearch indexes every element of a JSON list as a value of the field.
  protected override listValues = 'multi-value' as const;
  protected override andToken = ' AND ';
  protected override orToken = ' OR ';
  protected override notToken = 'NOT ';

  private value(m: StringMatch, lower: boolean): string {
    const t = (s: string): string => luceneEscape(lower ? s.toLowerCase() : s);
    switch (m.shape.kind) {
      case 'exact':
        return m.shape.text === '' ? '""' : t(m.shape.text);
      case 'prefix':
        return `${t(m.shape.text)}*`;
      case 'suffix':
        return `*${t(m.shape.text)}`;
      case 'contains':
        return `*${t(m.shape.text)}*`;
      case 'pattern':
        return m.shape.parts.map((p) => (p.kind === 'multi' ? '*' : p.kind === 'single' ? '?' : p.kind === 'text' ? t(p.text) : '')).join('');
    }
  }

  protected str(f: FieldSpec, m: StringMatch): string {
    const name = caselessField(f, m, this.target);
    return `${luceneEscape(name)}:${this.value(m, name !== f.name)}`;
  }

  protected override list(f: FieldSpec, ms: StringMatch[]): string | null {
    const name = caselessField(f, ms[0], this.target);
    return `${luceneEscape(name)}:(${ms.map((m) => this.value(m, name !== f.name)).join(' OR ')})`;
  }

  protected override regex(f: FieldSpec, v: LeafValue & { kind: 'regex' }): string {
    if (v.multiline) fail('regex-untranslatable', 'the m flag (Lucene regexps have no line anchors)');
    let name = f.name;
    if (v.ignoreCase) {
      if (!f.caseless) return fail('case-insensitive-unavailable', `${f.name}: a case-insensitive regex needs a caseless copy of the field (Lucene regexps have no (?i))`);
      name = f.caseless;
    }
    const re = toLucene(parseRegex(v.pattern), { lower: v.ignoreCase });
    return `${luceneEscape(name)}:/${re.replace(/\//g, '\\/')}/`;
  }

  protected exists(f: FieldSpec, exists: boolean): string {
    return exists ? `_exists_:${luceneEscape(f.name)}` : `(*:* AND NOT _exists_:${luceneEscape(f.name)})`;
  }

  protected isNull(f: FieldSpec): string {
    return `(*:* AND NOT _exists_:${luceneEscape(f.name)})`;
  }

  protected override cidr(f: FieldSpec, cidr: string): string {
    return `${luceneEscape(f.name)}:${luceneEscape(cidr)}`;
  }

  protected override negate(child: string): string {
    return `(*:* AND NOT ${this.group(child)})`;
  }

  override convert(e: Expr, ctx: RuleContext, guard = false): string {
    // Inside an AND a NOT needs no match-all clause: `a AND NOT (b)`.
    if (e.kind === 'and') {
      return e.children
        .map((c, i) => {
          if (c.kind === 'not' && i > 0) return `NOT ${this.group(this.convert(c.child, ctx, true))}`;
          const s = this.convert(c, ctx, guard);
          return c.kind === 'and' || c.kind === 'or' ? this.group(s) : s;
        })
        .join(' AND ');
    }
    return super.convert(e, ctx, guard);
  }

  protected query(p: RuleParts): CompiledQuery[] {
    return [{ on: p.ctx.source.from, text: p.scope ? `${p.scope} AND (${p.condition})` : p.condition }];
  }
}
