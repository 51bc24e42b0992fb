import type { Dialect, Provider } from '@ollama-gateway/contracts';
import type { UpstreamTimings, Usage } from '../canonical/chat.types.js';
import type { AdmissionTicket } from '../limits/admission.js';
import type { AuthKey } from './key-auth.service.js';

/**
 * Everything known about one API request, filled in as it is handled and turned into exactly one usage event (and
 * one request-log event) when the response closes.
 */
export interface RequestContext {
  requestId: string;
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
  requestBody: unknown;
  responseBody: unknown;
  clientIp: string | null;
  userAgent: string | null;
  /** The status to record when it differs from the HTTP status (a stream that failed after it began: 502). */
  outcomeStatus: number | null;
  /** The admission ticket (rate limits, budget) once the request was let through; settled when the response closes. */
  admission: AdmissionTicket | null;
}

export function newRequestContext(fields: {
  requestId: string;
  dialect: Dialect;
  endpoint: string;
  clientIp: string | null;
  userAgent: string | null;
  startedAt: number;
}): RequestContext {
  return {
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
    requestBody: null,
    responseBody: null,
    outcomeStatus: null,
    admission: null,
  };
}
