import { createHash } from 'node:crypto';
import type { ChatMessage, JsonSchema } from './sim.types.js';

/** The fixed vocabulary replies are drawn from. Plain ASCII words: no JSON escaping, no stop-word surprises. */
export const VOCABULARY: readonly string[] = Object.freeze([
  'the',
  'model',
  'answer',
  'simple',
  'quick',
  'river',
  'light',
  'stone',
  'cloud',
  'garden',
  'signal',
  'paper',
  'window',
  'silver',
  'market',
  'forest',
  'number',
  'bridge',
  'engine',
  'letter',
  'orange',
  'planet',
  'winter',
  'summer',
  'yellow',
  'little',
  'gentle',
  'bright',
  'hidden',
  'steady',
  'music',
  'ocean',
  'valley',
  'candle',
  'harbor',
  'meadow',
  'pocket',
  'rocket',
  'shadow',
  'thunder',
  'velvet',
  'wonder',
  'anchor',
  'basket',
  'copper',
  'desert',
  'ember',
  'falcon',
  'glacier',
  'horizon',
  'island',
  'jungle',
  'kettle',
  'lantern',
  'marble',
  'needle',
  'orchard',
  'pepper',
  'quartz',
  'ribbon',
  'saddle',
  'tunnel',
  'umbrella',
  'voyage',
]);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A small deterministic PRNG (sfc32) seeded from a sha256 hex digest. Returns uint32 values. */
export function seededRandom(seedHex: string): () => number {
  let a = Number.parseInt(seedHex.slice(0, 8), 16) >>> 0;
  let b = Number.parseInt(seedHex.slice(8, 16), 16) >>> 0;
  let c = Number.parseInt(seedHex.slice(16, 24), 16) >>> 0;
  let d = Number.parseInt(seedHex.slice(24, 32), 16) >>> 0 || 1;
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
}

/**
 * The hash key of a conversation: sha256 of `role\ncontent` per message joined by a blank line.
 * /api/generate uses `[{role:'system',content:system}?, {role:'user',content:prompt}]`, so a generate prompt and a
 * chat with the same single user message get the same reply.
 */
export function conversationKey(messages: ReadonlyArray<Pick<ChatMessage, 'role' | 'content'>>): string {
  return sha256Hex(messages.map((m) => `${m.role}\n${m.content ?? ''}`).join('\n\n'));
}

/**
 * The reply as a list of tokens (one streamed chunk each): `count` words from VOCABULARY chosen by a PRNG seeded with
 * `key`; the first word is capitalised, later ones carry a leading space, the last ends with a full stop.
 */
export function replyTokens(key: string, count: number): string[] {
  const next = seededRandom(key);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = VOCABULARY[next() % VOCABULARY.length] as string;
    if (i === 0) tokens.push(word.charAt(0).toUpperCase() + word.slice(1));
    else tokens.push(` ${word}`);
  }
  if (count > 0) tokens[count - 1] = `${tokens[count - 1]}.`;
  return tokens;
}

/** The reply text for a key: `replyTokens(key, count).join('')`. */
export function replyText(key: string, count = 12): string {
  return replyTokens(key, count).join('');
}

/** Thinking tokens: the same scheme seeded with `sha256("think:" + key)`. */
export function thinkingTokens(key: string, count: number): string[] {
  return replyTokens(sha256Hex(`think:${key}`), count);
}

/** Splits text into token-like pieces: runs of word characters, or runs of punctuation, each with leading spaces. */
export function splitTokens(text: string): string[] {
  return text.match(/\s*[A-Za-z0-9_.-]+|\s*[^A-Za-z0-9_.\-\s]+|\s+$/g) ?? [];
}

/** A deterministic JSON value for a JSON schema (tool arguments, structured output). */
export function valueForSchema(schema: JsonSchema | undefined, seed: string, depth = 0): unknown {
  if (!schema || typeof schema !== 'object') return pickWord(seed);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return pickWord(seed);
    case 'integer':
      return (Number.parseInt(sha256Hex(seed).slice(0, 6), 16) % 100) + 1;
    case 'number':
      return ((Number.parseInt(sha256Hex(seed).slice(0, 6), 16) % 1000) + 1) / 10;
    case 'boolean':
      return Number.parseInt(sha256Hex(seed).slice(0, 2), 16) % 2 === 0;
    case 'array':
      return depth > 4 ? [] : [valueForSchema(schema.items, `${seed}[0]`, depth + 1)];
    case 'null':
      return null;
    default:
      if (type === 'object' || schema.properties) return objectForSchema(schema, seed, depth);
      return pickWord(seed);
  }
}

/** An object with one deterministic value per property of `schema.properties`, in declaration order. */
export function objectForSchema(
  schema: JsonSchema | undefined,
  seed: string,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 4 || !schema?.properties) return out;
  for (const [name, prop] of Object.entries(schema.properties)) {
    out[name] = valueForSchema(prop, `${seed}.${name}`, depth + 1);
  }
  return out;
}

function pickWord(seed: string): string {
  return VOCABULARY[Number.parseInt(sha256Hex(seed).slice(0, 8), 16) % VOCABULARY.length] as string;
}

/**
 * Content for a request with `format`: a schema object gives an object built from its properties (seeded by the
 * conversation key); `"json"` (or a schema without properties) gives `{"reply": replyText(key, count)}`.
 */
export function formattedContent(format: unknown, key: string, count: number): string {
  if (format && typeof format === 'object') {
    const schema = format as JsonSchema;
    if (schema.properties) return JSON.stringify(objectForSchema(schema, key));
  }
  return JSON.stringify({ reply: replyText(key, count) });
}
