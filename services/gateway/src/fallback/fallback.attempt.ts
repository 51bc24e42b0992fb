import { AppError } from '@ollama-gateway/runtime';
import type { ChatEvent } from '../canonical/chat.types.js';
import { ProviderError } from '../clients/providers/provider.types.js';
import { isRoutingError } from '../routing/routing.errors.js';
import type { FallbackTriggerName, RetryConfig } from './fallback.config.js';

/** The first byte did not come in time: the call was aborted (trigger `timeout`). */
export class FirstByteTimeoutError extends AppError {
  readonly trigger = 'timeout' as const;
  constructor(ms: number) {
    super(504, 'upstream', `No answer within ${ms} ms.`, { code: 'first_byte_timeout' });
  }
}

/**
 * The fallback trigger of a local failure, or null when the error is the client's (4xx) or not an AppError (a bug):
 * routing errors carry their own; the Ollama client's 404 model_not_found is `model_not_present`, its timeout
 * `timeout`, its 503 "busy" (Ollama's own queue is full) `queue_wait`, any other 5xx `upstream_error`.
 */
export function triggerOf(error: unknown): FallbackTriggerName | null {
  if (isRoutingError(error) || error instanceof FirstByteTimeoutError) return error.trigger;
  if (!(error instanceof AppError)) return null;
  if (error.status === 404 && error.code === 'model_not_found') return 'model_not_present';
  if (error.status < 500) return null;
  if (error.code === 'upstream_timeout') return 'timeout';
  if (error.code === 'upstream_busy') return 'queue_wait';
  return 'upstream_error';
}

/** Whether a failed provider attempt is worth repeating on the same provider. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return error.retryable;
  if (error instanceof FirstByteTimeoutError) return true;
  return error instanceof AppError && error.status >= 500;
}

/** Backoff before retry `n` (1-based): baseMs × 2^(n-1), capped at maxMs; half of it fixed, half random (jitter). */
export function backoffMs(retries: RetryConfig, n: number, random: () => number): number {
  const full = Math.min(retries.maxMs, retries.baseMs * 2 ** (n - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

/**
 * Runs `call` with a signal that follows the client's and also fires after `ms` (when set): the call is then aborted
 * and this rejects with FirstByteTimeoutError at once, whatever the call does with its signal. The signal keeps
 * following the client's after success (a stream opened here is aborted when the client leaves).
 */
export async function withDeadline<T>(
  ms: number | undefined,
  signal: AbortSignal,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!ms) return call(signal);
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new FirstByteTimeoutError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const running = call(controller.signal);
  // The loser of the race must not become an unhandled rejection; a stream opened too late is closed.
  running.then(
    (value) => {
      if (controller.signal.reason instanceof FirstByteTimeoutError) void closeQuietly(value);
    },
    () => {},
  );
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeQuietly(value: unknown): Promise<void> {
  const iterator = value as { first?: unknown; rest?: AsyncIterator<unknown> } | null;
  await iterator?.rest?.return?.().catch(() => {});
}

/** A stream whose first event has arrived: nothing has been sent to the client yet. */
export interface OpenedStream {
  first: ChatEvent;
  rest: AsyncIterator<ChatEvent>;
}

/**
 * A local stream that failed before its first event: an error line came first, or it ended with nothing. It counts as
 * an upstream error before the first byte (the chain may take over); when nobody does, `replay()` hands the stream on
 * as it was, so the client sees what it always saw (a 200 stream with the dialect's error event).
 */
export class EarlyStreamError extends AppError {
  constructor(
    message: string,
    code: string,
    private readonly opened: OpenedStream | null,
  ) {
    super(502, 'upstream', message, { code });
  }

  replay(): AsyncIterable<ChatEvent> {
    return this.opened ? resumed(this.opened) : (async function* () {})();
  }

  /** Releases the local stream (when a provider serves instead). */
  async close(): Promise<void> {
    await this.opened?.rest.return?.().catch(() => {});
  }
}

/**
 * Waits for the first event of a stream. A stream that ends or fails before it rejects with EarlyStreamError, so the
 * chain can still take over.
 */
export async function firstEvent(events: AsyncIterable<ChatEvent>): Promise<OpenedStream> {
  const rest = events[Symbol.asyncIterator]();
  const step = await rest.next();
  if (step.done)
    throw new EarlyStreamError(
      'The model server closed the stream before answering.',
      'upstream_incomplete',
      null,
    );
  if (step.value.type === 'error')
    throw new EarlyStreamError(step.value.message, 'upstream_error', { first: step.value, rest });
  return { first: step.value, rest };
}

/** The opened stream as one iterable again (the first event, then the rest). */
export async function* resumed(opened: OpenedStream): AsyncGenerator<ChatEvent> {
  try {
    yield opened.first;
    while (true) {
      const step = await opened.rest.next();
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await opened.rest.return?.().catch(() => {});
  }
}
