import { normalizeModelName } from './models.catalog.js';
import { seededRandom, sha256Hex } from './text.generator.js';

function normalize(vec: number[]): number[] {
  let sum = 0;
  for (const v of vec) sum += v * v;
  const norm = 1 / Math.max(Math.sqrt(sum), 1e-12);
  return vec.map((v) => v * norm);
}

/** Rounds to float32 precision, printed short (Go marshals float32). */
function toFloat32(v: number): number {
  return Number(Math.fround(v).toPrecision(7));
}

/**
 * A deterministic unit vector for (model, text): `length` uniform values in [-1, 1) from a PRNG seeded with
 * sha256(`<model:tag>\n<text>`), L2-normalised. `dimensions` (0 < d < length) truncates and re-normalises, like Ollama.
 */
export function embeddingVector(model: string, text: string, length: number, dimensions = 0): number[] {
  const next = seededRandom(sha256Hex(`${normalizeModelName(model)}\n${text}`));
  const raw = new Array<number>(length);
  for (let i = 0; i < length; i++) raw[i] = next() / 2147483648 - 1;
  let vec = normalize(raw);
  if (dimensions > 0 && dimensions < vec.length) vec = normalize(vec.slice(0, dimensions));
  return vec.map(toFloat32);
}
