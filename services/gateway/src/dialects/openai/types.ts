/** OpenAI wire types the gateway emits (spec: CreateChatCompletionResponse / CreateChatCompletionStreamResponse). */
export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** ChatCompletionTokenLogprob: `bytes` and `top_logprobs` are required (bytes nullable). */
export interface OpenAITokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: { token: string; logprob: number; bytes: number[] | null }[];
}

/** A choice's `logprobs` when they were asked for (both keys required, `refusal` always null here). */
export interface OpenAIChoiceLogprobs {
  content: OpenAITokenLogprob[] | null;
  refusal: null;
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
    logprobs: OpenAIChoiceLogprobs | null;
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
