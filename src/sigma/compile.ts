/**
 * The matcher: a rule compiled once into closures that evaluate an event.
 *
 * Semantics (spec v2.1, `sigma-rules-specification.md` and `sigma-appendix-modifiers.md`):
 * - Values compare case-insensitively unless `cased`; `*`/`?` are anchored to the whole value (`glob.ts`).
 * - Numbers and booleans compare by their string form: `readOnly: false` matches JSON `false` and `"false"`.
 * - A field holding an array matches when any element matches; a path through an array reaches every element.
 * - A field holding an object matches when any scalar inside it matches, as a keyword search confined to that field
 *   would: SigmaHQ's CloudTrail rules test whole members (`requestParameters|contains: 'Suspended'`,
 *   `responseElements|contains: 'Failure'`), which SIEMs hold as flattened text.
 * - `null` matches a missing or null field; `exists` tests presence only (null counts as present).
 * - `re` is an unanchored JavaScript RegExp search on the field's text, case-sensitive unless `i`.
 * - Keywords (values without a field) must occur somewhere in the event's keyword texts; wildcards apply.
 * - A value list is an OR (AND with `all`); a map is an AND; a list of maps is an OR; `neq` negates an item.
 *
 * Performance: each field is looked up, turned into text and lower-cased at most once per `match` call (per-rule
 * slot caches with a generation counter, so a call allocates nothing but the lower-cased strings); plain values
 * compile to `===`/`startsWith`/`endsWith`/`includes` or a Set lookup, never to a regex; evaluation short-circuits.
 */
import type { Diagnostic, Report } from '../core/diagnostic.js';
import { isObject } from '../core/json.js';
import { compileGlob } from './glob.js';
import type { GlobTest } from './glob.js';
import { cidrContains, parseCidr } from './ip-address.js';
import { canonicalNumber, detectionLiterals } from './literals.js';
import type { MatchTarget } from './match-target.js';
import { compareHolds, regexFlags } from './modifiers.js';
import { regexGuard } from './regex-literals.js';
import { detectionPlaceholders, resolveDetectionPlaceholders } from './placeholders.js';
import type { PlaceholderMap } from './placeholders.js';
import { formatSigmaString } from './sigma-string.js';
import { extractTimePart } from './time-part.js';
import type { ConditionNode, DetectionItem, DetectionNode, SigmaDetection, SigmaRule, SigmaValue } from './types.js';

/** One matched value of an item, for the analyst: the rule's value and the event's value that met it. */
export interface ItemMatch {
  field: string | null;
  modifiers: string[];
  /** The rule value that matched (as Sigma would write it; for a negated item, `not …`). */
  value: string;
  /** The event value that matched (for keywords, the text the keyword was found in). */
  actual: unknown;
}

/** Whether one search identifier matched, and through which items. */
export interface IdentifierExplanation {
  name: string;
  matched: boolean;
  /** The items that made it match (empty when it did not). */
  items: ItemMatch[];
}

/** Why a rule did or did not match an event. */
export interface MatchExplanation {
  matched: boolean;
  identifiers: IdentifierExplanation[];
}

/** A rule ready to match. */
export interface CompiledRule {
  rule: SigmaRule;
  match(target: MatchTarget): boolean;
  /** Prefilter literals (see `literals.ts`): lower-case, at least one occurs in every matched event; null = none. */
  literals: string[] | null;
  explain(target: MatchTarget): MatchExplanation;
  /**
   * True when the rule cannot run (an unresolved `expand` placeholder): `match` is always false, `literals` is
   * empty, and `diagnostics` says why. The spec requires such a rule to be rejected.
   */
  rejected: boolean;
  diagnostics: Diagnostic[];
}

/** Options for compiling. */
export interface CompileOptions {
  /** Values for `expand` placeholders (names without `%`). */
  placeholders?: PlaceholderMap;
  /** Receives diagnostics (also kept in `CompiledRule.diagnostics`). */
  report?: Report;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-call evaluation state
// ---------------------------------------------------------------------------------------------------------------

/** The text forms of a value: one string, several (an array), or none. */
type Forms = string | string[] | null;

/** Nesting depth beyond which a value's scalars are not collected (JSON.parse accepts any depth; recursion does not). */
const MAX_FORM_DEPTH = 256;

function collectForms(v: unknown, out: string[], depth: number): void {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number') {
    if (Number.isFinite(v)) out.push(String(v));
  } else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'bigint') out.push(String(v));
  else if (depth >= MAX_FORM_DEPTH) return;
  else if (Array.isArray(v)) for (const el of v) collectForms(el, out, depth + 1);
  else if (isObject(v)) for (const k in v) collectForms(v[k], out, depth + 1);
}

