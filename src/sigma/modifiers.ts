/**
 * Value modifiers (spec v2.1, `sigma-appendix-modifiers.md`): the catalogue, the checks on how they combine, and
 * their application, left to right as written (`field|base64offset|contains`), turning written YAML scalars into
 * typed `SigmaValue`s at load time.
 *
 * Combination rules follow pySigma (`sigma/modifiers.py`) where the specification is silent: `re`, `cidr`,
 * `exists` and `fieldref` apply only to the unmodified value (they come first); `base64`/`base64offset` refuse
 * values with wildcards; `windash` and `base64offset` turn one value into an OR-group of alternatives, so `all`
 * still means "every written value" (pySigma's `SigmaExpansion`); `neq` negates the whole item
 * (`SigmaNegateModifier`); `all` on a single value is refused (spec: "Single item values are not allowed to have
 * an `all` modifier").
 */
import type { Diagnostic, Report } from '../core/diagnostic.js';
import { sigmaDiagnostic } from './diagnostic-codes.js';
import type { SigmaDiagnosticArgs, SigmaDiagnosticCode } from './diagnostic-codes.js';
import { UTF16_LE_BOM, base64, base64Offsets, utf16, valueBytes, windashPositions, windashVariants } from './encodings.js';
import { parseCidr } from './ip-address.js';
import { formatSigmaString, hasPlaceholder, hasSpecial, parseSigmaString, partsText, plainParts } from './sigma-string.js';
import { TIME_PART_RANGES } from './time-part.js';
import type {
  CompareOp,
  DetectionItem,
  ExpansionSource,
  FieldRefMode,
  SigmaValue,
  SourceLocation,
  StringPart,
  TimePart,
} from './types.js';

/** Every modifier name mirrorwatch knows: spec v2.1 plus pySigma's long names for the regex flags. */
export const MODIFIER_NAMES = [
  'all',
  'startswith',
  'endswith',
  'contains',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'm',
  's',
  'ignorecase',
  'multiline',
  'dotall',
  'base64',
  'base64offset',
  'utf16le',
  'wide',
  'utf16be',
  'utf16',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
] as const;

/** A known modifier. */
export type ModifierName = (typeof MODIFIER_NAMES)[number];

const MODIFIER_SET: ReadonlySet<string> = new Set(MODIFIER_NAMES);

/** True for a known modifier name. */
export function isModifierName(name: string): name is ModifierName {
  return MODIFIER_SET.has(name);
}

/** Modifiers that work on one written value and must meet it unmodified. */
const FIRST_ONLY: ReadonlySet<ModifierName> = new Set<ModifierName>(['re', 'cidr', 'exists', 'fieldref']);

/** Modifiers meaningless for keyword searches (they need a field). */
const FIELD_ONLY: ReadonlySet<ModifierName> = new Set<ModifierName>([
  'exists',
  'cidr',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'fieldref',
  'neq',
]);

/** Levenshtein distance, for "did you mean" hints on unknown modifiers. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest known name within two edits, as a message hint (`: did you mean "contains"?`), or ''. */
export function suggestName(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best === '' ? '' : `: did you mean "${best}"?`;
}

/** A written scalar value with where it was written; `text` is the source text (for numbers as written). */
export interface WrittenValue {
  value: string | number | boolean | null;
  text: string;
  location: SourceLocation;
}

/** The working form of a value while modifiers apply. */
type Work =
  | {
      t: 'str';
      parts: StringPart[];
      cased: boolean;
      /** One character per byte after a utf16 modifier. */
      binary: boolean;
      written: string;
    }
  | { t: 'num'; value: number; text: string }
  | { t: 'bool'; value: boolean }
  | { t: 'null' }
  | { t: 'val'; value: SigmaValue }
  | { t: 'exp'; source: ExpansionSource; written: string; items: Work[] };

/** Windash expands each flag dash five ways; more than this many dashes in one value is refused. */
const WINDASH_MAX_POSITIONS = 6;

/** Applies modifiers to written values; reports through `report`; returns null when anything was wrong. */
class ItemBuilder {
  private failed = false;

  constructor(private readonly report: Report) {}

  fail<C extends SigmaDiagnosticCode>(code: C, at: SourceLocation, args: SigmaDiagnosticArgs<C>): null {
    this.failed = true;
    this.report(sigmaDiagnostic(code, at, args));
    return null;
  }

