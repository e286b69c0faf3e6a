/**
 * Evaluates an ES|QL `FROM … | WHERE …` query over an Elastic document with ES|QL's semantics (Elastic "Working with
 * NULL values in ES|QL", "ES|QL multivalued fields"; query-languages.md §3.2): three-valued logic (a missing field
 * is NULL, `NOT NULL` is NULL, WHERE keeps TRUE rows); a multivalued field makes comparisons, LIKE, RLIKE, IN and
 * functions that are not multivalue-aware return NULL; `==`, `LIKE` (`*`, `?`, `\` escapes), `RLIKE` (a Lucene
 * regexp over the whole value) and `IN` are case-sensitive; `TO_LOWER` lower-cases. Only the rule form (FROM and
 * WHERE) is evaluated; correlations (EVAL, STATS) are not.
 */
import { cidrContains, parseCidr } from '../../sigma/ip-address.js';
import type { EsqlExpr, EsqlQuery } from '../grammar/esql.js';
import { toJsRegExp } from '../grammar/lucene-regexp.js';
import { elasticValues, indexMatches, type ElasticDoc, type Scalar } from './documents.js';
import { globRegExp } from './eql.js';

/** An ES|QL value: NULL, a single value, or a multivalue. */
type V = null | Scalar | { mv: Scalar[] };
type B = boolean | null;

function single(v: V): Scalar | null {
  return v === null || (typeof v === 'object' && 'mv' in v) ? null : v;
}

function value(e: EsqlExpr, doc: ElasticDoc): V {
  switch (e.k) {
    case 'lit':
      return e.value;
    case 'field': {
      const vs = elasticValues(doc, e.path);
      return vs.length === 0 ? null : vs.length === 1 ? vs[0] : { mv: vs };
    }
    case 'call': {
      const args = e.args.map((a) => value(a, doc));
      const s = args.map(single);
      switch (e.name) {
        case 'TO_LOWER':
          return s[0] === null ? null : String(s[0]).toLowerCase();
        case 'TO_UPPER':
          return s[0] === null ? null : String(s[0]).toUpperCase();
        case 'STARTS_WITH':
          return s[0] === null || s[1] === null ? null : String(s[0]).startsWith(String(s[1]));
        case 'ENDS_WITH':
          return s[0] === null || s[1] === null ? null : String(s[0]).endsWith(String(s[1]));
        case 'CIDR_MATCH': {
          if (s[0] === null) return null;
          return s.slice(1).some((c) => {
            const p = parseCidr(String(c));
            return p.ok && cidrContains(p.network, String(s[0]));
          });
        }
        default:
          throw new Error(`the function ${e.name} is outside the evaluated subset`);
      }
    }
    default: {
      const b = cond(e, doc);
      return b;
    }
  }
}

function compare(a: Scalar | null, b: Scalar | null, op: string): B {
  if (a === null || b === null) return null;
  const num = typeof a === 'number' || typeof b === 'number';
  const x = num ? Number(a) : typeof a === 'boolean' || typeof b === 'boolean' ? String(a) : String(a);
  const y = num ? Number(b) : String(b);
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

/** The three-valued truth of a condition. */
export function cond(e: EsqlExpr, doc: ElasticDoc): B {
  switch (e.k) {
    case 'and': {
      let n = false;
      for (const c of e.children) {
        const r = cond(c, doc);
        if (r === false) return false;
        if (r === null) n = true;
      }
      return n ? null : true;
    }
    case 'or': {
      let n = false;
      for (const c of e.children) {
        const r = cond(c, doc);
        if (r === true) return true;
        if (r === null) n = true;
      }
      return n ? null : false;
    }
    case 'not': {
      const r = cond(e.e, doc);
      return r === null ? null : !r;
    }
    case 'isnull': {
      const isNull = value(e.e, doc) === null;
      return e.negated ? !isNull : isNull;
    }
    case 'cmp':
      return compare(single(value(e.left, doc)), single(value(e.right, doc)), e.op);
    case 'in': {
      const v = single(value(e.left, doc));
      if (v === null) return null;
      const hit = e.values.some((x) => compare(v, single(value(x, doc)), '==') === true);
      return e.negated ? !hit : hit;
    }
    case 'like': {
      const v = single(value(e.left, doc));
      if (v === null) return null;
      const re = e.op === 'LIKE' ? globRegExp(e.pattern, false, true) : toJsRegExp(e.pattern, false);
      const hit = re.test(String(v));
      return e.negated ? !hit : hit;
    }
    case 'call': {
      const v = value(e, doc);
      return typeof v === 'boolean' ? v : null;
    }
    case 'field':
    case 'lit':
    case 'span': {
      const v = e.k === 'span' ? null : single(value(e, doc));
      return typeof v === 'boolean' ? v : null;
    }
  }
}

/** True when `FROM <patterns> | WHERE <cond>` keeps the document. */
export function esqlMatches(q: EsqlQuery, doc: ElasticDoc): boolean {
  if (!indexMatches(q.sources.join(','), doc.index)) return false;
  for (const c of q.commands) {
    if (c.cmd !== 'WHERE') throw new Error(`${c.cmd} is not evaluated (rules only)`);
    if (cond(c.e, doc) !== true) return false;
  }
  return true;
}
