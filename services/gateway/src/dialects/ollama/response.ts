import type { UpstreamTimings, Usage } from '../../canonical/chat.types.js';
import type { NativeChunk, NativeEndpoint, NativeMetrics } from './types.js';

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

/**
 * Exact usage from a final `done:true` chunk or a whole answer (metrics are omitempty: missing means 0). Embed reports
 * only `prompt_eval_count`; the legacy `/api/embeddings` reports nothing.
 */
export function usageOf(endpoint: NativeEndpoint, chunk: NativeChunk): Usage {
  if (endpoint === 'chat' || endpoint === 'generate')
    return { promptTokens: count(chunk.prompt_eval_count), completionTokens: count(chunk.eval_count) };
  if (endpoint === 'embed') return { promptTokens: count(chunk.prompt_eval_count), completionTokens: 0 };
  return { promptTokens: 0, completionTokens: 0 };
}

/** Ollama's durations (integer nanoseconds), null when not reported. */
export function timingsOf(metrics: NativeMetrics): UpstreamTimings {
  const ns = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    loadDurationNs: ns(metrics.load_duration),
    promptEvalDurationNs: ns(metrics.prompt_eval_duration),
    evalDurationNs: ns(metrics.eval_duration),
    totalDurationNs: ns(metrics.total_duration),
  };
}

/** `/api/tags` and `/api/ps` answers with only the models `allowed` accepts (the other fields kept as they are). */
export function filterModelList(body: unknown, allowed: (model: string) => boolean): unknown {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { models?: unknown }).models))
    return body;
  const models = (body as { models: unknown[] }).models.filter((entry) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const { model, name } = entry as { model?: unknown; name?: unknown };
    const id = typeof model === 'string' && model ? model : typeof name === 'string' ? name : '';
    return id !== '' && allowed(id);
  });
  return { ...(body as object), models };
}

/** A whole answer as the request log keeps it: embedding vectors are summarised, not stored. */
export function loggedAnswer(endpoint: NativeEndpoint, body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  if (endpoint === 'embed' && Array.isArray(record.embeddings)) {
    const first = record.embeddings[0];
    const dims = Array.isArray(first) ? first.length : 0;
    return { ...record, embeddings: `[${record.embeddings.length} vectors of ${dims} dimensions]` };
  }
  if (endpoint === 'embeddings' && Array.isArray(record.embedding))
    return { ...record, embedding: `[1 vector of ${record.embedding.length} dimensions]` };
  return body;
}

/**
 * A streamed chat/generate answer rebuilt from its lines for the request log: content (and thinking, tool calls)
 * concatenated as Ollama's non-streamed answer has them, with the final line's metrics. Other streams (pull, create)
 * are logged as their last line. Lines that are not JSON are skipped.
 */
export function assembleStreamedAnswer(endpoint: NativeEndpoint, lines: readonly string[]): unknown {
  const chunks: NativeChunk[] = [];
  for (const line of lines) {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === 'object' && value !== null) chunks.push(value as NativeChunk);
    } catch {
      // not JSON: nothing to log
    }
  }
  const last = chunks[chunks.length - 1];
  if (!last) return null;
  if (endpoint !== 'chat' && endpoint !== 'generate') return last;
  let content = '';
  let thinking = '';
  const toolCalls: unknown[] = [];
  for (const chunk of chunks) {
    const source = endpoint === 'chat' ? (chunk.message ?? {}) : chunk;
    const text = endpoint === 'chat' ? chunk.message?.content : chunk.response;
    if (typeof text === 'string') content += text;
    if (typeof source.thinking === 'string') thinking += source.thinking;
    if (Array.isArray(source.tool_calls)) toolCalls.push(...source.tool_calls);
  }
  const { message: _message, response: _response, thinking: _thinking, ...rest } = last;
  const extras: Record<string, unknown> = {};
  if (thinking) extras.thinking = thinking;
  if (toolCalls.length > 0) extras.tool_calls = toolCalls;
  return endpoint === 'chat'
    ? { ...rest, message: { role: 'assistant', content, ...extras } }
    : { ...rest, response: content, ...extras };
}

/** The message of an Ollama error body (`{"error":"…"}`), or null. */
export function errorMessageOf(body: unknown): string | null {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : null;
}
