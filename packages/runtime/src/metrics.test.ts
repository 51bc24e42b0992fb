import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from './health-server.js';
import { boundedLabel, Counter, createMetricsRegistry } from './metrics.js';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics', () => {
  it('labels every series with the service and includes the default process metrics', async () => {
    const registry = createMetricsRegistry('unit');
    const counter = new Counter({ name: 'unit_things_total', help: 'things', registers: [registry] });
    counter.inc(3);
    const text = await registry.metrics();
    expect(text).toContain('unit_things_total{service="unit"} 3');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves /metrics on the health server in the text format', async () => {
    const registry = createMetricsRegistry('unit', { defaultMetrics: false });
    new Counter({ name: 'unit_jobs_total', help: 'jobs', registers: [registry] }).inc();
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      ready: async () => true,
      metrics: registry,
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('unit_jobs_total{service="unit"} 1');
  });

  it('answers 404 on /metrics without a registry', async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, ready: async () => true });
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
  });

  it('caps a label to its first N distinct values', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd'].map(label)).toEqual(['a', 'b', 'other', 'a', 'other']);
  });
});
