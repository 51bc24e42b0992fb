/** Capabilities as Ollama reports them in /api/show (types/model/capability.go). */
export type Capability = 'completion' | 'tools' | 'insert' | 'vision' | 'embedding' | 'thinking';

/** One model the simulator pretends to have pulled. */
export interface SimModel {
  /** Full name with tag, e.g. `llama3.2:latest`. */
  name: string;
  /** GGUF architecture (`general.architecture`), used for `<arch>.context_length` in /api/show. */
  architecture: string;
  family: string;
  families: string[];
  parameterSize: string;
  quantizationLevel: string;
  capabilities: Capability[];
  contextLength: number;
  embeddingLength: number;
  /** Size on disk in bytes (/api/tags) and in memory when loaded (/api/ps). */
  size: number;
  /** sha256 hex digest of the manifest. */
  digest: string;
  /** RFC 3339 timestamp. */
  modifiedAt: string;
  template: string;
  /** Modelfile `PARAMETER` lines as /api/show renders them. */
  parameters: string;
}

export type FaultMode = 'error-500' | 'error-midstream' | 'hang' | 'drop' | 'slow';

export interface FaultSetting {
  mode: FaultMode | null;
  /** How many inference requests the fault applies to; absent or null means until cleared. */
  count?: number | null;
}

export interface SimConfig {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Value of GET /api/version. */
  version: string;
  models: SimModel[];
  /** Tokens in a reply when the request does not say otherwise (`[[sim:tokens=N]]`). */
  replyTokens: number;
  /** Thinking tokens emitted before the reply when thinking is on. */
  thinkingTokens: number;
  /** Simulated model load time, paid on first use and after keep_alive expiry. */
  loadMs: number;
  /** Time to first token (reported as prompt_eval_duration). */
  ttftMs: number;
  /** Pacing between tokens; 0 or Infinity means as fast as possible. */
  tokensPerSecond: number;
  /** Default keep_alive in milliseconds (Ollama: 5m). */
  keepAliveMs: number;
  /** Tokens emitted before the error line (error-midstream) or the socket drop (drop). */
  faultAfterTokens: number;
  /** Timing used by the `slow` fault. */
  slowTtftMs: number;
  slowTokensPerSecond: number;
  /** Largest accepted request body. */
  maxBodyBytes: number;
}

export interface Cancellation {
  path: string;
  model: string;
  /** RFC 3339 time the client went away. */
  at: string;
  /** Same instant as epoch milliseconds (fractional). */
  atMs: number;
  /** Milliseconds between the request's arrival and the cancellation. */
  afterMs: number;
  /** Token chunks written before the client went away. */
  tokensSent: number;
}

export interface InFlightRequest {
  path: string;
  model: string;
  /** Milliseconds since the request arrived. */
  afterMs: number;
  tokensSent: number;
}

export interface SimStats {
  /** Requests received, control API excluded. */
  requests: number;
  byPath: Record<string, number>;
  cancellations: Cancellation[];
  /** Requests in flight. */
  active: number;
  /**
   * Each request in flight and how far it got: token chunks handed to the socket so far. A stream whose client
   * does not read stalls here once the buffers on the way are full (the simulator honours backpressure).
   */
  inFlight: InFlightRequest[];
  /** Faults applied (marker or control API). */
  faultsInjected: number;
  /** Simulated model loads. */
  loads: number;
}

/** Chat message as the simulator reads it. */
export interface ChatMessage {
  role: string;
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: unknown[];
  tool_name?: string;
  tool_call_id?: string;
}

export interface ToolDefinition {
  type?: string;
  function: {
    name: string;
    description?: string;
    parameters?: JsonSchema;
  };
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  required?: string[];
  [key: string]: unknown;
}

export interface ToolCall {
  id: string;
  function: { index: number; name: string; arguments: Record<string, unknown> };
}
