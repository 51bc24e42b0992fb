import { describe, expect, it } from 'vitest';
import type { ChatEvent, ChatRequest, ChatResult } from '../canonical/chat.types.js';
import type { ChatService } from '../services/chat.service.js';
import type { AuthKey } from '../services/key-auth.service.js';
import { newRequestContext, type RequestContext } from '../services/request-context.js';
import { type CacheConfigInput, cacheConfigSchema } from './cache.config.js';
import type { ResponseCacheStore } from './cache.store.js';
import { type CacheWriteOutcome, createCachingChatService } from './caching-chat.service.js';

const timings = { loadDurationNs: 1, promptEvalDurationNs: 2, evalDurationNs: 3, totalDurationNs: 6 };
const ANSWER: ChatResult = {
  model: 'llama3.2',
  content: 'Rayleigh scattering.',
  thinking: 'Physics.',
  toolCalls: [{ id: 'call_orig', name: 'lookup', arguments: '{"q":"sky"}' }],
  finishReason: 'tool_calls',
  usage: { promptTokens: 11, completionTokens: 5 },
  timings,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const STREAM: ChatEvent[] = [
  { type: 'thinking', text: 'Phys' },
  { type: 'thinking', text: 'ics.' },
  { type: 'text', text: 'Rayleigh ' },
  { type: 'text', text: 'scattering.' },
  { type: 'tool_call', call: ANSWER.toolCalls[0]! },
  { type: 'end', finishReason: 'tool_calls', usage: ANSWER.usage, timings, createdAt: ANSWER.createdAt },
];

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  stream: false,
  options: { temperature: 0 },
  ...overrides,
});

function memoryStore(failing: { get?: boolean; put?: boolean } = {}) {
  const entries = new Map<string, string>();
  const store: ResponseCacheStore = {
    async get(id) {
      if (failing.get) throw new Error('redis down');
      return entries.get(id) ?? null;
    },
    async put(id, value) {
      if (failing.put) throw new Error('redis down');
      entries.set(id, value);
      return { evicted: 0 };
    },
  };
  return { store, entries };
}

/** An upstream that counts its calls; `events` is what a stream yields (default: a clean answer). */
function fakeUpstream(events: () => AsyncIterable<ChatEvent> = () => fromArray(STREAM)) {
  const calls = { complete: 0, stream: 0 };
  const inner: ChatService = {
    async complete(_request, context) {
      calls.complete++;
      context.provider = 'ollama';
      context.upstreamHost = 'http://gpu1:11434';
      context.upstreamModel = 'llama3.2:latest';
      context.usage = { ...ANSWER.usage };
      context.timings = timings;
      return structuredClone(ANSWER);
    },
    async stream(_request, context) {
      calls.stream++;
      context.provider = 'openai';
      context.upstreamHost = 'https://api.openai.com';
      context.upstreamModel = 'gpt-4o-mini';
      return events();
    },
  };
  return { inner, calls };
}

async function* fromArray(events: ChatEvent[]): AsyncGenerator<ChatEvent> {
  for (const event of events) yield event;
}

function setup(config: CacheConfigInput = {}, store = memoryStore().store) {
  const upstream = fakeUpstream();
  const writes: CacheWriteOutcome[] = [];
  const service = createCachingChatService(upstream.inner, {
    store,
    config: () => cacheConfigSchema.parse({ enabled: true, ...config }),
    metrics: { cacheWrite: (outcome) => writes.push(outcome), cacheReadError: () => writes.push('error') },
  });
  return { service, upstream, writes };
}

function context(customerId = 'cust-a', headers: Record<string, string> = {}) {
  const sent: Record<string, string> = {};
  const ctx = newRequestContext({
    requestId: 'req-cache-0001',
    dialect: 'openai',
    endpoint: '/v1/chat/completions',
    clientIp: null,
    userAgent: null,
    startedAt: 0,
    requestHeader: (name) => headers[name],
    setResponseHeader: (name, value) => {
      sent[name] = value;
    },
  });
  ctx.key = { id: `key-of-${customerId}`, customerId } as AuthKey;
  return Object.assign(ctx, { sent });
}

const signal = () => new AbortController().signal;
const collect = async (events: AsyncIterable<ChatEvent>) => {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
};
const textOf = (events: ChatEvent[]) =>
  events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');

