import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC…) under `process_` / `nodejs_`. Default true. */
  defaultMetrics?: boolean;
}

/**
 * A Prometheus registry whose every series carries `service="<name>"`, with the default process metrics. One per
 * process (tests may create several: each is independent, nothing is registered globally).
 */
export function createMetricsRegistry(service: string, options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Writes the registry in the Prometheus text exposition format (works for node:http and Express alike). */
export async function serveMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`cannot collect metrics: ${(error as Error).message}\n`);
  }
}

/** A `(req, res)` handler answering every request with the registry (mount it on GET /metrics). */
export function metricsHandler(registry: Registry) {
  return (_req: IncomingMessage, res: ServerResponse): void => void serveMetrics(registry, res);
}

/**
 * Keeps a label's cardinality bounded: the first `max` distinct values pass through, any later new value becomes
 * `other` (values already seen keep their own series).
 */
export function boundedLabel(max: number, other = 'other'): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return other;
    seen.add(value);
    return value;
  };
}
