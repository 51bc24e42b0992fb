import { type AppError, badRequest } from '@ollama-gateway/runtime';
import { type ZodError, z } from 'zod';
import type { ChatEvent, FinishReason, GenerationOptions, Usage } from '../../canonical/chat.types.js';
import type { CompletionRequest, CompletionResult } from '../../canonical/completion.types.js';
import { toOpenAIError } from './errors.js';
import { paramOf } from './request.js';
import { SYSTEM_FINGERPRINT, toOpenAIUsage, unixSeconds } from './response.js';
import type { OpenAIUsage } from './types.js';

/** How many prompts one non-streamed request may fan out to (one Ollama `/api/generate` call each). */
export const MAX_PROMPTS = 16;
/** OpenAI's default `max_tokens` for legacy completions; Ollama's own default would be unlimited. */
export const DEFAULT_MAX_TOKENS = 16;

const completionRequest = z.object({
  model: z
    .string({ error: 'you must provide a model parameter' })
    .min(1, 'you must provide a model parameter'),
  prompt: z.union([z.string(), z.array(z.string())], {
    error: 'expected a string or an array of strings',
  }),
  suffix: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z
    .number()
    .int()
    .min(1, 'max_tokens must be at least 1: Ollama cannot generate zero tokens')
    .nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  echo: z.boolean().nullish(),
  n: z
    .number()
    .int()
    .min(1)
    .max(1, 'n > 1 is not supported: Ollama returns one completion per prompt')
    .nullish(),
  best_of: z
    .number()
    .int()
    .min(0)
    .max(1, 'best_of > 1 is not supported: Ollama returns one completion per prompt')
    .nullish(),
  logprobs: z
    .null({ error: 'logprobs are not supported for completions by this gateway; leave it out or null' })
    .optional(),
  // logit_bias and user are accepted and ignored (Ollama has no equivalent).
  // Ollama-only extras reachable from OpenAI clients through extra body fields.
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

/** A zod failure → 400 in OpenAI's form: `Invalid value for 'param': message.` with `param` set. */
export function invalidRequest(error: ZodError): AppError {
  const issue = error.issues[0]!;
  const param = paramOf(issue.path);
  return badRequest(param ? `Invalid value for '${param}': ${issue.message}.` : `${issue.message}.`, {
    param,
  });
}

export interface ParsedCompletionRequest {
  model: string;
  stream: boolean;
  /** One canonical request per prompt (an array prompt fans out when not streamed). */
  requests: CompletionRequest[];
  includeUsage: boolean;
  /** Prepend each prompt to its completion text. */
  echo: boolean;
}

const isTokenArray = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((item) => typeof item === 'number' || (Array.isArray(item) && isTokenArray(item)));

/**
 * Validates an OpenAI legacy completion body (reference §2.3) and translates it into canonical requests (§4.6).
 * `max_tokens` defaults to 16 as OpenAI's spec says (Ollama alone would generate without limit).
 */
export function parseCompletionRequest(body: unknown): ParsedCompletionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
  const prompt = (body as { prompt?: unknown }).prompt;
  if (isTokenArray(prompt))
    throw badRequest(
      "Invalid value for 'prompt': token-id prompts are not supported (Ollama uses its own tokenizer); send the prompt as text.",
      { param: 'prompt' },
    );
  const parsed = completionRequest.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error);
  const input = parsed.data;
  const stream = input.stream === true;
  const prompts = typeof input.prompt === 'string' ? [input.prompt] : input.prompt;
  if (prompts.length === 0)
    throw badRequest("Invalid value for 'prompt': [] is too short.", { param: 'prompt' });
  if (stream && prompts.length > 1)
    throw badRequest(
      "Invalid value for 'prompt': streaming supports one prompt per request; send the prompts separately or without stream.",
      { param: 'prompt' },
    );
  if (prompts.length > MAX_PROMPTS)
    throw badRequest(
      `Invalid value for 'prompt': at most ${MAX_PROMPTS} prompts per request are supported; split the request.`,
      { param: 'prompt' },
    );

  const options: GenerationOptions = { ...(input.options ?? {}) };
  if (input.temperature != null) options.temperature = input.temperature;
  if (input.top_p != null) options.top_p = input.top_p;
  // An explicit Ollama `options.num_predict` (extra body field) stands in for max_tokens.
  options.num_predict = input.max_tokens ?? options.num_predict ?? DEFAULT_MAX_TOKENS;
  if (input.stop != null) options.stop = typeof input.stop === 'string' ? [input.stop] : input.stop;
  if (input.seed != null) options.seed = input.seed;
  if (input.presence_penalty != null) options.presence_penalty = input.presence_penalty;
  if (input.frequency_penalty != null) options.frequency_penalty = input.frequency_penalty;

  const requests = prompts.map((text): CompletionRequest => {
    const request: CompletionRequest = { model: input.model, prompt: text, stream, options };
    if (input.suffix) request.suffix = input.suffix;
    if (input.keep_alive != null) request.keepAlive = input.keep_alive;
    return request;
  });
  return {
    model: input.model,
    stream,
    requests,
    includeUsage: input.stream_options?.include_usage === true,
    echo: input.echo === true,
  };
}

