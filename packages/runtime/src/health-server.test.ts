import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from './health-server.js';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string) {
  const res = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('startHealthServer', () => {
  it('answers /health while alive and /ready from the readiness check', async () => {
    let ok = true;
    server = await startHealthServer({ host: '127.0.0.1', port: 0, ready: async () => ok });
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/ready')).toEqual({ status: 200, body: { status: 'ready' } });
    ok = false;
    expect(await get('/ready')).toEqual({ status: 503, body: { status: 'not_ready' } });
  });

  it('treats a throwing or hanging check as not ready', async () => {
    let mode: 'throw' | 'hang' = 'throw';
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      readyTimeoutMs: 100,
      ready: () => (mode === 'throw' ? Promise.reject(new Error('redis down')) : new Promise(() => {})),
    });
    expect((await get('/ready')).status).toBe(503);
    mode = 'hang';
    expect((await get('/ready')).status).toBe(503);
  });

  it('answers 503 stopping on /ready after markStopping, while /health stays 200', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, ready: async () => true });
    server.markStopping();
    expect(await get('/ready')).toEqual({ status: 503, body: { status: 'stopping' } });
    expect((await get('/health')).status).toBe(200);
    expect((await get('/nope')).status).toBe(404);
  });
});
