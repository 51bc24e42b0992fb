import { setTimeout as sleepFor } from 'node:timers/promises';
import { AppError, type Logger } from '@ollama-gateway/runtime';
import type { ChatEvent, ChatRequest } from '../canonical/chat.types.js';
import type { ChatService } from '../services/chat.service.js';
import type { RequestContext } from '../services/request-context.js';
import { accountedEvents, timedUpstream } from '../services/upstream-accounting.js';
import {
  backoffMs,
  EarlyStreamError,
  firstEvent,
  isRetryable,
  resumed,
  triggerOf,
  withDeadline,
} from './fallback.attempt.js';
import type { FallbackTriggerName } from './fallback.config.js';
import type { FallbackChain, FallbackProvider } from './fallback.providers.js';

/** Who served the request: `ollama` for the local hosts, else the provider's name from the config. */
export const PROVIDER_HEADER = 'x-provider';
/** Set when the chain was tried: the trigger (`upstream_error`, `timeout`, `model_not_present`, …). */
export const FALLBACK_REASON_HEADER = 'x-fallback-reason';

export interface FallbackChatDeps {
  /** The chain for the config in force (read once per request). */
  chain: () => FallbackChain;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Waits between retries; rejects when the signal fires. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * A ChatService that calls the local hosts (`inner`) and, when they fail before the first byte reached the client for
 * a reason the config lists as a trigger, tries the cloud providers of the chain in order, each with retries and
 * backoff. A stream counts as started at its first event: `stream()` resolves only then, so the route has sent
 * nothing while the chain can still take over; once it resolved, later errors pass through as they always did.
 * The served provider is recorded on the context (provider, upstreamHost, upstreamModel: the usage row and its price)
 * and in the `x-provider` / `x-fallback-reason` headers. When every provider fails, the local error is thrown.
 */
export function createFallbackChatService(inner: ChatService, deps: FallbackChatDeps): ChatService {
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const random = deps.random ?? Math.random;

  /** Whether the chain takes over after `error`; the trigger when it does. */
  const takeOver = (
    chain: FallbackChain,
    error: unknown,
    signal: AbortSignal,
  ): FallbackTriggerName | null => {
    if (signal.aborted || chain.providers.length === 0) return null;
    const trigger = triggerOf(error);
    return trigger && chain.triggers.has(trigger) ? trigger : null;
  };

  async function runChain<T>(
    chain: FallbackChain,
    request: ChatRequest,
    context: RequestContext,
    signal: AbortSignal,
    trigger: FallbackTriggerName,
    localError: unknown,
    attempt: (provider: FallbackProvider, model: string) => Promise<T>,
  ): Promise<T> {
    const local = { provider: context.provider, host: context.upstreamHost, model: context.upstreamModel };
    // The local answer is abandoned: its host slot (held by a stream until the response closes) is free now.
    context.upstreamLease?.release();
    context.upstreamLease = null;
    const log = {
      requestId: context.requestId,
      model: request.model,
      trigger,
      localError: (localError as Error).message,
    };
    let tried = 0;
    for (const provider of chain.providers) {
      const model = provider.modelFor(request.model, local.model);
      if (!model) continue;
      for (let n = 0; n <= provider.retries.count; n++) {
        if (n > 0) await sleep(backoffMs(provider.retries, n, random), signal);
        tried++;
        context.provider = provider.client.provider;
        context.upstreamHost = provider.client.baseUrl;
        context.upstreamModel = model;
        context.usage = { promptTokens: 0, completionTokens: 0 };
        context.timings = null;
        context.ttftMs = null;
        try {
          const result = await attempt(provider, model);
          context.setResponseHeader(PROVIDER_HEADER, provider.client.name);
          context.setResponseHeader(FALLBACK_REASON_HEADER, trigger);
          deps.logger?.info(
            { ...log, provider: provider.client.name, upstreamModel: model, attempts: tried },
            `served by fallback provider ${provider.client.name}`,
          );
          return result;
        } catch (error) {
          if (signal.aborted) throw error;
          const failure = error instanceof AppError ? { status: error.status, code: error.code } : {};
          deps.logger?.warn(
            {
              ...log,
              provider: provider.client.name,
              attempt: n + 1,
              ...failure,
              reason: (error as Error).message,
            },
            `fallback provider ${provider.client.name} failed`,
          );
          if (!isRetryable(error)) break;
        }
      }
    }
    context.provider = local.provider;
    context.upstreamHost = local.host;
    context.upstreamModel = local.model;
    if (tried > 0) context.setResponseHeader(FALLBACK_REASON_HEADER, trigger);
    throw localError;
  }

  /** The local calls are cut short only when the chain can take over after it (a timer alone would just fail them). */
  const localDeadline = (chain: FallbackChain, ms: number | undefined) =>
    chain.providers.length > 0 && chain.triggers.has('timeout') ? ms : undefined;

  const servedLocally = (context: RequestContext) =>
    context.setResponseHeader(PROVIDER_HEADER, context.provider);

  return {
    async complete(request, context, signal) {
      const chain = deps.chain();
      let result: Awaited<ReturnType<ChatService['complete']>>;
      try {
        result = await withDeadline(localDeadline(chain, chain.config.nonStreamTimeoutMs), signal, (local) =>
          inner.complete(request, context, local),
        );
      } catch (error) {
        const trigger = takeOver(chain, error, signal);
        if (!trigger) throw error;
        return runChain(chain, request, context, signal, trigger, error, async (provider, model) => {
          const answer = await timedUpstream(context, () => provider.client.complete(request, model, signal));
          context.usage = { ...answer.usage };
          context.timings = answer.timings;
          return answer;
        });
      }
      servedLocally(context);
      return result;
    },

    async stream(request, context, signal) {
      const chain = deps.chain();
      // Without a chain there is nothing to wait for: the stream is handed over as it opens.
      if (chain.providers.length === 0) {
        const events = await inner.stream(request, context, signal);
        servedLocally(context);
        return events;
      }
      let opened: Awaited<ReturnType<typeof firstEvent>>;
      try {
        opened = await withDeadline(
          localDeadline(chain, chain.config.firstByteTimeoutMs),
          signal,
          async (local) => firstEvent(await inner.stream(request, context, local)),
        );
      } catch (error) {
        // Nobody takes over: an early local failure reaches the client exactly as without a chain.
        const asBefore = () => {
          if (!(error instanceof EarlyStreamError)) throw error;
          servedLocally(context);
          return error.replay();
        };
        const trigger = takeOver(chain, error, signal);
        if (!trigger) return asBefore();
        let events: AsyncIterable<ChatEvent>;
        try {
          events = await runChain(
            chain,
            request,
            context,
            signal,
            trigger,
            error,
            async (provider, model) => {
              const first = await timedUpstream(context, () =>
                withDeadline(provider.firstByteTimeoutMs, signal, async (attempt) => {
                  try {
                    return await firstEvent(await provider.client.stream(request, model, attempt));
                  } catch (failure) {
                    if (failure instanceof EarlyStreamError) await failure.close();
                    throw failure;
                  }
                }),
              );
              return accountedEvents(resumed(first), (event) => [event], context);
            },
          );
        } catch (failure) {
          if (failure === error) return asBefore();
          throw failure;
        }
        if (error instanceof EarlyStreamError) void error.close();
        return events;
      }
      servedLocally(context);
      return resumed(opened);
    },
  };
}
