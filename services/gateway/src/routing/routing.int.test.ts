import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MODELS, type SimModel } from '@ollama-gateway/ollama-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';

const models = (...names: string[]): SimModel[] =>
  DEFAULT_MODELS.filter((model) => names.includes(model.name));
const LLAMA = 'llama3.2:latest';
const QWEN = 'qwen3:0.6b';
const MINILM = 'all-minilm:latest';

function chat(gateway: TestGateway, model: string, content = 'hi', key = gateway.key, extra: object = {}) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
}

/** Sends a chat and waits for its usage event: [status, upstream host, the event]. */
async function routed(gateway: TestGateway, model: string, content = 'hi') {
  const response = await chat(gateway, model, content);
  await response.text();
  const event = await gateway.usageEvent(response.headers.get('x-request-id')!);
  return { status: response.status, host: event.upstreamHost, event, response };
}

const chatCount = (gateway: TestGateway, index: number) =>
  gateway.sims[index]!.stats().byPath['/api/chat'] ?? 0;

describe('model-aware routing over three simulators', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      label: 'routing_models',
      sims: [{ models: models(LLAMA, QWEN) }, { models: models(LLAMA, MINILM) }, { models: models(QWEN) }],
      healthChecks: true,
      config: { health: { intervalMs: 200, timeoutMs: 1000 } },
    });
    await gateway.routing.router.checkNow();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('sends each model only to hosts that have it; none has it → 404 without touching a host', async () => {
    const [a, b, c] = gateway.sims.map((sim) => sim.url);
    const qwen = await Promise.all(Array.from({ length: 6 }, (_, i) => routed(gateway, QWEN, `q${i}`)));
    expect(qwen.every((r) => r.status === 200)).toBe(true);
    for (const r of qwen) expect([a, c]).toContain(r.host);
    const embed = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.key}` },
      body: JSON.stringify({ model: 'all-minilm', input: 'x' }),
    });
    expect(embed.status).toBe(200);
    expect((await gateway.usageEvent(embed.headers.get('x-request-id')!)).upstreamHost).toBe(b);
    expect(gateway.sims[0]!.stats().byPath['/api/embed'] ?? 0).toBe(0);

    const before = gateway.sims.map((sim) => sim.stats().byPath['/api/chat'] ?? 0);
    const missing = await chat(gateway, 'mistral:7b');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'model_not_found' } });
    expect(gateway.sims.map((sim) => sim.stats().byPath['/api/chat'] ?? 0)).toEqual(before);
  });

  it('prefers the host where the model is loaded (/api/ps), request after request', async () => {
    // llava is nowhere; load llama3.2 on the second host only, then let a health check see it.
    for (const sim of gateway.sims) sim.reset();
    await fetch(`${gateway.sims[1]!.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: LLAMA, prompt: '' }),
    });
    await gateway.routing.router.checkNow();
    await gateway.routing.router.checkNow(); // a round that surely began after the load
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await routed(gateway, 'llama3.2', `sequential ${i}`));
    expect(results.map((r) => r.host)).toEqual(Array(5).fill(gateway.sims[1]!.url));
    expect(chatCount(gateway, 0)).toBe(0);
  });

  it('lists the union of the hosts’ models on /v1/models and /api/tags, and loaded models on /api/ps', async () => {
    const auth = { authorization: `Bearer ${gateway.key}` };
    const openai = (await (await fetch(`${gateway.url}/v1/models`, { headers: auth })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(openai.data.map((model) => model.id).sort()).toEqual([MINILM, LLAMA, QWEN]);
    const tags = (await (await fetch(`${gateway.url}/api/tags`, { headers: auth })).json()) as {
      models: Array<{ name: string }>;
    };
    expect(tags.models.map((model) => model.name).sort()).toEqual([MINILM, LLAMA, QWEN]);
    await routed(gateway, QWEN, 'load qwen somewhere');
    const ps = (await (await fetch(`${gateway.url}/api/ps`, { headers: auth })).json()) as {
      models: Array<{ name: string }>;
    };
    expect(ps.models.map((model) => model.name)).toEqual(expect.arrayContaining([LLAMA, QWEN]));
  });
});