/** The string forms of an event value: a scalar's text, or every scalar inside an array or object (null has none). */
export function textForms(v: unknown): Forms {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || isObject(v)) {
    const out: string[] = [];
    collectForms(v, out, 0);
    return out.length === 0 ? null : out;
  }
  const out: string[] = [];
  collectForms(v, out, 0);
  return out.length === 0 ? null : out[0];
}

function lowerForms(f: Forms): Forms {
  if (f === null) return null;
  if (typeof f === 'string') return f.toLowerCase();
  return f.map((s) => s.toLowerCase());
}

/** Calls `test` on each form; returns the index of the first that passes, or -1. */
function firstForm(f: Forms, test: (s: string) => boolean): number {
  if (f === null) return -1;
  if (typeof f === 'string') return test(f) ? 0 : -1;
  for (let i = 0; i < f.length; i++) if (test(f[i])) return i;
  return -1;
}

function formAt(f: Forms, i: number): string | undefined {
  if (f === null) return undefined;
  return typeof f === 'string' ? f : f[i];
}

/** Flattens an event value into its scalar elements (arrays expanded). */
function scalars(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const el of v) scalars(el, out);
  else out.push(v);
}

const NO_TARGET: MatchTarget = { get: () => undefined, keywords: () => [] };

/** Caches of one `match` call; reused across calls, invalidated by bumping `gen`. */
class Evaluation {
  target: MatchTarget = NO_TARGET;
  private gen = 0;
  private readonly rawGen: Uint32Array;
  private readonly rawVal: unknown[];
  private readonly formGen: Uint32Array;
  private readonly formVal: Forms[];
  private readonly lowGen: Uint32Array;
  private readonly lowVal: Forms[];
  private kwGen = 0;
  private kwRaw: readonly string[] = [];
  private kwLowGen = 0;
  private kwLow: string[] = [];
  readonly idGen: Uint32Array;
  readonly idVal: Uint8Array;

  constructor(
    private readonly paths: readonly string[],
    identifiers: number,
  ) {
    const n = paths.length;
    this.rawGen = new Uint32Array(n);
    this.rawVal = new Array<unknown>(n);
    this.formGen = new Uint32Array(n);
    this.formVal = new Array<Forms>(n).fill(null);
    this.lowGen = new Uint32Array(n);
    this.lowVal = new Array<Forms>(n).fill(null);
    this.idGen = new Uint32Array(identifiers);
    this.idVal = new Uint8Array(identifiers);
  }

  begin(target: MatchTarget): void {
    this.target = target;
    this.gen++;
    if (this.gen === 0xffffffff) {
      this.gen = 1;
      this.rawGen.fill(0);
      this.formGen.fill(0);
      this.lowGen.fill(0);
      this.idGen.fill(0);
      this.kwGen = 0;
      this.kwLowGen = 0;
    }
  }

  end(): void {
    this.target = NO_TARGET;
  }

  get generation(): number {
    return this.gen;
  }

  raw(slot: number): unknown {
    if (this.rawGen[slot] !== this.gen) {
      this.rawVal[slot] = this.target.get(this.paths[slot]);
      this.rawGen[slot] = this.gen;
    }
    return this.rawVal[slot];
  }

  forms(slot: number): Forms {
    if (this.formGen[slot] !== this.gen) {
      this.formVal[slot] = textForms(this.raw(slot));
      this.formGen[slot] = this.gen;
    }
    return this.formVal[slot];
  }

  lowered(slot: number): Forms {
    if (this.lowGen[slot] !== this.gen) {
      const memo = (this.target.lowerMemo ??= new Map());
      const path = this.paths[slot];
      let v = memo.get(path) as Forms | undefined;
      if (v === undefined) {
        v = lowerForms(this.forms(slot));
        memo.set(path, v);
      }
      this.lowVal[slot] = v;
      this.lowGen[slot] = this.gen;
    }
    return this.lowVal[slot];
  }

