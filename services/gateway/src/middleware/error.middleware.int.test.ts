// Requests Express refuses before a route runs (body parser, router) must still be 4xx errors in the caller's dialect,
// not a 500 (found by test/hostile/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ label: 'gwerrors' });
});
afterAll(async () => {
  await gateway?.close();
});

const send = (path: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('request errors Express raises, in the caller dialect', () => {
  it('a path parameter that cannot be percent-decoded is a 400, not a 500', async () => {
    const response = await send('/v1/models/%ff');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'invalid_url', message: expect.stringContaining('%ff') },
    });
  });

  it('a body that does not match its Content-Encoding is a 400 saying so', async () => {
    const response = await send('/v1/chat/completions', '{"model":"llama3.2"}', {
      'content-encoding': 'gzip',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_encoding', message: expect.stringContaining('decompressed') },
    });
  });

  it('valid JSON that is not an object is named as such; invalid JSON speaks the dialect', async () => {
    for (const body of ['null', '"text"', '42']) {
      const response = await send('/v1/chat/completions', body);
      expect(response.status, body).toBe(400);
      expect(await response.json(), body).toMatchObject({
        error: { code: 'invalid_body', message: 'The request body must be a JSON object.' },
      });
    }
    const anthropic = await send('/v1/messages', '{"model":');
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
    });
  });

  it('a body nested deeper than 100 levels is a 400 on every dialect and never reaches Ollama', async () => {
    const before = gateway.sim.stats().requests;
    const openai = await send(
      '/v1/chat/completions',
      `{"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"x":${deep(5000)}}`,
    );
    expect(openai.status).toBe(400);
    expect(await openai.json()).toMatchObject({
      error: { message: expect.stringContaining('nested too deeply') },
    });
    const anthropic = await send(
      '/v1/messages',
      `{"model":"llama3.2","max_tokens":5,"messages":${deep(101)}}`,
    );
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const ollama = await send('/api/chat', `{"model":"llama3.2","messages":[],"x":${deep(5000)}}`);
    expect(ollama.status).toBe(400);
    expect(await ollama.json()).toEqual({ error: expect.stringContaining('nested too deeply') });
    expect(gateway.sim.stats().requests).toBe(before);
    // 100 levels (the body object and 99 arrays) are still fine.
    const ok = await send(
      '/v1/chat/completions',
      `{"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"x":${deep(99)}}`,
    );
    expect(ok.status).toBe(200);
  });
});
