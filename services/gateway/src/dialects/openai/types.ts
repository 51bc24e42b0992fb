/** OpenAI wire types the gateway emits (spec: CreateChatCompletionResponse / CreateChatCompletionStreamResponse). */
export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      annotations: [];
      tool_calls?: OpenAIToolCall[];
      reasoning_content?: string;
    };
    logprobs: null;
    finish_reason: 'stop' | 'length' | 'tool_calls';
  }[];
  usage: OpenAIUsage;
  system_fingerprint: string;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}
