/** Anthropic Messages API wire types the gateway emits (reference §3.3, §3.4; SDK `Message`, `RawMessageStreamEvent`). */
export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  citations: null;
}

export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  /** Ollama signs nothing: always "" (the field is there because clients echo it back). */
  signature: string;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export type AnthropicContentBlock = AnthropicTextBlock | AnthropicThinkingBlock | AnthropicToolUseBlock;

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export interface AnthropicCountTokensResponse {
  input_tokens: number;
}
