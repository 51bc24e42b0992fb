import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { badRequest, forbidden, notFound, upstreamError } from '@ollama-gateway/runtime';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { upstreamRequestHeaders } from '../clients/ollama/ollama.proxy.js';
import { inspectNativeRequest, modelNotFoundMessage } from '../dialects/ollama/request.js';
import { filterModelList } from '../dialects/ollama/response.js';
import type { NativeEndpoint } from '../dialects/ollama/types.js';
import { admitRequest } from '../limits/admit.js';
import { numPredictOf } from '../limits/estimate.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { OllamaRouter } from '../routing/ollama.router.js';
import { type RouteTarget, withModelOptions } from '../routing/routing-table.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import {
  createOllamaProxyService,
  type NativeAnswer,
  type OllamaProxyService,
} from '../services/ollama-proxy.service.js';
import type { RequestContext } from '../services/request-context.js';
import { addUpstreamWait } from '../services/upstream-accounting.js';
import { abortOnClientClose } from '../streaming/abort.js';
import { write } from '../streaming/sse-relay.js';

const LOST_MESSAGE = 'The connection to the model server was lost mid-response.';

/** Whether a path belongs to the native API (app.ts leaves these bodies unparsed: they are forwarded as sent). */
export const isNativeApiPath = (req: IncomingMessage): boolean => req.url?.startsWith('/api/') === true;

/**
 * Ollama's native API (`/api/*`) behind the gateway's keys, proxied to Ollama byte for byte (reference §1.7): the
 * method, query, content type and status are kept, NDJSON streams are relayed as they arrive, and our Authorization
 * never reaches Ollama. Models the key may not use look missing; model management needs an admin key.
 *
 * With several hosts (routing/): a model-bearing call goes to a host that has the model (its alias resolved and its
 * forced options written into the body); `/api/tags` and `/api/ps` merge every healthy host's lists; `/api/version`
 * and model management go to one host (management: the admin's `x-ollama-host: <url>`, else the first healthy one).
 */
export function ollamaNativeRoute(deps: { router: OllamaRouter; maxBodyBytes: number }): Router {
  const router = Router();
  const proxy = createOllamaProxyService({ router: deps.router });
  const rawBody = express.raw({ type: () => true, limit: deps.maxBodyBytes });

  const modelBearing = (endpoint: NativeEndpoint) => async (req: Request, res: Response) => {
    const context = contextOf(res);
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const inspected = inspectNativeRequest(endpoint, body);
    if (!inspected.ok) throw badRequest(inspected.message, { code: 'invalid_json' });
    const { info } = inspected;
    context.requestBody = info.json;
    context.model = info.model;
    context.stream = info.stream;
    const key = context.key;
    for (const model of info.models)
      if (key && !isModelAllowed(key, model))
        throw notFound(modelNotFoundMessage(endpoint, model), { code: 'model_not_found' });
    await admitRequest(res, {
      model: info.model,
      prompt: promptOf(info.json),
      maxCompletionTokens: maxTokensOf(endpoint, info.json),
    });
    const target = deps.router.target(info.model);
    await proxyCall(proxy, req, res, endpoint, routedBody(endpoint, info.json, target, body), target);
  };

  const passthrough = (endpoint: NativeEndpoint) => async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    await proxyCall(proxy, req, res, endpoint, body, null);
    if (endpoint === 'manage') void deps.router.checkNow(); // a pulled, created or deleted model is routed at once
  };

  /** `/api/tags`, `/api/ps`: every healthy host's list merged (tags with the aliases), filtered to the key's models. */
  const listing = (endpoint: 'tags' | 'ps') => async (_req: Request, res: Response) => {
    const context = contextOf(res);
    context.provider = 'ollama';
    const signal = abortOnClientClose(res);
    const began = performance.now();
    let body: unknown;
    try {
      body =
        endpoint === 'tags' ? await deps.router.listModels({ signal }) : await deps.router.listLoaded(signal);
    } finally {
      addUpstreamWait(context, began);
    }
    const key = context.key;
    if (key?.allowedModels?.length) body = filterModelList(body, (model) => isModelAllowed(key, model));
    context.responseBody = body;
    res.setHeader(
      'x-gateway-overhead-ms',
      (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
    );
    res.json(body);
  };

  router.post('/api/chat', rawBody, modelBearing('chat'));
  router.post('/api/generate', rawBody, modelBearing('generate'));
  router.post('/api/embed', rawBody, modelBearing('embed'));
  router.post('/api/embeddings', rawBody, modelBearing('embeddings'));
  router.post('/api/show', rawBody, modelBearing('show'));
  // Express answers HEAD with the GET handler: the HEAD is forwarded as HEAD.
  router.get('/api/tags', listing('tags'));
  router.get('/api/ps', listing('ps'));
  router.get('/api/version', passthrough('version'));

  for (const path of ['/api/pull', '/api/push', '/api/create', '/api/copy'])
    router.post(path, requireAdmin, rawBody, passthrough('manage'));
  router.delete('/api/delete', requireAdmin, rawBody, passthrough('manage'));
  router.head('/api/blobs/:digest', requireAdmin, passthrough('manage'));
  // Blob uploads can be gigabytes: the request stream itself is forwarded, never read into memory.
  router.post('/api/blobs/:digest', requireAdmin, (req: Request, res: Response) =>
    proxyCall(proxy, req, res, 'manage', req, null),
  );
  return router;
}

