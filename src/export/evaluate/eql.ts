/**
 * Evaluates an EQL event query over an Elastic document with EQL's semantics (query-languages.md §3.1): an event
 * query runs as an Elasticsearch filter, so a predicate on a field without a value is false and `not` is a
 * `must_not` that keeps such documents (two-valued logic); a multi-valued field matches when any value does;
 * `:` and `like~` are case-insensitive wildcard matches of the whole value (`*`, `?`), `==`/`in`/`like`/`regex` are
 * case-sensitive, `regex` patterns are Lucene regexps matched against the whole value, `?f == null` is "no value".
 * Sequences are not evaluated (the report evaluates rules, not correlations).
 */
import { cidrContains, parseCidr } from '../../sigma/ip-address.js';
import type { EqlExpr, EqlQuery } from '../grammar/eql.js';
import { toJsRegExp } from '../grammar/lucene-regexp.js';
import { elasticValues, type ElasticDoc, type Scalar } from './documents.js';

/** A `*`/`?` wildcard pattern as an anchored RegExp (EQL and KQL/Lucene wildcards have no escapes here). */
export function globRegExp(pattern: string, caseInsensitive: boolean, escapes = false): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (escapes && c === '\\' && i + 1 < pattern.length) src += pattern[++i].replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    else if (c === '*') src += '[\\s\\S]*';
    else if (c === '?') src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'i' : '');
}

const cache = new Map<string, RegExp>();
function cached(key: string, make: () => RegExp): RegExp {
  let re = cache.get(key);
  if (!re) {
    re = make();
    cache.set(key, re);
  }
  return re;
}

function valuesOf(e: EqlExpr, doc: ElasticDoc): Scalar[] | null {
  if (e.k === 'field') return elasticValues(doc, e.path);
  if (e.k === 'lit') return e.value === null ? [] : [e.value];
  return null;
}

function equal(a: Scalar, b: Scalar, ci: boolean): boolean {
  if (typeof a === 'string' && typeof b === 'string') return ci ? a.toLowerCase() === b.toLowerCase() : a === b;
  return a === b || String(a) === String(b);
}

/** True when the document satisfies the expression. */
export function evalEql(e: EqlExpr, doc: ElasticDoc): boolean {
  switch (e.k) {
    case 'and':
      return e.children.every((c) => evalEql(c, doc));
    case 'or':
      return e.children.some((c) => evalEql(c, doc));
    case 'not':
      return !evalEql(e.e, doc);
    case 'pattern': {
      const vs = valuesOf(e.left, doc);
      if (vs === null) throw new Error('a pattern test on a computed value is outside the evaluated subset');
      const ci = e.op === ':' || e.op === 'like~' || e.op === 'regex~';
      const res = e.patterns.map((p) =>
        e.op.startsWith('regex') ? cached(`r${ci}${p}`, () => toJsRegExp(p, ci)) : cached(`g${ci}${p}`, () => globRegExp(p, ci)),
      );
      return vs.some((v) => res.some((re) => re.test(String(v))));
    }
    case 'in': {
      const vs = valuesOf(e.left, doc);
      if (vs === null) throw new Error('in on a computed value is outside the evaluated subset');
      const lits = e.values.map((v) => {
        if (v.k !== 'lit' || v.value === null) throw new Error('in takes constants in the evaluated subset');
        return v.value;
      });
      const hit = vs.some((v) => lits.some((l) => equal(v, l, e.insensitive)));
      return e.negated ? !hit : hit;
    }
    case 'cmp': {
      const vs = valuesOf(e.left, doc);
      if (vs === null || e.right.k !== 'lit') throw new Error('comparisons of a field with a constant only');
      const lit = e.right.value;
      if (lit === null) {
        if (e.op === '==') return vs.length === 0;
        if (e.op === '!=') return vs.length > 0;
        throw new Error('ordering comparison with null');
      }
      switch (e.op) {
        case '==':
          return vs.some((v) => equal(v, lit, false));
        case '!=':
          return !vs.some((v) => equal(v, lit, false));
        default: {
          const n = Number(lit);
          return vs.some((v) => {
            const x = Number(v);
            return e.op === '<' ? x < n : e.op === '<=' ? x <= n : e.op === '>' ? x > n : x >= n;
          });
        }
      }
    }
    case 'call': {
      if (e.name === 'cidrMatch') {
        const vs = valuesOf(e.args[0], doc) ?? [];
        const nets = e.args.slice(1).map((a) => {
          const p = a.k === 'lit' && typeof a.value === 'string' ? parseCidr(a.value) : null;
          if (!p || !p.ok) throw new Error('cidrMatch takes CIDR strings');
          return p.network;
        });
        return vs.some((v) => nets.some((n) => cidrContains(n, String(v))));
      }
      throw new Error(`the function ${e.name} is outside the evaluated subset`);
    }
    case 'field':
    case 'lit':
      throw new Error('a bare value is not a condition');
  }
}

/** True when an EQL event query selects the document (`any` or the document's event.category). */
export function eqlMatches(q: EqlQuery, doc: ElasticDoc): boolean {
  if (q.kind !== 'event') throw new Error('sequences are not evaluated');
  if (q.category !== 'any' && !elasticValues(doc, 'event.category').includes(q.category)) return false;
  return evalEql(q.where, doc);
}
