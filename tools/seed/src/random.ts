import { createHash } from 'node:crypto';

/**
 * Deterministic randomness for the small, Node-side part of the seed (customers, keys, hour weights, texts). The big
 * part (the events themselves) is drawn inside Postgres from hashes of the row number: see sql/events.sql.ts.
 * Every draw depends only on `--seed` and a label, never on the clock or on Math.random.
 */

/** A PRNG (mulberry32) whose stream is fixed by the seed and a label, so adding draws under one label never
 * shifts the draws under another. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

export function createRng(seed: number, label: string): Rng {
  let state = createHash('sha256').update(`${seed}:${label}`).digest().readUInt32LE(0);
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
  };
}

/** A version-4-shaped UUID derived from the seed and a label (same inputs, same id). */
export function seededUuid(seed: number, label: string): string {
  const bytes = createHash('sha256').update(`uuid:${seed}:${label}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Hex digest of a label, for values that only need to look random (secret hashes). */
export function seededHex(seed: number, label: string, length = 64): string {
  return createHash('sha256').update(`hex:${seed}:${label}`).digest('hex').slice(0, length);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` base62 characters derived from the seed and a label (key prefixes). */
export function seededBase62(seed: number, label: string, length: number): string {
  const digest = createHash('sha256').update(`b62:${seed}:${label}`).digest();
  let out = '';
  for (let i = 0; out.length < length; i += 1) out += BASE62[digest[i % digest.length]! % 62];
  return out;
}
