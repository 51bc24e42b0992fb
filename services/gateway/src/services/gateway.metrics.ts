import type { UsageEvent } from '@ollama-gateway/contracts';
import { boundedLabel, Counter, Gauge, Histogram, type Registry } from '@ollama-gateway/runtime';
import type { CacheMetrics } from '../cache/caching-chat.service.js';
import type { UpstreamHost } from '../routing/upstream-host.js';

/** The gateway's Prometheus series, observed once per finished request by the usage recorder. */
export interface GatewayMetrics extends CacheMetrics {
  readonly registry: Registry;
  /** One finished request (its usage event): counters, histograms. */
  observe(event: UsageEvent): void;
  /** In-flight requests gauge. */
  requestStarted(): void;
  requestEnded(): void;
}

/** The routes the gateway serves; any other path (404s, probes) is counted as `other` so scans cannot add series. */
const KNOWN_ENDPOINTS = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/models',
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/v1/responses',
  '/v1/usage',
  '/api/chat',
  '/api/generate',
  '/api/embed',
  '/api/embeddings',
  '/api/show',
  '/api/tags',
  '/api/ps',
  '/api/version',
  '/api/pull',
  '/api/push',
  '/api/create',
  '/api/copy',
  '/api/delete',
]);

/** The route path of a request path: parameters replaced (`/v1/models/:model`), unknown paths → `other`. */
export function endpointLabel(path: string): string {
  if (path.startsWith('/v1/models/')) return '/v1/models/:model';
  if (path.startsWith('/api/blobs/')) return '/api/blobs/:digest';
  return KNOWN_ENDPOINTS.has(path) ? path : 'other';
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export function createGatewayMetrics(options: {
  registry: Registry;
  /** Events waiting in the local spool (Redis was unreachable). */
  spoolSize?: () => number;
  /** The Ollama hosts in force (they change on a config reload), read at each scrape. */
  upstreamHosts?: () => readonly UpstreamHost[];
  /** Distinct model label values before new ones are counted as `other`. Default 200. */
  maxModels?: number;
}): GatewayMetrics {
  const registers = [options.registry];
  const modelLabel = boundedLabel(options.maxModels ?? 200);
  const requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Finished API requests, by dialect, route, model and HTTP status (499 = client closed the request).',
    labelNames: ['dialect', 'endpoint', 'model', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'gateway_request_duration_seconds',
    help: 'Total request time as seen by the gateway (arrival to response end), seconds.',
    labelNames: ['dialect', 'endpoint'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const ttft = new Histogram({
    name: 'gateway_time_to_first_token_seconds',
    help: 'Streaming requests: arrival to the first generated token sent to the client, seconds.',
    labelNames: ['dialect', 'model'] as const,
    buckets: TTFT_BUCKETS,
    registers,
  });
  const overhead = new Histogram({
    name: 'gateway_overhead_seconds',
    help: 'Time spent in the gateway itself (total minus time waiting on the upstream), seconds.',
    labelNames: ['dialect', 'endpoint'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens processed, by dialect, model and kind (prompt | completion).',
    labelNames: ['dialect', 'model', 'kind'] as const,
    registers,
  });
  const inFlight = new Gauge({
    name: 'gateway_in_flight_requests',
    help: 'API requests currently being handled (streams included).',
    registers,
  });
  const cacheRequests = new Counter({
    name: 'gateway_cache_requests_total',
    help: 'Chat requests by response-cache result (hit | miss | bypass), by dialect. Absent while the cache is off.',
    labelNames: ['dialect', 'result'] as const,
    registers,
  });
  const cacheWrites = new Counter({
    name: 'gateway_cache_writes_total',
    help: 'Answers offered to the response cache, by outcome (stored | too_large | error).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const cacheReadErrors = new Counter({
    name: 'gateway_cache_read_errors_total',
    help: 'Response-cache lookups that failed (Redis down or slow): the request went upstream as a miss.',
    registers,
  });
  const spoolSize = options.spoolSize;
  new Gauge({
    name: 'gateway_spool_events',
    help: 'Usage and request-log events waiting in the local spool file because Redis was unreachable.',
    registers,
    collect() {
      this.set(spoolSize ? spoolSize() : 0);
    },
  });

  if (options.upstreamHosts) registerUpstreamGauges(registers, options.upstreamHosts);

  return {
    registry: options.registry,
    observe(event) {
      const dialect = event.dialect;
      const endpoint = endpointLabel(event.endpoint);
      const model = event.model === '' ? 'none' : modelLabel(event.model);
      requests.inc({ dialect, endpoint, model, status: String(event.status) });
      duration.observe({ dialect, endpoint }, event.totalMs / 1000);
      if (event.gatewayOverheadMs !== null)
        overhead.observe({ dialect, endpoint }, event.gatewayOverheadMs / 1000);
      if (event.stream && event.ttftMs !== null) ttft.observe({ dialect, model }, event.ttftMs / 1000);
      if (event.promptTokens > 0) tokens.inc({ dialect, model, kind: 'prompt' }, event.promptTokens);
      if (event.completionTokens > 0)
        tokens.inc({ dialect, model, kind: 'completion' }, event.completionTokens);
      if (event.cacheStatus) cacheRequests.inc({ dialect, result: event.cacheStatus });
    },
    cacheWrite: (outcome) => cacheWrites.inc({ outcome }),
    cacheReadError: () => cacheReadErrors.inc(),
    requestStarted: () => inFlight.inc(),
    requestEnded: () => inFlight.dec(),
  };
}

const CIRCUIT_STATE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Per Ollama host, read from the router at each scrape: health, circuit, slots in use and the fair queue in front of
 * them. The series are rebuilt each time, so a host a reload removed disappears instead of freezing at its last value.
 */
function registerUpstreamGauges(registers: Registry[], hosts: () => readonly UpstreamHost[]): void {
  const perHost = (name: string, help: string, read: (host: UpstreamHost) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['host'] as const,
      registers,
      collect() {
        this.reset();
        for (const host of hosts()) this.set({ host: host.url }, read(host));
      },
    });
  };
  perHost(
    'gateway_upstream_up',
    'Ollama host health: 1 when its last health check or call succeeded, 0 when it is down, -1 before the first check.',
    (host) => (host.alive === null ? -1 : host.alive ? 1 : 0),
  );
  perHost(
    'gateway_upstream_circuit_state',
    "The host's circuit breaker: 0 closed, 1 half-open (one trial request allowed), 2 open (no requests).",
    (host) => CIRCUIT_STATE[host.breaker.state],
  );
  perHost(
    'gateway_upstream_active_requests',
    'Requests the host is serving now (slots in use).',
    (host) => host.queue.active,
  );
  perHost(
    'gateway_upstream_max_concurrent',
    "The host's concurrency limit (max_concurrent in the routing config).",
    (host) => host.maxConcurrent,
  );
  perHost(
    'gateway_upstream_queue_depth',
    "Requests waiting in the host's fair queue for a free slot.",
    (host) => host.queue.queued,
  );
  perHost(
    'gateway_upstream_loaded_models',
    'Models the host has loaded in memory (its /api/ps at the last health check, plus models it has served since).',
    (host) => host.loaded.size,
  );
}
