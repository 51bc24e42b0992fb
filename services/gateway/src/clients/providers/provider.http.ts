import { Pool } from 'undici';
import { isAbort } from '../ollama/ollama.client.js';
import { isRetryableStatus, ProviderError } from './provider.types.js';

export interface ProviderHttpOptions {
  /** Provider name, for messages. */
  name: string;
  baseUrl: string;
  /** Sent on every call (auth included). */
  headers: Record<string, string>;
  /** To response headers, and between two body chunks (a stalled stream fails after this). */
  timeoutMs: number;
  /** The provider key: removed from any message built from the provider's answers (they never reach the logs). */
  secret?: string | undefined;
  /** The provider's error body → its message and code. */
  describeError: (json: unknown) => { message: string; code: string | null } | null;
}

export type ProviderBody = AsyncIterable<Uint8Array> & { json(): Promise<unknown>; text(): Promise<string> };

/** A keep-alive connection pool to one provider, and JSON POSTs that fail with ProviderError. */
export interface ProviderHttp {
  /** POSTs `body` as JSON to `path` (under the base URL's path); resolves with the body of a 2xx answer. */
  post(path: string, body: unknown, signal: AbortSignal): Promise<ProviderBody>;
  close(): Promise<void>;
}

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/$/, '');
  const pool = new Pool(url.origin, {
    connections: 64,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const scrub = (text: string) => (options.secret ? text.split(options.secret).join('[redacted]') : text);

  return {
    async post(path, body, signal) {
      let response: Awaited<ReturnType<typeof pool.request>>;
      try {
        response = await pool.request({
          method: 'POST',
          path: basePath + path,
          headers: { ...options.headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal,
        });
      } catch (error) {
        throw connectionError(options.name, error);
      }
      if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
      const text = scrub(await response.body.text().catch(() => ''));
      let described: { message: string; code: string | null } | null = null;
      try {
        described = options.describeError(JSON.parse(text));
      } catch {
        // not JSON: the text itself
      }
      const status = response.statusCode;
      const message = described?.message || text.slice(0, 300) || `HTTP ${status}`;
      throw new ProviderError(
        status,
        `${options.name} answered ${status}: ${message}`,
        isRetryableStatus(status, described?.code),
        described?.code ?? `provider_http_${status}`,
      );
    },
    close: () => pool.close(),
  };
}

function connectionError(name: string, error: unknown): unknown {
  if (isAbort(error)) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new ProviderError(0, `${name} did not answer in time.`, true, 'provider_timeout', error);
  return new ProviderError(
    0,
    `${name} is unreachable (${code || 'connection failed'}).`,
    true,
    'provider_unreachable',
    error,
  );
}

/** An error met while reading a provider's body: an abort passes through, a timeout or lost connection is retryable. */
export function bodyError(name: string, error: unknown): unknown {
  if (isAbort(error) || error instanceof ProviderError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new ProviderError(
      0,
      `${name} stopped sending in the middle of its answer.`,
      true,
      'provider_timeout',
      error,
    );
  return new ProviderError(
    0,
    `The connection to ${name} was lost mid-response.`,
    true,
    'provider_connection_lost',
    error,
  );
}

export interface SseFrame {
  /** The `event:` field (absent = "message"). */
  event?: string;
  data: string;
}

/**
 * Splits a byte stream into server-sent events (WHATWG rules: `\n`, `\r\n` or `\r` line ends, `data:` lines joined
 * with `\n`, one optional space after the colon, `:` comment lines ignored, an unfinished last event dropped). Chunk boundaries may fall anywhere,
 * including inside a multi-byte UTF-8 sequence.
 */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let pending = '';
  let event: string | undefined;
  let data: string[] = [];
  let sawData = false;

  function* lines(final: boolean): Generator<SseFrame> {
    while (true) {
      const match = /\r\n|\r|\n/.exec(pending);
      // A trailing lone `\r` may be the first half of `\r\n`: wait for the next chunk unless this is the end.
      if (!match || (!final && match[0] === '\r' && match.index === pending.length - 1)) return;
      const line = pending.slice(0, match.index);
      pending = pending.slice(match.index + match[0].length);
      if (line === '') {
        if (sawData) yield event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') };
        event = undefined;
        data = [];
        sawData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') {
        data.push(value);
        sawData = true;
      }
    }
  }

  for await (const bytes of body) {
    pending += decoder.decode(bytes, { stream: true });
    yield* lines(false);
  }
  pending += decoder.decode();
  yield* lines(true);
  // An event cut off before its blank line is dropped, as the SSE standard says (a stream cut mid-frame is caught
  // by the callers: no end event arrived).
}

/** Parses one SSE data payload as JSON, or fails the way a malformed provider answer should. */
export function parseFrame(name: string, data: string): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new ProviderError(
      0,
      `${name} sent a malformed stream frame.`,
      false,
      'provider_bad_response',
      error,
    );
  }
}
