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
 * character is never skipped either. Numbers are the other trap: a rule value `100` matches a JSON number written
 * `1e2`, so a rule whose literal consists only of number characters offers no literals. A rule without literals
 * disables skipping for every dataset it applies to.
 */

/** Decides whether a raw record's text may match. */
export interface Prefilter {
  /** False only when no rule can match a record with this text. */
  mayMatch(text: string): boolean;
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
  let best = '';
  for (const piece of literal.split(ESCAPABLE)) if (piece.length > best.length) best = piece;
  if (best.length === 0 || NUMERIC.test(best)) return undefined;
  return best;
}

/** A prefilter that lets everything through. */
export const PASS_ALL: Prefilter = { mayMatch: () => true, description: 'no prefilter (every record is parsed)', passAll: true };

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
  // Drop pieces that contain another piece: the shorter one already matches wherever the longer one does.
  const sorted = [...pieces].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const p of sorted) if (!kept.some((k) => p.includes(k))) kept.push(p);
  const alternation = kept.map(escapeRegExp).join('|');
  // One pass over the text: a literal, or a reason not to trust the raw text (`\u` escape, non-ASCII character).
  const re = new RegExp(`${alternation}|\\\\u|[^\\x00-\\x7f]`, 'i');
  return {
    mayMatch: (text) => re.test(text),
    description: `${kept.length} literal(s): ${kept.join(', ')}`,
    passAll: false,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