describe('a host dies under load', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    const paced = { models: models(LLAMA), tokensPerSecond: 40, replyTokens: 8 };
    gateway = await startTestGateway({
      label: 'routing_failover',
      sims: [paced, paced],
      healthChecks: true,
      config: {
        health: { intervalMs: 300, timeoutMs: 500 },
        breaker: { failureThreshold: 2, cooldownMs: 2000 },
      },
    });
    await gateway.routing.router.checkNow();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('requests that had not started streaming succeed on the other host; the rest of the load moves there', async () => {
    const [a, b] = gateway.sims.map((sim) => sim.url);
    const whole = Array.from({ length: 24 }, (_, i) => routed(gateway, 'llama3.2', `whole ${i}`));
    const streams = Array.from({ length: 6 }, (_, i) =>
      chat(gateway, 'llama3.2', `stream ${i}`, gateway.key, { stream: true }).then(async (response) => ({
        status: response.status,
        id: response.headers.get('x-request-id')!,
        body: await response.text().catch(() => ''),
      })),
    );
    // Kill host A once requests are running on it (polled: a loaded machine may take a while to get there).
    for (let waited = 0; gateway.sims[0]!.stats().active === 0 && waited < 5000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const caughtOnA = gateway.sims[0]!.stats().active;
    await gateway.sims[0]!.close();

    const results = await Promise.all(whole);
    expect(results.map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(results.some((r) => r.host === b)).toBe(true);
    expect(caughtOnA, 'requests running on the host when it died').toBeGreaterThan(0);
    // A stream that had begun on the dead host may end with an error event; one that had not is served by the other.
    for (const stream of await Promise.all(streams)) {
      const event = await gateway.usageEvent(stream.id);
      if (event.upstreamHost === b) expect(event.status).toBe(200);
      else expect([200, 502]).toContain(event.status);
    }

    const after = await Promise.all(
      Array.from({ length: 8 }, (_, i) => routed(gateway, 'llama3.2', `after ${i}`)),
    );
    expect(after.map((r) => [r.status, r.host])).toEqual(Array(8).fill([200, b]));
    expect(gateway.routing.router.hosts()[0]!.alive).toBe(false);
    expect(a).not.toBe(b);

    // Every host gone: 503 with retry-after, in the caller's dialect.
    await gateway.sims[1]!.close();
    const none = await chat(gateway, 'llama3.2', 'nobody home');
    expect(none.status).toBe(503);
    expect(Number(none.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await none.json()) as { error: { type: string } }).error.type).toBe('server_error');
    // OpenAI sends no code for 5xx; the usage row has ours.
    expect((await gateway.usageEvent(none.headers.get('x-request-id')!)).errorCode).toMatch(
      /^(no_healthy_host|upstream_unavailable)$/,
    );
  });
});

