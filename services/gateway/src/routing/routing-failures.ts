import { AppError } from '@ollama-gateway/runtime';
import { isAbort } from '../clients/ollama/ollama.client.js';
import {
  ModelNotAvailableError,
  NoHealthyHostError,
  QueueWaitExceededError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './routing.errors.js';
import type { HostFailure } from './upstream-host.js';

/** What one failed attempt on a host means for the request and for the host. */
export type Verdict =
  /** The client went away (or the request was cancelled): stop, say nothing about the host. */
  | { kind: 'abort' }
  /** The host answered, with an error about the request itself (400…): it is healthy; the error goes to the client. */
  | { kind: 'answer' }
  /** The host does not have the model (404): try a host that has it. */
  | { kind: 'missing' }
  /** The host failed before a byte reached the client: try another host, and count it against this one. */
  | { kind: 'failure'; failure: HostFailure; error: AppError };

const UNREACHABLE = 'The model server is unreachable. Check that Ollama is running.';

/** Classifies an error thrown by an OllamaClient call (clients/ollama/ollama.client.ts error codes). */
export function classifyFailure(error: unknown, signal: AbortSignal | undefined): Verdict {
  if (signal?.aborted || isAbort(error)) return { kind: 'abort' };
  if (error instanceof AppError) {
    if (error.status === 404 && error.code === 'model_not_found') return { kind: 'missing' };
    if (error.code === 'upstream_unavailable')
      return { kind: 'failure', failure: 'connection', error: asUnavailable(error) };
    if (error.code === 'upstream_timeout')
      return {
        kind: 'failure',
        failure: 'error',
        error: new UpstreamTimeoutError(error.status, error.kind, error.message, {
          code: error.code,
          cause: error.cause,
        }),
      };
    // Ollama's own queue is full (OLLAMA_MAX_QUEUE): the same trigger as our fair queue's bound.
    if (error.code === 'upstream_busy')
      return {
        kind: 'failure',
        failure: 'busy',
        error: new QueueWaitExceededError(error.status, error.kind, error.message, {
          code: error.code,
          retryAfterSeconds: error.retryAfterSeconds ?? 2,
          cause: error,
        }),
      };
    // A lost connection mid-body or a malformed answer is about the host, not the request; so is any 5xx.
    if (error.status >= 500) return { kind: 'failure', failure: 'error', error: asUnavailable(error) };
    return { kind: 'answer' };
  }
  // undici's socket errors while a whole answer's body was read (UND_ERR_SOCKET, ECONNRESET…): nothing reached the
  // client yet, so another host may serve it.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string')
    return {
      kind: 'failure',
      failure: 'connection',
      error: new UpstreamUnavailableError(503, 'unavailable', UNREACHABLE, {
        code: 'upstream_unavailable',
        retryAfterSeconds: 5,
        cause: error,
      }),
    };
  return { kind: 'answer' };
}

function asUnavailable(error: AppError): UpstreamUnavailableError {
  return new UpstreamUnavailableError(error.status, error.kind, error.message, {
    code: error.code,
    param: error.param,
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    cause: error.cause ?? error,
  });
}

/** An Ollama error status of a passed-through (raw) answer, as the same verdict a client call would give. */
export function classifyStatus(status: number, model: string): Verdict | null {
  if (status === 404 && model !== '') return { kind: 'missing' };
  if (status < 500) return null;
  if (status === 503)
    return {
      kind: 'failure',
      failure: 'busy',
      error: new QueueWaitExceededError(503, 'unavailable', 'The model server is busy.', {
        code: 'upstream_busy',
        retryAfterSeconds: 2,
      }),
    };
  return {
    kind: 'failure',
    failure: 'error',
    error: new UpstreamUnavailableError(502, 'upstream', `The model server returned HTTP ${status}.`, {
      code: 'upstream_error',
    }),
  };
}

/** 404 model_not_found for a model no host has, worded as the caller's dialect words it. */
export function modelNotAvailable(message: string): ModelNotAvailableError {
  return new ModelNotAvailableError(404, 'not_found', message, { code: 'model_not_found' });
}

export function noHealthyHost(retryAfterSeconds: number): NoHealthyHostError {
  return new NoHealthyHostError(
    503,
    'unavailable',
    'No model server that has this model is available right now (down, or failing and held back for a moment). Retry later.',
    { code: 'no_healthy_host', retryAfterSeconds },
  );
}
