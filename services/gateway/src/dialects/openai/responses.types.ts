/** OpenAI Responses API wire types the gateway emits (spec: Response, OutputItem, ResponseUsage, Response*Event). */
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: [];
}

export interface ReasoningTextPart {
  type: 'reasoning_text';
  text: string;
}

export interface MessageItem {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'assistant';
  content: OutputTextPart[];
}

/** The model's raw thinking as `reasoning_text` content (as OpenAI's open-weight models return it); no summary. */
export interface ReasoningItem {
  id: string;
  type: 'reasoning';
  status: ItemStatus;
  summary: [];
  content: ReasoningTextPart[];
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}

export type OutputItem = MessageItem | ReasoningItem | FunctionCallItem;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** A function tool as the Responses API spells it (flat, unlike chat completions). */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export type ResponseTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      description?: string;
      strict?: boolean | null;
    };

/** What a response echoes of its request. */
export interface ResponseEcho {
  instructions: string | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  reasoning: { effort: string | null; summary: string | null } | null;
  temperature: number | null;
  text: { format: ResponseTextFormat; verbosity?: string };
  tool_choice: unknown;
  tools: ResponsesFunctionTool[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  metadata: Record<string, string>;
  user?: string;
}

/** Everything a response needs besides its output: ids, the model as asked for, when, and the echo. */
export interface ResponseMeta {
  requestId: string;
  model: string;
  /** Unix seconds. */
  createdAt: number;
  echo: ResponseEcho;
}

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: false;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: ResponseEcho['reasoning'];
  service_tier: 'default';
  store: false;
  temperature: number | null;
  text: ResponseEcho['text'];
  tool_choice: unknown;
  tools: ResponsesFunctionTool[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage?: ResponsesUsage;
  user?: string;
}
