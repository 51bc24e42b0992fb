import { AppError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../canonical/chat.types.js';
import type { CompletionResult } from '../../canonical/completion.types.js';
import { haveOpenAISpec, openAISchemaValidator, SPEC_MISSING } from '../../testing/openapi.js';
import {
  MAX_PROMPTS,
  OpenAICompletionStreamRenderer,
  parseCompletionRequest,
  toTextCompletion,
} from './completions.js';

const body = (extra: Record<string, unknown> = {}) => ({ model: 'llama3.2', prompt: 'Once upon', ...extra });

function parseError(input: unknown): AppError {
  try {
    parseCompletionRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected parseCompletionRequest to throw');
}

const result = (fields: Partial<CompletionResult> = {}): CompletionResult => ({
  model: 'llama3.2',
  text: ' a time.',
  finishReason: 'stop',
  usage: { promptTokens: 6, completionTokens: 3 },
  timings: { loadDurationNs: 1, promptEvalDurationNs: 2, evalDurationNs: 3, totalDurationNs: 6 },
  createdAt: '2025-03-10T01:31:23.456789Z',
  ...fields,
});

describe('parseCompletionRequest', () => {
  it('sends max_tokens 16 by default (the spec default; Ollama alone has no limit) and stream false', () => {
    expect(parseCompletionRequest(body())).toEqual({
      model: 'llama3.2',
      stream: false,
      requests: [{ model: 'llama3.2', prompt: 'Once upon', stream: false, options: { num_predict: 16 } }],
      includeUsage: false,
      echo: false,
    });
    expect(parseCompletionRequest(body({ max_tokens: null })).requests[0]!.options.num_predict).toBe(16);
  });

  it('maps sampling fields into options, a stop string into an array', () => {
    const { requests } = parseCompletionRequest(
      body({
        max_tokens: 50,
        temperature: 0,
        top_p: 0.5,
        seed: 7,
        presence_penalty: 1,
        frequency_penalty: -1,
        stop: 'END',
        logit_bias: { '50256': -100 },
        user: 'u-1',
      }),
    );
    expect(requests[0]!.options).toEqual({
      num_predict: 50,
      temperature: 0,
      top_p: 0.5,
      seed: 7,
      presence_penalty: 1,
      frequency_penalty: -1,
      stop: ['END'],
    });
  });

  it('passes suffix, keep_alive and Ollama options; options.num_predict stands in for max_tokens', () => {
    const { requests } = parseCompletionRequest(
      body({ suffix: 'return x', keep_alive: '1m', options: { num_ctx: 4096, num_predict: 64 } }),
    );
    expect(requests[0]).toEqual({
      model: 'llama3.2',
      prompt: 'Once upon',
      suffix: 'return x',
      stream: false,
      keepAlive: '1m',
      options: { num_ctx: 4096, num_predict: 64 },
    });
    expect(parseCompletionRequest(body({ suffix: '' })).requests[0]).not.toHaveProperty('suffix');
  });

  it('fans an array prompt out into one request per prompt (same options)', () => {
    const parsed = parseCompletionRequest(body({ prompt: ['a', 'b', ''], max_tokens: 5 }));
    expect(parsed.requests.map((request) => request.prompt)).toEqual(['a', 'b', '']);
    expect(parsed.requests.every((request) => request.options.num_predict === 5)).toBe(true);
  });

  it('reads stream, include_usage and echo', () => {
    const parsed = parseCompletionRequest(
      body({ stream: true, stream_options: { include_usage: true }, echo: true }),
    );
    expect(parsed).toMatchObject({ stream: true, includeUsage: true, echo: true });
    expect(parsed.requests[0]!.stream).toBe(true);
  });

  it('accepts n: 1, best_of: 1 and logprobs: null', () => {
    expect(() => parseCompletionRequest(body({ n: 1, best_of: 1, logprobs: null }))).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['token-id prompt', { prompt: [1212, 318] }, 'prompt', /token-id prompts are not supported/],
    ['token-id prompts', { prompt: [[1212], [318]] }, 'prompt', /token-id prompts are not supported/],
    ['empty prompt array', { prompt: [] }, 'prompt', /\[\] is too short/],
    ['missing prompt', { prompt: undefined }, 'prompt', /expected a string or an array of strings/],
    ['mixed prompt array', { prompt: ['a', 1] }, 'prompt', /expected a string or an array of strings/],
    ['streamed array', { prompt: ['a', 'b'], stream: true }, 'prompt', /one prompt per request/],
    [
      'too many prompts',
      { prompt: Array.from({ length: MAX_PROMPTS + 1 }, () => 'x') },
      'prompt',
      /at most 16 prompts/,
    ],
    ['missing model', { model: undefined }, 'model', /you must provide a model parameter/],
    ['n > 1', { n: 2 }, 'n', /n > 1 is not supported/],
    ['best_of > 1', { best_of: 3 }, 'best_of', /best_of > 1 is not supported/],
    ['logprobs', { logprobs: 2 }, 'logprobs', /logprobs are not supported/],
    ['max_tokens 0', { max_tokens: 0 }, 'max_tokens', /at least 1/],
    ['temperature too high', { temperature: 2.5 }, 'temperature', /<=2/],
    ['five stop sequences', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /./],
    ['echo not boolean', { echo: 'yes' }, 'echo', /./],
  ])('%s → 400 with param %s', (_label, extra, param, message) => {
    const error = parseError(body(extra));
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`Invalid value for '${param}': `)).toBe(true);
  });

  it.each([null, 'text', [body()]])('rejects a body that is not an object: %j', (input) => {
    expect(parseError(input)).toMatchObject({ status: 400, code: 'invalid_body' });
  });
});

