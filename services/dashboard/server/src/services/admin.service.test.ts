import { describe, expect, it } from 'vitest';
import type { GatewayAdminClient } from '../clients/gateway-admin.client.js';
import { createGatewayAdminClient } from '../clients/gateway-admin.client.js';
import { createAdminService, translateGatewayError } from './admin.service.js';

describe('translateGatewayError', () => {
  it('keeps status, message and code of the gateway’s OpenAI-shaped error', () => {
    expect(
      translateGatewayError(409, {
        error: { message: 'taken', type: 'invalid_request_error', code: 'email_taken' },
      }),
    ).toMatchObject({ status: 409, message: 'taken', code: 'email_taken' });
    expect(
      translateGatewayError(400, { error: { message: 'bad', type: 'invalid_request_error' } }),
    ).toMatchObject({
      code: 'invalid_request_error',
    });
    expect(translateGatewayError(404, { error: 'model not found' })).toMatchObject({
      status: 404,
      message: 'model not found',
      code: 'gateway_error',
    });
    expect(translateGatewayError(503, null)).toMatchObject({ status: 503, code: 'gateway_error' });
    expect(translateGatewayError(403, {})).toMatchObject({ status: 502, code: 'admin_token_rejected' });
  });
});

describe('admin service', () => {
  it('probes the gateway once per TTL for adminEnabled', async () => {
    let calls = 0;
    let now = 0;
    const client: GatewayAdminClient = {
      async call() {
        calls += 1;
        return { status: 200, body: {} };
      },
    };
    const admin = createAdminService({ client, now: () => now, probeTtlMs: 1000 });
    expect(await admin.available()).toBe(true);
    expect(await admin.available()).toBe(true);
    expect(calls).toBe(1);
    now = 1000;
    expect(await admin.available()).toBe(true);
    expect(calls).toBe(2);
    expect(await createAdminService({ client: null }).available()).toBe(false);
  });

  it('the client sends Bearer ADMIN_TOKEN and JSON to <url>/admin/<path>', async () => {
    const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
    const client = createGatewayAdminClient({
      baseUrl: 'http://gateway:8081/',
      token: 'tok',
      timeoutMs: 1000,
      fetch: async (url, init) => {
        requests.push({ url: String(url), init });
        return new Response('{"ok":true}', { status: 201 });
      },
    });
    expect(await client.call('POST', '/customers', { name: 'A' })).toEqual({
      status: 201,
      body: { ok: true },
    });
    expect(requests[0]?.url).toBe('http://gateway:8081/admin/customers');
    expect(requests[0]?.init).toMatchObject({
      method: 'POST',
      body: '{"name":"A"}',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
    });
  });
});