/**
 * The body sent upstream: as the client sent it, unless the model is an alias (the real name is written in) or has
 * forced options (`options.num_ctx`, `keep_alive`; not for /api/show), then re-serialised.
 */
function routedBody(
  endpoint: NativeEndpoint,
  json: unknown,
  target: RouteTarget,
  body: Buffer | undefined,
): Buffer | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json) || !target.model) return body;
  const forced = endpoint === 'show' ? undefined : target.options;
  const original = json as Record<string, unknown>;
  if (forced === undefined && (original.model ?? original.name) === target.model) return body;
  const out: Record<string, unknown> = { ...original, model: target.model };
  withModelOptions(out as { options?: Record<string, unknown> }, forced);
  return Buffer.from(JSON.stringify(out));
}

/** What a native body sends as prompt (messages, prompt, system, input, tools), for the token estimate. */
function promptOf(json: unknown): unknown {
  if (!json || typeof json !== 'object') return null;
  const { messages, prompt, system, input, tools } = json as Record<string, unknown>;
  return [messages, prompt, system, input, tools];
}

/** Embeddings and `show` generate nothing; chat and generate up to `options.num_predict` (null: unbounded). */
function maxTokensOf(endpoint: NativeEndpoint, json: unknown): number | null {
  if (endpoint !== 'chat' && endpoint !== 'generate') return 0;
  return numPredictOf(json);
}

function requireAdmin(req: Request, res: Response, next: NextFunction): void {
  if (contextOf(res).key?.isAdmin) {
    next();
    return;
  }
  next(
    forbidden(`admin key required: ${req.path} manages the models on the server`, {
      code: 'admin_required',
    }),
  );
}

/** Sends one call to Ollama and relays the answer: NDJSON line by line as it arrives, anything else whole. */
async function proxyCall(
  proxy: OllamaProxyService,
  req: Request,
  res: Response,
  endpoint: NativeEndpoint,
  body: Uint8Array | IncomingMessage | undefined,
  target: RouteTarget | null,
): Promise<void> {
  const context = contextOf(res);
  const signal = abortOnClientClose(res);
  const streamedBody = body !== undefined && !(body instanceof Uint8Array);
  let answer: NativeAnswer;
  try {
    answer = await proxy.open(
      {
        endpoint,
        method: req.method,
        path: req.originalUrl,
        headers: upstreamRequestHeaders(req.headers, { decodedBody: !streamedBody }),
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        target,
        host: typeof req.headers['x-ollama-host'] === 'string' ? req.headers['x-ollama-host'] : undefined,
      },
      context,
      signal,
    );
  } catch (error) {
    if (signal.aborted) return; // the client left: recorded as 499
    throw error;
  }
  if (answer.ndjson) await relayNdjson(res, answer, context, signal);
  else await relayWhole(req, res, answer, context, signal);
}

/** Ollama's status and headers as they are (setHeader, not res.set: Express would add a charset). */
function setHeaders(res: Response, answer: NativeAnswer, context: RequestContext): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader(
    'x-gateway-overhead-ms',
    (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
  );
}

async function relayNdjson(
  res: Response,
  answer: NativeAnswer,
  context: RequestContext,
  signal: AbortSignal,
): Promise<void> {
  setHeaders(res, answer, context);
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  let endsWithNewline = true;
  for await (const chunk of answer.chunks) {
    if (signal.aborted) break;
    const drained = write(res, chunk);
    endsWithNewline = chunk[chunk.length - 1] === 0x0a;
    if (drained) await drained;
  }
  const outcome = answer.outcome();
  if (signal.aborted || outcome.kind === 'aborted') return; // recorded as 499 with the tokens so far
  if (outcome.kind === 'error') {
    // Ollama's own mid-stream error line was relayed as it came; the stream then ends (the status stays 200).
    context.outcomeStatus = 502;
    context.errorCode = 'upstream_error';
    context.errorMessage = outcome.message;
  } else if (outcome.kind === 'lost') {
    context.outcomeStatus = 502;
    context.errorCode = 'upstream_connection_lost';
    context.errorMessage = LOST_MESSAGE;
    res.write(`${endsWithNewline ? '' : '\n'}${JSON.stringify({ error: LOST_MESSAGE })}\n`);
  }
  res.end();
}

async function relayWhole(
  req: Request,
  res: Response,
  answer: NativeAnswer,
  context: RequestContext,
  signal: AbortSignal,
): Promise<void> {
  const parts: Buffer[] = [];
  for await (const chunk of answer.chunks) parts.push(chunk);
  const outcome = answer.outcome();
  if (signal.aborted || outcome.kind === 'aborted') return;
  if (outcome.kind === 'lost') throw upstreamError(LOST_MESSAGE, { code: 'upstream_connection_lost' });
  const bytes = answer.finishWhole(Buffer.concat(parts));
  setHeaders(res, answer, context);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