/** Legacy completions know only `stop` and `length` (plus `content_filter`). */
const completionFinish = (reason: FinishReason): 'stop' | 'length' =>
  reason === 'length' ? 'length' : 'stop';

export interface OpenAITextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: { text: string; index: number; logprobs: null; finish_reason: 'stop' | 'length' }[];
  usage: OpenAIUsage;
}

/**
 * Whole answers (one per prompt, in prompt order) → `text_completion`. `model` echoes what the client asked for;
 * usage is the sum over all prompts.
 */
export function toTextCompletion(
  id: string,
  model: string,
  results: CompletionResult[],
  prompts: string[],
  echo: boolean,
): OpenAITextCompletion {
  const usage: Usage = { promptTokens: 0, completionTokens: 0 };
  for (const result of results) {
    usage.promptTokens += result.usage.promptTokens;
    usage.completionTokens += result.usage.completionTokens;
  }
  return {
    id,
    object: 'text_completion',
    created: unixSeconds(results[0]?.createdAt),
    model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: results.map((result, index) => ({
      text: echo ? `${prompts[index] ?? ''}${result.text}` : result.text,
      index,
      logprobs: null,
      finish_reason: completionFinish(result.finishReason),
    })),
    usage: toOpenAIUsage(usage),
  };
}

/**
 * Renders canonical events as legacy `text_completion` SSE frames (reference §2.3): text fragments with
 * `finish_reason:null`, a last choice with empty text and the finish reason, the usage chunk (`choices:[]`) when
 * asked for, then `[DONE]`. Thinking is not part of a text completion and is dropped.
 */
export class OpenAICompletionStreamRenderer {
  private readonly head: string;
  private readonly usageTail: string;

  constructor(
    id: string,
    model: string,
    created: number,
    private readonly includeUsage: boolean,
    /** The prompt, when `echo` is set: sent as the first fragment. */
    private readonly echoPrompt: string | null = null,
  ) {
    this.head = `data: {"id":${JSON.stringify(id)},"object":"text_completion","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":`;
    this.usageTail = includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  }

  private choice(text: string, finishReason: 'stop' | 'length' | null): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    return `${this.head}[{"text":${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":${finish}}]${this.usageTail}`;
  }

  /** Nothing, or the echoed prompt. */
  start(): string {
    return this.echoPrompt ? this.choice(this.echoPrompt, null) : '';
  }

  render(event: ChatEvent): string {
    switch (event.type) {
      case 'text':
        return this.choice(event.text, null);
      case 'end': {
        let out = this.choice('', completionFinish(event.finishReason));
        if (this.includeUsage)
          out += `${this.head}[],"usage":${JSON.stringify(toOpenAIUsage(event.usage))}}\n\n`;
        return `${out}data: [DONE]\n\n`;
      }
      case 'error':
        return `data: ${JSON.stringify({ error: { message: event.message, type: 'server_error', param: null, code: null } })}\n\n`;
      default:
        return '';
    }
  }

  error(error: AppError): string {
    return `data: ${JSON.stringify(toOpenAIError(error))}\n\n`;
  }
}
