/** Ollama native API shapes (reference §1), only the fields the gateway reads or writes. */
export interface OllamaToolCall {
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

export interface OllamaMessage {
  role: string;
  content: string;
  images?: string[];
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  options?: Record<string, unknown>;
  format?: 'json' | Record<string, unknown>;
  keep_alive?: string | number;
  think?: boolean | string;
  tools?: unknown[];
  logprobs?: boolean;
  top_logprobs?: number;
}

/** api.TokenLogprob / api.Logprob: a token, its log probability, its UTF-8 bytes (omitempty), the top alternatives. */
export interface OllamaTokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[];
}

export interface OllamaLogprob extends OllamaTokenLogprob {
  top_logprobs?: OllamaTokenLogprob[];
}

export interface OllamaMetrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface OllamaChatChunk extends OllamaMetrics {
  model?: string;
  created_at?: string;
  message?: Partial<OllamaMessage>;
  done?: boolean;
  done_reason?: string;
  error?: string;
  /** Top-level, beside `message`: one entry per token generated in this chunk (only when asked for). */
  logprobs?: OllamaLogprob[];
}

export interface OllamaTagModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details?: Record<string, unknown>;
}

export interface OllamaTagsResponse {
  models: OllamaTagModel[];
}

/** `/api/ps`: the models loaded in memory (same name/model fields as tags, plus expiry and VRAM). */
export interface OllamaPsResponse {
  models: Array<OllamaTagModel & { expires_at?: string; size_vram?: number; context_length?: number }>;
}

export interface OllamaGenerateRequest {
  model: string;
  prompt: string;
  suffix?: string;
  system?: string;
  raw?: boolean;
  stream: boolean;
  options?: Record<string, unknown>;
  format?: 'json' | Record<string, unknown>;
  keep_alive?: string | number;
  think?: boolean | string;
}

export interface OllamaGenerateChunk extends OllamaMetrics {
  model?: string;
  created_at?: string;
  response?: string;
  thinking?: string;
  done?: boolean;
  done_reason?: string;
  context?: number[];
  error?: string;
}

export interface OllamaEmbedRequest {
  model: string;
  input: string | string[];
  truncate?: boolean;
  dimensions?: number;
  options?: Record<string, unknown>;
  keep_alive?: string | number;
}

export interface OllamaEmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

/** `/api/show` (reference §1.4), the fields the gateway reads. */
export interface OllamaShowResponse {
  modelfile?: string;
  parameters?: string;
  template?: string;
  details?: Record<string, unknown>;
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  modified_at?: string;
}
