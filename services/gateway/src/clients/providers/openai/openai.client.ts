import type { Provider } from '@ollama-gateway/contracts';
import type { ChatEvent } from '../../../canonical/chat.types.js';
import { bodyError, createProviderHttp, type ProviderBody, parseFrame, readSse } from '../provider.http.js';
import { type ProviderClient, ProviderError, type ProviderType } from '../provider.types.js';
import { toOpenAIChatBody } from './openai.request.js';
import { describeOpenAIError, fromOpenAICompletion } from './openai.response.js';
import { OpenAIStreamMapper } from './openai.stream.js';
import type { OpenAICompletionIn } from './openai.types.js';

export interface OpenAICompatibleOptions {
  name: string;
  type: Exclude<ProviderType, 'anthropic'>;
  /** Up to and including the version path, e.g. https://api.openai.com/v1 (`/chat/completions` is appended). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; absent for servers without auth. */
  apiKey?: string | undefined;
  /** Extra headers (e.g. OpenRouter's HTTP-Referer and X-Title). */
  headers?: Record<string, string>;
  timeoutMs: number;
}

const PROVIDER_OF: Record<OpenAICompatibleOptions['type'], Provider> = {
  openai: 'openai',
  openrouter: 'openrouter',
  'openai-compatible': 'openai-compatible',
};

/** A client for OpenAI's `/chat/completions` and every server that speaks it (OpenRouter, vLLM, LM Studio, …). */
export function createOpenAICompatibleClient(options: OpenAICompatibleOptions): ProviderClient {
  const http = createProviderHttp({
    name: options.name,
    baseUrl: options.baseUrl,
    headers: {
      ...options.headers,
      accept: 'application/json, text/event-stream',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    timeoutMs: options.timeoutMs,
    secret: options.apiKey,
    describeError: describeOpenAIError,
  });

  return {
    name: options.name,
    type: options.type,
    provider: PROVIDER_OF[options.type],
    baseUrl: options.baseUrl,
    async complete(request, model, signal) {
      const body = await http.post(
        '/chat/completions',
        toOpenAIChatBody({ ...request, stream: false }, model, options.type),
        signal,
      );
      let json: OpenAICompletionIn;
      try {
        json = (await body.json()) as OpenAICompletionIn;
      } catch (error) {
        throw bodyError(options.name, error);
      }
      return { ...fromOpenAICompletion(options.name, json), model: request.model };
    },
    async stream(request, model, signal) {
      const body = await http.post(
        '/chat/completions',
        toOpenAIChatBody({ ...request, stream: true }, model, options.type),
        signal,
      );
      return openAIEvents(options.name, body);
    },
    close: () => http.close(),
  };
}

/** An OpenAI SSE body → canonical events (exported for the fixture replay tests). */
export async function* openAIEvents(
  name: string,
  body: ProviderBody | AsyncIterable<Uint8Array>,
): AsyncGenerator<ChatEvent> {
  const mapper = new OpenAIStreamMapper();
  try {
    for await (const frame of readSse(body)) {
      if (frame.data === '[DONE]') {
        yield* mapper.done();
        return;
      }
      const events = mapper.push(parseFrame(name, frame.data) as OpenAICompletionIn);
      for (const event of events) {
        yield event;
        if (event.type === 'error') return;
      }
    }
  } catch (error) {
    throw bodyError(name, error);
  }
  if (mapper.finished) yield* mapper.done();
  else
    throw new ProviderError(0, `${name} closed the stream before it finished.`, true, 'provider_incomplete');
}
