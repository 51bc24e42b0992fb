import { embedTokenCount, promptTokenCount } from '@ollama-gateway/ollama-sim';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';

let gateway: TestGateway;

/** The official `ollama` client against the gateway with one of our keys; `ids` collects each response's request id. */
function client(key: string) {
  const ids: string[] = [];
  const ollama = new Ollama({
    host: gateway.url,
    headers: { Authorization: `Bearer ${key}` },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const id = response.headers.get('x-request-id');
      if (id) ids.push(id);
      return response;
    },
  });
  return { ollama, ids, lastId: () => ids[ids.length - 1]! };
}

const post = (path: string, body: string, key = gateway.key, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body,
  });

/** The client's ResponseError (the package does not export the class): the server's `error` text and status. */
interface ResponseError extends Error {
  error: string;
  status_code: number;
}

async function rejection(promise: Promise<unknown>): Promise<ResponseError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as ResponseError,
  );
  expect(error?.name).toBe('ResponseError');
  return error as ResponseError;
}

beforeAll(async () => {
  gateway = await startTestGateway({ label: 'ollama_native' });
});
afterAll(async () => {
  await gateway?.close();
});
beforeEach(() => {
  gateway.sim.reset();
});

describe('Ollama native API through the gateway, with the official ollama client', () => {
  it('streams a chat whose concatenated text equals the non-streamed answer, with exact usage for both', async () => {
    const { ollama, lastId } = client(gateway.key);
    const messages = [{ role: 'user', content: 'Tell me about llamas please' }];
    const whole = await ollama.chat({ model: 'llama3.2', messages });
    expect(whole.done).toBe(true);
    expect(whole.message.content.length).toBeGreaterThan(0);
    const wholeId = lastId();

    const stream = await ollama.chat({ model: 'llama3.2', messages, stream: true });
    const streamId = lastId();
    let text = '';
    let parts = 0;
    let final: { prompt_eval_count: number; eval_count: number } | undefined;
    for await (const part of stream) {
      parts++;
      text += part.message.content;
      if (part.done) final = part;
    }
    expect(text).toBe(whole.message.content);
    expect(parts).toBeGreaterThan(2);

    const expectedPrompt = promptTokenCount(messages);
    expect(final?.prompt_eval_count).toBe(expectedPrompt);
    const wholeEvent = await gateway.usageEvent(wholeId);
    expect(wholeEvent).toMatchObject({
      status: 200,
      dialect: 'ollama',
      endpoint: '/api/chat',
      model: 'llama3.2',
      provider: 'ollama',
      stream: false,
      promptTokens: whole.prompt_eval_count,
      completionTokens: whole.eval_count,
      apiKeyId: gateway.keyId,
    });
    expect(wholeEvent.promptTokens).toBe(expectedPrompt);
    expect(wholeEvent.completionTokens).toBe(12);
    expect(wholeEvent.totalDurationNs).toBe(whole.total_duration);
    const streamEvent = await gateway.usageEvent(streamId);
    expect(streamEvent).toMatchObject({
      status: 200,
      endpoint: '/api/chat',
      stream: true,
      promptTokens: final?.prompt_eval_count,
      completionTokens: final?.eval_count,
    });
    expect(streamEvent.completionTokens).toBe(12);
    expect(streamEvent.ttftMs).not.toBeNull();

    const log = await gateway.requestLogEvent(streamId);
    expect(log.responseBody).toMatchObject({ done: true, message: { role: 'assistant', content: text } });
  });

  it('generates (whole and streamed) the same text as a chat with that one user message, with exact usage', async () => {
    const { ollama, lastId } = client(gateway.key);
    const prompt = 'Why is the sky blue?';
    const chat = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: prompt }] });
    const whole = await ollama.generate({ model: 'llama3.2', prompt });
    const wholeId = lastId();
    expect(whole.response).toBe(chat.message.content);

    const stream = await ollama.generate({ model: 'llama3.2', prompt, stream: true });
    const streamId = lastId();
    let text = '';
    for await (const part of stream) text += part.response;
    expect(text).toBe(whole.response);

    for (const [id, stream] of [
      [wholeId, false],
      [streamId, true],
    ] as const)
      expect(await gateway.usageEvent(id)).toMatchObject({
        status: 200,
        endpoint: '/api/generate',
        dialect: 'ollama',
        model: 'llama3.2',
        stream,
        promptTokens: whole.prompt_eval_count,
        completionTokens: whole.eval_count,
      });
    expect(whole.prompt_eval_count).toBeGreaterThan(0);
  });

  it('embeds, counting the prompt tokens Ollama reports', async () => {
    const { ollama, lastId } = client(gateway.key);
    const input = ['hello world', 'llamas are great'];
    const answer = await ollama.embed({ model: 'all-minilm', input });
    expect(answer.embeddings).toHaveLength(2);
    expect(answer.embeddings[0]).toHaveLength(384);
    const expected = input.reduce((sum, text) => sum + embedTokenCount(text), 0);
    expect(answer.prompt_eval_count).toBe(expected);
    expect(await gateway.usageEvent(lastId())).toMatchObject({
      status: 200,
      endpoint: '/api/embed',
      model: 'all-minilm',
      stream: false,
      promptTokens: expected,
      completionTokens: 0,
    });

    const legacy = await ollama.embeddings({ model: 'all-minilm', prompt: 'hello world' });
    expect(legacy.embedding).toHaveLength(384);
    expect(await gateway.usageEvent(lastId())).toMatchObject({ status: 200, endpoint: '/api/embeddings' });
  });

  it('lists, shows, reports running models and the version', async () => {
    const { ollama } = client(gateway.key);
    const list = await ollama.list();
    expect(list.models.map((model) => model.name).sort()).toEqual([
      'all-minilm:latest',
      'llama3.2:latest',
      'llava:latest',
      'qwen3:0.6b',
    ]);
    const show = await ollama.show({ model: 'llama3.2' });
    expect(show.capabilities).toContain('tools');
    expect(show.details.family).toBe('llama');

    await ollama.generate({ model: 'llama3.2', prompt: 'warm up' });
    const ps = await ollama.ps();
    expect(ps.models.map((model) => model.name)).toContain('llama3.2:latest');

    const version = await ollama.version();
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('passes answers through byte for byte, keeps the status, and streams NDJSON when stream is left out', async () => {
    for (const [path, init] of [
      ['/api/tags', { method: 'GET' }],
      ['/api/version', { method: 'GET' }],
      ['/api/show', { method: 'POST', body: '{"model":"qwen3:0.6b"}' }],
      ['/api/show', { method: 'POST', body: '{"model":"nope"}' }],
      ['/api/chat', { method: 'POST', body: '{"model":"all-minilm","messages":[]}' }],
    ] as const) {
      const direct = await fetch(`${gateway.sim.url}${path}`, init);
      const proxied = await fetch(`${gateway.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${gateway.key}` },
      });
      expect(proxied.status).toBe(direct.status);
      expect(proxied.headers.get('content-type')).toBe(direct.headers.get('content-type'));
      expect(await proxied.text()).toBe(await direct.text());
    }

    const head = await fetch(`${gateway.url}/api/tags`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${gateway.key}` },
    });
    expect(head.status).toBe(200);

    const streamed = await post(
      '/api/chat',
      '{"model":"llama3.2","messages":[{"role":"user","content":"hi"}]}',
    );
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await streamed.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ done: true, done_reason: 'stop' });
  });

  it('answers a bad key with 401 in Ollama’s error shape', async () => {
    const { ollama } = client('sk-og-not-a-real-key-0123456789abcdef');
    const error = await rejection(ollama.list());
    expect(error.status_code).toBe(401);
    expect(error.error).toMatch(/Incorrect API key/);

    const response = await fetch(`${gateway.url}/api/tags`);
    expect(response.status).toBe(401);
    expect(Object.keys((await response.json()) as object)).toEqual(['error']);
  });

  it('hides models the key may not use: 404 like a missing model, filtered tags and ps', async () => {
    const restricted = await gateway.createKey({ allowedModels: ['llama3.2*'] });
    const { ollama } = client(restricted.key);
    const chat = await rejection(
      ollama.chat({ model: 'qwen3:0.6b', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(chat.status_code).toBe(404);
    expect(chat.error).toBe('model "qwen3:0.6b" not found, try pulling it first');
    const show = await rejection(ollama.show({ model: 'qwen3:0.6b' }));
    expect(show.status_code).toBe(404);
    expect(show.error).toBe("model 'qwen3:0.6b' not found");
    const embed = await rejection(ollama.embed({ model: 'all-minilm', input: 'x' }));
    expect(embed.status_code).toBe(404);
    expect(gateway.sim.stats().requests).toBe(0);

    const answer = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.done).toBe(true);
    await client(gateway.key).ollama.generate({ model: 'qwen3:0.6b', prompt: 'load me', think: false });
    expect((await ollama.list()).models.map((model) => model.name)).toEqual(['llama3.2:latest']);
    expect((await ollama.ps()).models.map((model) => model.name)).toEqual(['llama3.2:latest']);

    // A field spelt with other letter case would be read by Ollama (Go matches case-insensitively): refused.
    const sneaky = await post(
      '/api/chat',
      '{"model":"llama3.2","MODEL":"qwen3:0.6b","messages":[],"stream":false}',
      restricted.key,
    );
    expect(sneaky.status).toBe(400);
    expect(Object.keys((await sneaky.json()) as object)).toEqual(['error']);
    const trailing = await post('/api/chat', '{"model":"llama3.2"}{"model":"qwen3:0.6b"}', restricted.key);
    expect(trailing.status).toBe(400);
  });

  it('keeps model management to admin keys: 403 otherwise, passed through for admins', async () => {
    const { ollama } = client(gateway.key);
    const pull = await rejection(ollama.pull({ model: 'llama3.2' }));
    expect(pull.status_code).toBe(403);
    expect(pull.error).toMatch(/admin key required/);
    const remove = await rejection(ollama.delete({ model: 'llama3.2' }));
    expect(remove.status_code).toBe(403);

    const admin = await gateway.createKey({ isAdmin: true });
    const adminPull = await post('/api/pull', '{"model":"llama3.2","stream":false}', admin.key);
    // The simulator does not implement pull: its own 404 comes through unchanged.
    expect(adminPull.status).toBe(404);
    expect(adminPull.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await adminPull.text()).toBe('404 page not found');
    const blob = await fetch(`${gateway.url}/api/blobs/sha256:${'0'.repeat(64)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(64 * 1024),
    });
    expect(blob.status).toBe(404);
    expect(await blob.text()).toBe('404 page not found');
    const notAdminBlob = await fetch(`${gateway.url}/api/blobs/sha256:${'0'.repeat(64)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.key}` },
      body: 'x',
    });
    expect(notAdminBlob.status).toBe(403);
  });

  it('relays a mid-stream error line, then ends the stream; the usage event says 502', async () => {
    const { ollama, lastId } = client(gateway.key);
    const stream = await ollama.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'fail please [[sim:error-midstream]]' }],
      stream: true,
    });
    const id = lastId();
    let parts = 0;
    const error = await (async () => {
      for await (const _part of stream) parts++;
    })().then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(parts).toBe(3);
    expect(error?.message).toMatch(/simulated/);
    expect(await gateway.usageEvent(id)).toMatchObject({
      status: 502,
      errorCode: 'upstream_error',
      stream: true,
      completionTokens: 3,
    });
  });

  it('relays the error line byte for byte; a lost upstream connection ends the stream with an error line', async () => {
    const failing = await post('/api/generate', '{"model":"llama3.2","prompt":"go [[sim:error-midstream]]"}');
    expect(failing.status).toBe(200);
    const lines = (await failing.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toEqual({ error: expect.stringMatching(/simulated/) });
    const failedEvent = await gateway.usageEvent(failing.headers.get('x-request-id')!);
    expect(failedEvent).toMatchObject({ status: 502, endpoint: '/api/generate', completionTokens: 3 });

    const dropped = await post(
      '/api/chat',
      '{"model":"llama3.2","messages":[{"role":"user","content":"[[sim:drop]]"}]}',
    );
    const droppedLines = (await dropped.text()).trimEnd().split('\n');
    expect(JSON.parse(droppedLines[droppedLines.length - 1]!)).toEqual({
      error: 'The connection to the model server was lost mid-response.',
    });
    expect(await gateway.usageEvent(dropped.headers.get('x-request-id')!)).toMatchObject({
      status: 502,
      errorCode: 'upstream_connection_lost',
      completionTokens: 3,
    });
  });

  it('aborts the upstream at once when the client leaves mid-stream, recording 499 with the tokens so far', async () => {
    const { ollama, lastId } = client(gateway.key);
    const stream = await ollama.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'a long one [[sim:slow]] [[sim:tokens=200]]' }],
      stream: true,
    });
    const id = lastId();
    let parts = 0;
    for await (const _part of stream) {
      if (++parts === 3) break;
    }
    const leftAt = Date.now();
    stream.abort();
    let cancellations = gateway.sim.stats().cancellations;
    while (cancellations.length === 0 && Date.now() - leftAt < 2000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      cancellations = gateway.sim.stats().cancellations;
    }
    expect(cancellations).toHaveLength(1);
    expect(cancellations[0]!.atMs - leftAt).toBeLessThan(1000); // goal 100 ms; loose bound against CI load
    const event = await gateway.usageEvent(id);
    expect(event).toMatchObject({ status: 499, endpoint: '/api/chat', stream: true });
    expect(event.completionTokens).toBeGreaterThanOrEqual(3);
    expect(event.completionTokens).toBeLessThanOrEqual(cancellations[0]!.tokensSent);
  });

  it('aborts an upstream that has not answered yet when the client gives up', async () => {
    const controller = new AbortController();
    let id: string | null = null;
    const pending = fetch(`${gateway.url}/api/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.key}` },
      body: '{"model":"llama3.2","prompt":"[[sim:hang]]","stream":false}',
      signal: controller.signal,
    }).then(
      (response) => {
        id = response.headers.get('x-request-id');
      },
      () => undefined,
    );
    while (gateway.sim.stats().active === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const leftAt = Date.now();
    controller.abort();
    await pending;
    expect(id).toBeNull();
    let cancellations = gateway.sim.stats().cancellations;
    while (cancellations.length === 0 && Date.now() - leftAt < 2000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      cancellations = gateway.sim.stats().cancellations;
    }
    expect(cancellations).toHaveLength(1);
    expect(cancellations[0]!.atMs - leftAt).toBeLessThan(1000); // goal 100 ms; loose bound against CI load
  });
});
