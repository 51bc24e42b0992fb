/** The parts of Anthropic's Messages wire format (reference §3) the provider client sends and reads. */

export type AnthropicBlockOut =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

export interface AnthropicMessageOut {
  role: 'user' | 'assistant';
  content: AnthropicBlockOut[];
}

export interface AnthropicMessagesBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageOut[];
  system?: string;
  stream: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema: unknown }[];
}

export interface AnthropicUsageIn {
  input_tokens?: number | null;
  output_tokens?: number | null;
}

export interface AnthropicBlockIn {
  type?: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface AnthropicMessageIn {
  id?: string;
  model?: string;
  content?: AnthropicBlockIn[];
  stop_reason?: string | null;
  usage?: AnthropicUsageIn;
}

/** One streamed event's data (the `type` field repeats the `event:` name). */
export interface AnthropicStreamEventIn {
  type?: string;
  message?: AnthropicMessageIn;
  index?: number;
  content_block?: AnthropicBlockIn;
  delta?: {
    type?: string;
    text?: string;
    thinking?: string;
    partial_json?: string;
    stop_reason?: string | null;
  };
  usage?: AnthropicUsageIn;
  error?: { type?: string; message?: string };
}
