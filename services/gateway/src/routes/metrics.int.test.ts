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
