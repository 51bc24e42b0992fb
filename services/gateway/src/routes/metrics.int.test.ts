import type { UsageEvent } from '@ollama-gateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ label: 'metrics', metrics: true });
});
afterAll(async () => {
  await gw?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one series named `name` whose labels include `labels` (0 when absent). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value ?? 0;
}

async function scrape() {
  const res = await fetch(`${gw.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

async function chat(body: Record<string, unknown>, key: string = gw.key) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], ...body }),
  });
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get('x-request-id')! };
}

describe('GET /metrics', () => {
  it('is served without an API key, before the key chain', async () => {
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('# TYPE gateway_requests_total counter');
    expect(text).toContain('gateway_spool_events{service="gateway"} 0');
  });

  it('counts requests by dialect, endpoint, model and status, with latency, TTFT, overhead and tokens', async () => {
    const before = await scrape();
    const events: UsageEvent[] = [];
    for (const body of [{}, {}, { stream: true }]) {
      const { status, requestId } = await chat(body);
      expect(status).toBe(200);
      events.push(await gw.usageEvent(requestId));
    }
    const denied = await chat({}, 'sk-not-a-key');
    expect(denied.status).toBe(401);
    await gw.usageEvent(denied.requestId);
    const unknown = await fetch(`${gw.url}/v1/no-such-route/${Math.random()}`, {
      headers: { authorization: `Bearer ${gw.key}` },
    });
    expect(unknown.status).toBe(404);
    await gw.usageEvent(unknown.headers.get('x-request-id')!);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    const route = { dialect: 'openai', endpoint: '/v1/chat/completions' };

    expect(delta('gateway_requests_total', { ...route, model: 'llama3.2', status: '200' })).toBe(3);
    expect(delta('gateway_requests_total', { ...route, model: 'none', status: '401' })).toBe(1);
    expect(delta('gateway_requests_total', { dialect: 'openai', endpoint: 'other', status: '404' })).toBe(1);
    expect(after.some((s) => s.labels.endpoint?.startsWith('/v1/no-such-route'))).toBe(false);

    expect(delta('gateway_request_duration_seconds_count', route)).toBe(4);
    expect(delta('gateway_overhead_seconds_count', route)).toBe(4);
    expect(delta('gateway_request_duration_seconds_sum', route)).toBeGreaterThanOrEqual(
      events.reduce((sum, e) => sum + e.totalMs, 0) / 1000 - 0.001,
    );
    expect(delta('gateway_time_to_first_token_seconds_count', { dialect: 'openai', model: 'llama3.2' })).toBe(
      1,
    );

    const tokens = (kind: 'prompt' | 'completion') =>
      delta('gateway_tokens_total', { dialect: 'openai', model: 'llama3.2', kind });
    expect(tokens('prompt')).toBe(events.reduce((sum, e) => sum + e.promptTokens, 0));
    expect(tokens('completion')).toBe(events.reduce((sum, e) => sum + e.completionTokens, 0));
    expect(tokens('completion')).toBeGreaterThan(0);

    expect(value(after, 'gateway_in_flight_requests')).toBe(0);
    expect(value(after, 'gateway_spool_events')).toBe(0);
  });
});

describe('upstream hosts', () => {
  let routed: TestGateway;
  beforeAll(async () => {
    // Two hosts; the first serves one request at a time (~1 s each: 20 tokens at 20/s), so a second one waits.
    routed = await startTestGateway({
      label: 'metrics_hosts',
      metrics: true,
      sims: [{ tokensPerSecond: 20, replyTokens: 20 }, {}],
      // Checks only when the test asks (checkNow).
      healthChecks: true,
      config: { health: { intervalMs: 600_000, timeoutMs: 1000 } },
    });
    const [a, b] = routed.sims.map((sim) => sim.url);
    routed.routing.reloadWith({
      hosts: [
        { url: a, maxConcurrent: 1 },
        { url: b, maxConcurrent: 4 },
      ],
    });
  });
  afterAll(async () => {
    await routed?.close();
  });

  async function scrapeHosts() {
    const res = await fetch(`${routed.url}/metrics`);
    return parse(await res.text());
  }

  it('health, circuit, slots in use, max concurrency, queue depth and loaded models per host', async () => {
    const [a, b] = routed.sims.map((sim) => sim.url) as [string, string];
    const before = await scrapeHosts();
    expect(value(before, 'gateway_upstream_max_concurrent', { host: a })).toBe(1);
    expect(value(before, 'gateway_upstream_max_concurrent', { host: b })).toBe(4);
    expect(value(before, 'gateway_upstream_circuit_state', { host: a })).toBe(0);

    // Host B goes away: the router's own check marks it down.
    await routed.sims[1]!.close();
    await routed.routing.router.checkNow();
    // Two streams at once on A (B is down): one holds A's only slot, the other waits in A's queue.
    const streams = [0, 1].map((i) =>
      fetch(`${routed.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${routed.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'llama3.2',
          stream: true,
          messages: [{ role: 'user', content: `q${i}` }],
        }),
      }),
    );
    let during = await scrapeHosts();
    for (
      let waited = 0;
      value(during, 'gateway_upstream_queue_depth', { host: a }) < 1 && waited < 5000;
      waited += 50
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      during = await scrapeHosts();
    }
    expect(value(during, 'gateway_upstream_up', { host: a })).toBe(1);
    expect(value(during, 'gateway_upstream_up', { host: b })).toBe(0);
    expect(value(during, 'gateway_upstream_active_requests', { host: a })).toBe(1);
    expect(value(during, 'gateway_upstream_queue_depth', { host: a })).toBe(1);

    for (const response of await Promise.all(streams)) {
      expect(response.status).toBe(200);
      await response.text();
    }
    const after = await scrapeHosts();
    expect(value(after, 'gateway_upstream_active_requests', { host: a })).toBe(0);
    expect(value(after, 'gateway_upstream_queue_depth', { host: a })).toBe(0);
    expect(value(after, 'gateway_upstream_loaded_models', { host: a }), 'the model it served').toBe(1);

    // A reload that drops host B drops its series.
    routed.routing.reloadWith({ hosts: [{ url: a, maxConcurrent: 1 }] });
    const reloaded = await scrapeHosts();
    expect(reloaded.filter((s) => s.labels.host === b)).toEqual([]);
    expect(value(reloaded, 'gateway_upstream_up', { host: a })).toBe(1);
  });
});
