import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { EmbeddingRequest, EmbeddingResult } from '../../canonical/completion.types.js';
import { invalidRequest } from './completions.js';

/** OpenAI's limit on inputs per request. */
export const MAX_INPUTS = 2048;

export type EncodingFormat = 'float' | 'base64';

const embeddingRequest = z.object({
  model: z
    .string({ error: 'you must provide a model parameter' })
    .min(1, 'you must provide a model parameter'),
  input: z.union([z.string(), z.array(z.string()).max(MAX_INPUTS)], {
    error: 'expected a string or an array of strings',
  }),
  encoding_format: z.string().nullish(),
  dimensions: z.number().int().min(1).nullish(),
  // user is accepted and ignored. Ollama-only extras reachable through extra body fields:
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

export interface ParsedEmbeddingRequest {
  request: EmbeddingRequest;
  encoding: EncodingFormat;
}

const isTokenArray = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((item) => typeof item === 'number' || (Array.isArray(item) && isTokenArray(item)));

/**
 * Validates an OpenAI embeddings body (reference §2.4) and translates it (§4.7). A lone `""` is embedded as one
 * empty text, as Ollama's OpenAI layer does (sent as-is, Ollama's native endpoint would answer no vectors at all).
 */
export function parseEmbeddingRequest(body: unknown): ParsedEmbeddingRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
  if (isTokenArray((body as { input?: unknown }).input))
    throw badRequest(
      "Invalid value for 'input': token-id input is not supported (Ollama uses its own tokenizer); send the input as text.",
      { param: 'input' },
    );
  if (Array.isArray((body as { input?: unknown }).input) && (body as { input: unknown[] }).input.length === 0)
    throw badRequest("Invalid value for 'input': [] is too short.", { param: 'input' });
  const parsed = embeddingRequest.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error);
  const input = parsed.data;

  let encoding: EncodingFormat = 'float';
  if (input.encoding_format != null) {
    const format = input.encoding_format.toLowerCase();
    if (format !== 'float' && format !== 'base64')
      throw badRequest(
        `Invalid value for 'encoding_format' = ${input.encoding_format}. Supported values: ['float', 'base64'].`,
        { param: 'encoding_format' },
      );
    encoding = format;
  }

  const request: EmbeddingRequest = {
    model: input.model,
    input: typeof input.input === 'string' ? [input.input] : input.input,
  };
  if (input.dimensions != null) request.dimensions = input.dimensions;
  if (input.keep_alive != null) request.keepAlive = input.keep_alive;
  if (input.options && Object.keys(input.options).length > 0) request.options = input.options;
  return { request, encoding };
}

/** A vector as OpenAI's base64 form: the little-endian float32 bytes, base64-encoded. */
export function toBase64Float32(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}

/** The inverse of toBase64Float32 (for tests and clients written in JS). */
export function fromBase64Float32(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const out: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) out.push(bytes.readFloatLE(offset));
  return out;
}

export interface OpenAIEmbeddingList {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Ollama's vectors → OpenAI's embedding list; `model` echoes what the client asked for. */
export function toEmbeddingList(
  model: string,
  result: EmbeddingResult,
  encoding: EncodingFormat,
): OpenAIEmbeddingList {
  return {
    object: 'list',
    data: result.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? toBase64Float32(vector) : vector,
    })),
    model,
    usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
  };
}
