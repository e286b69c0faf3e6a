/**
 * Which rules can match a record, from its text: the prefilter's argument (`prefilter.ts`) applied rule by rule.
 * Every compiled rule offers literals of which each event it matches holds at least one (`ActiveRule.literals`); a
 * rule none of whose literal pieces occurs in a record's plain text cannot match the record, so only the others are
 * evaluated. One Aho–Corasick pass over the record finds every piece at once, so with a thousand rules loaded an
 * event costs a pass over its text plus the few rules it could match, not a thousand evaluations.
 *
 * The same caveats as the prefilter's, handled the same way: text that is not plain (non-ASCII, `\u` escapes) gets
 * every rule, and a rule with no searchable literal piece is always evaluated.
 */
import type { ActiveRule } from './active-rule.js';
import { LiteralAutomaton, searchablePiece } from './prefilter.js';

/** Below this many loaded rules, evaluating them all is as cheap as choosing among them. */
export const RULE_INDEX_MIN_RULES = 48;

/** The rules a record may match, as a mask over a rule list's positions. */
export class RuleIndex {
  private readonly automaton: LiteralAutomaton | undefined;
  /** Per needle: the positions of the rules that offer it. */
  private readonly rulesOf: number[][] = [];
  /** Positions of the rules that are always evaluated. */
  private readonly always: number[] = [];
  private readonly mask: Uint8Array;

  constructor(rules: readonly ActiveRule[]) {
    const needleIndex = new Map<string, number>();
    this.mask = new Uint8Array(rules.length);
    rules.forEach((rule, position) => {
      const pieces = rule.literals === null || rule.literals.length === 0 ? undefined : rule.literals.map((l) => searchablePiece(l.toLowerCase()));
      if (pieces === undefined || pieces.some((p) => p === undefined)) {
        this.always.push(position);
        return;
      }
      for (const piece of new Set(pieces as string[])) {
        let k = needleIndex.get(piece);
        if (k === undefined) {
          k = needleIndex.size;
          needleIndex.set(piece, k);
          this.rulesOf.push([]);
        }
        this.rulesOf[k].push(position);
      }
    });
    this.automaton = needleIndex.size > 0 ? new LiteralAutomaton([...needleIndex.keys()]) : undefined;
  }

  /**
   * A mask over `rules` (1: may match) for a record whose raw text is `text`; `plain` promises ASCII without `\u`
   * escapes. The mask is reused by the next call: read it before asking again. Undefined means every rule.
   */
  select(text: string, plain: boolean): Uint8Array | undefined {
    if (!plain || this.automaton === undefined) return undefined;
    const mask = this.mask;
    mask.fill(0);
    for (const p of this.always) mask[p] = 1;
    this.automaton.each(text, (k) => {
      for (const p of this.rulesOf[k]) mask[p] = 1;
    });
    return mask;
  }
}
