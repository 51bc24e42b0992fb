// Every public endpoint the fuzzers hit, with a valid body to mutate and the fields whose type the gateway (OpenAI and
// Anthropic dialects) or Ollama (the native API, forwarded) checks. The route list is services/gateway/src/app.ts.
import type { Dialect } from '@ollama-gateway/contracts';

export type FieldType = 'string' | 'number' | 'boolean' | 'array' | 'object';

export interface Field {
  name: string;
  type: FieldType;
  /** Missing or mistyped, it must be a 4xx whose message names it. */
  required?: boolean;
}

export interface PostEndpoint {
  path: string;
  dialect: Dialect;
  valid: () => Record<string, unknown>;
  fields: Field[];
  /** Numeric fields (dotted paths into the body) that get absurd values. */
  numbers: string[];
  /** Where a list goes that can be made thousands long (messages, tools, inputs). */
  lists: { path: string; item: unknown }[];
}

const user = (content = 'hi') => ({ role: 'user', content });
const tool = (i: number) => ({
  type: 'function',
  function: { name: `tool_${i}`, description: 'd', parameters: { type: 'object', properties: {} } },
});
const anthropicTool = (i: number) => ({
  name: `tool_${i}`,
  description: 'd',
  input_schema: { type: 'object', properties: {} },
});