describe('toTextCompletion', () => {
  it('renders one prompt with every field the spec requires', () => {
    expect(toTextCompletion('cmpl-1', 'my-alias', [result()], ['Once upon'], false)).toEqual({
      id: 'cmpl-1',
      object: 'text_completion',
      created: 1741570283,
      model: 'my-alias',
      system_fingerprint: 'fp_ollama',
      choices: [{ text: ' a time.', index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 },
    });
  });

  it('gives one choice per prompt in order, sums usage, and echoes prompts when asked', () => {
    const completion = toTextCompletion(
      'cmpl-2',
      'm',
      [result({ text: 'X' }), result({ text: 'Y', finishReason: 'length' })],
      ['a ', 'b '],
      true,
    );
    expect(completion.choices).toEqual([
      { text: 'a X', index: 0, logprobs: null, finish_reason: 'stop' },
      { text: 'b Y', index: 1, logprobs: null, finish_reason: 'length' },
    ]);
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
  });

  it.skipIf(!haveOpenAISpec)(haveOpenAISpec ? 'matches CreateCompletionResponse' : SPEC_MISSING, async () => {
    const validate = await openAISchemaValidator('CreateCompletionResponse');
    const sample = toTextCompletion(
      'cmpl-3',
      'm',
      [result(), result({ finishReason: 'length' })],
      ['a', 'b'],
      true,
    );
    expect(validate(sample)).toBe(true);
    const broken = structuredClone(sample) as unknown as { choices: { text?: string }[] };
    delete broken.choices[1]!.text;
    expect(validate(broken)).toBe(false);
  });
});

const end = (finishReason: 'stop' | 'length' = 'stop'): ChatEvent => ({
  type: 'end',
  finishReason,
  usage: { promptTokens: 6, completionTokens: 2 },
  timings: { loadDurationNs: null, promptEvalDurationNs: null, evalDurationNs: null, totalDurationNs: null },
  createdAt: '2025-03-10T01:31:23Z',
});

/** The JSON payloads of an SSE text, `[DONE]` kept as a string. */
const frames = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      const data = frame.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });

describe('OpenAICompletionStreamRenderer', () => {
  const envelope = { id: 'cmpl-9', object: 'text_completion', created: 1700000000, model: 'm' };

  it('streams text fragments, a finish chunk with empty text, then [DONE]; thinking is dropped', () => {
    const renderer = new OpenAICompletionStreamRenderer('cmpl-9', 'm', 1700000000, false);
    const text = [
      renderer.start(),
      renderer.render({ type: 'thinking', text: 'hmm' }),
      renderer.render({ type: 'text', text: 'Hello' }),
      renderer.render({ type: 'text', text: ' world' }),
      renderer.render(end('length')),
    ].join('');
    expect(frames(text)).toEqual([
      {
        ...envelope,
        system_fingerprint: 'fp_ollama',
        choices: [{ text: 'Hello', index: 0, logprobs: null, finish_reason: null }],
      },
      {
        ...envelope,
        system_fingerprint: 'fp_ollama',
        choices: [{ text: ' world', index: 0, logprobs: null, finish_reason: null }],
      },
      {
        ...envelope,
        system_fingerprint: 'fp_ollama',
        choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'length' }],
      },
      '[DONE]',
    ]);
  });

  it('with include_usage: usage null on every chunk, then a usage chunk with choices []; echo comes first', () => {
    const renderer = new OpenAICompletionStreamRenderer('cmpl-9', 'm', 1700000000, true, 'Say: ');
    const out = frames(
      renderer.start() + renderer.render({ type: 'text', text: 'hi' }) + renderer.render(end()),
    );
    expect(out.map((frame) => (frame === '[DONE]' ? frame : frame.choices))).toEqual([
      [{ text: 'Say: ', index: 0, logprobs: null, finish_reason: null }],
      [{ text: 'hi', index: 0, logprobs: null, finish_reason: null }],
      [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
      [],
      '[DONE]',
    ]);
    expect(out.slice(0, 3).every((frame) => frame.usage === null)).toBe(true);
    expect(out[3].usage).toEqual({ prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
    expect(out[3].id).toBe('cmpl-9');
  });

  it('renders an upstream error as an OpenAI error event', () => {
    const renderer = new OpenAICompletionStreamRenderer('cmpl-9', 'm', 1700000000, false);
    expect(frames(renderer.render({ type: 'error', message: 'boom' }))).toEqual([
      { error: { message: 'boom', type: 'server_error', param: null, code: null } },
    ]);
    expect(renderer.start()).toBe('');
  });
});
