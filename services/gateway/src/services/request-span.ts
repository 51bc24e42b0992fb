import type { UsageEvent } from '@ollama-gateway/contracts';
import type { FinishedRequestSpan, FinishedSpan, SpanAttributes } from '@ollama-gateway/runtime';
import { endpointLabel } from './gateway.metrics.js';
import type { RequestContext } from './request-context.js';

/** GenAI operation of the model routes (the upstream span is named `<operation> <model>`, as GenAI conventions say). */
const OPERATIONS: Record<string, string> = {
  '/v1/chat/completions': 'chat',
  '/v1/messages': 'chat',
  '/v1/responses': 'chat',
  '/api/chat': 'chat',
  '/v1/completions': 'text_completion',
  '/api/generate': 'text_completion',
  '/v1/embeddings': 'embeddings',
  '/api/embed': 'embeddings',
  '/api/embeddings': 'embeddings',
};

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

interface Upstream {
  href: string;
  hostname: string;
  port: string;
}

/** Parsed upstream base URLs (a handful: the hosts and providers of the config), so a span costs no URL parsing. */
const upstreams = new Map<string, Upstream | null>();

/** A base URL without credentials, query or fragment; null when it is not a URL. */
function cleanUrl(raw: string | null): Upstream | null {
  if (!raw) return null;
  let upstream = upstreams.get(raw);
  if (upstream === undefined) {
    upstream = null;
    if (URL.canParse(raw)) {
      const url = new URL(raw);
      url.username = '';
      url.password = '';
      url.search = '';
      url.hash = '';
      upstream = { href: url.href, hostname: url.hostname, port: url.port };
    }
    if (upstreams.size >= 64) upstreams.clear();
    upstreams.set(raw, upstream);
  }
  return upstream;
}

/**
 * The trace of one finished request, built from its context and usage event when the response closed (the usage
 * recorder calls it only when tracing is on): a server span named `<METHOD> <route>` (the route template; unknown
 * paths are never named) and, when the upstream was called, a client span from the first wait on it to the last.
 * Attributes carry ids only: no key secret, header, body or raw path of an unknown route.
 */
export function toRequestSpan(
  context: RequestContext,
  usage: UsageEvent,
  endedAt: number,
): FinishedRequestSpan {
  const method = METHODS.has(context.method) ? context.method : '_OTHER';
  const route = endpointLabel(usage.endpoint);
  const known = route !== 'other';
  const operation = OPERATIONS[route];
  const upstream = cleanUrl(usage.upstreamHost);
  const served = usage.provider !== 'none';
  const provider = served ? usage.provider : undefined;
  const upstreamModel = served ? (usage.upstreamModel ?? undefined) : undefined;
  const inputTokens = served ? usage.promptTokens : undefined;
  const outputTokens = served ? usage.completionTokens : undefined;
  // Object literals (undefined values are not recorded): building attributes key by key costs several times more.
  const attributes: SpanAttributes = {
    'http.request.method': method,
    'http.route': known ? route : undefined,
    'url.path': route,
    'http.response.status_code': usage.status,
    'error.type': usage.errorCode ?? undefined,
    'gateway.request_id': usage.requestId,
    'gateway.dialect': usage.dialect,
    'gateway.stream': usage.stream,
    'gateway.api_key_id': usage.apiKeyId ?? undefined,
    'gateway.customer_id': usage.customerId ?? undefined,
    'gateway.cache_status': usage.cacheStatus ?? undefined,
    'gateway.ttft_ms': usage.ttftMs ?? undefined,
    'gateway.overhead_ms': usage.gatewayOverheadMs ?? undefined,
    'gateway.upstream_host': upstream?.href,
    'gen_ai.operation.name': operation,
    'gen_ai.system': provider,
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': usage.model || undefined,
    'gen_ai.response.model': upstreamModel,
    'gen_ai.usage.input_tokens': inputTokens,
    'gen_ai.usage.output_tokens': outputTokens,
  };

  const failed = usage.status >= 500;
  const error = failed ? (usage.errorCode ?? `HTTP ${usage.status}`) : undefined;
  const children: FinishedSpan[] = [];
  if (context.upstreamStartedAt !== null && context.upstreamEndedAt !== null) {
    children.push({
      name: operation && upstreamModel ? `${operation} ${upstreamModel}` : `upstream ${route}`,
      startTime: context.upstreamStartedAt,
      endTime: context.upstreamEndedAt,
      attributes: {
        'gen_ai.operation.name': operation,
        'gen_ai.system': provider,
        'gen_ai.provider.name': provider,
        'gen_ai.request.model': upstreamModel,
        'gen_ai.response.model': upstreamModel,
        'gen_ai.usage.input_tokens': inputTokens,
        'gen_ai.usage.output_tokens': outputTokens,
        'server.address': upstream?.hostname,
        'server.port': upstream?.port ? Number(upstream.port) : undefined,
        'url.full': upstream?.href,
        'gateway.request_id': usage.requestId,
        'gateway.upstream_wait_ms': Math.round(context.upstreamMs * 1000) / 1000,
      },
      error,
    });
  }

  const traceparent = context.requestHeader('traceparent');
  const tracestate = context.requestHeader('tracestate');
  return {
    name: known ? `${method} ${route}` : method,
    startTime: context.startedAt,
    endTime: endedAt,
    attributes,
    error,
    traceparent,
    tracestate,
    children,
  };
}