export const POST_ENDPOINTS: PostEndpoint[] = [
  {
    path: '/v1/chat/completions',
    dialect: 'openai',
    valid: () => ({ model: 'llama3.2', messages: [user()], max_tokens: 5 }),
    fields: [
      { name: 'model', type: 'string', required: true },
      { name: 'messages', type: 'array', required: true },
      { name: 'stream', type: 'boolean' },
      { name: 'temperature', type: 'number' },
      { name: 'max_tokens', type: 'number' },
      { name: 'tools', type: 'array' },
      { name: 'stop', type: 'array' },
      { name: 'response_format', type: 'object' },
      { name: 'stream_options', type: 'object' },
    ],
    numbers: [
      'max_tokens',
      'max_completion_tokens',
      'temperature',
      'top_p',
      'n',
      'seed',
      'presence_penalty',
      'frequency_penalty',
      'top_logprobs',
      'num_ctx',
      'options.num_predict',
      'options.num_ctx',
    ],
    lists: [
      { path: 'messages', item: user('again') },
      { path: 'tools', item: tool(0) },
    ],
  },
  {
    path: '/v1/completions',
    dialect: 'openai',
    valid: () => ({ model: 'llama3.2', prompt: 'hi', max_tokens: 5 }),
    fields: [
      { name: 'model', type: 'string', required: true },
      { name: 'stream', type: 'boolean' },
      { name: 'max_tokens', type: 'number' },
      { name: 'temperature', type: 'number' },
    ],
    numbers: ['max_tokens', 'temperature', 'top_p', 'n', 'seed', 'logprobs', 'best_of'],
    lists: [{ path: 'stop', item: 'x' }],
  },
  {
    path: '/v1/embeddings',
    dialect: 'openai',
    valid: () => ({ model: 'all-minilm', input: 'hi' }),
    fields: [
      { name: 'model', type: 'string', required: true },
      { name: 'encoding_format', type: 'string' },
      { name: 'dimensions', type: 'number' },
    ],
    numbers: ['dimensions'],
    lists: [{ path: 'input', item: 'text' }],
  },
  {
    path: '/v1/responses',
    dialect: 'openai',
    valid: () => ({ model: 'llama3.2', input: 'hi', max_output_tokens: 5 }),
    fields: [
      { name: 'model', type: 'string', required: true },
      { name: 'stream', type: 'boolean' },
      { name: 'max_output_tokens', type: 'number' },
      { name: 'tools', type: 'array' },
    ],
    numbers: ['max_output_tokens', 'temperature', 'top_p'],
    lists: [
      { path: 'input', item: { role: 'user', content: 'again' } },
      { path: 'tools', item: { type: 'function', name: 'f', parameters: { type: 'object' } } },
    ],
  },
  {
    path: '/v1/messages',
    dialect: 'anthropic',
    valid: () => ({ model: 'llama3.2', max_tokens: 5, messages: [user()] }),
    fields: [
      { name: 'model', type: 'string', required: true },
      { name: 'max_tokens', type: 'number', required: true },
      { name: 'messages', type: 'array', required: true },
      { name: 'stream', type: 'boolean' },
      { name: 'system', type: 'array' },
      { name: 'tools', type: 'array' },
      { name: 'temperature', type: 'number' },
    ],
    numbers: ['max_tokens', 'temperature', 'top_p', 'top_k', 'thinking.budget_tokens'],
    lists: [
      { path: 'messages', item: user('again') },
      { path: 'tools', item: anthropicTool(0) },
    ],
  },
  {
    path: '/v1/messages/count_tokens',
    dialect: 'anthropic',
    valid: () => ({ model: 'llama3.2', messages: [user()] }),
    fields: [
      { name: 'model', type: 'string', required: true },
      { name: 'messages', type: 'array', required: true },
    ],
    numbers: ['max_tokens'],
    lists: [{ path: 'messages', item: user('again') }],
  },
  {
    path: '/api/chat',
    dialect: 'ollama',
    valid: () => ({ model: 'llama3.2', messages: [user()], stream: false }),
    fields: [
      { name: 'messages', type: 'array' },
      { name: 'stream', type: 'boolean' },
      { name: 'options', type: 'object' },
      { name: 'tools', type: 'array' },
    ],
    numbers: ['options.num_predict', 'options.num_ctx', 'options.temperature', 'options.top_k', 'keep_alive'],
    lists: [
      { path: 'messages', item: user('again') },
      { path: 'tools', item: tool(0) },
    ],
  },
  {
    path: '/api/generate',
    dialect: 'ollama',
    valid: () => ({ model: 'llama3.2', prompt: 'hi', stream: false }),
    fields: [
      { name: 'prompt', type: 'string' },
      { name: 'stream', type: 'boolean' },
      { name: 'options', type: 'object' },
    ],
    numbers: ['options.num_predict', 'options.num_ctx', 'options.seed', 'keep_alive'],
    lists: [{ path: 'images', item: 'aGk=' }],
  },
  {
    path: '/api/embed',
    dialect: 'ollama',
    valid: () => ({ model: 'all-minilm', input: 'hi' }),
    fields: [
      { name: 'truncate', type: 'boolean' },
      { name: 'options', type: 'object' },
    ],
    numbers: ['dimensions', 'options.num_ctx', 'keep_alive'],
    lists: [{ path: 'input', item: 'text' }],
  },
  {
    path: '/api/embeddings',
    dialect: 'ollama',
    valid: () => ({ model: 'all-minilm', prompt: 'hi' }),
    fields: [
      { name: 'prompt', type: 'string' },
      { name: 'options', type: 'object' },
    ],
    numbers: ['options.num_ctx', 'keep_alive'],
    lists: [],
  },
  {
    path: '/api/show',
    dialect: 'ollama',
    valid: () => ({ model: 'llama3.2' }),
    fields: [{ name: 'verbose', type: 'boolean' }],
    numbers: [],
    lists: [],
  },
];

/** GET endpoints: the fuzzers vary their query string and path segment. */
export const GET_ENDPOINTS: { path: string; dialect: Dialect }[] = [
  { path: '/v1/models', dialect: 'openai' },
  { path: '/v1/models/llama3.2', dialect: 'openai' },
  { path: '/v1/usage', dialect: 'openai' },
  { path: '/api/tags', dialect: 'ollama' },
  { path: '/api/ps', dialect: 'ollama' },
  { path: '/api/version', dialect: 'ollama' },
];

/** Sets a dotted path (`options.num_predict`) in a plain JSON object, creating objects on the way. */
export function setPath(
  body: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const parts = path.split('.');
  let at: Record<string, unknown> = body;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at[part] = next && typeof next === 'object' && !Array.isArray(next) ? next : {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
  return body;
}

/** The JSON type of a value, as FieldType names them (null has none: it is "absent" for most parsers). */
export function typeOf(value: unknown): FieldType | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as FieldType;
}