  get ok(): boolean {
    return !this.failed;
  }

  describe(w: Work): string {
    switch (w.t) {
      case 'str':
        return w.binary ? 'an encoded value' : 'a string';
      case 'num':
        return 'a number';
      case 'bool':
        return 'a boolean';
      case 'null':
        return 'null';
      case 'exp':
        return 'an expanded value';
      case 'val':
        switch (w.value.kind) {
          case 'regex':
            return 'a regular expression';
          case 'cidr':
            return 'a cidr network';
          case 'compare':
            return 'a numeric comparison';
          case 'exists':
            return 'an exists check';
          case 'fieldref':
            return 'a field reference';
          case 'timepart':
            return 'a time part';
          default:
            return `a ${w.value.kind} value`;
        }
      default: {
        const never: never = w;
        throw new Error(`unexpected work ${JSON.stringify(never)}`);
      }
    }
  }

  /** Numbers and booleans become strings for string modifiers: Sigma compares values as strings. */
  asString(w: Work): Work {
    if (w.t === 'num') return { t: 'str', parts: plainParts(w.text), cased: false, binary: false, written: w.text };
    if (w.t === 'bool') {
      const text = w.value ? 'true' : 'false';
      return { t: 'str', parts: plainParts(text), cased: false, binary: false, written: text };
    }
    return w;
  }

  /** Applies one modifier to a value (to each alternative of an expansion). */
  apply(m: ModifierName, w: Work, at: SourceLocation): Work | null {
    if (w.t === 'exp') {
      const items: Work[] = [];
      for (const item of w.items) {
        const r = this.apply(m, item, at);
        if (r === null) return null;
        if (r.t === 'exp') items.push(...r.items);
        else items.push(r);
      }
      return { t: 'exp', source: w.source, written: w.written, items };
    }
    switch (m) {
      case 'all':
      case 'neq':
      case 'expand':
        // List-level (all, neq) or handled when the string was parsed (expand).
        return w;
      case 'contains':
      case 'startswith':
      case 'endswith':
        return this.wildcardAround(m, w, at);
      case 'cased': {
        const s = this.asString(w);
        if (s.t === 'str') return { ...s, cased: true };
        if (s.t === 'val' && s.value.kind === 'fieldref') return { t: 'val', value: { ...s.value, cased: true } };
        return this.fail('MW1200', at, { modifier: m, found: this.describe(w) });
      }
      case 'windash':
        return this.windash(w, at);
      case 'base64':
      case 'base64offset': {
        const s = this.asString(w);
        if (s.t !== 'str') return this.fail('MW1200', at, { modifier: m, found: this.describe(w) });
        if (hasSpecial(s.parts)) {
          return this.fail('MW1208', at, { modifier: m, value: formatSigmaString(s.parts) });
        }
        const bytes = valueBytes(partsText(s.parts), s.binary);
        if (m === 'base64') {
          return { t: 'str', parts: plainParts(base64(bytes)), cased: s.cased, binary: false, written: s.written };
        }
        return {
          t: 'exp',
          source: 'base64offset',
          written: s.written,
          items: base64Offsets(bytes).map(
            (b): Work => ({ t: 'str', parts: plainParts(b), cased: s.cased, binary: false, written: s.written }),
          ),
        };
      }
      case 'utf16le':
      case 'wide':
      case 'utf16be':
      case 'utf16': {
        const s = this.asString(w);
        if (s.t !== 'str') return this.fail('MW1200', at, { modifier: m, found: this.describe(w) });
        if (s.binary) return this.fail('MW1200', at, { modifier: m, found: 'an already encoded value' });
        if (hasPlaceholder(s.parts)) {
          return this.fail('MW1208', at, { modifier: m, value: formatSigmaString(s.parts) });
        }
        // Wildcards stay wildcards, as pySigma's `SigmaWideModifier` keeps special parts.
        const be = m === 'utf16be';
        const parts: StringPart[] = s.parts.map((p) => (p.kind === 'text' ? { kind: 'text', text: utf16(p.text, be) } : p));
        if (m === 'utf16') {
          if (parts.length > 0 && parts[0].kind === 'text') parts[0] = { kind: 'text', text: UTF16_LE_BOM + parts[0].text };
          else parts.unshift({ kind: 'text', text: UTF16_LE_BOM });
        }
        return { t: 'str', parts, cased: s.cased, binary: true, written: s.written };
      }
      case 're': {
        if (w.t === 'str') return { t: 'val', value: regexValue(w.written) };
        if (w.t === 'num') return { t: 'val', value: regexValue(w.text) };
        return this.fail('MW1200', at, { modifier: m, found: this.describe(w) });
      }
      case 'i':
      case 'ignorecase':
      case 'm':
      case 'multiline':
      case 's':
      case 'dotall': {
        if (w.t !== 'val' || w.value.kind !== 'regex') return this.fail('MW1216', at, { modifier: m });
        const r = { ...w.value };
        if (m === 'i' || m === 'ignorecase') r.ignoreCase = true;
        else if (m === 'm' || m === 'multiline') r.multiline = true;
        else r.dotAll = true;
        return { t: 'val', value: r };
      }
      case 'cidr': {
        if (w.t !== 'str') return this.fail('MW1200', at, { modifier: m, found: this.describe(w) });
        const text = w.written.trim();
        const parsed = parseCidr(text);
        if (!parsed.ok) return this.fail('MW1203', at, { value: w.written, reason: parsed.reason });
        const slash = text.indexOf('/');
        return {
          t: 'val',
          value: {
            kind: 'cidr',
            cidr: slash >= 0 ? text : `${text}/${parsed.network.prefix}`,
            version: parsed.network.version,
            network: slash >= 0 ? text.slice(0, slash) : text,
            prefix: parsed.network.prefix,
          },
        };
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        if (w.t === 'val' && w.value.kind === 'timepart' && w.value.op === 'eq') {
          return { t: 'val', value: { ...w.value, op: m } };
        }
        const n = this.number(m, w, at);
        if (n === null) return null;
        return { t: 'val', value: { kind: 'compare', op: m, value: n } };
      }
      case 'minute':
      case 'hour':
      case 'day':
      case 'week':
      case 'month':
      case 'year':
        return this.timePart(m, w, at);
      case 'exists': {
        if (w.t !== 'bool') {
          return this.fail('MW1206', at, { value: w.t === 'str' ? w.written : w.t === 'num' ? w.text : this.describe(w) });
        }
        return { t: 'val', value: { kind: 'exists', exists: w.value } };
      }
      case 'fieldref': {
        if (w.t !== 'str' || hasSpecial(w.parts) || w.written.trim() === '') {
          return this.fail('MW1209', at, { value: w.t === 'str' ? w.written : this.describe(w) });
        }
        return { t: 'val', value: { kind: 'fieldref', field: w.written.trim(), mode: 'equals', cased: false } };
      }
      default: {
        const never: never = m;
        throw new Error(`unhandled modifier ${String(never)}`);
      }
    }
  }

