import type { CacheStatus, Dialect, Provider } from '@ollama-gateway/contracts';
import type { UpstreamTimings, Usage } from '../canonical/chat.types.js';
import type { AdmissionTicket } from '../limits/admission.js';
import type { AuthKey } from './key-auth.service.js';

/**
 * Everything known about one API request, filled in as it is handled and turned into exactly one usage event (and
 * one request-log event) when the response closes.
 */
export interface RequestContext {
  requestId: string;
  /** The HTTP method (for an auth refusal nginx answered: the original request's). */
  method: string;
  /** performance.now() at arrival. */
  startedAt: number;
  occurredAt: string;
  dialect: Dialect;
  endpoint: string;
  key: AuthKey | null;
  model: string;
  upstreamModel: string | null;
  provider: Provider;
  upstreamHost: string | null;
  stream: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  usage: Usage;
  timings: UpstreamTimings | null;
  /** Milliseconds from arrival to the first generated token sent. */
  ttftMs: number | null;
  /** Milliseconds spent waiting on the upstream (excluded from the gateway's overhead). */
  upstreamMs: number;
  /** performance.now() when the first wait on the upstream began and the last one ended; null: no upstream call. */
  upstreamStartedAt: number | null;
  upstreamEndedAt: number | null;
  requestBody: unknown;
  responseBody: unknown;
  clientIp: string | null;
  userAgent: string | null;
  /** The status to record when it differs from the HTTP status (a stream that failed after it began: 502). */
  outcomeStatus: number | null;
  /** The admission ticket (rate limits, budget) once the request was let through; settled when the response closes. */
  admission: AdmissionTicket | null;
  /** The response cache's verdict (cache/caching-chat.service.ts); null where no cache applies. */
  cacheStatus: CacheStatus | null;
  /** false: the usage is recorded but priced at 0 (a cache hit with `cache.billHits: false`). */
  billable: boolean;
  /** A request header (lower-case name; repeated headers joined with ", "): lets services read per-request directives. */
  requestHeader: (name: string) => string | undefined;
  /** Sets a response header while the response has not started (no-op after): lets services report, e.g. x-cache. */
  setResponseHeader: (name: string, value: string) => void;
  /** Milliseconds the request waited in its host's fair queue (routing/fair-queue.ts); null when it did not wait. */
  queueWaitMs: number | null;
  /** Its place in that queue when it joined (1 = next), or null when it did not wait. */
  queuePosition: number | null;
  /** The host slot a streamed answer holds (routing/): released by the middleware when the response closes. */
  upstreamLease: { release(): void } | null;
}

export function newRequestContext(fields: {
  requestId: string;
  method?: string;
  dialect: Dialect;
  endpoint: string;
  clientIp: string | null;
  userAgent: string | null;
  startedAt: number;
  requestHeader?: RequestContext['requestHeader'];
  setResponseHeader?: RequestContext['setResponseHeader'];
}): RequestContext {
  return {
    requestHeader: () => undefined,
    setResponseHeader: () => {},
    method: 'GET',
    ...fields,
    occurredAt: new Date().toISOString(),
    key: null,
    model: '',
    upstreamModel: null,
    provider: 'none',
    upstreamHost: null,
    stream: false,
    errorCode: null,
    errorMessage: null,
    usage: { promptTokens: 0, completionTokens: 0 },
    timings: null,
    ttftMs: null,
    upstreamMs: 0,
    upstreamStartedAt: null,
    upstreamEndedAt: null,
    requestBody: null,
    responseBody: null,
    outcomeStatus: null,
    admission: null,
    cacheStatus: null,
    billable: true,
    queueWaitMs: null,
    queuePosition: null,
    upstreamLease: null,
  };
}
