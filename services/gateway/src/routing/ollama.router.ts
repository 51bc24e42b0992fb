import { performance } from 'node:perf_hooks';
import type { AppError, Logger } from '@ollama-gateway/runtime';
import { modelNotFound } from '../canonical/errors.js';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import type { OllamaRawRequest, OllamaRawResponse } from '../clients/ollama/ollama.proxy.js';
import type {
  OllamaPsResponse,
  OllamaShowResponse,
  OllamaTagsResponse,
} from '../clients/ollama/ollama.types.js';
import type { ConfigStore } from '../config/config.store.js';
import { modelNotFoundMessage } from '../dialects/ollama/request.js';
import type { RequestContext } from '../services/request-context.js';
import { type HealthChecker, startHealthChecks } from './health-checker.js';
import { selectHost } from './host-selector.js';
import { listUnion } from './model-listing.js';
import {
  classifyFailure,
  classifyStatus,
  modelNotAvailable,
  noHealthyHost,
  type Verdict,
} from './routing-failures.js';
import { buildRoutingTable, type RouteTarget, type RoutingTable } from './routing-table.js';
import { HostRetiredError, SlotLease, type UpstreamHost } from './upstream-host.js';

/**
 * How long a call holds its host's slot: `whole` until the answer was read (the call resolves), `stream` until the
 * client's response closes (the middleware releases `context.upstreamLease`), `light` takes none (/api/show).
 */
export type SlotMode = 'whole' | 'stream' | 'light';

export interface OllamaRouter {
  /** The requested name with aliases resolved and forced options attached (cached per name: no allocation). */
  target(requested: string): RouteTarget;
  /**
   * Runs `run` on the best host for the target (host-selector.ts), after its fair queue let the request in. Before an
   * answer, a failed host (connection error, 5xx, timeout, model missing) is counted against it and the next best host
   * is tried. Sets `context.upstreamHost`. Throws the routing errors (routing.errors.ts) the fallback chain reads.
   */
  call<T>(
    target: RouteTarget,
    context: RequestContext | null,
    signal: AbortSignal | undefined,
    run: (client: OllamaClient) => Promise<T>,
    mode?: SlotMode,
  ): Promise<T>;
  /**
   * A native call passed through (any status). An error status of a model-bearing call (5xx, 404 model missing)
   * moves it to another host when there is one; else that answer is returned as it is. `retry: false` for bodies
   * that cannot be sent twice (streams).
   */
  proxy(
    target: RouteTarget,
    context: RequestContext,
    request: OllamaRawRequest,
    options: { mode: SlotMode; retry: boolean },
  ): Promise<OllamaRawResponse>;
  /** For calls that name no model (version, model management): the host with this URL, else the first healthy one. */
  hostFor(url?: string): UpstreamHost;
  /** /api/tags of every healthy host, merged (first host wins per name), with the aliases whose model is listed. */
  listModels(options?: { aliases?: boolean; signal?: AbortSignal }): Promise<OllamaTagsResponse>;
  /** /api/ps of every healthy host, merged. */
  listLoaded(signal?: AbortSignal): Promise<OllamaPsResponse>;
  /** /api/show from a host that has the model (takes no queue slot). */
  show(
    target: RouteTarget,
    context: RequestContext | null,
    signal?: AbortSignal,
  ): Promise<OllamaShowResponse>;
  /** tags/show over every host for the admin's model sync: real models only (no aliases), shown where they are. */
  readonly catalog: Pick<OllamaClient, 'tags' | 'show'>;
  /** True when at least one host answers /api/version. */
  ready(): Promise<boolean>;
  hosts(): readonly UpstreamHost[];
  /** Runs the health checks now (also after model management, so new models are routed at once). */
  checkNow(): Promise<void>;
  close(): Promise<void>;
}

