import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { type CacheConfig, type CacheConfigInput, cacheConfigSchema } from './cache.config.js';

/**
 * The response cache through the real app: real simulator, real Redis (the gateway's private prefix), the official
 * SDKs. The simulator's request count proves a hit never reaches Ollama.
 */
let gw: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;
let config: CacheConfig;
const configure = (input: CacheConfigInput = {}) => {
  config = cacheConfigSchema.parse({ enabled: true, ...input });
};
let seq = 0;
/** A prompt no other test uses (the customer's entries are shared by every test of this file). */
const prompt = (label: string) => `${label} #${++seq} ${Date.now()}`;
const upstreamCalls = () => gw.sim.stats().byPath['/api/chat'] ?? 0;

beforeAll(async () => {
  configure();
  gw = await startTestGateway({ label: 'gateway-cache', cache: () => config, metrics: true });
  openai = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
});

async function openaiPlain(
  content: string,
  extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
) {
  const { data, response } = await openai.chat.completions
    .create({ model: 'llama3.2', temperature: 0, messages: [{ role: 'user', content }], ...extra })
    .withResponse();
  return {
    text: data.choices[0]!.message.content,
    usage: data.usage,
    cache: response.headers.get('x-cache'),
    requestId: response.headers.get('x-request-id')!,
  };
}

async function openaiStream(content: string) {
  const { data, response } = await openai.chat.completions
    .create({
      model: 'llama3.2',
      temperature: 0,
      messages: [{ role: 'user', content }],
      stream: true,
      stream_options: { include_usage: true },
    })
    .withResponse();
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  let finish: string | null | undefined;
  for await (const chunk of data) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish ??= chunk.choices[0]?.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  return {
    text,
    usage,
    finish,
    cache: response.headers.get('x-cache'),
    requestId: response.headers.get('x-request-id')!,
  };
}

