/**
 * The byte-level prefilter: decides from a raw record's text, before parsing, whether any loaded rule could match
 * it. Each compiled rule offers a set of lower-case literals of which every matching event contains at least one,
 * as a substring of a field value (`CompiledRule.literals`, derived by the Sigma compiler), or `null` when it can
 * offer none. A record whose text contains none of the literals of any rule is skipped unparsed.
 *
 * Soundness: the prefilter may only skip what cannot match. A field value appears in the record's JSON text
 * verbatim except where the writer escaped characters. JSON writers must escape `"`, `\` and control characters,
 * may escape `/` as `\/`, and may write any character as `\uXXXX`. So each literal is cut at the characters that
 * may be escaped and only its longest remaining piece is searched for; a record that contains `\u` is never
 * skipped. Case-insensitive search is done with an ASCII-only `i` regular expression; because Unicode case mapping
 * can map non-ASCII characters onto ASCII ones (`K` KELVIN SIGN lower-cases to `k`), a record with any non-ASCII
 * character is never skipped either. Looking for those two in every record would cost more than the literals
 * themselves (a regular expression with a character class cannot skip ahead), so the engine tells the prefilter when
 * the bytes around a record were plain ASCII without `\u` (known cheaply per 64 KiB piece from the bytes) and only
 * other records get the full check. Numbers are the other trap: a rule value `100` matches a JSON number written
 * `1e2`, so a rule whose literal consists only of number characters offers no literals. A rule without literals
 * disables skipping for every dataset it applies to.
 */
import { isAscii } from '../sigma/literals.js';
import { caselessPattern } from '../sigma/regex-literals.js';

/** Decides whether a raw record's text may match. */
export interface Prefilter {
  /**
   * False only when no rule can match a record with this text. `plain` promises that the text is ASCII and holds
   * no `\u` escape; without the promise the text is checked for both.
   */
  mayMatch(text: string, plain?: boolean): boolean;
  /**
   * For plain text (ASCII, no `\u` escape): an index at or after `from`, at or before the first place where a search
   * string starts (`text.length` when none does). Every literal piece contains a search string, so a stretch of
   * `text` that starts at or after `from` and ends at or before the index returned holds no piece: a record there can
   * be skipped without being cut out of the text (the readers' hot loop); a record that reaches the index is then
   * checked with `mayMatch`. Never called when `passAll`.
   */
  nextHit(text: string, from: number): number;
  /** Human-readable description (for `--explain-prefilter` and tests). */
  readonly description: string;
  /** True when the prefilter never skips (some rule offered no literals, or no rules apply). */
  readonly passAll: boolean;
}

/** Characters a JSON writer may emit escaped; a searched literal piece never contains one. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON writers must escape
const ESCAPABLE = /["\\/\u0000-\u001f]/;

/** Literals made only of these characters could come from a JSON number written another way (1e2, 1.0). */
const NUMERIC = /^[0-9.eE+-]+$/;

/**
 * The piece of a lower-case literal that is safe to search for in raw JSON text, or undefined when none is
 * (the literal is all escapable characters, or numeric).
 */
export function searchablePiece(literal: string): string | undefined {
  // The longest piece, preferring one that is not ubiquitous text (`microsoft.network` is in every Azure record;
  // `tapconfigurations` is not).
  let best = '';
  let bestUbiquitous = true;
  for (const piece of literal.split(ESCAPABLE)) {
    if (piece.length === 0 || NUMERIC.test(piece)) continue;
    const u = ubiquitous(piece);
    // On a tie the later piece wins: paths grow more specific from left to right (provider / type / subtype).
    if (best === '' || (bestUbiquitous && !u) || (u === bestUbiquitous && piece.length >= best.length)) {
      best = piece;
      bestUbiquitous = u;
    }
  }
  return best === '' ? undefined : best;
}

/** A prefilter that lets everything through. */
export const PASS_ALL: Prefilter = { mayMatch: () => true, nextHit: (_text, from) => from, description: 'no prefilter (every record is parsed)', passAll: true };

