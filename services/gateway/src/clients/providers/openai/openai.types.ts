/** The parts of OpenAI's chat-completions wire format (reference §2.2) the provider client sends and reads. */

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAIChatBody {
  model: string;
  messages: OpenAIMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  response_format?:
    | { type: 'json_object' }
    | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown> } };
  tools?: unknown[];
}

export interface OpenAIUsageIn {
  prompt_tokens?: number;
  completion_tokens?: number;
}

export interface OpenAIToolCallIn {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** A message or a stream delta, as providers send them (reasoning under either non-standard name). */
export interface OpenAIMessageIn {
  role?: string;
  content?: string | null;
  reasoning?: string | null;
  reasoning_content?: string | null;
  tool_calls?: OpenAIToolCallIn[] | null;
}

export interface OpenAIChoiceIn {
  index?: number;
  message?: OpenAIMessageIn;
  delta?: OpenAIMessageIn;
  finish_reason?: string | null;
}

export interface OpenAICompletionIn {
  id?: string;
  created?: number;
  model?: string;
  choices?: OpenAIChoiceIn[];
  usage?: OpenAIUsageIn | null;
  error?: { message?: string; type?: string; code?: string | null };
}