  keywords(): readonly string[] {
    if (this.kwGen !== this.gen) {
      this.kwRaw = this.target.keywords();
      this.kwGen = this.gen;
    }
    return this.kwRaw;
  }

  keywordsLower(): readonly string[] {
    if (this.kwLowGen !== this.gen) {
      const raw = this.keywords();
      this.kwLow = raw.map((s) => s.toLowerCase());
      this.kwLowGen = this.gen;
    }
    return this.kwLow;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/** Where a value test reads its input: a field slot, or the keyword texts (slot -1). */
const KEYWORDS = -1;

/** A compiled value: `test` for matching, `witness` for explanations (the matching event value, or NO_MATCH). */
interface ValueTest {
  test(ev: Evaluation, slot: number): boolean;
  witness(ev: Evaluation, slot: number): { value: string; actual: unknown } | null;
}

/** Matches on text forms: lower-cased unless `cased`. */
function textTest(display: string, cased: boolean, t: (s: string) => boolean): ValueTest {
  const pick = (ev: Evaluation, slot: number): Forms =>
    slot === KEYWORDS ? (cased ? ev.keywords().slice() : ev.keywordsLower().slice()) : cased ? ev.forms(slot) : ev.lowered(slot);
  return {
    test(ev, slot) {
      if (slot === KEYWORDS) {
        const texts = cased ? ev.keywords() : ev.keywordsLower();
        for (const s of texts) if (t(s)) return true;
        return false;
      }
      return firstForm(cased ? ev.forms(slot) : ev.lowered(slot), t) >= 0;
    },
    witness(ev, slot) {
      const i = firstForm(pick(ev, slot), t);
      if (i < 0) return null;
      const original = slot === KEYWORDS ? ev.keywords()[i] : formAt(ev.forms(slot), i);
      return { value: display, actual: original };
    },
  };
}

/** Matches on the raw scalar elements of a field (numbers, dates, presence). */
function scalarTest(display: string, t: (v: unknown) => boolean): ValueTest {
  const find = (ev: Evaluation, slot: number): { found: boolean; v: unknown } => {
    const raw = ev.raw(slot);
    if (!Array.isArray(raw)) return { found: t(raw), v: raw };
    const all: unknown[] = [];
    scalars(raw, all);
    for (const v of all) if (t(v)) return { found: true, v };
    return { found: false, v: undefined };
  };
  return {
    test: (ev, slot) => {
      const raw = ev.raw(slot);
      if (!Array.isArray(raw)) return t(raw);
      return find(ev, slot).found;
    },
    witness: (ev, slot) => {
      const r = find(ev, slot);
      return r.found ? { value: display, actual: r.v } : null;
    },
  };
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return null;
    const n = Number(s);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

const OP_SYMBOL = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=' } as const;

/** Writes a value as the analyst should read it. */
export function displayValue(v: SigmaValue): string {
  switch (v.kind) {
    case 'string':
      return formatSigmaString(v.parts) + (v.cased ? ' (cased)' : '');
    case 'number':
      return v.text;
    case 'boolean':
      return v.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'regex':
      return `/${v.pattern}/${regexFlags(v)}`;
    case 'cidr':
      return v.cidr;
    case 'compare':
      return `${OP_SYMBOL[v.op]} ${v.value}`;
    case 'exists':
      return v.exists ? 'exists' : 'does not exist';
    case 'fieldref':
      return `${v.mode === 'equals' ? '=' : v.mode} field ${v.field}`;
    case 'expansion':
      return v.written;
    case 'timepart':
      return `${v.part} ${OP_SYMBOL[v.op]} ${v.value}`;
    default: {
      const never: never = v;
      throw new Error(`unexpected value ${JSON.stringify(never)}`);
    }
  }
}

/** Compiles one value for a field item or (keyword) for the keyword texts. */
function compileValue(v: SigmaValue, keyword: boolean, slotOf: (path: string) => number): ValueTest {
  const display = displayValue(v);
  switch (v.kind) {
    case 'string': {
      // Keywords match anywhere in the text (Sigma keyword semantics): wrap in `*` unless already there.
      let parts = v.parts;
      if (keyword) {
        parts = parts.slice();
        if (parts[0]?.kind !== 'multi') parts.unshift({ kind: 'multi' });
        if (parts[parts.length - 1]?.kind !== 'multi') parts.push({ kind: 'multi' });
      }
      const g: GlobTest = compileGlob(parts, !v.cased);
      return textTest(display, v.cased, g);
    }
    case 'number': {
      const text = v.text.toLowerCase();
      const canonical = canonicalNumber(v);
      if (keyword) {
        return textTest(display, false, (s) => s.includes(text) || (canonical !== null && s.includes(canonical)));
      }
      return textTest(display, false, (s) => s === text || s === canonical);
    }
    case 'boolean': {
      const text = v.value ? 'true' : 'false';
      return textTest(display, false, keyword ? (s) => s.includes(text) : (s) => s === text);
    }
    case 'regex': {
      const flags = regexFlags(v);
      const re = new RegExp(v.pattern, flags);
      // A literal every match contains is looked for first: most strings lack it (`regex-literals.ts`).
      const guard = regexGuard(v.pattern, flags);
      return textTest(display, true, guard ? (s) => guard(s) && re.test(s) : (s) => re.test(s));
    }
    case 'cidr': {
      const parsed = parseCidr(v.cidr);
      if (!parsed.ok) throw new Error(`cidr ${v.cidr} passed the loader but does not parse: ${parsed.reason}`);
      const net = parsed.network;
      return textTest(display, true, (s) => cidrContains(net, s));
    }
    case 'compare': {
      const { op, value } = v;
      return scalarTest(display, (x) => {
        const n = toNumber(x);
        return n !== null && compareHolds(op, n, value);
      });
    }
    case 'timepart': {
      const { part, op, value } = v;
      return scalarTest(display, (x) => {
        const n = extractTimePart(x, part);
        return n !== undefined && compareHolds(op, n, value);
      });
    }
    case 'null':
      return {
        test: (ev, slot) => {
          const raw = ev.raw(slot);
          return raw === undefined || raw === null;
        },
        witness: (ev, slot) => {
          const raw = ev.raw(slot);
          return raw === undefined || raw === null ? { value: display, actual: raw ?? null } : null;
        },
      };
    case 'exists': {
      const want = v.exists;
      return {
        test: (ev, slot) => (ev.raw(slot) !== undefined) === want,
        witness: (ev, slot) => {
          const raw = ev.raw(slot);
          return (raw !== undefined) === want ? { value: display, actual: raw } : null;
        },
      };
    }
    case 'fieldref': {
      const other = slotOf(v.field);
      const { mode, cased } = v;
      const holds = (a: string, b: string): boolean =>
        mode === 'equals' ? a === b : mode === 'startswith' ? a.startsWith(b) : mode === 'endswith' ? a.endsWith(b) : a.includes(b);
      const find = (ev: Evaluation, slot: number): { i: number } | null => {
        const mine = cased ? ev.forms(slot) : ev.lowered(slot);
        const theirs = cased ? ev.forms(other) : ev.lowered(other);
        if (mine === null || theirs === null) return null;
        const i = firstForm(mine, (a) => firstForm(theirs, (b) => holds(a, b)) >= 0);
        return i < 0 ? null : { i };
      };
      return {
        test: (ev, slot) => find(ev, slot) !== null,
        witness: (ev, slot) => {
          const r = find(ev, slot);
          return r === null ? null : { value: display, actual: formAt(ev.forms(slot), r.i) };
        },
      };
    }
    case 'expansion': {
      const inner = v.values.map((x) => compileValue(x, keyword, slotOf));
      return {
        test: (ev, slot) => {
          for (const t of inner) if (t.test(ev, slot)) return true;
          return false;
        },
        witness: (ev, slot) => {
          for (const t of inner) {
            const w = t.witness(ev, slot);
            if (w !== null) return w;
          }
          return null;
        },
      };
    }
    default: {
      const never: never = v;
      throw new Error(`unexpected value ${JSON.stringify(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Items, identifiers, conditions
// ---------------------------------------------------------------------------------------------------------------

interface ItemTest {
  test(ev: Evaluation): boolean;
  explain(ev: Evaluation): ItemMatch[] | null;
}

/** True for a plain value that a Set lookup can decide (exact text, case-insensitive). */
function isExactText(v: SigmaValue): v is SigmaValue & { kind: 'string' } {
  return v.kind === 'string' && !v.cased && v.parts.every((p) => p.kind === 'text');
}

function compileItem(item: DetectionItem, slotOf: (path: string) => number): ItemTest {
  const keyword = item.field === null;
  const slot = item.field === null ? KEYWORDS : slotOf(item.field);
  let tests: ValueTest[];
  let exact: Set<string> | null = null;
  if (!item.allOf && !keyword) {
    // Many plain alternatives (eventName: [CreateTrafficMirrorSession, …]) become one Set lookup.
    const plain = item.values.filter(isExactText);
    if (plain.length >= 4) {
      exact = new Set(plain.map((v) => v.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('').toLowerCase()));
      tests = item.values.filter((v) => !isExactText(v)).map((v) => compileValue(v, keyword, slotOf));
    } else {
      tests = item.values.map((v) => compileValue(v, keyword, slotOf));
    }
  } else {
    tests = item.values.map((v) => compileValue(v, keyword, slotOf));
  }
  const allTests = item.values.map((v) => compileValue(v, keyword, slotOf)); // for explanations, in written order
  const set = exact;
  const positive = (ev: Evaluation): boolean => {
    if (item.allOf) {
      for (const t of tests) if (!t.test(ev, slot)) return false;
      return true;
    }
    if (set !== null && firstForm(ev.lowered(slot), (s) => set.has(s)) >= 0) return true;
    for (const t of tests) if (t.test(ev, slot)) return true;
    return false;
  };
  const base = { field: item.field, modifiers: item.modifiers };
  return {
    test: item.negated ? (ev) => !positive(ev) : positive,
    explain(ev) {
      if (item.negated) {
        if (positive(ev)) return null;
        const written = item.values.map(displayValue).join(', ');
        return [{ ...base, value: `not ${item.values.length > 1 ? `(${written})` : written}`, actual: slot === KEYWORDS ? null : (ev.raw(slot) ?? null) }];
      }
      const out: ItemMatch[] = [];
      for (const t of allTests) {
        const w = t.witness(ev, slot);
        if (w !== null) {
          out.push({ ...base, value: w.value, actual: w.actual });
          if (!item.allOf) return out;
        } else if (item.allOf) {
          return null;
        }
      }
      return out.length > 0 ? out : null;
    },
  };
}

interface NodeTest {
  test(ev: Evaluation): boolean;
  explain(ev: Evaluation): ItemMatch[] | null;
}

function compileNode(node: DetectionNode, slotOf: (path: string) => number): NodeTest {
  if (node.kind === 'and') {
    const items = node.items.map((i) => compileItem(i, slotOf));
    return {
      test(ev) {
        for (const i of items) if (!i.test(ev)) return false;
        return true;
      },
      explain(ev) {
        const out: ItemMatch[] = [];
        for (const i of items) {
          const m = i.explain(ev);
          if (m === null) return null;
          out.push(...m);
        }
        return out;
      },
    };
  }
  const children = node.children.map((c) => compileNode(c, slotOf));
  return {
    test(ev) {
      for (const c of children) if (c.test(ev)) return true;
      return false;
    },
    explain(ev) {
      for (const c of children) {
        const m = c.explain(ev);
        if (m !== null) return m;
      }
      return null;
    },
  };
}

type Cond = (ev: Evaluation) => boolean;

function compileCondition(node: ConditionNode, idTest: (name: string) => Cond): Cond {
  switch (node.kind) {
    case 'identifier':
      return idTest(node.name);
    case 'not': {
      const c = compileCondition(node.child, idTest);
      return (ev) => !c(ev);
    }
    case 'and': {
      const cs = node.children.map((c) => compileCondition(c, idTest));
      return (ev) => {
        for (const c of cs) if (!c(ev)) return false;
        return true;
      };
    }
    case 'or': {
      const cs = node.children.map((c) => compileCondition(c, idTest));
      return (ev) => {
        for (const c of cs) if (c(ev)) return true;
        return false;
      };
    }
    case 'of': {
      const cs = node.identifiers.map(idTest);
      if (node.quantifier === 'all') {
        return (ev) => {
          for (const c of cs) if (!c(ev)) return false;
          return true;
        };
      }
      return (ev) => {
        for (const c of cs) if (c(ev)) return true;
        return false;
      };
    }
    default: {
      const never: never = node;
      throw new Error(`unexpected condition node ${JSON.stringify(never)}`);
    }
  }
}

/** Every field path a detection reads (item fields and field references), in first-use order. */
function detectionPaths(d: SigmaDetection): string[] {
  const paths: string[] = [];
  const add = (p: string): void => {
    if (!paths.includes(p)) paths.push(p);
  };
  const value = (v: SigmaValue): void => {
    if (v.kind === 'fieldref') add(v.field);
    else if (v.kind === 'expansion') v.values.forEach(value);
  };
  const walk = (n: DetectionNode): void => {
    if (n.kind === 'or') n.children.forEach(walk);
    else
      for (const i of n.items) {
        if (i.field !== null) add(i.field);
        i.values.forEach(value);
      }
  };
  for (const id of d.identifiers) walk(id.body);
  return paths;
}

/** A compiled detection: the condition and per-identifier tests. */
interface CompiledDetection {
  match(target: MatchTarget): boolean;
  explain(target: MatchTarget): MatchExplanation;
}

function compileDetection(d: SigmaDetection): CompiledDetection {
  const paths = detectionPaths(d);
  const slotIndex = new Map(paths.map((p, i) => [p, i]));
  const slotOf = (p: string): number => {
    const s = slotIndex.get(p);
    if (s === undefined) throw new Error(`field ${p} has no slot`);
    return s;
  };
  const idIndex = new Map(d.identifiers.map((id, i) => [id.name, i]));
  const nodes = d.identifiers.map((id) => compileNode(id.body, slotOf));
  const ev = new Evaluation(paths, d.identifiers.length);
  // Identifier results are cached per call: `1 of sel*` and a second condition may ask for the same one.
  const idTest = (name: string): Cond => {
    const i = idIndex.get(name);
    if (i === undefined) throw new Error(`condition refers to unknown identifier ${name}`);
    const node = nodes[i];
    return (e) => {
      if (e.idGen[i] === e.generation) return e.idVal[i] === 1;
      const r = node.test(e);
      e.idGen[i] = e.generation;
      e.idVal[i] = r ? 1 : 0;
      return r;
    };
  };
  const cond = compileCondition(d.condition, idTest);
  return {
    match(target) {
      ev.begin(target);
      try {
        return cond(ev);
      } finally {
        ev.end();
      }
    },
    explain(target) {
      // A fresh evaluation: explanations are rare and must not disturb a match in progress.
      const own = new Evaluation(paths, d.identifiers.length);
      own.begin(target);
      const matched = cond(own);
      const identifiers = d.identifiers.map((id, i): IdentifierExplanation => {
        const items = nodes[i].explain(own);
        return { name: id.name, matched: items !== null, items: items ?? [] };
      });
      own.end();
      return { matched, identifiers };
    },
  };
}

/** Compiles a rule for matching. Unresolved `expand` placeholders make the rule rejected (see `CompiledRule`). */
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (d) => {
    diagnostics.push(d);
    options.report?.(d);
  };
  let detection: SigmaDetection | null = rule.detection;
  if (detectionPlaceholders(detection).length > 0) {
    detection = resolveDetectionPlaceholders(detection, options.placeholders ?? {}, report);
  }
  if (detection === null) {
    return {
      rule,
      match: () => false,
      literals: [],
      explain: () => ({ matched: false, identifiers: [] }),
      rejected: true,
      diagnostics,
    };
  }
  const compiled = compileDetection(detection);
  return {
    rule,
    match: compiled.match,
    literals: detectionLiterals(detection),
    explain: compiled.explain,
    rejected: false,
    diagnostics,
  };
}

/** Compiles many rules, leaving out (and reporting) the rejected ones. */
export function compileRules(
  rules: readonly SigmaRule[],
  options: CompileOptions = {},
): { compiled: CompiledRule[]; diagnostics: Diagnostic[] } {
  const compiled: CompiledRule[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const r of rules) {
    const c = compileRule(r, options);
    diagnostics.push(...c.diagnostics);
    if (!c.rejected) compiled.push(c);
  }
  return { compiled, diagnostics };
}
