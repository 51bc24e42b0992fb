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

/** A base URL without credentials, query or fragment; null when it is not a URL. */
function cleanUrl(raw: string | null): URL | null {
  if (!raw || !URL.canParse(raw)) return null;
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url;
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
  const attributes: SpanAttributes = {
    'http.request.method': method,
    'url.path': route,
    'http.response.status_code': usage.status,
    'gateway.request_id': usage.requestId,
    'gateway.dialect': usage.dialect,
    'gateway.stream': usage.stream,
  };
  if (usage.gatewayOverheadMs !== null) attributes['gateway.overhead_ms'] = usage.gatewayOverheadMs;
  if (known) attributes['http.route'] = route;
  if (usage.apiKeyId) attributes['gateway.api_key_id'] = usage.apiKeyId;
  if (usage.customerId) attributes['gateway.customer_id'] = usage.customerId;
  if (usage.errorCode) attributes['error.type'] = usage.errorCode;
  if (usage.cacheStatus) attributes['gateway.cache_status'] = usage.cacheStatus;
  if (usage.ttftMs !== null) attributes['gateway.ttft_ms'] = usage.ttftMs;
  if (upstream) attributes['gateway.upstream_host'] = upstream.href;
  if (usage.model) attributes['gen_ai.request.model'] = usage.model;
  if (operation) attributes['gen_ai.operation.name'] = operation;
  const genAi: SpanAttributes = {};
  if (served) {
    genAi['gen_ai.system'] = usage.provider;
    genAi['gen_ai.provider.name'] = usage.provider;
    if (usage.upstreamModel) genAi['gen_ai.response.model'] = usage.upstreamModel;
    genAi['gen_ai.usage.input_tokens'] = usage.promptTokens;
    genAi['gen_ai.usage.output_tokens'] = usage.completionTokens;
  }
  Object.assign(attributes, genAi);

  const failed = usage.status >= 500;
  const error = failed ? (usage.errorCode ?? `HTTP ${usage.status}`) : undefined;
  const children: FinishedSpan[] = [];
  if (context.upstreamStartedAt !== null && context.upstreamEndedAt !== null) {
    const child: SpanAttributes = {
      ...genAi,
      'gateway.request_id': usage.requestId,
      'gateway.upstream_wait_ms': Math.round(context.upstreamMs * 1000) / 1000,
    };
    if (operation) child['gen_ai.operation.name'] = operation;
    if (usage.upstreamModel) child['gen_ai.request.model'] = usage.upstreamModel;
    if (upstream) {
      child['server.address'] = upstream.hostname;
      if (upstream.port) child['server.port'] = Number(upstream.port);
      child['url.full'] = upstream.href;
    }
    children.push({
      name: operation && usage.upstreamModel ? `${operation} ${usage.upstreamModel}` : `upstream ${route}`,
      startTime: context.upstreamStartedAt,
      endTime: context.upstreamEndedAt,
      attributes: child,
      ...(error ? { error } : {}),
    });
  }

  const traceparent = context.requestHeader('traceparent');
  const tracestate = context.requestHeader('tracestate');
  return {
    name: known ? `${method} ${route}` : method,
    startTime: context.startedAt,
    endTime: endedAt,
    attributes,
    ...(error ? { error } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(tracestate ? { tracestate } : {}),
    children,
  };
}
