import { createHash } from 'node:crypto';

/** Plain ASCII words: nothing to escape in JSON, no stop-string surprises. */
const WORDS = [
  'cloud',
  'answer',
  'bright',
  'harbor',
  'signal',
  'paper',
  'meadow',
  'copper',
  'falcon',
  'lantern',
  'river',
  'stone',
  'orbit',
  'velvet',
  'summit',
  'ember',
  'prism',
  'canyon',
  'willow',
  'beacon',
  'glacier',
  'thunder',
  'marble',
  'garden',
] as const;

/** A text message as the stub reads it (role + its text), whichever API it came from. */
export interface TextTurn {
  role: string;
  text: string;
}

/** sha256 of `role\ntext` per turn, turns joined by a blank line: the same conversation gives the same reply. */
export function conversationKey(turns: readonly TextTurn[]): string {
  return createHash('sha256')
    .update(turns.map((turn) => `${turn.role}\n${turn.text}`).join('\n\n'))
    .digest('hex');
}

function prng(key: string): () => number {
  let a = Number.parseInt(key.slice(0, 8), 16) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The reply's pieces, one per completion token: the first word capitalised, later words with a leading space, the
 * last ending with `.`. Joined, they are the reply text.
 */
export function replyPieces(key: string, tokens: number): string[] {
  const next = prng(key);
  const pieces: string[] = [];
  for (let i = 0; i < tokens; i++) {
    let word: string = WORDS[Math.floor(next() * WORDS.length)] ?? 'cloud';
    if (i === 0) word = word[0]!.toUpperCase() + word.slice(1);
    if (i === tokens - 1) word += '.';
    pieces.push(i === 0 ? word : ` ${word}`);
  }
  return pieces;
}

/** Prompt tokens: per turn, its whitespace-separated words plus 4 (a stand-in for a tokenizer, stable in tests). */
export function promptTokens(turns: readonly TextTurn[]): number {
  return turns.reduce((sum, turn) => sum + wordCount(turn.text) + 4, 0);
}

export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

/** Cuts the pieces before the earliest stop string; `stopped` says whether one matched. */
export function applyStop(pieces: string[], stop: readonly string[]): { pieces: string[]; stopped: boolean } {
  const text = pieces.join('');
  let cut = -1;
  for (const s of stop) {
    const at = s ? text.indexOf(s) : -1;
    if (at !== -1 && (cut === -1 || at < cut)) cut = at;
  }
  if (cut === -1) return { pieces, stopped: false };
  const out: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    if (length + piece.length <= cut) out.push(piece);
    else if (length < cut) out.push(piece.slice(0, cut - length));
    length += piece.length;
  }
  return { pieces: out, stopped: true };
}

/** Per-request markers in the last user turn: `[[stub:tokens=N]]`, `[[stub:tool]]`, `[[stub:tool=name]]`, faults. */
export function markersOf(text: string): { tokens?: number; tool?: string | true; fault?: string } {
  const out: { tokens?: number; tool?: string | true; fault?: string } = {};
  const tokens = /\[\[stub:tokens=(\d+)\]\]/.exec(text);
  if (tokens) out.tokens = Number(tokens[1]);
  const tool = /\[\[stub:tool(?:=([A-Za-z0-9_-]+))?\]\]/.exec(text);
  if (tool) out.tool = tool[1] ?? true;
  const fault = /\[\[stub:(error-500|error-503|error-529|error-429|hang|error-midstream|drop)\]\]/.exec(text);
  if (fault) out.fault = fault[1]!;
  return out;
}

type JsonSchema = { type?: unknown; enum?: unknown[]; properties?: Record<string, JsonSchema> };

/** Tool arguments built from a JSON schema: the first enum value, else a fixed value per type. */
export function argumentsFor(schema: unknown): Record<string, unknown> {
  const properties = (schema as JsonSchema | null)?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) out[name] = valueFor(property);
  return out;
}

function valueFor(schema: JsonSchema): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return argumentsFor(schema);
    default:
      return 'stub';
  }
}
