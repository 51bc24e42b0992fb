import { performance } from 'node:perf_hooks';
import type { CacheStatus } from '@ollama-gateway/contracts';
import type { Logger } from '@ollama-gateway/runtime';
import type { ChatEvent, ChatRequest, ChatResult } from '../canonical/chat.types.js';
import type { ChatService } from '../services/chat.service.js';
import type { RequestContext } from '../services/request-context.js';
import type { CacheConfig } from './cache.config.js';
import {
  type CacheEntry,
  parseCacheEntry,
  resultFromEntry,
  resultToEvents,
  StreamResultCollector,
  toCacheEntry,
} from './cache.entry.js';
import { cacheEntryId, cacheScopeOf } from './cache.key.js';
import { type CachePlan, cacheDirectiveOf, cachePlanFor } from './cache.policy.js';
import type { ResponseCacheStore } from './cache.store.js';

/** The response header that says what the cache did: HIT, MISS or BYPASS. */
export const CACHE_STATUS_HEADER = 'x-cache';

export type CacheWriteOutcome = 'stored' | 'too_large' | 'error';

/** The cache's own Prometheus series (hits and misses are counted from the usage event, once per request). */
export interface CacheMetrics {
  cacheWrite(outcome: CacheWriteOutcome): void;
  cacheReadError(): void;
}

export interface CachingChatDeps {
  store: ResponseCacheStore;
  /** The `cache` section of the current config (read on every request, so a reload applies at once). */
  config: () => CacheConfig;
  /** Alias → real model, when the caller knows the aliases: `fast` and its target then share entries. */
  resolveModel?: (model: string) => string;
  logger?: Logger;
  metrics?: CacheMetrics;
  now?: () => number;
}

interface Prepared {
  config: CacheConfig;
  plan: CachePlan;
  id: string;
}

/**
 * A ChatService that answers deterministic requests from the response cache (docs/routing.md, "Response cache") and
 * otherwise delegates to `inner` (the fallback chain and router, as main.ts composes them). A hit never calls
 * `inner`: the stored canonical result is returned as is, or replayed as events, so every dialect renders a normal
 * answer or stream with usage. A miss stores the answer once it is complete; a stream is teed as it passes (never
 * held back) and stored only when it ended cleanly. Redis trouble never fails a request: it reads as a miss.
 * Each call sets `context.cacheStatus`, the `x-cache` header and, for an unbilled hit, `context.billable = false`.
 */
