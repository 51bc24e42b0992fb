// CORS through nginx with CORS_ALLOW_ORIGINS set: a browser app on an allowed origin can call the API with a key —
// its preflight is answered without one, the answers (and nginx's own 401s) carry Access-Control-Allow-Origin — while
// any other origin gets no CORS header, a preflight never reaches Ollama or the ledger, and /admin never has CORS.
// (CORS off, the default, is covered by test/security/keys-and-edge.test.ts: no CORS header anywhere.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

let stack: Stack;
let customer: CreatedKey;

beforeAll(async () => {
  stack = await startStack({ label: 'cors', env: { CORS_ALLOW_ORIGINS: `${APP},http://localhost:5173` } });
  customer = await stack.createKey();
});

afterAll(async () => {
  await stack?.stop();
});

const preflight = (origin: string, path = '/v1/chat/completions') =>
  fetch(`${stack.apiUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-stainless-os',
    },
  });

const chat = (origin: string, key = customer.key) =>
  fetch(`${stack.apiUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { origin, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] }),
  });

describe('CORS_ALLOW_ORIGINS', () => {
  it('answers an allowed origin’s preflight without a key, and nothing reaches Ollama or the ledger', async () => {
    const before = stack.sim.stats().requests;
    for (const path of ['/v1/chat/completions', '/v1/messages', '/api/chat', '/v1/models']) {
      const res = await preflight(APP, path);
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(APP);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toBe(
        'authorization, content-type, x-stainless-os',
      );
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('vary')).toContain('Origin');
    }
    expect(stack.sim.stats().requests).toBe(before);
    const rows = await stack.db
      .selectFrom('usage_events')
      .select('request_id')
      .where('endpoint', '=', '/v1/models')
      .execute();
    expect(rows).toEqual([]);
  });

  it('puts the origin on answers and on nginx’s own 401 for that origin, exposing the headers', async () => {
    const ok = await chat(APP);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-expose-headers')).toBe('*');
    await ok.arrayBuffer();

    const denied = await chat(APP, 'sk-og-not-a-real-key-000000000000000000');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(APP);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');

    const local = await preflight('http://localhost:5173');
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('gives any other origin no CORS header: its preflight is refused like a request without a key', async () => {
    const res = await preflight(OTHER);
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await chat(OTHER);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    await answer.arrayBuffer();
    const denied = await chat(OTHER, 'sk-og-not-a-real-key-000000000000000000');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never on /admin (gateway port) or /metrics', async () => {
    for (const path of ['/admin/customers', '/metrics']) {
      const res = await fetch(`${stack.gatewayUrl}${path}`, {
        method: 'OPTIONS',
        headers: { origin: APP, 'access-control-request-method': 'GET' },
      });
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });
});
