import type { ChatEvent } from '../../../canonical/chat.types.js';
import { bodyError, createProviderHttp, type ProviderBody, parseFrame, readSse } from '../provider.http.js';
import { type ProviderClient, ProviderError } from '../provider.types.js';
import { toAnthropicBody } from './anthropic.request.js';
import { describeAnthropicError, fromAnthropicMessage } from './anthropic.response.js';
import { AnthropicStreamMapper } from './anthropic.stream.js';
import type { AnthropicMessageIn, AnthropicStreamEventIn } from './anthropic.types.js';

/** The API version every call sends (the real API requires the header). */
export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicClientOptions {
  name: string;
  /** The API root without the version, e.g. https://api.anthropic.com (`/v1/messages` is appended, as the SDK does). */
  baseUrl: string;
  apiKey?: string | undefined;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** `max_tokens` when the request sets none (Anthropic requires it). */
  defaultMaxTokens: number;
}

/** A client for Anthropic's `/v1/messages`. */
export function createAnthropicClient(options: AnthropicClientOptions): ProviderClient {
  const http = createProviderHttp({
    name: options.name,
    baseUrl: options.baseUrl,
    headers: {
      ...options.headers,
      accept: 'application/json, text/event-stream',
      'anthropic-version': ANTHROPIC_VERSION,
      ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
    },
    timeoutMs: options.timeoutMs,
    secret: options.apiKey,
    describeError: describeAnthropicError,
  });

  return {
    name: options.name,
    type: 'anthropic',
    provider: 'anthropic',
    baseUrl: options.baseUrl,
    async complete(request, model, signal) {
      const body = await http.post(
        '/v1/messages',
        toAnthropicBody({ ...request, stream: false }, model, options.defaultMaxTokens),
        signal,
      );
      let json: AnthropicMessageIn;
      try {
        json = (await body.json()) as AnthropicMessageIn;
      } catch (error) {
        throw bodyError(options.name, error);
      }
      return { ...fromAnthropicMessage(json), model: request.model };
    },
    async stream(request, model, signal) {
      const body = await http.post(
        '/v1/messages',
        toAnthropicBody({ ...request, stream: true }, model, options.defaultMaxTokens),
        signal,
      );
      return anthropicEvents(options.name, body);
    },
    close: () => http.close(),
  };
}

/** An Anthropic SSE body → canonical events (exported for the fixture replay tests). */
export async function* anthropicEvents(
  name: string,
  body: ProviderBody | AsyncIterable<Uint8Array>,
): AsyncGenerator<ChatEvent> {
  const mapper = new AnthropicStreamMapper();
  try {
    for await (const frame of readSse(body)) {
      const data = parseFrame(name, frame.data) as AnthropicStreamEventIn;
      // The `event:` name and the data's `type` agree; the name wins when a proxy dropped the field.
      const events = mapper.push(frame.event && !data.type ? { ...data, type: frame.event } : data);
      for (const event of events) {
        yield event;
        if (event.type === 'error' || event.type === 'end') return;
      }
    }
  } catch (error) {
    throw bodyError(name, error);
  }
  if (!mapper.isEnded)
    throw new ProviderError(0, `${name} closed the stream before it finished.`, true, 'provider_incomplete');
}
