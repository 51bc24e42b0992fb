import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import {
  clientResponseHeaders,
  type OllamaRawRequest,
  type OllamaRawResponse,
} from '../clients/ollama/ollama.proxy.js';
import {
  assembleStreamedAnswer,
  errorMessageOf,
  filterModelList,
  loggedAnswer,
  timingsOf,
  usageOf,
} from '../dialects/ollama/response.js';
import { NdjsonScanner } from '../dialects/ollama/stream.js';
import { type NativeChunk, type NativeEndpoint, TOKEN_STREAM_ENDPOINTS } from '../dialects/ollama/types.js';
import type { OllamaRouter } from '../routing/ollama.router.js';
import type { RouteTarget } from '../routing/routing-table.js';
import { isModelAllowed } from './key-auth.service.js';
import type { RequestContext } from './request-context.js';
import { addUpstreamWait } from './upstream-accounting.js';

/** Bytes of a stream's lines kept to rebuild the answer for the request log. */
const LOGGED_STREAM_BYTES = 256 * 1024;
/** Whole answers that carry usage metrics. */
const USAGE_ENDPOINTS: ReadonlySet<NativeEndpoint> = new Set(['chat', 'generate', 'embed']);

export interface NativeCall {
  endpoint: NativeEndpoint;
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Uint8Array | Readable;
  /**
   * The model the call is routed on (alias resolved: routing/), or null for calls that name none (version, model
   * management), which go to `host` (the admin's `x-ollama-host`) or the first healthy host.
   */
  target: RouteTarget | null;
  host?: string | undefined;
}

/** How a relayed NDJSON stream ended. */
export type StreamOutcome =
  | { kind: 'done' }
  | { kind: 'error'; message: string }
  | { kind: 'lost' }
  | { kind: 'aborted' };

export interface NativeAnswer {
  status: number;
  /** Headers for the client (hop-by-hop and length removed). */
  headers: Record<string, string | string[]>;
  /** Whether the body is an NDJSON stream to relay line by line as it arrives. */
  ndjson: boolean;
  /**
   * The upstream bytes as they arrive, unchanged. While it is read, `context` is kept up to date: time waiting on
   * the upstream, time to first token and tokens so far (one line is one token), exact usage from the final line.
   * It never throws: a lost connection or an abort ends it, and `outcome()` tells which.
   */
  chunks: AsyncIterable<Buffer>;
  /** After `chunks` ended: how the stream ended (and the answer is put in `context.responseBody`). */
  outcome(): StreamOutcome;
  /** For a whole (non-NDJSON) answer read from `chunks`: accounts it and returns the bytes to send. */
  finishWhole(bytes: Buffer): Buffer;
}

export interface OllamaProxyService {
  /** Sends the call upstream; resolves once Ollama answered (any status). Connection failures throw AppErrors. */
  open(call: NativeCall, context: RequestContext, signal: AbortSignal): Promise<NativeAnswer>;
}

export function createOllamaProxyService(deps: { router: OllamaRouter }): OllamaProxyService {
  const { router } = deps;

  /** Model-bearing calls go where the model is (retried elsewhere before an answer); the others to one host. */
  const send = (call: NativeCall, context: RequestContext, request: OllamaRawRequest) => {
    if (call.target)
      return router.proxy(call.target, context, request, {
        // /api/show reads metadata: it takes no slot of the host's fair queue.
        mode: call.endpoint === 'show' ? 'light' : 'stream',
        // A streamed request body (blob upload) cannot be sent twice.
        retry: call.body === undefined || call.body instanceof Uint8Array,
      });
    const host = router.hostFor(call.host);
    context.upstreamHost = host.url;
    return host.client.raw(request);
  };

  return {
    async open(call, context, signal) {
      context.provider = 'ollama';
      if (call.target?.model) context.upstreamModel = call.target.model;
      const began = performance.now();
      let response: OllamaRawResponse;
      try {
        response = await send(call, context, {
          method: call.method,
          path: call.path,
          headers: call.headers,
          body: call.body,
          signal,
        });
      } finally {
        addUpstreamWait(context, began);
      }
      const contentType = String(response.headers['content-type'] ?? '');
      const ndjson = response.statusCode === 200 && contentType.includes('application/x-ndjson');
      const countsTokens = TOKEN_STREAM_ENDPOINTS.has(call.endpoint);
      const scanner = new NdjsonScanner(LOGGED_STREAM_BYTES);
      let outcome: StreamOutcome = { kind: 'done' };

      const account = (final: NativeChunk) => {
        context.usage = usageOf(call.endpoint, final);
        context.timings = timingsOf(final);
      };

      async function* chunks(): AsyncGenerator<Buffer> {
        const iterator = response.body[Symbol.asyncIterator]();
        try {
          while (true) {
            const waitStart = performance.now();
            let step: IteratorResult<Buffer>;
            try {
              step = await iterator.next();
            } finally {
              addUpstreamWait(context, waitStart);
            }
            if (step.done) break;
            if (ndjson && scanner.push(step.value) > 0 && countsTokens) {
              context.ttftMs ??= performance.now() - context.startedAt;
              if (scanner.final) account(scanner.final);
              else context.usage.completionTokens = scanner.lines;
            }
            yield step.value;
          }
        } catch {
          outcome = signal.aborted ? { kind: 'aborted' } : { kind: 'lost' };
          return;
        } finally {
          await iterator.return?.();
        }
        if (signal.aborted) {
          outcome = { kind: 'aborted' };
          return;
        }
        if (!ndjson) return;
        scanner.end();
        if (scanner.final) account(scanner.final);
        else if (countsTokens) context.usage.completionTokens = scanner.lines;
        if (scanner.error !== null) outcome = { kind: 'error', message: scanner.error };
        else if (countsTokens && !scanner.final) outcome = { kind: 'lost' };
      }

      return {
        status: response.statusCode,
        headers: clientResponseHeaders(response.headers),
        ndjson,
        chunks: chunks(),
        outcome() {
          if (ndjson) context.responseBody = assembleStreamedAnswer(call.endpoint, scanner.keptLines());
          return outcome;
        },
        finishWhole(bytes) {
          let body: unknown;
          try {
            body = bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : null;
          } catch {
            context.responseBody = bytes.length > 0 ? bytes.toString('utf8').slice(0, 4096) : null;
            return bytes;
          }
          if (response.statusCode >= 400) {
            context.errorCode = errorCodeFor(response.statusCode);
            context.errorMessage = errorMessageOf(body) ?? `HTTP ${response.statusCode}`;
          } else if (body && typeof body === 'object' && USAGE_ENDPOINTS.has(call.endpoint)) {
            account(body as NativeChunk);
          }
          const key = context.key;
          if (
            response.statusCode === 200 &&
            (call.endpoint === 'tags' || call.endpoint === 'ps') &&
            key?.allowedModels?.length
          ) {
            body = filterModelList(body, (model) => isModelAllowed(key, model));
            bytes = Buffer.from(JSON.stringify(body));
          }
          context.responseBody = loggedAnswer(call.endpoint, body);
          return bytes;
        },
      };
    },
  };
}

/** A stable error code for an error status Ollama answered with. */
export function errorCodeFor(status: number): string {
  if (status === 404) return 'not_found';
  if (status === 400) return 'invalid_request';
  if (status === 401 || status === 403) return 'upstream_permission';
  if (status === 503) return 'upstream_busy';
  return 'upstream_error';
}
