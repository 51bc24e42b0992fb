/**
 * Canonical shapes of the two non-chat inference calls: a text completion (OpenAI `/v1/completions`, Ollama
 * `/api/generate`) and an embedding (OpenAI `/v1/embeddings`, Ollama `/api/embed`). A streamed completion uses the
 * chat event stream (`text`, `thinking`, `end`, `error`), so the SSE relay serves both.
 */
import type { FinishReason, GenerationOptions, UpstreamTimings, Usage } from './chat.types.js';

export interface CompletionRequest {
  model: string;
  prompt: string;
  /** Text after the insertion point (fill-in-the-middle). */
  suffix?: string;
  stream: boolean;
  options: GenerationOptions;
  keepAlive?: string | number;
}

/** One whole completion of one prompt. Thinking text (thinking models) is not part of `text`. */
export interface CompletionResult {
  model: string;
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  timings: UpstreamTimings;
  createdAt: string;
}

export interface EmbeddingRequest {
  model: string;
  /** One or more texts; never empty. */
  input: string[];
  dimensions?: number;
  keepAlive?: string | number;
  options?: Record<string, unknown>;
}

export interface EmbeddingResult {
  model: string;
  /** One vector per input, in input order. */
  embeddings: number[][];
  /** Prompt tokens (embeddings have no completion tokens). */
  promptTokens: number;
  timings: UpstreamTimings;
}
