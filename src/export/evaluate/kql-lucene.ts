/**
 * Evaluates Kibana KQL and Lucene query_string queries over an Elastic document with Elasticsearch's semantics on
 * keyword fields: a value is one term compared exactly (case included; a `.caseless` multi-field holds lower-cased
 * values, and its `lowercase` normalizer lower-cases the query's terms too); a quoted value is a phrase, which on a
 * keyword field is the same exact term; `*` (and Lucene's `?`) are wildcards over the whole value; Lucene `/re/` is
 * a Lucene regexp over the whole value; `f: *` and `_exists_:f` test for a value; a negation is a `must_not`, which
 * keeps documents without the field. A multi-valued field matches when any value does. Lucene boolean groups follow
 * the classic parser's clauses: every MUST, no MUST_NOT, and one SHOULD when there is no MUST.
 */
import type { KqlNode } from '../grammar/kql.js';
import type { LuceneNode, LuceneTerm } from '../grammar/lucene.js';
import { toJsRegExp } from '../grammar/lucene-regexp.js';
import { elasticValues, type ElasticDoc } from './documents.js';
import { globRegExp } from './eql.js';

function normalised(field: string, s: string): string {
  return field.endsWith('.caseless') ? s.toLowerCase() : s;
}

/** True when the document satisfies a KQL query. */
export function kqlMatches(q: KqlNode, doc: ElasticDoc): boolean {
  switch (q.k) {
    case 'and':
      return q.children.every((c) => kqlMatches(c, doc));
    case 'or':
      return q.children.some((c) => kqlMatches(c, doc));
    case 'not':
      return !kqlMatches(q.e, doc);
    case 'range': {
      const n = Number(q.value);
      return elasticValues(doc, q.field).some((v) => {
        const x = Number(v);
        return q.op === '<' ? x < n : q.op === '<=' ? x <= n : q.op === '>' ? x > n : x >= n;
      });
    }
    case 'is': {
      const vs = elasticValues(doc, q.field).map(String);
      const v = q.value;
      if (!v.quoted && v.text === '*') return vs.length > 0;
      if (!v.quoted && v.wildcard) {
        const pattern = v.pieces.map((p) => normalised(q.field, p).replace(/[*?\\]/g, (c) => `\\${c}`)).join('*');
        const re = globRegExp(pattern, false, true);
        return vs.some((x) => re.test(x));
      }
      const term = normalised(q.field, v.text);
      return vs.some((x) => x === term);
    }
  }
}

function termMatches(field: string, t: LuceneTerm, doc: ElasticDoc): boolean {
  const vs = elasticValues(doc, field).map(String);
  switch (t.k) {
    case 'term':
    case 'phrase': {
      const term = normalised(field, t.text);
      return vs.some((x) => x === term);
    }
    case 'wildcard': {
      const re = globRegExp(field.endsWith('.caseless') ? t.pattern.toLowerCase() : t.pattern, false, true);
      return vs.some((x) => re.test(x));
    }
    case 'regexp': {
      const re = toJsRegExp(t.pattern, false);
      return vs.some((x) => re.test(x));
    }
    case 'range':
      throw new Error('ranges are not evaluated');
  }
}

/** True when the document satisfies a Lucene query. */
export function luceneMatches(q: LuceneNode, doc: ElasticDoc): boolean {
  switch (q.k) {
    case 'all':
      return true;
    case 'exists':
      return elasticValues(doc, q.field).length > 0;
    case 'field':
      return termMatches(q.field, q.term, doc);
    case 'bool': {
      const must = q.clauses.filter((c) => c.occur === 'must');
      const should = q.clauses.filter((c) => c.occur === 'should');
      const mustNot = q.clauses.filter((c) => c.occur === 'must_not');
      if (must.length === 0 && should.length === 0) return false;
      if (!must.every((c) => luceneMatches(c.q, doc))) return false;
      if (mustNot.some((c) => luceneMatches(c.q, doc))) return false;
      return must.length > 0 || should.some((c) => luceneMatches(c.q, doc));
    }
  }
}