/**
 * Builds the prefilter for a set of rules' literal sets: `null` in the list means a rule that offers no literals,
 * which disables skipping.
 */
export function buildPrefilter(literalSets: readonly (readonly string[] | null)[]): Prefilter {
  if (literalSets.length === 0) return { ...PASS_ALL, description: 'no rules apply (every record is parsed)' };
  const pieces = new Set<string>();
  for (const set of literalSets) {
    if (set === null || set.length === 0) return PASS_ALL;
    for (const lit of set) {
      const piece = searchablePiece(lit.toLowerCase());
      if (piece === undefined) return PASS_ALL;
      pieces.add(piece);
    }
  }
  if (pieces.size > REGEX_MAX_NEEDLES * 4) {
    // Many rules: one automaton, whose cost per character does not grow with the number of literals.
    return automatonPrefilter([...pieces], (states) => `Aho-Corasick automaton over ${pieces.size} literal piece(s) (${states} states)`);
  }
  const needles = coverPieces([...pieces]);
  if (needles.length > REGEX_MAX_NEEDLES) {
    return automatonPrefilter(needles, () => `Aho-Corasick automaton over ${needles.length} search string(s) covering ${pieces.size} literal piece(s)`);
  }
  // Letters as [Aa] classes (`caselessPattern`): V8 skips ahead through them faster than with the `i` flag.
  const alternation = needles.map(caselessPattern).join('|');
  // Plain text: the literals only. Otherwise one pass for a literal or a reason not to trust the raw text.
  const fast = new RegExp(alternation);
  const full = new RegExp(`${alternation}|\\\\u|[^\\x00-\\x7f]`);
  const verify = coverVerifier(alternation, needles, [...pieces]);
  const seek = new RegExp(alternation, 'g');
  return {
    mayMatch: (text, plain = false) => (plain ? fast.test(text) && verify(text) : full.test(text)),
    nextHit: (text, from) => {
      seek.lastIndex = from;
      const m = seek.exec(text);
      return m === null ? text.length : m.index;
    },
    description: `${needles.length} search string(s) covering ${pieces.size} literal piece(s): ${needles.join(', ')}`,
    passAll: false,
  };
}

/**
 * The second stage for plain text: a search string shared by several pieces (`trafficmirror`) also occurs in records
 * no rule wants (`DescribeTrafficMirrorSessions`, which AWS Config and consoles call all day), so a hit is checked
 * for one of the pieces it stands for, in place. If a piece occurs in the text at `q`, every search string it
 * contains occurs at `q + k` for each of its places `k` in the piece; the loop below visits every position where any
 * search string starts and, there, tries every (search string, piece, place) triple whose search string is at that
 * position. So every piece the text holds is found: the check is exact, and costs a few comparisons per hit.
 */
function coverVerifier(alternation: string, needles: readonly string[], pieces: readonly string[]): (text: string) => boolean {
  const triples: { needle: string; piece: string; at: number }[] = [];
  let anyShared = false;
  for (const needle of needles) {
    for (const piece of pieces) {
      for (let at = piece.indexOf(needle); at !== -1; at = piece.indexOf(needle, at + 1)) {
        triples.push({ needle, piece, at });
        if (piece !== needle) anyShared = true;
      }
    }
  }
  if (!anyShared) return () => true;
  const each = new RegExp(alternation, 'g');
  return (text) => {
    each.lastIndex = 0;
    for (let m = each.exec(text); m !== null; m = each.exec(text)) {
      const i = m.index;
      for (const t of triples) {
        if (equalsCaseless(text, i, t.needle) && (t.piece === t.needle || equalsCaseless(text, i - t.at, t.piece))) return true;
      }
      each.lastIndex = i + 1; // every position where a search string starts, overlapping ones included
    }
    return false;
  };
}

