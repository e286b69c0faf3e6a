/**
 * A rule's detection as one boolean expression over field predicates, the form every compiler walks (pySigma does
 * the same: its condition tree with `ConditionFieldEqualsValueExpression` leaves, `sigma/conditions.py`).
 * Identifiers are substituted, `1 of` / `all of` become OR / AND, value lists become OR (AND with `all`), `neq`
 * becomes NOT, and alternative groups (windash, base64offset, resolved placeholders) become OR.
 */
import { detectionPlaceholders, resolveDetectionPlaceholders } from '../sigma/placeholders.js';
import type { ConditionNode, DetectionItem, DetectionNode, SigmaDetection, SigmaValue } from '../sigma/types.js';
import { fail } from './reasons.js';

/** A value a predicate tests: any Sigma value but the `expansion` group, which becomes an OR. */
export type LeafValue = Exclude<SigmaValue, { kind: 'expansion' }>;

/** The expression tree. */
export type Expr =
  | { kind: 'and'; children: Expr[] }
  | { kind: 'or'; children: Expr[] }
  | { kind: 'not'; child: Expr }
  /** `field` null: a keyword search over the whole event. */
  | { kind: 'leaf'; field: string | null; value: LeafValue };

function simplify(kind: 'and' | 'or', children: Expr[]): Expr {
  const flat: Expr[] = [];
  for (const c of children) {
    if (c.kind === kind) flat.push(...c.children);
    else flat.push(c);
  }
  return flat.length === 1 ? flat[0] : { kind, children: flat };
}

function valueExpr(field: string | null, v: SigmaValue): Expr {
  if (v.kind === 'expansion') return simplify('or', v.values.map((x) => valueExpr(field, x)));
  return { kind: 'leaf', field, value: v };
}

function itemExpr(item: DetectionItem): Expr {
  const values = item.values.map((v) => valueExpr(item.field, v));
  const e = simplify(item.allOf ? 'and' : 'or', values);
  return item.negated ? { kind: 'not', child: e } : e;
}

function nodeExpr(node: DetectionNode): Expr {
  if (node.kind === 'and') return simplify('and', node.items.map(itemExpr));
  return simplify('or', node.children.map(nodeExpr));
}

function conditionExpr(node: ConditionNode, ids: Map<string, Expr>): Expr {
  switch (node.kind) {
    case 'identifier': {
      const e = ids.get(node.name);
      if (!e) throw new Error(`condition names unknown identifier ${node.name}`);
      return e;
    }
    case 'not':
      return { kind: 'not', child: conditionExpr(node.child, ids) };
    case 'and':
    case 'or':
      return simplify(node.kind, node.children.map((c) => conditionExpr(c, ids)));
    case 'of':
      return simplify(
        node.quantifier === 'all' ? 'and' : 'or',
        node.identifiers.map((n) => conditionExpr({ kind: 'identifier', name: n }, ids)),
      );
    default: {
      const never: never = node;
      throw new Error(`unexpected condition ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The detection of a rule as one expression. Placeholders are resolved from `placeholders`; an unresolved one fails
 * the rule (the spec requires rejecting it).
 */
export function detectionExpression(detection: SigmaDetection, placeholders: Record<string, string[]> = {}): Expr {
  let d: SigmaDetection | null = detection;
  if (detectionPlaceholders(d).length > 0) {
    const missing: string[] = [];
    d = resolveDetectionPlaceholders(d, placeholders, (diag) => missing.push(diag.message));
    if (d === null) fail('unresolved-placeholder', missing.join('; ') || 'a placeholder has no value');
  }
  const ids = new Map<string, Expr>();
  for (const id of d.identifiers) ids.set(id.name, nodeExpr(id.body));
  return conditionExpr(d.condition, ids);
}

/** Every field an expression reads (keyword searches excluded), in first-use order. */
export function expressionFields(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'leaf':
      if (e.field !== null && !out.includes(e.field)) out.push(e.field);
      if (e.value.kind === 'fieldref' && !out.includes(e.value.field)) out.push(e.value.field);
      return out;
    case 'not':
      return expressionFields(e.child, out);
    case 'and':
    case 'or':
      for (const c of e.children) expressionFields(c, out);
      return out;
  }
}
