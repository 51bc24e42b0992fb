/** mulberry32: a small seeded PRNG, so a failing split can be reproduced from the seed in the test name. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` at random offsets, including inside multi-byte UTF-8 sequences (for stream replay tests). */
export async function* randomSplit(bytes: Uint8Array, seed: number): AsyncGenerator<Uint8Array> {
  const next = random(seed);
  const cuts = new Set<number>();
  const count = Math.floor(next() * Math.min(bytes.length, 60));
  for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(next() * (bytes.length - 1)));
  let from = 0;
  for (const cut of [...[...cuts].sort((a, b) => a - b), bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}
