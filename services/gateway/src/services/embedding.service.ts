import { performance } from 'node:perf_hooks';
import { upstreamError } from '@ollama-gateway/runtime';
import type { EmbeddingRequest, EmbeddingResult } from '../canonical/completion.types.js';
import type { OllamaEmbedRequest, OllamaEmbedResponse } from '../clients/ollama/ollama.types.js';
import type { OllamaRouter } from '../routing/ollama.router.js';
import { withModelOptions } from '../routing/routing-table.js';
import type { RequestContext } from './request-context.js';
import { addUpstreamWait } from './upstream-accounting.js';

export interface EmbeddingService {
  /** One vector per input, from Ollama `/api/embed`; fills the context's usage (prompt tokens only) and timings. */
  embed(request: EmbeddingRequest, context: RequestContext, signal: AbortSignal): Promise<EmbeddingResult>;
}

/** Canonical embedding request → Ollama `/api/embed` body (reference §4.7). */
export function toOllamaEmbedRequest(request: EmbeddingRequest): OllamaEmbedRequest {
  const body: OllamaEmbedRequest = { model: request.model, input: request.input };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  if (request.options) body.options = request.options;
  return body;
}

export function createEmbeddingService(deps: { router: OllamaRouter }): EmbeddingService {
  const { router } = deps;
  return {
    async embed(request, context, signal) {
      const target = router.target(request.model);
      context.provider = 'ollama';
      context.upstreamModel = target.model;
      const body = withModelOptions(
        toOllamaEmbedRequest({ ...request, model: target.model }),
        target.options,
      );
      const began = performance.now();
      let response: OllamaEmbedResponse;
      try {
        response = await router.call(target, context, signal, (ollama) => ollama.embed(body, signal));
      } finally {
        addUpstreamWait(context, began);
      }
      const embeddings = Array.isArray(response.embeddings) ? response.embeddings : [];
      const result: EmbeddingResult = {
        model: request.model,
        embeddings,
        promptTokens: response.prompt_eval_count ?? 0,
        timings: {
          loadDurationNs: response.load_duration ?? null,
          promptEvalDurationNs: null,
          evalDurationNs: null,
          totalDurationNs: response.total_duration ?? null,
        },
      };
      context.usage = { promptTokens: result.promptTokens, completionTokens: 0 };
      context.timings = result.timings;
      if (embeddings.length !== request.input.length)
        throw upstreamError(
          `The model server returned ${embeddings.length} embeddings for ${request.input.length} inputs.`,
          { code: 'upstream_bad_response' },
        );
      return result;
    },
  };
}
