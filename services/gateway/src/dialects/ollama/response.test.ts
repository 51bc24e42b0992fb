import { describe, expect, it } from 'vitest';
import {
  assembleStreamedAnswer,
  errorMessageOf,
  filterModelList,
  loggedAnswer,
  timingsOf,
  usageOf,
} from './response.js';

describe('Ollama native answers', () => {
  it('takes usage from the final chunk (missing means 0), embed counting prompt tokens only', () => {
    const final = { done: true, prompt_eval_count: 26, eval_count: 12, total_duration: 5 };
    expect(usageOf('chat', final)).toEqual({ promptTokens: 26, completionTokens: 12 });
    expect(usageOf('generate', { done: true, eval_count: 2 })).toEqual({
      promptTokens: 0,
      completionTokens: 2,
    });
    expect(usageOf('embed', { prompt_eval_count: 8 })).toEqual({ promptTokens: 8, completionTokens: 0 });
    expect(usageOf('embeddings', { prompt_eval_count: 8 })).toEqual({ promptTokens: 0, completionTokens: 0 });
    expect(timingsOf(final)).toEqual({
      loadDurationNs: null,
      promptEvalDurationNs: null,
      evalDurationNs: null,
      totalDurationNs: 5,
    });
  });

  it('filters tags and ps to the allowed models, keeping every other field', () => {
    const body = {
      models: [
        { name: 'llama3.2:latest', model: 'llama3.2:latest', size: 1 },
        { name: 'qwen3:0.6b', model: 'qwen3:0.6b', size: 2 },
        { name: 'old-entry', size: 3 },
      ],
      extra: true,
    };
    expect(filterModelList(body, (model) => model !== 'qwen3:0.6b')).toEqual({
      models: [body.models[0], body.models[2]],
      extra: true,
    });
    expect(filterModelList({ nope: 1 }, () => false)).toEqual({ nope: 1 });
  });

  it('summarises embedding vectors for the request log', () => {
    expect(
      loggedAnswer('embed', {
        model: 'm',
        embeddings: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      }),
    ).toEqual({
      model: 'm',
      embeddings: '[2 vectors of 3 dimensions]',
    });
    expect(loggedAnswer('embeddings', { embedding: [1, 2] })).toEqual({
      embedding: '[1 vector of 2 dimensions]',
    });
    expect(loggedAnswer('show', { a: 1 })).toEqual({ a: 1 });
  });

  it('rebuilds a streamed chat or generate answer for the request log', () => {
    const chat = [
      '{"model":"q","message":{"role":"assistant","content":"","thinking":"hm"},"done":false}',
      '{"model":"q","message":{"role":"assistant","content":"Hi"},"done":false}',
      '{"model":"q","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}',
      'not json',
      '{"model":"q","message":{"role":"assistant","content":"!"},"done":true,"done_reason":"stop","eval_count":3}',
    ];
    expect(assembleStreamedAnswer('chat', chat)).toEqual({
      model: 'q',
      done: true,
      done_reason: 'stop',
      eval_count: 3,
      message: {
        role: 'assistant',
        content: 'Hi!',
        thinking: 'hm',
        tool_calls: [{ function: { name: 'f', arguments: {} } }],
      },
    });
    expect(
      assembleStreamedAnswer('generate', ['{"response":"a","done":false}', '{"response":"b","done":true}']),
    ).toEqual({ response: 'ab', done: true });
    expect(assembleStreamedAnswer('manage', ['{"status":"pulling"}', '{"status":"success"}'])).toEqual({
      status: 'success',
    });
    expect(assembleStreamedAnswer('chat', [])).toBeNull();
  });

  it('reads Ollama’s error body', () => {
    expect(errorMessageOf({ error: 'boom' })).toBe('boom');
    expect(errorMessageOf({ error: { message: 'x' } })).toBeNull();
    expect(errorMessageOf(null)).toBeNull();
  });
});