  wildcardAround(m: 'contains' | 'startswith' | 'endswith', w: Work, at: SourceLocation): Work | null {
    const s = this.asString(w);
    if (s.t === 'str') {
      const parts = s.parts.slice();
      if (m !== 'startswith' && (parts.length === 0 || parts[0].kind !== 'multi')) parts.unshift({ kind: 'multi' });
      if (m !== 'endswith' && parts[parts.length - 1]?.kind !== 'multi') parts.push({ kind: 'multi' });
      return { ...s, parts };
    }
    if (s.t === 'val' && s.value.kind === 'fieldref') {
      // pySigma sets starts_with/ends_with flags on the reference; two of them mean contains.
      const starts = s.value.mode === 'startswith' || s.value.mode === 'contains' || m === 'startswith' || m === 'contains';
      const ends = s.value.mode === 'endswith' || s.value.mode === 'contains' || m === 'endswith' || m === 'contains';
      const mode: FieldRefMode = starts && ends ? 'contains' : starts ? 'startswith' : 'endswith';
      return { t: 'val', value: { ...s.value, mode } };
    }
    if (s.t === 'val' && s.value.kind === 'regex') return this.fail('MW1202', at, { modifier: m, other: 're' });
    return this.fail('MW1200', at, { modifier: m, found: this.describe(w) });
  }

