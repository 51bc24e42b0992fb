import { AppError } from '@ollama-gateway/runtime';

/**
 * Why the local Ollama hosts could not take a request. The fallback chain (fallback/) decides on these: each is a
 * trigger before the first byte reached the client. All are AppErrors, so without a fallback they render in the
 * caller's dialect as they are.
 */

/** No configured host lists the model (after aliases): 404 model_not_found unless a fallback serves it. */
export class ModelNotAvailableError extends AppError {
  readonly trigger = 'model_not_present' as const;
}

/** Hosts have the model but none is healthy (all down or circuit open): 503. */
export class NoHealthyHostError extends AppError {
  readonly trigger = 'circuit_open' as const;
}

/** The request waited in a host's fair queue longer than the configured bound: 429/503 with retry-after. */
export class QueueWaitExceededError extends AppError {
  readonly trigger = 'queue_wait' as const;
}

/** The host failed before the first byte (connection refused/reset, 5xx, timeout to headers). */
export class UpstreamUnavailableError extends AppError {
  readonly trigger = 'upstream_error' as const;
}

/** The host accepted but sent no first byte within the configured time (a slow host). */
export class UpstreamTimeoutError extends AppError {
  readonly trigger = 'timeout' as const;
}

export type RoutingError =
  | ModelNotAvailableError
  | NoHealthyHostError
  | QueueWaitExceededError
  | UpstreamUnavailableError
  | UpstreamTimeoutError;

export type FallbackTrigger = RoutingError['trigger'];

export function isRoutingError(error: unknown): error is RoutingError {
  return (
    error instanceof ModelNotAvailableError ||
    error instanceof NoHealthyHostError ||
    error instanceof QueueWaitExceededError ||
    error instanceof UpstreamUnavailableError ||
    error instanceof UpstreamTimeoutError
  );
}