describe('fair queueing across keys', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      label: 'routing_fair',
      // ~300 ms per request (6 tokens at 20/s), two at a time on the one host.
      sim: { tokensPerSecond: 20, replyTokens: 6 },
    });
    gateway.routing.reloadWith({ hosts: [{ url: gateway.sim.url, maxConcurrent: 2 }] });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('a flooding key does not push another key’s latency past 2 s (documented bound: about one request time)', async () => {
    const flooder = await gateway.createKey();
    const began = performance.now();
    const flood = Array.from({ length: 24 }, (_, i) =>
      chat(gateway, 'llama3.2', `flood ${i}`, flooder.key).then(async (response) => {
        await response.text();
        return performance.now() - began;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const quiet: Array<{ ms: number; wait: string | null; position: string | null }> = [];
    for (let i = 0; i < 3; i += 1) {
      const start = performance.now();
      const response = await chat(gateway, 'llama3.2', `quiet ${i}`);
      expect(response.status).toBe(200);
      await response.text();
      quiet.push({
        ms: performance.now() - start,
        wait: response.headers.get('x-queue-wait-ms'),
        position: response.headers.get('x-queue-position'),
      });
    }
    const floodDone = await Promise.all(flood);
    const floodMs = Math.max(...floodDone);
    for (const request of quiet) {
      expect(request.ms).toBeLessThan(2000);
      expect(Number(request.wait)).toBeGreaterThan(0); // it did wait: the host was full
      // Its place in line: about one flood request ahead, not the ~20 the flood has waiting.
      expect(Number(request.position)).toBeGreaterThanOrEqual(1);
      expect(Number(request.position)).toBeLessThanOrEqual(3);
    }
    // Without round-robin the quiet key would have waited behind the whole flood.
    expect(floodMs).toBeGreaterThan(2500);
    expect(Math.max(...quiet.map((q) => q.ms))).toBeLessThan(floodMs / 2);
  });
});

describe('fair queueing: a client that leaves while queued', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      label: 'routing_leave',
      sim: { tokensPerSecond: 20, replyTokens: 6 },
    });
    gateway.routing.reloadWith({ hosts: [{ url: gateway.sim.url, maxConcurrent: 1 }] });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('leaves the queue at once and never reaches Ollama', async () => {
    const queue = gateway.routing.router.hosts()[0]!.queue;
    const holder = chat(gateway, 'llama3.2', 'holds the only slot');
    while (queue.active === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const controller = new AbortController();
    const leaving = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.key}` },
      body: JSON.stringify({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'waits, then leaves' }],
      }),
      signal: controller.signal,
    }).catch(() => undefined);
    while (queue.queued === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await leaving;
    const deadline = Date.now() + 1000;
    while (queue.queued > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(queue.queued).toBe(0);
    expect((await holder).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(chatCount(gateway, 0)).toBe(1); // only the holder reached Ollama
    expect(queue.active).toBe(0);
  });
});

/** A fake Ollama host that records what reaches it (headers and bodies) and answers a fixed chat. */
async function startCaptureHost() {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> | null }> =
    [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    seen.push({ path: req.url ?? '', headers: req.headers, body });
    res.setHeader('content-type', 'application/json; charset=utf-8');
    if (req.url === '/api/tags' || req.url === '/api/ps')
      res.end(
        JSON.stringify({ models: [{ name: QWEN, model: QWEN, modified_at: '', size: 1, digest: 'd' }] }),
      );
    else if (req.url === '/api/version') res.end('{"version":"0.12.3"}');
    else
      res.end(
        JSON.stringify({
          model: body?.model,
          created_at: new Date().toISOString(),
          message: { role: 'assistant', content: 'ok' },
          done: true,
          done_reason: 'stop',
          prompt_eval_count: 1,
          eval_count: 1,
        }),
      );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

describe('aliases, forced options, Host header and config reload', () => {
  let gateway: TestGateway;
  let capture: Awaited<ReturnType<typeof startCaptureHost>>;
  beforeAll(async () => {
    capture = await startCaptureHost();
    gateway = await startTestGateway({ label: 'routing_config', sims: [{}, {}] });
    gateway.routing.reloadWith({
      hosts: [{ url: capture.url }],
      aliases: { fast: QWEN },
      modelOptions: { [QWEN]: { numCtx: 4096, keepAlive: '10m' } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await capture?.close();
  });

  it('resolves an alias before routing and forces the model’s options; usage keeps both names', async () => {
    const { status, event, response } = await routed(gateway, 'fast');
    expect(status).toBe(200);
    expect(((await (await chat(gateway, 'fast')).json()) as { model: string }).model).toBe('fast');
    expect(response.headers.get('x-queue-wait-ms')).toBe('0');
    expect(event).toMatchObject({ model: 'fast', upstreamModel: QWEN, upstreamHost: capture.url });
    const sent = capture.seen.find((entry) => entry.path === '/api/chat')!;
    expect(sent.body).toMatchObject({ model: QWEN, options: { num_ctx: 4096 }, keep_alive: '10m' });

    // Native: the client's own num_ctx and keep_alive are overridden too, and the alias is written into the body.
    const native = await fetch(`${gateway.url}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'fast',
        messages: [],
        stream: false,
        options: { num_ctx: 512 },
        keep_alive: 0,
      }),
    });
    expect(native.status).toBe(200);
    expect(capture.seen.at(-1)!.body).toMatchObject({
      model: QWEN,
      options: { num_ctx: 4096 },
      keep_alive: '10m',
    });

    const listed = (await (
      await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${gateway.key}` } })
    ).json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((model) => model.id)).toEqual([QWEN, 'fast']);
  });

  it('sends the upstream its own host:port as Host, never the one the client sent', async () => {
    const gatewayUrl = new URL(gateway.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: gatewayUrl.hostname,
          port: gatewayUrl.port,
          method: 'POST',
          path: '/api/chat',
          headers: {
            host: 'evil.example:6666',
            authorization: `Bearer ${gateway.key}`,
            'content-type': 'application/json',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ model: QWEN, messages: [], stream: false }));
    });
    expect(status).toBe(200);
    expect(capture.seen.at(-1)!.headers.host).toBe(new URL(capture.url).host);
  });

  it('a reload (SIGHUP) changes routing without failing a request; an invalid file keeps the running config', async () => {
    const [a, b] = gateway.sims.map((sim) => sim.url);
    gateway.routing.reloadWith({ hosts: [{ url: a }] });
    let stop = false;
    const seen: Array<[number, string | null]> = [];
    const load = (async () => {
      const workers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; !stop; i += 1) {
          const r = await routed(gateway, 'llama3.2', `reload ${w} ${i}`);
          seen.push([r.status, r.host]);
        }
      });
      await Promise.all(workers);
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gateway.routing.reloadWith({ hosts: [{ url: b }] }).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = gateway.routing.reloadWith('hosts: [{ url: 12 }]\n');
    expect(refused.ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop = true;
    await load;
    expect(seen.length).toBeGreaterThan(8);
    expect(seen.every(([status]) => status === 200)).toBe(true);
    expect(new Set(seen.map(([, host]) => host))).toEqual(new Set([a, b]));
    const last = await routed(gateway, 'llama3.2', 'after the bad file');
    expect([last.status, last.host]).toEqual([200, b]);
    expect(gateway.routing.router.hosts().map((host) => host.url)).toEqual([b]);
  });
});