describe('response cache through the app', () => {
  it('OpenAI: a plain miss is stored; plain and streamed repeats are hits that never reach Ollama', async () => {
    const content = prompt('Why is the sky blue?');
    const miss = await openaiPlain(content);
    expect(miss.cache).toBe('MISS');
    const calls = upstreamCalls();

    const hit = await openaiPlain(content);
    expect(hit.cache).toBe('HIT');
    expect(hit.text).toBe(miss.text);
    expect(hit.usage).toEqual(miss.usage);

    const streamed = await openaiStream(content);
    expect(streamed.cache).toBe('HIT');
    expect(streamed.text).toBe(miss.text);
    expect(streamed.finish).toBe('stop');
    expect(streamed.usage).toMatchObject({
      prompt_tokens: miss.usage!.prompt_tokens,
      completion_tokens: miss.usage!.completion_tokens,
    });
    expect(upstreamCalls()).toBe(calls);

    expect(await gw.usageEvent(miss.requestId)).toMatchObject({
      cacheStatus: 'miss',
      billable: true,
      provider: 'ollama',
      upstreamHost: gw.sim.url,
    });
    const hitEvent = await gw.usageEvent(hit.requestId);
    expect(hitEvent).toMatchObject({
      cacheStatus: 'hit',
      billable: true,
      provider: 'ollama',
      upstreamModel: 'llama3.2',
      upstreamHost: null,
      status: 200,
      promptTokens: miss.usage!.prompt_tokens,
      completionTokens: miss.usage!.completion_tokens,
      loadDurationNs: null,
      evalDurationNs: null,
    });
    expect(await gw.usageEvent(streamed.requestId)).toMatchObject({
      cacheStatus: 'hit',
      stream: true,
      completionTokens: miss.usage!.completion_tokens,
    });
  });

  it('OpenAI: a streamed miss is teed into the cache and then served to a plain request', async () => {
    const content = prompt('Tell me a story');
    const miss = await openaiStream(content);
    expect(miss.cache).toBe('MISS');
    const calls = upstreamCalls();
    const hit = await openaiPlain(content);
    expect(hit).toMatchObject({ cache: 'HIT', text: miss.text });
    expect(hit.usage).toMatchObject({ completion_tokens: miss.usage!.completion_tokens });
    expect(upstreamCalls()).toBe(calls);
  });

  it('Anthropic: plain and streamed hits render normal messages with usage, without Ollama', async () => {
    const params = {
      model: 'llama3.2',
      max_tokens: 200,
      temperature: 0,
      messages: [{ role: 'user' as const, content: prompt('Say hello') }],
    };
    const miss = await anthropic.messages.create(params).withResponse();
    expect(miss.response.headers.get('x-cache')).toBe('MISS');
    const calls = upstreamCalls();

    const hit = await anthropic.messages.create(params).withResponse();
    expect(hit.response.headers.get('x-cache')).toBe('HIT');
    expect(hit.data.content).toEqual(miss.data.content);
    expect(hit.data.usage).toMatchObject({
      input_tokens: miss.data.usage.input_tokens,
      output_tokens: miss.data.usage.output_tokens,
    });

    const stream = anthropic.messages.stream(params);
    const final = await stream.finalMessage();
    const { response } = await stream.withResponse();
    expect(response.headers.get('x-cache')).toBe('HIT');
    expect(final.content).toEqual(miss.data.content);
    expect(final.stop_reason).toBe(miss.data.stop_reason);
    expect(final.usage.output_tokens).toBe(miss.data.usage.output_tokens);
    expect(upstreamCalls()).toBe(calls);
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({ dialect: 'anthropic', cacheStatus: 'hit', stream: true });
  });

  it('Responses API: a streamed hit completes with the cached text', async () => {
    const input = prompt('Summarise the news');
    const first = await openai.responses.create({ model: 'llama3.2', temperature: 0, input });
    const calls = upstreamCalls();
    const { data, response } = await openai.responses
      .create({ model: 'llama3.2', temperature: 0, input, stream: true })
      .withResponse();
    let text = '';
    for await (const event of data) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(response.headers.get('x-cache')).toBe('HIT');
    expect(text).toBe(first.output_text);
    expect(upstreamCalls()).toBe(calls);
  });

  it('BYPASS: non-deterministic requests and client directives go upstream every time', async () => {
    const content = prompt('Be creative');
    const calls = upstreamCalls();
    expect((await openaiPlain(content, { temperature: 0.9 })).cache).toBe('BYPASS');
    expect((await openaiPlain(content, { temperature: 0.9 })).cache).toBe('BYPASS');
    expect(upstreamCalls()).toBe(calls + 2);

    const deterministic = prompt('Be exact');
    await openaiPlain(deterministic);
    const noStore = await openai.chat.completions
      .create(
        { model: 'llama3.2', temperature: 0, messages: [{ role: 'user', content: deterministic }] },
        { headers: { 'cache-control': 'no-store' } },
      )
      .withResponse();
    expect(noStore.response.headers.get('x-cache')).toBe('BYPASS');
    const forced = { headers: { 'x-gateway-cache': 'force' } };
    const seeded = prompt('Opt in');
    const body = {
      model: 'llama3.2',
      temperature: 0.9,
      messages: [{ role: 'user' as const, content: seeded }],
    };
    const one = await openai.chat.completions.create(body, forced).withResponse();
    const two = await openai.chat.completions.create(body, forced).withResponse();
    expect([one.response.headers.get('x-cache'), two.response.headers.get('x-cache')]).toEqual([
      'MISS',
      'HIT',
    ]);
    expect(await gw.usageEvent(noStore.response.headers.get('x-request-id')!)).toMatchObject({
      cacheStatus: 'bypass',
    });
  });

  it('a seed makes a request cacheable at any temperature; another seed is another entry', async () => {
    const content = prompt('Roll a die');
    expect((await openaiPlain(content, { temperature: 0.9, seed: 7 })).cache).toBe('MISS');
    expect((await openaiPlain(content, { temperature: 0.9, seed: 7 })).cache).toBe('HIT');
    expect((await openaiPlain(content, { temperature: 0.9, seed: 8 })).cache).toBe('MISS');
  });

  it('TTL: an entry expires (short TTL) and the next request goes upstream again', async () => {
    configure({ ttlSeconds: 0.3 });
    try {
      const content = prompt('Short-lived');
      expect((await openaiPlain(content)).cache).toBe('MISS');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await openaiPlain(content)).cache).toBe('MISS');
    } finally {
      configure();
    }
  });

  it('size cap: an answer above maxEntryBytes is served but not stored', async () => {
    configure({ maxEntryBytes: 200 });
    try {
      const content = prompt('A long answer [[sim:tokens=80]]');
      expect((await openaiPlain(content)).cache).toBe('MISS');
      expect((await openaiPlain(content)).cache).toBe('MISS');
      expect((await openaiStream(content)).cache).toBe('MISS');
    } finally {
      configure();
    }
  });

  it('billHits off: the hit is recorded with its tokens and billable false', async () => {
    configure({ billHits: false });
    try {
      const content = prompt('Free repeat');
      const miss = await openaiPlain(content);
      const hit = await openaiPlain(content);
      expect(hit.cache).toBe('HIT');
      expect(await gw.usageEvent(miss.requestId)).toMatchObject({ cacheStatus: 'miss', billable: true });
      expect(await gw.usageEvent(hit.requestId)).toMatchObject({
        cacheStatus: 'hit',
        billable: false,
        promptTokens: miss.usage!.prompt_tokens,
        completionTokens: miss.usage!.completion_tokens,
      });
    } finally {
      configure();
    }
  });

  it('counts hits, misses and bypasses in /metrics; the cache off means no header', async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_cache_requests_total\{[^}]*result="hit"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_cache_requests_total\{[^}]*result="miss"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_cache_writes_total\{[^}]*outcome="stored"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_cache_writes_total\{[^}]*outcome="too_large"[^}]*\} [1-9]/);

    configure({ enabled: false });
    try {
      const off = await openaiPlain(prompt('Cache off'));
      expect(off.cache).toBeNull();
      expect((await gw.usageEvent(off.requestId)).cacheStatus).toBeNull();
    } finally {
      configure();
    }
  });
  it('never serves one customer the answer stored for another (per-customer scope)', async () => {
    // A second replica over the same database and Redis prefix (its close() also clears the shared queues: last test).
    const other = await startTestGateway({
      label: 'gateway-cache-other',
      shared: { database: gw.database, prefix: gw.prefix },
      cache: () => config,
    });
    try {
      // `other` created its own customer: its key is a stranger's.
      const content = prompt('Private question');
      expect((await openaiPlain(content)).cache).toBe('MISS');
      const client = new OpenAI({ apiKey: other.key, baseURL: `${other.url}/v1`, maxRetries: 0 });
      const { response } = await client.chat.completions
        .create({ model: 'llama3.2', temperature: 0, messages: [{ role: 'user', content }] })
        .withResponse();
      expect(response.headers.get('x-cache')).toBe('MISS');
      // Same customer on the other replica (same Redis): a hit.
      const mine = new OpenAI({ apiKey: gw.key, baseURL: `${other.url}/v1`, maxRetries: 0 });
      const again = await mine.chat.completions
        .create({ model: 'llama3.2', temperature: 0, messages: [{ role: 'user', content }] })
        .withResponse();
      expect(again.response.headers.get('x-cache')).toBe('HIT');
    } finally {
      await other.close();
    }
  });
});
