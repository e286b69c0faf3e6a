/**
 * The first-seen baseline the new-destination analytic asks: "has this host sent to this destination before, and
 * since when?". The interface is the `host-destination` slice of the state store's `Baselines` (src/store), so a
 * SQLite store can back it unchanged; `MemoryBaseline` keeps it for one scan.
 *
 * A subject's value `*` records that the host itself is known: a host seen in an earlier scan needs no learning
 * period in this one.
 */

/** The kind of fact this analytic keeps. */
export type HostDestinationKind = 'host-destination';

/** First-seen facts about hosts and their destinations. */
export interface FirstSeenBaseline {
  /** When `subject` was first seen sending to `value` (epoch ms of the traffic), or undefined when never. */
  firstSeen(kind: HostDestinationKind, subject: string, value: string): number | undefined;
  /** Remembers that `subject` sent to `value` at `timeMs`. */
  remember(kind: HostDestinationKind, subject: string, value: string, timeMs: number): void;
}

/** An in-memory baseline (empty at the start of each scan). */
export class MemoryBaseline implements FirstSeenBaseline {
  private readonly facts = new Map<string, number>();

  /** When the fact was first seen. */
  firstSeen(kind: HostDestinationKind, subject: string, value: string): number | undefined {
    return this.facts.get(`${kind}\u0000${subject}\u0000${value}`);
  }

  /** Remembers a fact (keeping the earliest time). */
  remember(kind: HostDestinationKind, subject: string, value: string, timeMs: number): void {
    const key = `${kind}\u0000${subject}\u0000${value}`;
    const prev = this.facts.get(key);
    if (prev === undefined || timeMs < prev) this.facts.set(key, timeMs);
  }

  /** Number of facts held (for tests). */
  get size(): number {
    return this.facts.size;
  }
}