export function createCachingChatService(inner: ChatService, deps: CachingChatDeps): ChatService {
  const now = deps.now ?? Date.now;

  const mark = (context: RequestContext, status: CacheStatus) => {
    context.cacheStatus = status;
    context.setResponseHeader(CACHE_STATUS_HEADER, status.toUpperCase());
  };

  /**
   * null: the cache is off, the request is passed through untouched (no header, no status). A request that is not
   * cacheable, has no scope (no key) or was bypassed by the client gets a plan that neither reads nor stores: BYPASS.
   */
  const prepare = (request: ChatRequest, context: RequestContext): Prepared | null => {
    const config = deps.config();
    if (!config.enabled) return null;
    const scope = cacheScopeOf(context.key, config.scope);
    const plan = cachePlanFor(request, cacheDirectiveOf(context.requestHeader), config.cacheable);
    if (!scope || (!plan.lookup && !plan.store))
      return { config, plan: { lookup: false, store: false }, id: '' };
    const model = deps.resolveModel?.(request.model) ?? request.model;
    return { config, plan, id: cacheEntryId(request, scope, model) };
  };

  const read = async (prepared: Prepared, context: RequestContext): Promise<CacheEntry | null> => {
    if (!prepared.plan.lookup) return null;
    try {
      const text = await deps.store.get(prepared.id);
      return text === null ? null : parseCacheEntry(text);
    } catch (error) {
      deps.metrics?.cacheReadError();
      deps.logger?.warn({ err: error, requestId: context.requestId }, 'response cache read failed: a miss');
      return null;
    }
  };

  const write = async (prepared: Prepared, result: ChatResult, context: RequestContext) => {
    if (!prepared.plan.store) return;
    const { config } = prepared;
    const entry = toCacheEntry(result, context, now());
    const value = JSON.stringify(entry);
    if (Buffer.byteLength(value) > config.maxEntryBytes) {
      deps.metrics?.cacheWrite('too_large');
      return;
    }
    try {
      await deps.store.put(prepared.id, value, {
        ttlMs: config.ttlSeconds * 1000,
        maxEntries: config.maxEntries,
        maxTotalBytes: config.maxTotalBytes,
      });
      deps.metrics?.cacheWrite('stored');
    } catch (error) {
      deps.metrics?.cacheWrite('error');
      deps.logger?.warn({ err: error, requestId: context.requestId }, 'response cache write failed');
    }
  };

  /** A hit: who produced the answer, its usage, no upstream host and no GPU time (energy 0); billed per config. */
  const serveHit = (context: RequestContext, entry: CacheEntry, config: CacheConfig) => {
    mark(context, 'hit');
    context.setResponseHeader('age', String(Math.max(0, Math.floor((now() - entry.storedAt) / 1000))));
    context.billable = config.billHits;
    context.provider = entry.provider;
    context.upstreamModel = entry.upstreamModel;
    context.upstreamHost = null;
    context.timings = null;
  };

  return {
    async complete(request, context, signal) {
      const prepared = prepare(request, context);
      if (!prepared) return inner.complete(request, context, signal);
      const entry = await read(prepared, context);
      if (entry) {
        serveHit(context, entry, prepared.config);
        const result = resultFromEntry(entry, request.model);
        context.usage = { ...result.usage };
        return result;
      }
      mark(context, prepared.plan.lookup ? 'miss' : 'bypass');
      const result = await inner.complete(request, context, signal);
      if (!signal.aborted) await write(prepared, result, context);
      return result;
    },

    async stream(request, context, signal) {
      const prepared = prepare(request, context);
      if (!prepared) return inner.stream(request, context, signal);
      const entry = await read(prepared, context);
      if (entry) {
        serveHit(context, entry, prepared.config);
        return replay(resultFromEntry(entry, request.model), context);
      }
      mark(context, prepared.plan.lookup ? 'miss' : 'bypass');
      const events = await inner.stream(request, context, signal);
      if (!prepared.plan.store) return events;
      const collector = new StreamResultCollector(
        request.model,
        request.logprobs === true,
        prepared.config.maxEntryBytes,
      );
      return tee(events, collector, async (result) => {
        if (result === 'too_large') deps.metrics?.cacheWrite('too_large');
        else if (!signal.aborted) await write(prepared, result, context);
      });
    },
  };
}

/** A cached result as a stream, accounted as a live one would be: time to first token, then the usage at the end. */
async function* replay(result: ChatResult, context: RequestContext): AsyncGenerator<ChatEvent> {
  context.usage = { promptTokens: result.usage.promptTokens, completionTokens: 0 };
  for (const event of resultToEvents(result)) {
    if (event.type === 'text' || event.type === 'thinking' || event.type === 'tool_call')
      context.ttftMs ??= performance.now() - context.startedAt;
    else if (event.type === 'end') context.usage = { ...event.usage };
    yield event;
  }
}

/**
 * Passes every event on as it arrives while the collector rebuilds the result; on a clean `end` the result is stored
 * before the end is passed on (the consumer stops reading at the end, so nothing after that `yield` would run).
 */
async function* tee(
  events: AsyncIterable<ChatEvent>,
  collector: StreamResultCollector,
  onComplete: (result: ChatResult | 'too_large') => Promise<void>,
): AsyncGenerator<ChatEvent> {
  for await (const event of events) {
    collector.add(event);
    if (event.type === 'end') {
      const result = collector.result();
      if (result) await onComplete(result);
      else if (collector.tooLarge) await onComplete('too_large');
    }
    yield event;
  }
}
