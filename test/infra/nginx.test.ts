// The nginx edge in front of a tiny stand-in gateway: auth_request flow, identity headers, JSON error bodies,
// limits, streaming. The real gateway is exercised by test/e2e; this pins down what nginx itself does.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDotEnv, renderTemplate, TEMPLATE_PATH } from '../../scripts/render-nginx.mjs';
import { type RunningNginx, renderNginxConfig, startNginx, testNginxConfig } from '../support/nginx.js';
import { freePort } from '../support/processes.js';

const SECRET = 'nginx-test-internal-secret-0123';
// Header values must be ASCII (Node refuses others), so a non-ASCII character travels JSON-escaped.
const BAD_KEY_BODY =
  '{"error":{"message":"Incorrect API key provided: sk-og-bad\\u2026","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}';

const keyId = (key: string) => `kid-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

interface Seen {
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
}

/** Stand-in for the gateway: /internal/auth decides by key prefix, other paths echo what they received. */
function startStandIn(): Promise<{ server: Server; port: number; auth: Seen[]; proxied: Seen[] }> {
  const auth: Seen[] = [];
  const proxied: Seen[] = [];
  const server = createServer((req, res) => {
    const seen = { url: req.url ?? '', method: req.method ?? '', headers: req.headers };
    if (req.url === '/internal/auth') {
      auth.push(seen);
      if (req.headers['x-gateway-internal'] !== SECRET) {
        res.writeHead(500).end();
        return;
      }
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '') || req.headers['x-api-key'] || '';
      if (typeof key === 'string' && key.startsWith('good')) {
        res.writeHead(204, { 'X-Gateway-Key-Id': keyId(key), 'X-Gateway-Customer-Id': 'cust-1' }).end();
      } else if (key === 'forbidden') {
        res.writeHead(403).end();
      } else if (key) {
        res.writeHead(401, { 'X-Gateway-Error': BAD_KEY_BODY }).end();
      } else {
        res.writeHead(401).end();
      }
      return;
    }
    proxied.push(seen);
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      if (req.url === '/ready') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      } else if (req.url === '/v1/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        setTimeout(() => res.end('data: [DONE]\n\n'), 700);
      } else if (req.url === '/v1/own-error') {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"error":{"message":"gateway says no"}}');
      } else {
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-request-id': String(req.headers['x-request-id']),
        });
        res.end(JSON.stringify({ url: req.url, method: req.method, bytes, headers: req.headers }));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, auth, proxied }),
    ),
  );
}

let dir: string;
let standIn: Awaited<ReturnType<typeof startStandIn>>;
let nginx: RunningNginx;
let downNginx: RunningNginx;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ogw-nginx-test-'));
  standIn = await startStandIn();
  nginx = await startNginx({
    prefix: join(dir, 'edge'),
    gatewayUpstream: `127.0.0.1:${standIn.port}`,
    internalSecret: SECRET,
    vars: { MAX_BODY_SIZE: '2m', NGINX_KEY_RATE: '2r/s', NGINX_KEY_BURST: '3', NGINX_IP_RATE: '1000r/s' },
  });
  // An edge whose gateway is down: nothing listens on this port.
  downNginx = await startNginx({
    prefix: join(dir, 'down'),
    gatewayUpstream: `127.0.0.1:${await freePort()}`,
    internalSecret: SECRET,
  });
});

afterAll(async () => {
  await nginx?.stop();
  await downNginx?.stop();
  await new Promise((r) => standIn?.server.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let keyCounter = 0;
/** A fresh key per request group, so the tight per-key flood guard of this instance never trips by accident. */
const goodKey = () => `good-${++keyCounter}-${Date.now()}`;

describe('nginx template', () => {
  it('renders to a config that `nginx -t` accepts', () => {
    // Docker-style values (the compose host name `gateway` does not resolve here, so an address stands in).
    const rendered = renderNginxConfig({
      prefix: join(dir, 'syntax'),
      gatewayUpstream: '127.0.0.1:8081',
      internalSecret: SECRET,
      apiPort: 8080,
      vars: { API_HOST: '0.0.0.0', NGINX_WORKER_PROCESSES: 'auto', MAX_BODY_SIZE: '20m' },
    });
    testNginxConfig(rendered);
    const conf = readFileSync(rendered.confPath, 'utf8');
    expect(conf).toContain('listen 0.0.0.0:8080;');
    expect(conf).not.toMatch(/\$\{[A-Z_]+\}/);
  });

  it('refuses to render when a variable is unset, naming it', () => {
    const template = readFileSync(TEMPLATE_PATH, 'utf8');
    const tiny = ['x $', '{INTERNAL_SECRET}; $request_id'].join('');
    expect(() => renderTemplate(template, { API_HOST: '127.0.0.1' })).toThrow(/INTERNAL_SECRET.*not set/);
    expect(() => renderTemplate(tiny, { INTERNAL_SECRET: 'a;b' })).toThrow(
      /INTERNAL_SECRET must not contain/,
    );
    expect(renderTemplate(tiny, { INTERNAL_SECRET: 's3cret' })).toBe('x s3cret; $request_id');
  });

  it('reads .env files the way make up writes them', () => {
    const file = join(dir, 'sample.env');
    writeFileSync(file, '# c\nAPI_PORT=9090\nexport MAX_BODY_SIZE="5m"\nEMPTY=\n');
    expect(readDotEnv(file)).toEqual({ API_PORT: '9090', MAX_BODY_SIZE: '5m', EMPTY: '' });
  });
});

describe('nginx edge', () => {
  it('answers /health itself and proxies /ready without a key', async () => {
    const health = await fetch(`${nginx.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toContain('application/json');
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${nginx.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('authenticates through /internal/auth and passes identity headers set by nginx', async () => {
    const key = goodKey();
    const response = await fetch(`${nginx.url}/v1/chat/completions?x=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as { method: string; bytes: number; headers: IncomingHttpHeaders };
    expect(echo.method).toBe('POST');
    expect(echo.bytes).toBe(JSON.stringify({ hello: 'world' }).length);
    expect(echo.headers['x-gateway-internal']).toBe(SECRET);
    expect(echo.headers['x-gateway-key-id']).toBe(keyId(key));
    expect(echo.headers['x-gateway-customer-id']).toBe('cust-1');
    expect(echo.headers['x-real-ip']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    const requestId = echo.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-request-id')).toBe(requestId);

    const authCall = standIn.auth.find((a) => a.headers['x-request-id'] === requestId);
    expect(authCall, 'the auth subrequest carries the same request id').toBeDefined();
    expect(authCall?.method).toBe('GET');
    expect(authCall?.headers['x-original-uri']).toBe('/v1/chat/completions?x=1');
    expect(authCall?.headers['x-original-method']).toBe('POST');
    expect(authCall?.headers.authorization).toBe(`Bearer ${key}`);
    expect(authCall?.headers['content-length']).toBeUndefined();
  });

  it('answers 401 with the gateway-provided JSON body, or the OpenAI-shaped fallback without a key', async () => {
    const bad = await fetch(`${nginx.url}/v1/models`, { headers: { authorization: 'Bearer sk-og-bad' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toContain('application/json');
    expect(await bad.text()).toBe(BAD_KEY_BODY);
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);

    const none = await fetch(`${nginx.url}/v1/models`);
    expect(none.status).toBe(401);
    const body = (await none.json()) as { error: { message: string; type: string; code: unknown } };
    expect(body.error.message).toMatch(/^You didn't provide an API key/);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.code).toBeNull();
  });

  it('speaks the caller dialect in its own error bodies', async () => {
    const anthropic = await fetch(`${nginx.url}/v1/messages`, { method: 'POST' });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const ollama = await fetch(`${nginx.url}/api/tags`);
    expect(ollama.status).toBe(401);
    expect(await ollama.json()).toEqual({ error: expect.stringMatching(/unauthorized/) });
  });

  it('answers 403 with a JSON body', async () => {
    const response = await fetch(`${nginx.url}/v1/models`, {
      headers: { authorization: 'Bearer forbidden' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('overwrites identity headers a client forges', async () => {
    const forged = {
      'x-gateway-internal': 'guessed-secret',
      'x-gateway-key-id': 'victim-key',
      'x-gateway-customer-id': 'victim-customer',
    };
    const before = standIn.proxied.length;
    const rejected = await fetch(`${nginx.url}/v1/models`, {
      headers: { ...forged, authorization: 'Bearer sk-og-bogus' },
    });
    expect(rejected.status).toBe(401);
    expect(standIn.proxied.length, 'a rejected request never reaches the gateway').toBe(before);

    const key = goodKey();
    const accepted = await fetch(`${nginx.url}/v1/models`, {
      headers: { ...forged, authorization: `Bearer ${key}` },
    });
    const echo = (await accepted.json()) as { headers: IncomingHttpHeaders };
    expect(echo.headers['x-gateway-internal']).toBe(SECRET);
    expect(echo.headers['x-gateway-key-id']).toBe(keyId(key));
    expect(echo.headers['x-gateway-customer-id']).toBe('cust-1');
    const authCall = standIn.auth.at(-1);
    expect(authCall?.headers['x-gateway-key-id']).toBeUndefined();
  });

  it('answers 404 JSON for /internal/* and unknown paths', async () => {
    for (const path of ['/internal/auth', '/internal/anything', '/', '/admin']) {
      const response = await fetch(`${nginx.url}${path}`, {
        headers: { authorization: `Bearer ${goodKey()}` },
      });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({
        error: { type: 'invalid_request_error', code: 'unknown_url' },
      });
    }
  });

  it('passes the gateway own error responses through untouched', async () => {
    const response = await fetch(`${nginx.url}/v1/own-error`, {
      headers: { authorization: `Bearer ${goodKey()}` },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: { message: 'gateway says no' } });
  });

  it('accepts bodies up to MAX_BODY_SIZE and answers 413 JSON above it', async () => {
    const ok = await fetch(`${nginx.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${goodKey()}` },
      body: 'x'.repeat(1_500_000),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { bytes: number }).bytes).toBe(1_500_000);

    const tooLarge = await fetch(`${nginx.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${goodKey()}`, 'content-type': 'application/json' },
      body: 'x'.repeat(3 * 1024 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        code: 'request_too_large',
        message: expect.stringContaining('2m'),
      },
    });
  });

  it('streams without buffering', async () => {
    const started = Date.now();
    const response = await fetch(`${nginx.url}/v1/stream`, {
      headers: { authorization: `Bearer ${goodKey()}` },
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    expect(new TextDecoder().decode(first.value)).toContain('data: first');
    expect(firstAt, 'the first event arrives before the upstream finishes').toBeLessThan(600);
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('[DONE]');
  });

  it('limits floods per key with 429 JSON and retry-after', async () => {
    const key = goodKey();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`${nginx.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      statuses.push(response.status);
      if (response.status === 429 && !limited) limited = response;
      else await response.body?.cancel();
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses).toContain(429);
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(await limited?.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    const other = await fetch(`${nginx.url}/v1/models`, {
      headers: { authorization: `Bearer ${goodKey()}` },
    });
    expect(other.status, 'another key is not affected').toBe(200);
  });

  it('answers 503 JSON server_error when the gateway is down', async () => {
    for (const path of ['/v1/chat/completions', '/ready']) {
      const response = await fetch(`${downNginx.url}${path}`, {
        headers: { authorization: 'Bearer good-x' },
      });
      expect(response.status, path).toBe(503);
      expect(await response.json(), path).toMatchObject({ error: { type: 'server_error', code: null } });
    }
  });

  it('writes a JSON access log with the request id and never the key', async () => {
    const key = goodKey();
    const response = await fetch(`${nginx.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    const requestId = response.headers.get('x-request-id');
    await response.body?.cancel();
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 20 && !line; i++) {
      const lines = readFileSync(nginx.accessLog, 'utf8').trim().split('\n');
      const found = lines.find((l) => l.includes(String(requestId)));
      if (found) line = JSON.parse(found) as Record<string, unknown>;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(line).toMatchObject({ request_id: requestId, status: 200, key_id: keyId(key), uri: '/v1/models' });
    expect(readFileSync(nginx.accessLog, 'utf8')).not.toContain(key);
  });
});
