import { AppError, serviceUnavailable, upstreamError } from '@ollama-gateway/runtime';
import { type Dispatcher, Pool } from 'undici';
import { modelNotFound } from '../../canonical/errors.js';
import type { OllamaRawRequest, OllamaRawResponse } from './ollama.proxy.js';
import type {
  OllamaChatChunk,
  OllamaChatRequest,
  OllamaEmbedRequest,
  OllamaEmbedResponse,
  OllamaGenerateChunk,
  OllamaGenerateRequest,
  OllamaPsResponse,
  OllamaShowResponse,
  OllamaTagsResponse,
} from './ollama.types.js';

export interface OllamaClientOptions {
  baseUrl: string;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connections?: number;
}

/**
 * One Ollama host: a keep-alive connection pool and the native API calls the gateway needs. Requests carry the host's
 * own `Host` (undici sets it from the URL). The router (routing/) holds one per configured host and picks among them.
 */
export interface OllamaClient {
  readonly baseUrl: string;
  /** Streaming `/api/chat`: resolves once the upstream answered 200, then yields each NDJSON line parsed. */
  chatStream(body: OllamaChatRequest, signal: AbortSignal): Promise<AsyncIterable<OllamaChatChunk>>;
  /** Non-streaming `/api/chat`: the whole answer. */
  chat(body: OllamaChatRequest, signal: AbortSignal): Promise<OllamaChatChunk>;
  /** Streaming `/api/generate`: resolves once the upstream answered 200, then yields each NDJSON line parsed. */
  generateStream(
    body: OllamaGenerateRequest,
    signal: AbortSignal,
  ): Promise<AsyncIterable<OllamaGenerateChunk>>;
  /** Non-streaming `/api/generate`: the whole answer. */
  generate(body: OllamaGenerateRequest, signal: AbortSignal): Promise<OllamaGenerateChunk>;
  /** `/api/embed`: one vector per input. */
  embed(body: OllamaEmbedRequest, signal: AbortSignal): Promise<OllamaEmbedResponse>;
  /** `/api/show`: one model's details (404 → model_not_found). */
  show(model: string, signal?: AbortSignal): Promise<OllamaShowResponse>;
  tags(signal?: AbortSignal): Promise<OllamaTagsResponse>;
  /** `/api/ps`: the models loaded in memory. */
  ps(signal?: AbortSignal): Promise<OllamaPsResponse>;
  version(signal?: AbortSignal): Promise<string>;
  /** Any native call passed through unchanged (native `/api/*` proxy): any status, the body left unread. */
  raw(request: OllamaRawRequest): Promise<OllamaRawResponse>;
  close(): Promise<void>;
}

export function createOllamaClient(options: OllamaClientOptions): OllamaClient {
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/$/, '');
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 256,
    keepAliveTimeout: 30_000,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });

  async function send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal?: AbortSignal,
    model?: string,
  ) {
    let response: Awaited<ReturnType<typeof pool.request>>;
    try {
      response = await pool.request({
        method,
        path: basePath + path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw connectionError(error);
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text().catch(() => '');
      throw statusError(response.statusCode, text, model);
    }
    return response;
  }

  return {
    baseUrl: options.baseUrl,
    async chatStream(body, signal) {
      const response = await send('POST', '/api/chat', body, signal, body.model);
      return readNdjson(response.body);
    },
    async chat(body, signal) {
      const response = await send('POST', '/api/chat', body, signal, body.model);
      return (await response.body.json()) as OllamaChatChunk;
    },
    async generateStream(body, signal) {
      const response = await send('POST', '/api/generate', body, signal, body.model);
      return readNdjson<OllamaGenerateChunk>(response.body);
    },
    async generate(body, signal) {
      const response = await send('POST', '/api/generate', body, signal, body.model);
      return (await response.body.json()) as OllamaGenerateChunk;
    },
    async embed(body, signal) {
      const response = await send('POST', '/api/embed', body, signal, body.model);
      return (await response.body.json()) as OllamaEmbedResponse;
    },
    async show(model, signal) {
      const response = await send('POST', '/api/show', { model }, signal, model);
      return (await response.body.json()) as OllamaShowResponse;
    },
    async tags(signal) {
      const response = await send('GET', '/api/tags', undefined, signal);
      return (await response.body.json()) as OllamaTagsResponse;
    },
    async ps(signal) {
      const response = await send('GET', '/api/ps', undefined, signal);
      return (await response.body.json()) as OllamaPsResponse;
    },
    async version(signal) {
      const response = await send('GET', '/api/version', undefined, signal);
      return ((await response.body.json()) as { version: string }).version;
    },
    async raw(request) {
      try {
        return await pool.request({
          method: request.method as Dispatcher.HttpMethod,
          path: basePath + request.path,
          headers: request.headers,
          body: request.body,
          signal: request.signal,
        });
      } catch (error) {
        throw connectionError(error);
      }
    },
    close: () => pool.close(),
  };
}

/** Splits a byte stream into NDJSON lines and parses each; a trailing partial line is parsed at the end. */
export async function* readNdjson<T = OllamaChatChunk>(body: AsyncIterable<Uint8Array>): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const bytes of body) {
      pending += decoder.decode(bytes, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) yield parseLine<T>(line);
        newline = pending.indexOf('\n');
      }
    }
  } catch (error) {
    // A malformed line (already an AppError) and an abort pass through; anything else is a lost connection.
    if (error instanceof AppError || isAbort(error)) throw error;
    throw upstreamError('The connection to the model server was lost mid-response.', {
      code: 'upstream_connection_lost',
      cause: error,
    });
  }
  pending += decoder.decode();
  if (pending.trim()) yield parseLine<T>(pending.trim());
}

function parseLine<T>(line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw upstreamError('The model server sent a malformed response line.', {
      code: 'upstream_bad_response',
      cause: error,
    });
  }
}

export function isAbort(error: unknown): boolean {
  const name = (error as { name?: string; code?: string } | null)?.name;
  const code = (error as { code?: string } | null)?.code;
  return name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR';
}

function connectionError(error: unknown): unknown {
  if (isAbort(error)) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return new AppError(504, 'upstream', 'The model server did not answer in time.', {
      code: 'upstream_timeout',
      cause: error,
    });
  return serviceUnavailable('The model server is unreachable. Check that Ollama is running.', {
    code: 'upstream_unavailable',
    retryAfterSeconds: 5,
    cause: error,
  });
}

/** An Ollama error status → AppError: 404 means the model is missing (match on status, not text). */
function statusError(status: number, text: string, model?: string): AppError {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // not JSON: keep the text
  }
  if (status === 404 && model !== undefined) return modelNotFound(model);
  if (status === 400)
    return new AppError(400, 'invalid_request', message || 'The model server rejected the request.');
  if (status === 503)
    return serviceUnavailable(message || 'The model server is busy.', {
      code: 'upstream_busy',
      retryAfterSeconds: 2,
    });
  return upstreamError(`The model server returned an error: ${message || `HTTP ${status}`}`, {
    code: 'upstream_error',
  });
}