  windash(w: Work, at: SourceLocation): Work | null {
    const s = this.asString(w);
    if (s.t !== 'str') return this.fail('MW1200', at, { modifier: 'windash', found: this.describe(w) });
    // Dash positions per text part; a part that follows a wildcard starts fresh, as pySigma treats parts apart.
    const positions = s.parts.map((p) => (p.kind === 'text' ? windashPositions(p.text, false) : []));
    const total = positions.reduce((a, p) => a + p.length, 0);
    if (total === 0) return s;
    if (total > WINDASH_MAX_POSITIONS) {
      return this.fail('MW1215', at, { value: s.written, count: 5 ** total });
    }
    let variants: StringPart[][] = [[]];
    s.parts.forEach((p, k) => {
      const options: StringPart[] =
        p.kind === 'text' ? windashVariants(p.text, positions[k]).map((text) => ({ kind: 'text', text })) : [p];
      const next: StringPart[][] = [];
      for (const v of variants) for (const o of options) next.push([...v, o]);
      variants = next;
    });
    return {
      t: 'exp',
      source: 'windash',
      written: s.written,
      items: variants.map((parts): Work => ({ ...s, parts })),
    };
  }

  number(m: ModifierName, w: Work, at: SourceLocation): number | null {
    if (w.t === 'num') return w.value;
    if (w.t === 'str' && !hasSpecial(w.parts)) {
      const text = partsText(w.parts).trim();
      if (text !== '' && Number.isFinite(Number(text))) return Number(text);
      return this.fail('MW1205', at, { modifier: m, value: w.written });
    }
    return this.fail('MW1205', at, { modifier: m, value: w.t === 'str' ? w.written : this.describe(w) });
  }

  timePart(m: TimePart, w: Work, at: SourceLocation): Work | null {
    const n = this.number(m, w, at);
    if (n === null) return null;
    const [lo, hi] = TIME_PART_RANGES[m];
    if (!Number.isInteger(n) || n < lo || n > hi) {
      return this.fail('MW1214', at, { modifier: m, range: `a whole number from ${lo} to ${hi}`, value: n });
    }
    return { t: 'val', value: { kind: 'timepart', part: m, op: 'eq', value: n } };
  }

  /** Converts the final working form to a typed value. */
  finish(w: Work, at: SourceLocation, lastModifier: string): SigmaValue | null {
    switch (w.t) {
      case 'str': {
        if (w.binary) {
          for (const p of w.parts) {
            if (p.kind === 'text' && /[\u0080-\u00ff]/.test(p.text)) {
              return this.fail('MW1213', at, { modifier: lastModifier, value: w.written });
            }
          }
        }
        return { kind: 'string', parts: w.parts, cased: w.cased };
      }
      case 'num':
        return { kind: 'number', value: w.value, text: w.text };
      case 'bool':
        return { kind: 'boolean', value: w.value };
      case 'null':
        return { kind: 'null' };
      case 'val': {
        if (w.value.kind === 'regex') {
          const err = regexError(w.value.pattern, regexFlags(w.value));
          if (err !== null) return this.fail('MW1204', at, { value: w.value.pattern, reason: err });
        }
        return w.value;
      }
      case 'exp': {
        const values: SigmaValue[] = [];
        for (const item of w.items) {
          const v = this.finish(item, at, lastModifier);
          if (v === null) return null;
          values.push(v);
        }
        return { kind: 'expansion', source: w.source, written: w.written, values };
      }
      default: {
        const never: never = w;
        throw new Error(`unexpected work ${JSON.stringify(never)}`);
      }
    }
  }

  start(v: WrittenValue, expand: boolean): Work {
    if (v.value === null) return { t: 'null' };
    if (typeof v.value === 'boolean') return { t: 'bool', value: v.value };
    if (typeof v.value === 'number') return { t: 'num', value: v.value, text: v.text };
    return { t: 'str', parts: parseSigmaString(v.value, expand), cased: false, binary: false, written: v.value };
  }
}

function regexValue(pattern: string): SigmaValue {
  return { kind: 'regex', pattern, ignoreCase: false, multiline: false, dotAll: false };
}

/** JavaScript flags for a regex value: `i`, `m`, `s` as the Sigma sub-modifiers ask. */
export function regexFlags(v: { ignoreCase: boolean; multiline: boolean; dotAll: boolean }): string {
  return (v.ignoreCase ? 'i' : '') + (v.multiline ? 'm' : '') + (v.dotAll ? 's' : '');
}

/** Why a pattern does not compile as a JavaScript RegExp, or null. */
export function regexError(pattern: string, flags: string): string | null {
  try {
    new RegExp(pattern, flags);
    return null;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // V8 repeats the pattern in its message ("Invalid regular expression: /x/: reason"); keep the reason.
    const colon = msg.lastIndexOf(': ');
    return colon >= 0 ? msg.slice(colon + 2).toLowerCase() : msg.toLowerCase();
  }
}

