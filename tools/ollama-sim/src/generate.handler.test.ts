import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages, generatePromptTokenCount } from './generate.handler.js';
import { parseNdjson } from './ndjson.util.js';
import { type OllamaSim, startOllamaSim } from './sim.server.js';
import { conversationKey, replyText } from './text.generator.js';

let sim: OllamaSim;
beforeAll(async () => {
  sim = await startOllamaSim();
});
afterAll(() => sim.close());

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('POST /api/generate', () => {
  it('streams `response` chunks by default and ends with context and metrics', async () => {
    const res = await post('/api/generate', {
      model: 'llama3.2',
      prompt: 'Why is the sky blue?',
      system: 'Be brief.',
    });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseNdjson<Record<string, unknown>>(await res.text());
    const chunks = lines.slice(0, -1);
    expect(chunks).toHaveLength(12);
    for (const c of chunks) expect(Object.keys(c)).toEqual(['model', 'created_at', 'response', 'done']);
    const final = lines.at(-1) as Record<string, unknown>;
    const promptEvalCount = generatePromptTokenCount('Why is the sky blue?', 'Be brief.');
    expect(final).toMatchObject({
      response: '',
      done: true,
      done_reason: 'stop',
      eval_count: 12,
      prompt_eval_count: promptEvalCount,
    });
    expect(final.context).toHaveLength(promptEvalCount + 12);
    const text = chunks.map((c) => c.response).join('');
    expect(text).toBe(replyText(conversationKey(generateMessages('Why is the sky blue?', 'Be brief.'))));
  });

  it('gives the same text as a chat with the same single user message', async () => {
    const gen = (await (
      await post('/api/generate', { model: 'llama3.2', prompt: 'hello', stream: false })
    ).json()) as {
      response: string;
    };
    const chat = (await (
      await post('/api/chat', {
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hello' }],
        stream: false,
      })
    ).json()) as { message: { content: string } };
    expect(gen.response).toBe(chat.message.content);
  });

  it('loads the model on an empty prompt', async () => {
    const body = (await (await post('/api/generate', { model: 'llama3.2' })).json()) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({ model: 'llama3.2', response: '', done: true, done_reason: 'load' });
    expect(Object.keys(body)).toEqual(['model', 'created_at', 'response', 'done', 'done_reason']);
  });

  it('puts thinking in its own field on thinking models', async () => {
    const body = (await (
      await post('/api/generate', { model: 'qwen3:0.6b', prompt: 'hi', stream: false, think: true })
    ).json()) as Record<string, unknown>;
    expect(typeof body.thinking).toBe('string');
    expect(body.eval_count).toBe(20);
  });

  it('limits tokens with num_predict and omits context in raw mode', async () => {
    const res = await post('/api/generate', {
      model: 'llama3.2',
      prompt: 'x',
      raw: true,
      stream: false,
      options: { num_predict: 2 },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ done_reason: 'length', eval_count: 2 });
    expect(body.context).toBeUndefined();
  });

  it('returns Ollama errors', async () => {
    let res = await post('/api/generate', { model: 'llama3.2', prompt: 'x', raw: true, system: 's' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'raw mode does not support template, system, or context' });
    res = await post('/api/generate', { model: 'all-minilm', prompt: 'x' });
    expect(await res.json()).toEqual({ error: '"all-minilm" does not support generate' });
    res = await post('/api/generate', { model: 'llama3.2', prompt: 'x', suffix: 'y' });
    expect(await res.json()).toEqual({
      error: 'registry.ollama.ai/library/llama3.2:latest does not support insert',
    });
    res = await post('/api/generate', { model: 'nope', prompt: 'x' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'model "nope" not found, try pulling it first' });
  });
});
