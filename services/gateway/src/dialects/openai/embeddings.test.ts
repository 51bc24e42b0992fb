import { AppError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import type { EmbeddingResult } from '../../canonical/completion.types.js';
import { haveOpenAISpec, openAISchemaValidator, SPEC_MISSING } from '../../testing/openapi.js';
import {
  fromBase64Float32,
  MAX_INPUTS,
  parseEmbeddingRequest,
  toBase64Float32,
  toEmbeddingList,
} from './embeddings.js';

const body = (extra: Record<string, unknown> = {}) => ({ model: 'all-minilm', input: 'hello', ...extra });

function parseError(input: unknown): AppError {
  try {
    parseEmbeddingRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected parseEmbeddingRequest to throw');
}

const result = (embeddings: number[][] = [[0.5, -0.25, 1]]): EmbeddingResult => ({
  model: 'all-minilm',
  embeddings,
  promptTokens: 8,
  timings: { loadDurationNs: 1, promptEvalDurationNs: null, evalDurationNs: null, totalDurationNs: 5 },
});

describe('parseEmbeddingRequest', () => {
  it('turns a string into one input, float by default', () => {
    expect(parseEmbeddingRequest(body())).toEqual({
      request: { model: 'all-minilm', input: ['hello'] },
      encoding: 'float',
    });
  });

  it('keeps a string array, passes dimensions, keep_alive and options', () => {
    expect(
      parseEmbeddingRequest(
        body({ input: ['a', 'b'], dimensions: 8, keep_alive: 0, options: { num_ctx: 256 }, user: 'u' }),
      ).request,
    ).toEqual({
      model: 'all-minilm',
      input: ['a', 'b'],
      dimensions: 8,
      keepAlive: 0,
      options: { num_ctx: 256 },
    });
  });

  it('embeds "" as one empty text (as Ollama\'s OpenAI layer does)', () => {
    expect(parseEmbeddingRequest(body({ input: '' })).request.input).toEqual(['']);
  });

  it('reads encoding_format case-insensitively; null means float', () => {
    expect(parseEmbeddingRequest(body({ encoding_format: 'base64' })).encoding).toBe('base64');
    expect(parseEmbeddingRequest(body({ encoding_format: 'BASE64' })).encoding).toBe('base64');
    expect(parseEmbeddingRequest(body({ encoding_format: 'Float' })).encoding).toBe('float');
    expect(parseEmbeddingRequest(body({ encoding_format: null })).encoding).toBe('float');
  });

  it("rejects another encoding_format with OpenAI's message", () => {
    const error = parseError(body({ encoding_format: 'int8' }));
    expect(error).toMatchObject({ status: 400, param: 'encoding_format' });
    expect(error.message).toBe(
      "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].",
    );
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['token ids', { input: [1, 2, 3] }, 'input', /token-id input is not supported/],
    ['token id arrays', { input: [[1, 2], [3]] }, 'input', /token-id input is not supported/],
    ['empty array', { input: [] }, 'input', /\[\] is too short/],
    ['missing input', { input: undefined }, 'input', /expected a string or an array of strings/],
    ['a number', { input: 5 }, 'input', /expected a string or an array of strings/],
    ['too many inputs', { input: Array.from({ length: MAX_INPUTS + 1 }, () => 'x') }, 'input', /./],
    ['dimensions 0', { dimensions: 0 }, 'dimensions', /./],
    ['missing model', { model: '' }, 'model', /you must provide a model parameter/],
  ])('%s → 400 with param %s', (_label, extra, param, message) => {
    const error = parseError(body(extra));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('rejects a body that is not an object', () => {
    expect(parseError([])).toMatchObject({ status: 400, code: 'invalid_body' });
  });
});

describe('base64 float32', () => {
  it('is the little-endian float32 bytes', () => {
    // 1.0 = 0x3f800000, -2.0 = 0xc0000000 → LE bytes 00 00 80 3f 00 00 00 c0
    expect(toBase64Float32([1, -2])).toBe(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
  });

  it('round-trips values at float32 precision', () => {
    const vector = [0.1, -0.123456789, 3.5e-8, 0];
    expect(fromBase64Float32(toBase64Float32(vector))).toEqual(vector.map((v) => Math.fround(v)));
  });
});

describe('toEmbeddingList', () => {
  it('renders one object per vector with usage from prompt_eval_count', () => {
    expect(toEmbeddingList('alias', result([[0.5], [0.25]]), 'float')).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5] },
        { object: 'embedding', index: 1, embedding: [0.25] },
      ],
      model: 'alias',
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });

  it('encodes vectors as base64 when asked', () => {
    const list = toEmbeddingList('m', result(), 'base64');
    expect(list.data[0]!.embedding).toBe(toBase64Float32([0.5, -0.25, 1]));
  });

  it.skipIf(!haveOpenAISpec)(haveOpenAISpec ? 'matches CreateEmbeddingResponse' : SPEC_MISSING, async () => {
    const validate = await openAISchemaValidator('CreateEmbeddingResponse');
    const sample = toEmbeddingList(
      'm',
      result([
        [0.5, 1],
        [0, -1],
      ]),
      'float',
    );
    expect(validate(sample)).toBe(true);
    const broken = structuredClone(sample) as unknown as { usage: { total_tokens?: number } };
    delete broken.usage.total_tokens;
    expect(validate(broken)).toBe(false);
  });
});
