// The response cache through nginx with the OpenAI SDK: a deterministic request (temperature 0) is answered by Ollama
// once, then from Redis — same content, plain and streamed, `x-cache` passed through the edge, the simulator never
// called again — and the ledger says which rows were hits.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';
const messages = [{ role: 'user' as const, content: 'Name three rivers in Europe.' }];

let stack: Stack;
let client: OpenAI;
const chatCalls = () => stack.sim.stats().byPath['/api/chat'] ?? 0;

beforeAll(async () => {
  stack = await startStack({ label: 'cache', gatewayConfig: { cache: { enabled: true } } });
  const { key } = await stack.createKey();
  client = new OpenAI({ apiKey: key, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0, timeout: 15_000 });
});

afterAll(async () => {
  await stack?.stop();
});

describe('response cache through nginx', () => {
  it('answers the second identical request from the cache, plain and streamed, without calling Ollama', async () => {
    const first = await client.chat.completions
      .create({ model: MODEL, messages, temperature: 0 })
      .withResponse();
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    const calls = chatCalls();
    expect(calls).toBeGreaterThan(0);

    const second = await client.chat.completions
      .create({ model: MODEL, messages, temperature: 0 })
      .withResponse();
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(second.data.usage).toEqual(first.data.usage);

    const stream = await client.chat.completions
      .create({
        model: MODEL,
        messages,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(stream.response.headers.get('x-cache')).toBe('HIT');
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(first.data.choices[0]?.message.content);
    expect(chatCalls()).toBe(calls);

    const bypass = await client.chat.completions
      .create({ model: MODEL, messages, temperature: 0.7 })
      .withResponse();
    expect(bypass.response.headers.get('x-cache')).toBe('BYPASS');
    expect(chatCalls()).toBe(calls + 1);

    const rows = (await stack.waitForUsageRows(4)).sort(
      (a, b) => a.occurred_at.getTime() - b.occurred_at.getTime(),
    );
    expect(rows.map((row) => row.cache_status)).toEqual(['miss', 'hit', 'hit', 'bypass']);
    expect(rows.every((row) => row.status === 200)).toBe(true);
  });
});
