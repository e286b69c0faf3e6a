/**
 * Evaluates an AQL WHERE clause over a QRadar event with SQL's three-valued logic (a property without a value is
 * NULL; a comparison, LIKE, IN or function of NULL is NULL; NOT NULL is NULL; WHERE keeps TRUE rows only), as the
 * IBM AQL reference describes its operators: `=`/`LIKE`/`MATCHES` case-sensitive, `ILIKE`/`IMATCHES`
 * case-insensitive, `LIKE` wildcards `%` and `_` matching the whole value, `MATCHES` a Java regex that must match the
 * whole value (String.matches). A double-quoted name is a custom property: one the deployment does not define is an
 * error, as in QRadar. Aggregations (GROUP BY, HAVING) are not evaluated.
 */
import { cidrContains, parseCidr } from '../../sigma/ip-address.js';
import { javaRegex, type AqlExpr, type AqlQuery } from '../grammar/aql.js';
import type { QradarEvent } from './documents.js';

type V = string | number | null;
type B = boolean | null;

/** A SQL LIKE pattern (`%`, `_`) as an anchored RegExp. */
export function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const src = [...pattern].map((c) => (c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`, caseInsensitive ? 'i' : '');
}

const LOG_SOURCE_TYPES: Record<number, string> = { 347: 'Amazon AWS CloudTrail', 413: 'Microsoft Azure Platform', 449: 'Google Cloud Audit' };

function value(e: AqlExpr, ev: QradarEvent): V {
  switch (e.k) {
    case 'lit':
      return e.value;
    case 'prop': {
      if (e.quoted) {
        if (!ev.properties.has(e.name)) throw new Error(`the custom property "${e.name}" is not defined`);
        return ev.properties.get(e.name) ?? null;
      }
      const n = e.name.toLowerCase();
      if (n === 'devicetype') return ev.devicetype;
      if (n in ev.builtins) return ev.builtins[n];
      throw new Error(`the column ${e.name} is outside the evaluated subset`);
    }
    case 'call': {
      const args = e.args.map((a) => value(a, ev));
      switch (e.name) {
        case 'LOWER':
          return args[0] === null ? null : String(args[0]).toLowerCase();
        case 'UPPER':
          return args[0] === null ? null : String(args[0]).toUpperCase();
        case 'LOGSOURCETYPENAME':
          return typeof args[0] === 'number' ? (LOG_SOURCE_TYPES[args[0]] ?? null) : null;
        case 'INCIDR': {
          const p = typeof args[0] === 'string' ? parseCidr(args[0]) : null;
          if (!p || !p.ok) throw new Error('INCIDR takes a CIDR string');
          return args[1] === null ? null : cidrContains(p.network, String(args[1])) ? 1 : 0;
        }
        default:
          throw new Error(`the function ${e.name} is outside the evaluated subset`);
      }
    }
    case 'case': {
      for (const w of e.whens) if (cond(w.when, ev) === true) return value(w.then, ev);
      return e.otherwise ? value(e.otherwise, ev) : null;
    }
    default:
      throw new Error('a condition where a value was expected');
  }
}

function cmp(a: V, b: V, op: string): B {
  if (a === null || b === null) return null;
  const num = typeof a === 'number' || typeof b === 'number';
  const x = num ? Number(a) : String(a);
  const y = num ? Number(b) : String(b);
  switch (op) {
    case '=':
      return x === y;
    case '!=':
    case '<>':
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

const not = (b: B): B => (b === null ? null : !b);

/** The three-valued truth of a condition. */
export function cond(e: AqlExpr, ev: QradarEvent): B {
  switch (e.k) {
    case 'and': {
      let sawNull = false;
      for (const c of e.children) {
        const r = cond(c, ev);
        if (r === false) return false;
        if (r === null) sawNull = true;
      }
      return sawNull ? null : true;
    }
    case 'or': {
      let sawNull = false;
      for (const c of e.children) {
        const r = cond(c, ev);
        if (r === true) return true;
        if (r === null) sawNull = true;
      }
      return sawNull ? null : false;
    }
    case 'not':
      return not(cond(e.e, ev));
    case 'cmp':
      return cmp(value(e.left, ev), value(e.right, ev), e.op);
    case 'isnull': {
      const isNull = value(e.e, ev) === null;
      return e.negated ? !isNull : isNull;
    }
    case 'in': {
      const v = value(e.left, ev);
      if (v === null) return null;
      let sawNull = false;
      for (const x of e.values) {
        const r = cmp(v, value(x, ev), '=');
        if (r === true) return e.negated ? false : true;
        if (r === null) sawNull = true;
      }
      return sawNull ? null : e.negated;
    }
    case 'like': {
      const v = value(e.left, ev);
      if (v === null) return null;
      const re = e.op === 'LIKE' || e.op === 'ILIKE' ? likeRegExp(e.pattern, e.op === 'ILIKE') : javaRegex(e.pattern, e.op === 'IMATCHES');
      const hit = e.op === 'LIKE' || e.op === 'ILIKE' ? re.test(String(v)) : new RegExp(`^(?:${re.source})$`, re.flags).test(String(v));
      return e.negated ? !hit : hit;
    }
    case 'call': {
      const v = value(e, ev);
      return v === null ? null : v === 1;
    }
    default:
      throw new Error('a value where a condition was expected');
  }
}

/** True when the query's WHERE clause keeps the event (FROM events only). */
export function aqlMatches(q: AqlQuery, ev: QradarEvent): boolean {
  if (q.from !== 'events') return false;
  if (q.groupBy.length || q.having) throw new Error('aggregations are not evaluated');
  return q.where === null ? true : cond(q.where, ev) === true;
}