describe('caching chat service', () => {
  it('passes everything through untouched while the cache is off', async () => {
    const { service, upstream } = setup({ enabled: false });
    const ctx = context();
    await service.complete(request(), ctx, signal());
    await service.complete(request(), ctx, signal());
    expect(upstream.calls.complete).toBe(2);
    expect(ctx.cacheStatus).toBeNull();
    expect(ctx.sent).toEqual({});
  });

  it('a miss calls upstream and stores; the same request then hits without calling upstream', async () => {
    const { service, upstream, writes } = setup();
    const first = context();
    const miss = await service.complete(request(), first, signal());
    expect(first.cacheStatus).toBe('miss');
    expect(first.sent['x-cache']).toBe('MISS');
    expect(writes).toEqual(['stored']);

    const second = context();
    const hit = await service.complete(request({ stream: false }), second, signal());
    expect(upstream.calls.complete).toBe(1);
    expect(second.cacheStatus).toBe('hit');
    expect(second.sent).toMatchObject({ 'x-cache': 'HIT', age: expect.stringMatching(/^\d+$/) });
    expect({ ...hit, toolCalls: [] }).toEqual({ ...miss, toolCalls: [] });
    expect(hit.toolCalls[0]).toMatchObject({ name: 'lookup', arguments: '{"q":"sky"}' });
    expect(hit.toolCalls[0]!.id).toMatch(/^call_/);
    expect(hit.toolCalls[0]!.id).not.toBe('call_orig');
    // Who produced it, what it used; no host and no GPU time for the hit itself.
    expect(second).toMatchObject({
      provider: 'ollama',
      upstreamModel: 'llama3.2:latest',
      upstreamHost: null,
      timings: null,
      usage: ANSWER.usage,
      billable: true,
    });
  });

  it('replays a stored plain answer as a stream, with usage and time to first token', async () => {
    const { service, upstream } = setup();
    await service.complete(request(), context(), signal());
    const ctx = context();
    const events = await collect(await service.stream(request({ stream: true }), ctx, signal()));
    expect(upstream.calls.stream).toBe(0);
    expect(events.map((event) => event.type)).toEqual(['thinking', 'text', 'tool_call', 'end']);
    expect(textOf(events)).toBe(ANSWER.content);
    expect(events.at(-1)).toMatchObject({ type: 'end', usage: ANSWER.usage, finishReason: 'tool_calls' });
    expect(ctx.usage).toEqual(ANSWER.usage);
    expect(ctx.ttftMs).not.toBeNull();
    expect(ctx.sent['x-cache']).toBe('HIT');
  });

  it('stores a stream that ended cleanly (tee, not buffer) and serves it to a plain request', async () => {
    const { service, upstream } = setup();
    const ctx = context();
    const live = await collect(await service.stream(request({ stream: true }), ctx, signal()));
    expect(live).toEqual(STREAM);
    expect(ctx.cacheStatus).toBe('miss');
    const hit = await service.complete(request(), context(), signal());
    expect(upstream.calls).toEqual({ complete: 0, stream: 1 });
    expect(hit).toMatchObject({ content: ANSWER.content, thinking: ANSWER.thinking, usage: ANSWER.usage });
    expect(hit.model).toBe('llama3.2');
  });

  it('passes each live event on before the upstream produces the next one', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = fakeUpstream(async function* () {
      yield STREAM[2]!;
      await gate;
      yield* STREAM.slice(3);
    });
    const service = createCachingChatService(upstream.inner, {
      store: memoryStore().store,
      config: () => cacheConfigSchema.parse({ enabled: true }),
    });
    const iterator = (await service.stream(request(), context(), signal()))[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: STREAM[2] });
    release();
    while (!(await iterator.next()).done);
  });

  it('never stores a stream that failed, stopped early or was abandoned by the client', async () => {
    const cases: Array<() => AsyncIterable<ChatEvent>> = [
      () => fromArray([STREAM[2]!, { type: 'error', message: 'boom' }]),
      () => fromArray(STREAM.slice(0, 3)),
    ];
    for (const events of cases) {
      const { store, entries } = memoryStore();
      const upstream = fakeUpstream(events);
      const service = createCachingChatService(upstream.inner, {
        store,
        config: () => cacheConfigSchema.parse({ enabled: true }),
      });
      await collect(await service.stream(request(), context(), signal()));
      expect(entries.size).toBe(0);
    }

    const { store, entries } = memoryStore();
    const service = createCachingChatService(fakeUpstream().inner, {
      store,
      config: () => cacheConfigSchema.parse({ enabled: true }),
    });
    const aborted = new AbortController();
    for await (const event of await service.stream(request(), context(), aborted.signal)) {
      if (event.type === 'text') aborted.abort();
    }
    expect(entries.size).toBe(0);
    // A consumer that stops reading before the end (relaySse on a client disconnect) stores nothing either.
    for await (const _event of await service.stream(request(), context(), signal())) break;
    expect(entries.size).toBe(0);
  });

  it('bypasses non-deterministic requests and honours the client directives', async () => {
    const { service, upstream } = setup();
    const warm = context();
    await service.complete(request(), warm, signal());

    const hot = context();
    await service.complete(request({ options: { temperature: 0.8 } }), hot, signal());
    expect(hot.cacheStatus).toBe('bypass');
    expect(hot.sent['x-cache']).toBe('BYPASS');

    const directives: Record<string, string>[] = [
      { 'cache-control': 'no-store' },
      { 'x-gateway-cache': 'bypass' },
    ];
    for (const headers of directives) {
      const ctx = context('cust-a', headers);
      await service.complete(request(), ctx, signal());
      expect(ctx.cacheStatus).toBe('bypass');
    }
    const forced = context('cust-a', { 'x-gateway-cache': 'force' });
    await service.complete(request({ options: { temperature: 0.8 } }), forced, signal());
    expect(forced.cacheStatus).toBe('miss');
    const forcedAgain = context('cust-a', { 'x-gateway-cache': 'force' });
    await service.complete(request({ options: { temperature: 0.8 } }), forcedAgain, signal());
    expect(forcedAgain.cacheStatus).toBe('hit');
    expect(upstream.calls.complete).toBe(5);
  });

  it('refresh skips the lookup and replaces the entry', async () => {
    const { store, entries } = memoryStore();
    const { service, upstream } = setup({}, store);
    await service.complete(request(), context(), signal());
    const before = [...entries.values()][0];
    await new Promise((resolve) => setTimeout(resolve, 5));
    const refresh = context('cust-a', { 'cache-control': 'no-cache' });
    await service.complete(request(), refresh, signal());
    expect(refresh.cacheStatus).toBe('bypass');
    expect(upstream.calls.complete).toBe(2);
    expect(entries.size).toBe(1);
    expect([...entries.values()][0]).not.toBe(before);
  });

  it('never serves one customer another customer’s answer; per-key scope separates keys', async () => {
    const { service, upstream } = setup();
    await service.complete(request(), context('cust-a'), signal());
    const other = context('cust-b');
    await service.complete(request(), other, signal());
    expect(other.cacheStatus).toBe('miss');
    expect(upstream.calls.complete).toBe(2);

    const perKey = setup({ scope: 'key' });
    const keyA = context('cust-a');
    await perKey.service.complete(request(), keyA, signal());
    const keyB = context('cust-a');
    keyB.key = { id: 'another-key', customerId: 'cust-a' } as AuthKey;
    await perKey.service.complete(request(), keyB, signal());
    expect(keyB.cacheStatus).toBe('miss');
  });

  it('does not store an answer larger than maxEntryBytes (plain or streamed)', async () => {
    const { store, entries } = memoryStore();
    const { service, writes } = setup({ maxEntryBytes: 100 }, store);
    await service.complete(request(), context(), signal());
    await collect(await service.stream(request(), context(), signal()));
    expect(entries.size).toBe(0);
    expect(writes).toEqual(['too_large', 'too_large']);
  });

  it('records an unbilled hit when billHits is off', async () => {
    const { service } = setup({ billHits: false });
    const miss = context();
    await service.complete(request(), miss, signal());
    expect(miss.billable).toBe(true);
    const hit = context();
    await service.complete(request(), hit, signal());
    expect(hit).toMatchObject({ cacheStatus: 'hit', billable: false, usage: ANSWER.usage });
  });

  it('fails open: a broken store reads as a miss and a failed write loses nothing', async () => {
    const broken = setup({}, memoryStore({ get: true, put: true }).store);
    const ctx = context();
    const result = await broken.service.complete(request(), ctx, signal());
    expect(result.content).toBe(ANSWER.content);
    expect(ctx.cacheStatus).toBe('miss');
    expect(broken.writes).toEqual(['error', 'error']);
    const events = await collect(await broken.service.stream(request(), context(), signal()));
    expect(events).toEqual(STREAM);
  });

  it('treats an entry it cannot read (old format, garbage) as a miss', async () => {
    const { store, entries } = memoryStore();
    const { service, upstream } = setup({}, store);
    await service.complete(request(), context(), signal());
    const [id] = [...entries.keys()];
    entries.set(id!, '{"v":0}');
    const ctx: RequestContext = context();
    await service.complete(request(), ctx, signal());
    expect(ctx.cacheStatus).toBe('miss');
    expect(upstream.calls.complete).toBe(2);
  });
});
