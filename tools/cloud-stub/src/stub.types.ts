/** Settings of a cloud stub (all changeable at run time through `setConfig` or `POST /_stub/config`). */
export interface CloudStubConfig {
  port: number;
  host: string;
  /** The key `/v1/chat/completions` accepts (`Authorization: Bearer <key>`); empty = any key. */
  openaiKey: string;
  /** The key `/v1/messages` accepts (`x-api-key: <key>` or `Authorization: Bearer <key>`); empty = any key. */
  anthropicKey: string;
  /** Words (= completion tokens) in a reply, unless `[[stub:tokens=N]]` or max_tokens says otherwise. */
  replyTokens: number;
  /** Wait before the answer: before the whole body (non-stream) or before the first chunk (stream). */
  ttftMs: number;
  /** Wait between two stream chunks. */
  chunkDelayMs: number;
  /** Models that exist (others: 404 model_not_found / not_found_error); null = every model exists. */
  models: string[] | null;
}

/**
 * Injected failures. `error-500`, `error-503` (OpenAI overloaded), `error-529` (Anthropic overloaded) and `error-429`
 * answer with that status and the provider's error body before any byte; `hang` accepts and never answers until the
 * client goes away; `error-midstream` streams `faultAfterChunks` chunks then the provider's in-stream error;
 * `drop` destroys the socket after those chunks (non-stream: before answering).
 */
export type StubFaultMode =
  | 'error-500'
  | 'error-503'
  | 'error-529'
  | 'error-429'
  | 'hang'
  | 'error-midstream'
  | 'drop';

export interface StubFaultSetting {
  mode: StubFaultMode | null;
  /** Applies to the next N inference requests; absent = until cleared. */
  count?: number;
}

/** One request as the stub saw it (the last 200 are kept, newest last). */
export interface StubRequestRecord {
  path: string;
  /** The status the stub answered with (0 while a stream or a hang is in progress). */
  status: number;
  model: string | null;
  stream: boolean;
  /** The headers tests assert on: authorization, x-api-key, anthropic-version, anthropic-beta, content-type. */
  headers: Record<string, string>;
  body: unknown;
  fault: StubFaultMode | null;
}

export interface StubStats {
  /** Inference requests received (`/_stub/*` not counted), whatever their outcome. */
  requests: number;
  byPath: Record<string, number>;
  /** Requests refused for a missing or wrong key. */
  unauthorized: number;
  faultsInjected: number;
  /** Requests still being answered. */
  active: number;
  /** Requests whose client went away before the answer finished. */
  cancellations: number;
}
