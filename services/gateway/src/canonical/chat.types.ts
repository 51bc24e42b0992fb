/**
 * The canonical chat request and event stream: every inbound dialect is translated into `ChatRequest`, every upstream
 * answer into `ChatEvent`s, and each dialect renders those events in its own wire format.
 */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** Arguments as a JSON string (OpenAI's form). */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** Raw base64 images (no data: prefix). */
  images?: string[];
  toolCalls?: ToolCall[];
  toolCallId?: string;
  toolName?: string;
  thinking?: string;
}

/** Ollama's runtime options we set (names as Ollama spells them). */
export interface GenerationOptions {
  temperature?: number;
  top_p?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  [extra: string]: unknown;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  options: GenerationOptions;
  format?: 'json' | Record<string, unknown>;
  keepAlive?: string | number;
  think?: boolean | 'low' | 'medium' | 'high' | 'max';
  /** Function tools in OpenAI/Ollama form ({type:"function", function:{name, description, parameters}}). */
  tools?: unknown[];
  /** Ask for the log probability of each generated token, and of the `topLogprobs` likeliest alternatives (0–20). */
  logprobs?: boolean;
  topLogprobs?: number;
}

/** One alternative token and its log probability (Ollama's api.TokenLogprob). */
export interface TokenAlternative {
  token: string;
  logprob: number;
  /** UTF-8 bytes of the token, when the upstream reports them. */
  bytes?: number[];
}

/** The log probability of one generated token, with the likeliest alternatives when asked (Ollama's api.Logprob). */
export interface TokenLogprob extends TokenAlternative {
  topLogprobs?: TokenAlternative[];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Ollama's reported timings in nanoseconds (null when not reported). */
export interface UpstreamTimings {
  loadDurationNs: number | null;
  promptEvalDurationNs: number | null;
  evalDurationNs: number | null;
  totalDurationNs: number | null;
}

export type ChatEvent =
  | { type: 'text'; text: string; logprobs?: TokenLogprob[] }
  | { type: 'thinking'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'end'; finishReason: FinishReason; usage: Usage; timings: UpstreamTimings; createdAt: string }
  | { type: 'error'; message: string };

/** A whole (non-streamed) answer. */
export interface ChatResult {
  model: string;
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  timings: UpstreamTimings;
  createdAt: string;
  /** Per-token log probabilities of the content, when the request asked for them. */
  logprobs?: TokenLogprob[];
}