/** True when `text` holds `lower` (lower-case ASCII) at `at`, ASCII letters in either case. */
function equalsCaseless(text: string, at: number, lower: string): boolean {
  if (at < 0 || at + lower.length > text.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = text.charCodeAt(at + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A prefilter over an automaton of `needles`; the next hit is found by the skipping search when every needle is long
 * enough for it to skip, else by the automaton.
 */
function automatonPrefilter(needles: readonly string[], describe: (states: number) => string): Prefilter {
  const automaton = new LiteralAutomaton(needles);
  const seek: { nextHit(text: string, from: number): number } = needles.every((n) => n.length >= SkipSearch.MIN_WINDOW && isAscii(n)) ? new SkipSearch(needles) : automaton;
  return {
    mayMatch: (text, plain = false) => automaton.test(text, plain),
    nextHit: (text, from) => seek.nextHit(text, from),
    description: describe(automaton.states),
    passAll: false,
  };
}

/**
 * Above this many search strings an alternation no longer lets V8's regular expressions skip ahead: 100 needles
 * search at ~55 MB/s against ~800 MB/s for 10 (measured on Node 20 over CloudTrail text), while an automaton
 * runs at a steady ~150–200 MB/s whatever the number. So few needles use a regular expression, many an automaton.
 */
const REGEX_MAX_NEEDLES = 16;

/**
 * An Aho–Corasick automaton over lower-case ASCII needles, matching letters in either case. Characters are mapped to
 * a small alphabet (those the needles use; every other character is class 0), and the transitions are a dense
 * table, so a scan is one table lookup per character. In full (not plain) mode, a non-ASCII character or a `\u`
 * escape is a hit too (see the module comment).
 */
export class LiteralAutomaton {
  private readonly classOf = new Uint8Array(128);
  private readonly width: number;
  private readonly delta: Int32Array;
  /** Per state: 1 a needle ends here, 2 the `\u` escape ends here. */
  private readonly out: Uint8Array;
  readonly states: number;
  /** Length of the longest needle. */
  private readonly longest: number;
  /** Per state: the indices (into the constructor's `needles`) of every needle that ends there. */
  private readonly ends: (readonly number[] | undefined)[];

  constructor(needles: readonly string[]) {
    this.longest = Math.max(2, ...needles.map((n) => n.length));
    let classes = 1;
    const classFor = (code: number): number => {
      if (this.classOf[code] === 0) {
        this.classOf[code] = classes;
        if (code >= 0x61 && code <= 0x7a) this.classOf[code - 0x20] = classes; // A–Z like a–z
        classes++;
      }
      return this.classOf[code];
    };
    // A needle with a non-ASCII character can never occur in plain (all-ASCII) text, and text that is not plain is a
    // hit at its first non-ASCII character anyway: such needles are left out (their indices are never reported).
    const all = [...needles.map((n, index) => ({ text: isAscii(n) ? n : '', kind: 1, index })), { text: '\\u', kind: 2, index: -1 }].filter(
      (n) => n.text !== '',
    );
    for (const n of all) for (let i = 0; i < n.text.length; i++) classFor(n.text.charCodeAt(i));
    this.width = classes;
    // The trie, as rows of child states (-1: none).
    const rows: Int32Array[] = [new Int32Array(classes).fill(-1)];
    const out: number[] = [0];
    const ends: (number[] | undefined)[] = [undefined];
    for (const n of all) {
      let s = 0;
      for (let i = 0; i < n.text.length; i++) {
        const k = this.classOf[n.text.charCodeAt(i)];
        if (rows[s][k] === -1) {
          rows[s][k] = rows.length;
          rows.push(new Int32Array(classes).fill(-1));
          out.push(0);
          ends.push(undefined);
        }
        s = rows[s][k];
      }
      out[s] |= n.kind;
      if (n.kind === 1) (ends[s] ??= []).push(n.index);
    }
    // Breadth-first: failure links folded into a complete transition table.
    const n = rows.length;
    const delta = new Int32Array(n * classes);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let k = 0; k < classes; k++) {
      const t = rows[0][k];
      delta[k] = t === -1 ? 0 : t;
      if (t !== -1) queue.push(t);
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head];
      out[s] |= out[fail[s]];
      const inherited = ends[fail[s]];
      if (inherited) ends[s] = [...(ends[s] ?? []), ...inherited];
      for (let k = 0; k < classes; k++) {
        const t = rows[s][k];
        if (t === -1) {
          delta[s * classes + k] = delta[fail[s] * classes + k];
        } else {
          delta[s * classes + k] = t;
          fail[t] = delta[fail[s] * classes + k];
          queue.push(t);
        }
      }
    }
    this.delta = delta;
    this.out = Uint8Array.from(out);
    this.ends = ends;
    this.states = n;
  }

  /** For plain text: calls `found` with the index of each needle occurrence in `text` (a needle may repeat). */
  each(text: string, found: (needle: number) => void): void {
    const { classOf, delta, ends, width } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) {
        s = 0;
        continue;
      }
      s = delta[s * width + classOf[code]];
      const e = ends[s];
      if (e !== undefined) for (const k of e) found(k);
    }
  }

  /**
   * For plain text: an index at or before the start of the first needle that starts at or after `from`
   * (`text.length` if none). The scan finds where that needle ends; it starts at most `longest - 1` before.
   */
  nextHit(text: string, from: number): number {
    const { classOf, delta, out, width } = this;
    let s = 0;
    for (let i = from; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) {
        s = 0;
        continue;
      }
      s = delta[s * width + classOf[code]];
      if ((out[s] & 1) !== 0) return Math.max(from, i - this.longest + 1);
    }
    return text.length;
  }

  /** True when the text holds a needle (or, unless `plain`, a non-ASCII character or a `\u` escape). */
  test(text: string, plain: boolean): boolean {
    const { classOf, delta, out, width } = this;
    const mask = plain ? 1 : 3;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) {
        if (!plain) return true;
        s = 0;
        continue;
      }
      s = delta[s * width + classOf[code]];
      if ((out[s] & mask) !== 0) return true;
    }
    return false;
  }
}

