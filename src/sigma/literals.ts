/**
 * Prefilter literals: a set of lower-case strings such that every event a rule matches contains at least one of them,
 * or null when no such set can be derived (the engine must then never skip records for the rule).
 *
 * Soundness, by structural induction (S(x) is the set derived for x; "e contains S" means some literal of S is a
 * substring of the lower-cased text of one of e's field values, or of a keyword text for keyword items):
 * - String value: the matcher compares the lower-cased value against the pattern whose text pieces are lower-cased
 *   separately (`glob.ts`), and a wildcard match contains every piece of the pattern verbatim; S = {longest piece}.
 *   A `cased` value matches the raw text, and lower-casing the text keeps the piece as a substring when the piece is
 *   ASCII; pieces with other characters (where lower-casing can depend on context, e.g. Greek final sigma) give null.
 *   A pattern with no text (`*`, `?`, '') gives null. Encoded values (base64, utf16, windash variants) are already the
 *   encoded strings here, so their pieces are what the event holds.
 * - Number: the matcher accepts a field whose string form equals the written text or the canonical `String(n)`;
 *   S = both. Boolean: S = {"true"} or {"false"}, the only forms that match.
 * - Expansion (windash, base64offset, placeholder): OR of its alternatives → union; null if any alternative is null.
 * - Item: values OR-ed → union (null if any is null); `all` → every value must match, so any single value's set
 *   works → the best one; `neq` → null (it matches by absence).
 * - Regex, cidr, compare, null, exists, fieldref, time part → null (no literal is certain).
 * - Map (AND of items) and `and` conditions: every child must match, so any non-null child's set works → the best
 *   (lowest `passEstimate`).
 * - List of maps (OR) and `or` conditions, `1 of`: union, null if any child is null. `all of` is an AND.
 * - `not` → null.
 * Finally a literal that contains another literal of the same set is dropped: whatever contains the longer one
 * contains the shorter.
 */
import { globPieces } from './glob.js';
import { regexFlags } from './modifiers.js';
import { requiredLiterals } from './regex-literals.js';
import type { ConditionNode, DetectionItem, DetectionNode, SigmaDetection, SigmaValue } from './types.js';

/** A literal set, or null for "cannot say". */
export type LiteralSet = string[] | null;

/**
 * The estimated share of records a set lets through, Σ 2^(−length/2) over its literals: fewer and longer literals
 * are better. Length stands in for specificity: `createtrafficmirrorsession` and three more event names (≈0.0007)
 * beat `ec2.amazonaws.com` alone (≈0.003), which every EC2 record holds.
 */
export function passEstimate(set: readonly string[]): number {
  let sum = 0;
  for (const s of set) sum += Math.pow(2, -s.length / 2);
  return sum;
}

function better(a: string[], b: string[]): boolean {
  const ea = passEstimate(a);
  const eb = passEstimate(b);
  return ea !== eb ? ea < eb : a.length < b.length;
}

/** The best non-null set among alternatives that are all required (AND), or null when all are null. */
export function bestOf(sets: readonly LiteralSet[]): LiteralSet {
  let best: string[] | null = null;
  for (const s of sets) if (s !== null && (best === null || better(s, best))) best = s;
  return best;
}

/** The union of alternatives of which any may hold (OR): null when any is null. */
export function unionOf(sets: readonly LiteralSet[]): LiteralSet {
  const out: string[] = [];
  for (const s of sets) {
    if (s === null) return null;
    out.push(...s);
  }
  return minimize(out);
}

/** Removes duplicates and literals that contain a shorter literal of the set; sorts for stable output. */
export function minimize(set: readonly string[]): string[] {
  const unique = [...new Set(set)].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const out: string[] = [];
  for (const s of unique) if (!out.some((t) => s.includes(t))) out.push(s);
  return out.sort();
}

/** True when every character is ASCII (lower-casing then works character by character). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The literal set of one value. */
export function valueLiterals(v: SigmaValue): LiteralSet {
  switch (v.kind) {
    case 'string': {
      const pieces = globPieces(v.parts, true);
      let longest = '';
      for (const p of pieces) if (p.length > longest.length) longest = p;
      if (longest === '') return null;
      if (v.cased && !isAscii(longest)) return null;
      return [longest];
    }
    case 'number': {
      const set = [v.text.toLowerCase()];
      const canonical = canonicalNumber(v);
      if (canonical !== null) set.push(canonical);
      return minimize(set);
    }
    case 'boolean':
      return [v.value ? 'true' : 'false'];
    case 'expansion':
      return unionOf(v.values.map(valueLiterals));
    case 'regex': {
      // A literal every match contains (`regex-literals.ts`), in the prefilter's lower case.
      const required = requiredLiterals(v.pattern, regexFlags(v))[0];
      return required === undefined ? null : [required.toLowerCase()];
    }
    case 'null':
    case 'cidr':
    case 'compare':
    case 'exists':
    case 'fieldref':
    case 'timepart':
      return null;
    default: {
      const never: never = v;
      throw new Error(`unexpected value ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The canonical text of a number written in decimal (`1.0` → "1"), which a JSON number field shows; null for other
 * notations (hex, octal), which Sigma compares as written.
 */
export function canonicalNumber(v: { value: number; text: string }): string | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.text) || !Number.isFinite(v.value)) return null;
  return String(v.value);
}

/** The literal set of one detection item. */
export function itemLiterals(item: DetectionItem): LiteralSet {
  if (item.negated) return null;
  const sets = item.values.map(valueLiterals);
  return item.allOf ? bestOf(sets) : unionOf(sets);
}

/** The literal set of a search identifier's body. */
export function nodeLiterals(node: DetectionNode): LiteralSet {
  return node.kind === 'and' ? bestOf(node.items.map(itemLiterals)) : unionOf(node.children.map(nodeLiterals));
}

/** The literal set of a condition over identifiers whose sets are given. */
export function conditionLiterals(node: ConditionNode, ids: ReadonlyMap<string, LiteralSet>): LiteralSet {
  const of = (name: string): LiteralSet => {
    const s = ids.get(name);
    if (s === undefined) throw new Error(`condition refers to unknown identifier ${name}`);
    return s;
  };
  switch (node.kind) {
    case 'identifier':
      return of(node.name);
    case 'of':
      return node.quantifier === 'all' ? bestOf(node.identifiers.map(of)) : unionOf(node.identifiers.map(of));
    case 'and':
      return bestOf(node.children.map((c) => conditionLiterals(c, ids)));
    case 'or':
      return unionOf(node.children.map((c) => conditionLiterals(c, ids)));
    case 'not':
      return null;
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
}

/** The prefilter literals of a detection (see the soundness argument above). */
export function detectionLiterals(d: SigmaDetection): LiteralSet {
  const ids = new Map<string, LiteralSet>();
  for (const id of d.identifiers) ids.set(id.name, nodeLiterals(id.body));
  const set = conditionLiterals(d.condition, ids);
  return set === null ? null : minimize(set);
}
