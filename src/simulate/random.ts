/**
 * A seeded pseudo-random generator for simulations: the same seed and label give the same sequence on every machine,
 * so a scenario's files are byte-identical from run to run. The generator is sfc32 (Chris Doty-Humphrey's "Small
 * Fast Counting" generator from PractRand, 128-bit state, passes BigCrush); the state is seeded from SHA-256 of the
 * seed and a label, so independent streams (attack records, AWS noise, Azure noise, …) do not shift one another when
 * one of them draws more numbers.
 */
import { createHash } from 'node:crypto';

const HEX = '0123456789abcdef';
/** The RFC 4648 base32 alphabet: AWS access key ids and unique ids are upper-case letters and digits 2–7. */
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Letters and digits, as in CloudTrail's 16-character file name suffix. */
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic random stream. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly seedText: string;

  /** A stream for `seed` and `label` (labels separate independent streams of one seed). */
  constructor(seed: string | number, label = '') {
    this.seedText = `${seed}\u0000${label}`;
    const h = createHash('sha256').update(this.seedText).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    // Warm up, as the reference implementation recommends, so nearby seeds diverge at once.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A child stream, independent of how much this one is used later. */
  fork(label: string): Random {
    return new Random(this.seedText, label);
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** One element, chosen by weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.float() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][0];
  }

  /** An exponentially distributed value with the given mean (gaps between independent events). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** `n` lower-case hexadecimal digits. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) {
      let x = this.next();
      for (let i = 0; i < 8 && s.length < n; i++) {
        s += HEX[x & 15];
        x >>>= 4;
      }
    }
    return s;
  }

  /** `n` characters from an alphabet. */
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.float() * alphabet.length)];
    return s;
  }

  /** A random (version 4) UUID, as CloudTrail `eventID`/`requestID` and Azure `correlationId` are. */
  uuid(): string {
    const h = this.hex(32);
    // RFC 9562 §5.4: version nibble 4, variant bits 10.
    const variant = HEX[8 + (parseInt(h[16], 16) & 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A decimal string of `n` digits without a leading zero. */
  digits(n: number): string {
    let s = String(this.int(1, 9));
    while (s.length < n) s += String(this.int(0, 9));
    return s;
  }

  /** Shuffles a list in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}
