import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** One native API call passed through unchanged (reference §1.7). */
export interface OllamaRawRequest {
  method: string;
  /** Path and query as the client sent them, e.g. `/api/tags?x=1` (the base URL's path is put in front). */
  path: string;
  headers: Record<string, string | string[]>;
  /** The body bytes, or the client's request stream (blob uploads); none for GET/HEAD. */
  body?: Uint8Array | Readable;
  signal: AbortSignal;
}

/** The upstream answer, any status, with the body not yet read (a stream of Buffers as they arrive). */
export interface OllamaRawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer> & { dump(): Promise<void> };
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the HTTP stack sets itself: never copied either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'expect',
  'content-length',
  'date',
]);

/**
 * The caller's credentials and identity headers (ours, not Ollama's: §1.7 strips our Authorization), the internal
 * headers nginx adds, and `accept-encoding` (so the upstream answers uncompressed bytes we can read line by line).
 */
const NOT_FORWARDED = new Set([
  'authorization',
  'x-api-key',
  'cookie',
  'accept-encoding',
  'x-request-id',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);

const listedIn = (connection: unknown): Set<string> =>
  new Set(
    typeof connection === 'string'
      ? connection
          .toLowerCase()
          .split(',')
          .map((name) => name.trim())
      : [],
  );

/**
 * The client's headers as forwarded to Ollama. When the body was read and decoded by the gateway (`decodedBody`),
 * its `content-encoding` no longer applies (the length is set again from the bytes sent).
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  options: { decodedBody: boolean },
): Record<string, string | string[]> {
  const dropped = listedIn(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || NOT_FORWARDED.has(name) || dropped.has(name)) continue;
    if (name.startsWith('x-gateway-')) continue;
    if (options.decodedBody && name === 'content-encoding') continue;
    out[name] = value;
  }
  if (!options.decodedBody && headers['content-length'] !== undefined)
    out['content-length'] = headers['content-length'];
  return out;
}

/** Ollama's response headers as sent to the client (the length is set again from the bytes we send). */
export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const dropped = listedIn(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || dropped.has(lower) || lower === 'x-request-id')
      continue;
    out[lower] = value;
  }
  return out;
}