/**
 * A skipping search for many needles at once (Wu and Manber, "A fast algorithm for multi-pattern searching", 1994):
 * a window as long as the shortest needle slides along the text, and the last two characters of the window say how
 * far it may jump: by the window's length when no needle holds that pair, less when one does. On log text, where
 * most pairs end no needle, it moves several characters per step; the automaton moves one. Case-insensitive for
 * ASCII, as the automaton; a non-ASCII character is never part of a needle.
 */
export class SkipSearch {
  /** Lower-case ASCII code per character code (0 for non-ASCII: needles never hold NUL). */
  private static readonly LOWER = (() => {
    const t = new Uint8Array(65536);
    for (let c = 1; c < 128; c++) t[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    return t;
  })();
  /** The window: the shortest needle's length, at most 255. */
  private readonly m: number;
  private readonly shift = new Uint8Array(1 << 14);
  /**
   * Per hash of the window's last pair, then of its first pair: the needles whose first `m` characters end and begin
   * so (the second key spares checking every needle that merely ends alike: `example7.amazonaws.co` and a hundred
   * others all end in `co`, which every CloudTrail record holds many times).
   */
  private readonly bucket = new Map<number, Map<number, string[]>>();

  /** Worth using when the shortest needle has at least this many characters. */
  static readonly MIN_WINDOW = 4;

  constructor(needles: readonly string[]) {
    this.m = Math.min(255, ...needles.map((n) => n.length));
    const m = this.m;
    this.shift.fill(m - 1);
    for (const n of needles) {
      for (let j = 2; j <= m; j++) {
        const h = (n.charCodeAt(j - 2) << 7) | n.charCodeAt(j - 1);
        if (m - j < this.shift[h]) this.shift[h] = m - j;
      }
      const h = (n.charCodeAt(m - 2) << 7) | n.charCodeAt(m - 1);
      const first = (n.charCodeAt(0) << 7) | n.charCodeAt(1);
      let byFirst = this.bucket.get(h);
      if (!byFirst) this.bucket.set(h, (byFirst = new Map()));
      const list = byFirst.get(first);
      if (list) list.push(n);
      else byFirst.set(first, [n]);
    }
  }

  /** The first index at or after `from` where a needle starts (`text.length` if none). */
  nextHit(text: string, from: number): number {
    const { m, shift, bucket } = this;
    const lower = SkipSearch.LOWER;
    const n = text.length;
    for (let pos = from + m - 1; pos < n; ) {
      const h = (lower[text.charCodeAt(pos - 1)] << 7) | lower[text.charCodeAt(pos)];
      const s = shift[h];
      if (s > 0) {
        pos += s;
        continue;
      }
      const start = pos - m + 1;
      const list = (bucket.get(h) as Map<number, string[]>).get((lower[text.charCodeAt(start)] << 7) | lower[text.charCodeAt(start + 1)]);
      if (list !== undefined) for (const needle of list) if (equalsCaseless(text, start, needle)) return start;
      pos++;
    }
    return n;
  }
}

/** Pieces shorter than this are searched as they are; longer ones may be replaced by a shared substring. */
const MIN_COVER = 10;

/**
 * Text in nearly every cloud audit record (service domains, field names): a shared substring that overlaps one of
 * these would let almost every record through, so it is never chosen as a search string (the pieces themselves
 * still are, when a rule offers nothing better).
 */
const UBIQUITOUS = [
  'amazonaws.com', 'arn:aws:', 'eventsource', 'eventname', 'eventtime', 'useridentity', 'requestparameters',
  'responseelements', 'googleapis.com', 'protopayload', 'methodname', 'cloudaudit', 'operationname',
  'microsoft.network', 'microsoft.compute', 'microsoft.storage', 'microsoft.resources', 'microsoft.authorization',
  'resourceid', 'resourcegroups', 'subscriptions', 'providers',
];

/** True when most of `sub` (six characters, or 60 % of it if longer) is a run of ubiquitous text. */
export function ubiquitous(sub: string): boolean {
  const w = Math.max(6, Math.ceil(sub.length * 0.6));
  if (sub.length < w) return false;
  for (let i = 0; i + w <= sub.length; i++) {
    const window = sub.slice(i, i + w);
    if (UBIQUITOUS.some((u) => u.includes(window))) return true;
  }
  return false;
}

/**
 * Replaces a set of pieces by a smaller set of search strings such that every piece contains at least one of them
 * (so a record containing a piece contains a search string: still sound), preferring strings shared by many pieces
 * and then longer ones. `createtrafficmirrorsession`, `deletetrafficmirrortarget`, … become `trafficmirror`: one
 * needle is searched far faster than an alternation of ten. Greedy set cover over substrings of at least
 * `MIN_COVER` characters; a piece too short to share is kept whole.
 */
export function coverPieces(pieces: readonly string[]): string[] {
  // A piece containing another is already covered by it.
  const sorted = [...new Set(pieces)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const minimal: string[] = [];
  for (const p of sorted) if (!minimal.some((k) => p.includes(k))) minimal.push(p);
  const out: string[] = [];
  let left = minimal.filter((p) => {
    if (p.length >= MIN_COVER) return true;
    out.push(p);
    return false;
  });
  while (left.length > 0) {
    const counts = new Map<string, number>();
    for (const p of left) {
      const seen = new Set<string>();
      for (let len = MIN_COVER; len <= p.length; len++) {
        for (let i = 0; i + len <= p.length; i++) seen.add(p.slice(i, i + len));
      }
      for (const sub of seen) counts.set(sub, (counts.get(sub) ?? 0) + 1);
    }
    let best = '';
    let bestCount = 0;
    for (const [sub, c] of counts) {
      if (ubiquitous(sub)) continue;
      if (c > bestCount || (c === bestCount && (sub.length > best.length || (sub.length === best.length && sub < best)))) {
        best = sub;
        bestCount = c;
      }
    }
    if (best === '') {
      // Nothing shareable and safe: search the remaining pieces themselves.
      out.push(...left);
      break;
    }
    out.push(best);
    left = left.filter((p) => !p.includes(best));
  }
  return out.sort();
}