/** The written key of an item: `field|mod1|mod2` split into a field (null for keywords) and modifiers. */
export interface ItemKey {
  field: string | null;
  modifiers: string[];
}

/** Splits a detection key on `|`: `CommandLine|contains|all` → field and modifiers; `|all` → keyword, all. */
export function splitItemKey(key: string): ItemKey {
  const pieces = key.split('|');
  const field = pieces[0] === '' ? null : pieces[0];
  return { field, modifiers: pieces.slice(1) };
}

/** Input for one detection item. */
export interface ItemInput {
  key: string;
  field: string | null;
  modifiers: string[];
  values: WrittenValue[];
  keyLocation: SourceLocation;
}

/**
 * Builds one detection item, applying its modifiers to every value. Problems are reported; the result is null when
 * any was an error, so the caller can leave the rule out.
 */
export function buildDetectionItem(input: ItemInput, report: Report): DetectionItem | null {
  const errors: Diagnostic[] = [];
  const collect: Report = (d) => {
    errors.push(d);
    report(d);
  };
  const b = new ItemBuilder(collect);
  const at = input.keyLocation;

  // Names first: an unknown modifier makes the rest meaningless.
  const known: ModifierName[] = [];
  const seen = new Set<string>();
  for (const raw of input.modifiers) {
    const name = raw;
    if (!isModifierName(name)) {
      b.fail('MW1003', at, { name: raw, hint: suggestName(raw, MODIFIER_NAMES) });
      continue;
    }
    if (seen.has(name)) b.fail('MW1211', at, { modifier: name });
    seen.add(name);
    known.push(name);
  }
  if (!b.ok) return null;

  const allOf = seen.has('all');
  const negated = seen.has('neq');
  const valueMods = known.filter((m) => m !== 'all' && m !== 'neq' && m !== 'expand');
  for (let k = 1; k < valueMods.length; k++) {
    if (FIRST_ONLY.has(valueMods[k])) b.fail('MW1212', at, { modifier: valueMods[k], other: valueMods[0] });
  }
  if (input.field === null) {
    for (const m of known) if (FIELD_ONLY.has(m)) b.fail('MW1207', at, { modifier: m });
  }
  if (input.values.length === 0) {
    b.fail('MW1104', at, { key: input.key });
  }
  if (allOf && input.values.length < 2) b.fail('MW1201', at, {});
  if (input.values.length > 1) {
    for (const v of input.values) if (v.value === null) b.fail('MW1105', v.location, { key: input.key });
  } else if (input.field === null && input.values[0]?.value === null) {
    b.fail('MW1111', input.values[0].location, {});
  }
  if (!b.ok) return null;

  const expand = seen.has('expand');
  const values: SigmaValue[] = [];
  for (const written of input.values) {
    let w: Work | null = b.start(written, expand);
    if (w.t === 'null' && valueMods.length > 0) {
      b.fail('MW1200', written.location, { modifier: valueMods[0], found: 'null' });
      continue;
    }
    if (expand && (w.t !== 'str' || valueMods.some((m) => FIRST_ONLY.has(m)))) {
      b.fail('MW1200', written.location, { modifier: 'expand', found: b.describe(w) });
      continue;
    }
    for (const m of valueMods) {
      w = b.apply(m, w, written.location);
      if (w === null) break;
    }
    if (w === null) continue;
    if (w.t === 'val' && w.value.kind === 'exists' && input.values.length > 1) {
      b.fail('MW1200', written.location, { modifier: 'exists', found: 'a list of values' });
      continue;
    }
    const v = b.finish(w, written.location, valueMods[valueMods.length - 1] ?? '');
    if (v !== null) values.push(v);
  }
  if (!b.ok || errors.some((d) => d.severity === 'error')) return null;
  return {
    field: input.field,
    modifiers: input.modifiers.slice(),
    values,
    allOf,
    negated,
    location: at,
  };
}

/** True when a compare operator holds for `a op b`. */
export function compareHolds(op: CompareOp | 'eq', a: number, b: number): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'eq':
      return a === b;
    default: {
      const never: never = op;
      throw new Error(`unexpected operator ${String(never)}`);
    }
  }
}
