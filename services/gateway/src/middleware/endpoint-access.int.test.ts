// Allowed endpoints per key, through the real app: paths, globs and `dialect:x`, refused with 403
// `endpoint_not_allowed` in the caller's dialect (and recorded like any other request).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';

const MODEL = 'llama3.2:latest';
let gw: TestGateway;
let mixed: string;
let ollamaOnly: string;

beforeAll(async () => {
  gw = await startTestGateway({ label: 'gateway-endpoints' });
  mixed = (await gw.createKey({ allowedEndpoints: ['/v1/chat/completions', 'dialect:anthropic'] })).key;
  ollamaOnly = (await gw.createKey({ allowedEndpoints: ['/api/*'] })).key;
});
afterAll(async () => {
  await gw?.close();
});

const call = (key: string, method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const chat = { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 };
const anthropic = { model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
const native = { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false };

describe('allowed endpoints', () => {
  it('lets a listed path and a listed dialect through', async () => {
    const openai = await call(mixed, 'POST', '/v1/chat/completions', chat);
    expect(openai.status).toBe(200);
    const messages = await call(mixed, 'POST', '/v1/messages', anthropic);
    expect(messages.status).toBe(200);
  });

  it('refuses other OpenAI endpoints with an OpenAI 403', async () => {
    const response = await call(mixed, 'GET', '/v1/models');
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string; type: string } };
    expect(body.error.code).toBe('endpoint_not_allowed');
    expect(body.error.message).toContain('/v1/models');
    const completions = await call(mixed, 'POST', '/v1/completions', { model: MODEL, prompt: 'hi' });
    expect(completions.status).toBe(403);
  });

  it('refuses the Ollama dialect with an Ollama-shaped 403, before reaching upstream', async () => {
    const before = gw.sim.stats().requests;
    const response = await call(mixed, 'POST', '/api/chat', native);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: string };
    expect(body.error).toContain('/api/chat');
    expect(gw.sim.stats().requests).toBe(before);
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event.status).toBe(403);
    expect(event.errorCode).toBe('endpoint_not_allowed');
  });

  it('refuses the Anthropic dialect with an Anthropic-shaped 403', async () => {
    const response = await call(ollamaOnly, 'POST', '/v1/messages', anthropic);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('permission_error');
    expect(body.error.message).toContain('/v1/messages');
  });

  it('globs cover a whole family', async () => {
    expect((await call(ollamaOnly, 'GET', '/api/tags')).status).toBe(200);
    expect((await call(ollamaOnly, 'POST', '/api/chat', native)).status).toBe(200);
    expect((await call(ollamaOnly, 'POST', '/v1/chat/completions', chat)).status).toBe(403);
  });

  it('a key without a list may use everything', async () => {
    expect((await call(gw.key, 'GET', '/v1/models')).status).toBe(200);
    expect((await call(gw.key, 'GET', '/api/tags')).status).toBe(200);
  });
});
