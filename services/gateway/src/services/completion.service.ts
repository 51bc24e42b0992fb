import { performance } from 'node:perf_hooks';
import type { ChatEvent, UpstreamTimings } from '../canonical/chat.types.js';
import type { CompletionRequest, CompletionResult } from '../canonical/completion.types.js';
import { finishReasonOf, timingsOf } from '../clients/ollama/ollama.mapping.js';
import type { OllamaGenerateChunk, OllamaGenerateRequest } from '../clients/ollama/ollama.types.js';
import type { OllamaRouter } from '../routing/ollama.router.js';
import { type RouteTarget, withModelOptions } from '../routing/routing-table.js';
import type { RequestContext } from './request-context.js';
import { accountedEvents, addUpstreamWait, timedUpstream } from './upstream-accounting.js';

export interface CompletionService {
  /**
   * Whole answers, one per request (the upstream is called with stream:false, all at once). The context gets the
   * summed usage; if one call fails the others are aborted and the error is thrown.
   */
  complete(
    requests: CompletionRequest[],
    context: RequestContext,
    signal: AbortSignal,
  ): Promise<CompletionResult[]>;
  /**
   * A stream of canonical events (`text`, `thinking`, `end`, `error`). Resolves once the upstream accepted the
   * request; keeps `context` up to date as lines arrive, like ChatService.stream.
   */
  stream(
    request: CompletionRequest,
    context: RequestContext,
    signal: AbortSignal,
  ): Promise<AsyncIterable<ChatEvent>>;
}

/** Canonical completion request → Ollama `/api/generate` body (reference §4.6). `stream` is always explicit. */
export function toOllamaGenerateRequest(request: CompletionRequest): OllamaGenerateRequest {
  const body: OllamaGenerateRequest = {
    model: request.model,
    prompt: request.prompt,
    stream: request.stream,
  };
  if (request.suffix) body.suffix = request.suffix;
  if (Object.keys(request.options).length > 0) body.options = request.options;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  return body;
}

/** One `/api/generate` line → canonical events; content on the final line comes before the end event. */
export function generateChunkToEvents(chunk: OllamaGenerateChunk): ChatEvent[] {
  if (typeof chunk.error === 'string') return [{ type: 'error', message: chunk.error }];
  const events: ChatEvent[] = [];
  if (chunk.thinking) events.push({ type: 'thinking', text: chunk.thinking });
  if (chunk.response) events.push({ type: 'text', text: chunk.response });
  if (chunk.done)
    events.push({
      type: 'end',
      finishReason: finishReasonOf(chunk.done_reason, false),
      usage: { promptTokens: chunk.prompt_eval_count ?? 0, completionTokens: chunk.eval_count ?? 0 },
      timings: timingsOf(chunk),
      createdAt: chunk.created_at ?? new Date().toISOString(),
    });
  return events;
}

export function toCompletionResult(model: string, chunk: OllamaGenerateChunk): CompletionResult {
  return {
    model,
    text: chunk.response ?? '',
    finishReason: finishReasonOf(chunk.done_reason, false),
    usage: { promptTokens: chunk.prompt_eval_count ?? 0, completionTokens: chunk.eval_count ?? 0 },
    timings: timingsOf(chunk),
    createdAt: chunk.created_at ?? new Date().toISOString(),
  };
}

/** The upstream time of several calls made at once: each duration summed (null when none reported it). */
function sumTimings(all: UpstreamTimings[]): UpstreamTimings {
  const sum = (pick: (timings: UpstreamTimings) => number | null) =>
    all.reduce<number | null>((total, timings) => {
      const value = pick(timings);
      return value === null ? total : (total ?? 0) + value;
    }, null);
  return {
    loadDurationNs: sum((t) => t.loadDurationNs),
    promptEvalDurationNs: sum((t) => t.promptEvalDurationNs),
    evalDurationNs: sum((t) => t.evalDurationNs),
    totalDurationNs: sum((t) => t.totalDurationNs),
  };
}

export function createCompletionService(deps: { router: OllamaRouter }): CompletionService {
  const { router } = deps;

  /** The `/api/generate` body for the real model (alias resolved, forced options applied). */
  const upstreamRequest = (
    request: CompletionRequest,
    target: RouteTarget,
    stream: boolean,
  ): OllamaGenerateRequest =>
    withModelOptions(toOllamaGenerateRequest({ ...request, model: target.model, stream }), target.options);
  const targetOf = (context: RequestContext, request: CompletionRequest): RouteTarget => {
    const target = router.target(request.model);
    context.provider = 'ollama';
    context.upstreamModel = target.model;
    return target;
  };

  return {
    async complete(requests, context, signal) {
      const target = requests.length > 0 ? targetOf(context, requests[0]!) : null;
      // One failed call aborts its siblings (they would only burn GPU time for an answer nobody gets).
      const siblings = new AbortController();
      const abort = () => siblings.abort();
      if (signal.aborted) siblings.abort();
      else signal.addEventListener('abort', abort, { once: true });
      const began = performance.now();
      let results: CompletionResult[];
      try {
        results = await Promise.all(
          requests.map(async (request) => {
            try {
              const body = upstreamRequest(request, target!, false);
              const chunk = await router.call(target!, context, siblings.signal, (ollama) =>
                ollama.generate(body, siblings.signal),
              );
              return toCompletionResult(request.model, chunk);
            } catch (error) {
              siblings.abort();
              throw error;
            }
          }),
        );
      } finally {
        addUpstreamWait(context, began);
        signal.removeEventListener('abort', abort);
      }
      context.usage = results.reduce(
        (usage, result) => ({
          promptTokens: usage.promptTokens + result.usage.promptTokens,
          completionTokens: usage.completionTokens + result.usage.completionTokens,
        }),
        { promptTokens: 0, completionTokens: 0 },
      );
      context.timings = sumTimings(results.map((result) => result.timings));
      return results;
    },

    async stream(request, context, signal) {
      const target = targetOf(context, request);
      const body = upstreamRequest(request, target, true);
      const lines = await timedUpstream(context, () =>
        router.call(target, context, signal, (ollama) => ollama.generateStream(body, signal), 'stream'),
      );
      return accountedEvents(lines, generateChunkToEvents, context);
    },
  };
}
