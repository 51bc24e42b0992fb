import { describe, expect, it } from 'vitest';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import type { OllamaRawRequest } from '../clients/ollama/ollama.proxy.js';
import { singleHostRouter } from '../testing/routing-harness.js';
import type { AuthKey } from './key-auth.service.js';
import { createOllamaProxyService, type NativeCall } from './ollama-proxy.service.js';
import { newRequestContext } from './request-context.js';

/** A fake upstream: answers every call with `status`, `headers` and the given chunks (then `fail` if set). */
function fakeOllama(answer: { status?: number; type: string; chunks: string[]; fail?: Error }) {
  const calls: OllamaRawRequest[] = [];
  const ollama = {
    baseUrl: 'http://ollama:11434',
    async raw(request: OllamaRawRequest) {
      calls.push(request);
      async function* body() {
        for (const chunk of answer.chunks) yield Buffer.from(chunk);
        if (answer.fail) throw answer.fail;
      }
      const iterable = Object.assign(body(), { dump: async () => {} });
      return {
        statusCode: answer.status ?? 200,
        headers: { 'content-type': answer.type, 'content-length': '1', connection: 'keep-alive' },
        body: iterable,
      };
    },
  } as unknown as OllamaClient;
  return { router: singleHostRouter({ url: ollama.baseUrl, client: ollama }), calls };
}

const context = (key: Partial<AuthKey> | null = null) => {
  const created = newRequestContext({
    requestId: 'req-1',
    dialect: 'ollama',
    endpoint: '/api/chat',
    clientIp: null,
    userAgent: null,
    startedAt: 0,
  });
  created.key = key as AuthKey | null;
  created.model = 'llama3.2';
  return created;
};

const call = (endpoint: NativeCall['endpoint'], path = `/api/${endpoint}`): NativeCall => ({
  endpoint,
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{}'),
  target: { model: 'llama3.2', key: 'llama3.2:latest', options: undefined },
});

const NDJSON = 'application/x-ndjson';
const token = (text: string) =>
  `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: text }, done: false })}\n`;
const final =
  '{"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":9,"prompt_eval_count":7,"eval_count":3}\n';

async function drain(chunks: AsyncIterable<Buffer>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk.toString();
  return out;
}

describe('ollama proxy service', () => {
  it('relays the bytes unchanged and takes exact usage from the final line', async () => {
    const upstream = [token('He'), token('l').slice(0, 10), token('l').slice(10) + token('lo'), final];
    const { router, calls } = fakeOllama({ type: NDJSON, chunks: upstream });
    const ctx = context();
    const answer = await createOllamaProxyService({ router }).open(
      call('chat'),
      ctx,
      new AbortController().signal,
    );
    expect(answer.ndjson).toBe(true);
    expect(answer.headers).toEqual({ 'content-type': NDJSON });
    expect(await drain(answer.chunks)).toBe(upstream.join(''));
    expect(answer.outcome()).toEqual({ kind: 'done' });
    expect(ctx.usage).toEqual({ promptTokens: 7, completionTokens: 3 });
    expect(ctx.timings?.totalDurationNs).toBe(9);
    expect(ctx.ttftMs).not.toBeNull();
    expect(ctx).toMatchObject({
      provider: 'ollama',
      upstreamHost: 'http://ollama:11434',
      upstreamModel: 'llama3.2',
    });
    expect(ctx.responseBody).toMatchObject({ message: { content: 'Hello' }, eval_count: 3 });
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/chat' });
  });

  it('counts one token per line so far while streaming, and tells a lost connection from an error line', async () => {
    const lost = fakeOllama({
      type: NDJSON,
      chunks: [token('a'), token('b')],
      fail: new Error('other side closed'),
    });
    const ctx = context();
    const answer = await createOllamaProxyService(lost).open(call('chat'), ctx, new AbortController().signal);
    await drain(answer.chunks);
    expect(answer.outcome()).toEqual({ kind: 'lost' });
    expect(ctx.usage.completionTokens).toBe(2);

    const failed = fakeOllama({ type: NDJSON, chunks: [token('a'), '{"error":"boom"}\n'] });
    const failedAnswer = await createOllamaProxyService(failed).open(
      call('generate'),
      context(),
      new AbortController().signal,
    );
    await drain(failedAnswer.chunks);
    expect(failedAnswer.outcome()).toEqual({ kind: 'error', message: 'boom' });

    const ended = fakeOllama({ type: NDJSON, chunks: [token('a')] });
    const endedAnswer = await createOllamaProxyService(ended).open(
      call('chat'),
      context(),
      new AbortController().signal,
    );
    await drain(endedAnswer.chunks);
    expect(endedAnswer.outcome()).toEqual({ kind: 'lost' });
  });

  it('reports an abort as such', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = fakeOllama({ type: NDJSON, chunks: [token('a')], fail: new Error('aborted') });
    const answer = await createOllamaProxyService(aborted).open(call('chat'), context(), controller.signal);
    await drain(answer.chunks);
    expect(answer.outcome()).toEqual({ kind: 'aborted' });
  });

  it('accounts whole answers: usage, errors, and model lists filtered for a restricted key', async () => {
    const embed = fakeOllama({
      type: 'application/json; charset=utf-8',
      chunks: ['{"model":"m","embeddings":[[1,2]],', '"prompt_eval_count":4}'],
    });
    const ctx = context();
    const answer = await createOllamaProxyService(embed).open(
      call('embed'),
      ctx,
      new AbortController().signal,
    );
    const bytes = Buffer.from(await drain(answer.chunks));
    expect(answer.finishWhole(bytes).toString()).toBe(
      '{"model":"m","embeddings":[[1,2]],"prompt_eval_count":4}',
    );
    expect(ctx.usage).toEqual({ promptTokens: 4, completionTokens: 0 });
    expect(ctx.responseBody).toEqual({
      model: 'm',
      embeddings: '[1 vectors of 2 dimensions]',
      prompt_eval_count: 4,
    });

    const missing = fakeOllama({
      status: 404,
      type: 'application/json',
      chunks: ['{"error":"model \\"x\\" not found"}'],
    });
    const missingCtx = context();
    const missingAnswer = await createOllamaProxyService(missing).open(
      call('chat'),
      missingCtx,
      new AbortController().signal,
    );
    expect(missingAnswer.ndjson).toBe(false);
    missingAnswer.finishWhole(Buffer.from(await drain(missingAnswer.chunks)));
    expect(missingCtx).toMatchObject({ errorCode: 'not_found', errorMessage: 'model "x" not found' });

    const tags =
      '{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest"},{"name":"qwen3:0.6b","model":"qwen3:0.6b"}]}';
    for (const [key, expected] of [
      [null, tags],
      [{ allowedModels: null }, tags],
      [{ allowedModels: ['llama3.2'] }, '{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest"}]}'],
    ] as const) {
      const list = fakeOllama({ type: 'application/json; charset=utf-8', chunks: [tags] });
      const listAnswer = await createOllamaProxyService(list).open(
        { ...call('tags'), method: 'GET', body: undefined, target: null },
        context(key as Partial<AuthKey> | null),
        new AbortController().signal,
      );
      expect(listAnswer.finishWhole(Buffer.from(tags)).toString()).toBe(expected);
    }
  });
});
