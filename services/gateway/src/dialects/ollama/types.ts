/** Ollama's native API (`/api/*`) as the gateway proxies it (reference §1): only the fields the gateway reads. */

/** The native endpoints the gateway serves; `manage` covers the admin-only model-management routes. */
export type NativeEndpoint =
  | 'chat'
  | 'generate'
  | 'embed'
  | 'embeddings'
  | 'show'
  | 'tags'
  | 'ps'
  | 'version'
  | 'manage';

/** Endpoints whose body names a model the key must be allowed to use. */
export const MODEL_ENDPOINTS: ReadonlySet<NativeEndpoint> = new Set([
  'chat',
  'generate',
  'embed',
  'embeddings',
  'show',
]);

/** Endpoints that stream one token per NDJSON line (the line count is the partial usage of an aborted stream). */
export const TOKEN_STREAM_ENDPOINTS: ReadonlySet<NativeEndpoint> = new Set(['chat', 'generate']);

/** The metrics of a final `done:true` chunk (and of embed answers); omitempty, so a missing value means 0. */
export interface NativeMetrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

/** One chat/generate line or whole answer. */
export interface NativeChunk extends NativeMetrics {
  model?: string;
  created_at?: string;
  message?: { role?: string; content?: string; thinking?: string; tool_calls?: unknown[] };
  response?: string;
  thinking?: string;
  done?: boolean;
  done_reason?: string;
  error?: unknown;
  [field: string]: unknown;
}

/** What the gateway learnt from a native request body before forwarding it unchanged. */
export interface NativeRequestInfo {
  /** Every model the body names (all must be allowed). */
  models: string[];
  /** The model to record ('' when none). */
  model: string;
  /** Whether the answer streams (Ollama's default for chat and generate: `stream` absent means true). */
  stream: boolean;
  /** The parsed body (for the request log), null when empty. */
  json: unknown;
}