export function createOllamaRouter(options: {
  config: ConfigStore;
  createClient: (url: string) => OllamaClient;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Active health checks (default on); tests of unrelated behaviour turn them off to keep the simulator quiet. */
  healthChecks?: boolean;
}): OllamaRouter {
  const { createClient, logger } = options;
  let table: RoutingTable = buildRoutingTable(options.config.current(), null, createClient, logger).table;
  let turn = 0;
  let checker: HealthChecker | null = null;
  const startChecks = () => {
    if (options.healthChecks === false) return;
    checker?.stop();
    checker = startHealthChecks({
      hosts: () => table.hosts,
      intervalMs: table.config.health.intervalMs,
      timeoutMs: table.config.health.timeoutMs,
    });
  };
  startChecks();

  const unsubscribe = options.config.onChange((next) => {
    const previous = table;
    const built = buildRoutingTable(next, previous, createClient, logger);
    table = built.table;
    // A host that left: its waiting requests go back to choosing a host (dispatch), its running ones finish.
    for (const host of built.removed) host.retire();
    if (
      next.health.intervalMs !== previous.config.health.intervalMs ||
      next.health.timeoutMs !== previous.config.health.timeoutMs ||
      built.removed.length > 0 ||
      table.hosts.some((host) => !previous.hosts.includes(host))
    )
      startChecks();
  });

  /** Waits for a slot on the host's fair queue (tryAcquire said no), reporting the wait and the place in line. */
  async function waitForSlot(
    host: UpstreamHost,
    context: RequestContext | null,
    signal: AbortSignal | undefined,
  ) {
    const key = context?.key;
    const position = host.queue.estimatePosition(key?.id ?? '', key?.priority ?? 0);
    const began = performance.now();
    await host.queue.acquire(key?.id ?? '', key?.priority ?? 0, signal);
    const waited = performance.now() - began;
    if (context) {
      context.queueWaitMs = (context.queueWaitMs ?? 0) + waited;
      context.queuePosition = position;
      context.setResponseHeader('x-queue-wait-ms', String(Math.round(waited)));
      context.setResponseHeader('x-queue-position', String(position));
    }
  }

  const refusal = (
    kind: 'not_available' | 'no_healthy' | 'exhausted',
    target: RouteTarget,
    context: RequestContext | null,
  ) => {
    if (kind === 'not_available') {
      const name = context?.model || target.model;
      const message =
        context?.dialect === 'ollama'
          ? modelNotFoundMessage(context.endpoint === '/api/show' ? 'show' : 'chat', name)
          : modelNotFound(name).message;
      return modelNotAvailable(message);
    }
    let waitMs = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const host of table.hosts)
      waitMs = Math.min(
        waitMs,
        host.alive === false ? table.config.health.intervalMs : host.breaker.retryInMs(now),
      );
    return noHealthyHost(Math.max(1, Math.ceil((Number.isFinite(waitMs) ? waitMs : 1000) / 1000)));
  };

  function settle(
    host: UpstreamHost,
    mode: SlotMode,
    context: RequestContext | null,
    signal: AbortSignal | undefined,
  ): void {
    if (mode === 'whole') host.release();
    else if (mode === 'stream') {
      if (!context) {
        host.release();
        return;
      }
      const lease = new SlotLease(host);
      context.upstreamLease?.release();
      context.upstreamLease = lease;
      signal?.addEventListener('abort', () => lease.release(), { once: true });
    }
  }

  async function dispatch<T>(
    target: RouteTarget,
    context: RequestContext | null,
    signal: AbortSignal | undefined,
    run: (client: OllamaClient) => Promise<T>,
    mode: SlotMode,
    inspect?: { check: (result: T) => Verdict | null; discard: (result: T) => void; retry: boolean },
  ): Promise<T> {
    let tried: Set<UpstreamHost> | null = null;
    let lastError: AppError | null = null;
    // A passed-through error answer (5xx, 404), slot still held: relayed as it is when no other host can take over.
    let kept: { host: UpstreamHost; result: T } | null = null;
    for (;;) {
      // The table in force now: after a reload, a request that waited on a host that left chooses again.
      const choice = selectHost(table.hosts, target.key, turn++, tried);
      if (choice.kind !== 'host') {
        if (kept) {
          settle(kept.host, mode, context, signal);
          return kept.result;
        }
        throw lastError ?? refusal(choice.kind, target, context);
      }
      if (kept) {
        inspect?.discard(kept.result);
        if (mode !== 'light') kept.host.release();
        kept = null;
      }
      const host = choice.host;
      if (host.breaker.state !== 'closed') host.breaker.onDispatch(Date.now());
      // The fast path (a free slot, nobody waiting) neither awaits nor allocates.
      if (mode !== 'light' && host.queue.tryAcquire()) context?.setResponseHeader('x-queue-wait-ms', '0');
      else if (mode !== 'light') {
        try {
          await waitForSlot(host, context, signal);
        } catch (error) {
          host.breaker.onNeutral();
          if (error instanceof HostRetiredError) continue;
          throw error;
        }
      }
      if (context) context.upstreamHost = host.url;

      let verdict: Verdict | null;
      let answered = false;
      let result: T | undefined;
      try {
        result = await run(host.client);
        answered = true;
        verdict = inspect ? inspect.check(result) : null;
      } catch (error) {
        if (mode !== 'light') host.release();
        verdict = classifyFailure(error, signal);
        if (verdict.kind === 'abort') host.breaker.onNeutral();
        else if (verdict.kind === 'answer') host.succeeded(null);
        if (verdict.kind === 'abort' || verdict.kind === 'answer') throw error;
      }
      if (verdict === null) {
        host.succeeded(target.key);
        settle(host, mode, context, signal);
        return result as T;
      }

      tried ??= new Set();
      tried.add(host);
      if (verdict.kind === 'missing') {
        host.succeeded(null);
        host.lacks(target.key);
        lastError = refusal('not_available', target, context);
      } else if (verdict.kind === 'failure') {
        host.failed(verdict.failure, verdict.error);
        lastError = verdict.error;
      }
      if (answered) kept = { host, result: result as T };
      if (inspect && !inspect.retry) {
        if (kept) {
          settle(kept.host, mode, context, signal);
          return kept.result;
        }
        throw lastError!;
      }
    }
  }

  const listingSignal = (signal?: AbortSignal) => {
    const timeout = AbortSignal.timeout(Math.max(table.config.health.timeoutMs, 5000));
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  };

  const show = (target: RouteTarget, context: RequestContext | null, signal?: AbortSignal) =>
    dispatch(target, context, signal, (client) => client.show(target.model, signal), 'light');

  return {
    target: (requested) => table.target(requested),
    call: (target, context, signal, run, mode = 'whole') => dispatch(target, context, signal, run, mode),
    proxy(target, context, request, { mode, retry }) {
      return dispatch(target, context, request.signal, (client) => client.raw(request), mode, {
        check: (response) => classifyStatus(response.statusCode, target.key),
        discard: (response) => void response.body.dump().catch(() => {}),
        retry,
      });
    },
    hostFor(url) {
      const hosts = table.hosts;
      const wanted = url?.replace(/\/+$/, '');
      const host =
        (wanted ? hosts.find((candidate) => candidate.url === wanted) : undefined) ??
        hosts.find((candidate) => candidate.alive !== false && candidate.admits) ??
        hosts[0];
      if (!host) throw noHealthyHost(5);
      return host;
    },
    listModels: ({ aliases = true, signal } = {}) =>
      listUnion(table, 'tags', listingSignal(signal), aliases) as Promise<OllamaTagsResponse>,
    listLoaded: (signal) => listUnion(table, 'ps', listingSignal(signal), false) as Promise<OllamaPsResponse>,
    show,
    catalog: {
      tags: (signal) => listUnion(table, 'tags', listingSignal(signal), false) as Promise<OllamaTagsResponse>,
      show: (model, signal) => show(table.target(model), null, signal),
    },
    async ready() {
      try {
        await Promise.any(table.hosts.map((host) => host.client.version(AbortSignal.timeout(2000))));
        return true;
      } catch {
        return false;
      }
    },
    hosts: () => table.hosts,
    checkNow: () => checker?.checkNow() ?? Promise.resolve(),
    async close() {
      unsubscribe();
      checker?.stop();
      await Promise.all(table.hosts.map((host) => host.client.close().catch(() => {})));
    },
  };
}
