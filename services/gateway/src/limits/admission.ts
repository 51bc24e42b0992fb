import type { Usage } from '../canonical/chat.types.js';
import type { RequestContext } from '../services/request-context.js';

/** What a gate needs to decide whether a request may go upstream. */
export interface AdmissionRequest {
  context: RequestContext;
  /** The model the request will run on (after any alias). */
  model: string;
  /** An estimate of the prompt's tokens (e.g. characters / 4), held against TPM and budget while in flight. */
  promptTokensEstimate: number;
  /** The most completion tokens the request may produce (max_tokens, or a configured default), null if unbounded. */
  maxCompletionTokens: number | null;
}

/** A request let through: response headers to add, and a settle call when the request ends. */
export interface AdmissionTicket {
  /** e.g. x-ratelimit-limit-requests, x-ratelimit-remaining-tokens … (added before the first byte). */
  headers: Record<string, string>;
  /**
   * Called exactly once when the request ends — success, error, stream end or client disconnect — with the real
   * usage, to release concurrency slots and replace in-flight estimates and reservations with real numbers.
   */
  settle(usage: Usage, status: number): Promise<void>;
}

/**
 * One check before the upstream call (rate limits, concurrency, quotas, budget). `admit` throws an AppError (429 with
 * retryAfterSeconds, or 429 `insufficient_quota`) when the request must not go upstream.
 */
export interface AdmissionGate {
  readonly name: string;
  admit(request: AdmissionRequest): Promise<AdmissionTicket>;
}

/**
 * Asks every gate at once (their Redis scripts then share one round trip on an auto-pipelined connection, instead of
 * one round trip per gate). If any refuses, the tickets the others gave are settled with zero usage and status 429
 * (giving back what they held) and the first refusal, in gate order, is thrown. The price of asking at once: a
 * request refused by one gate holds the others' counters for that round trip, so at the very edge of a limit a
 * concurrent request can be refused by a gate that a sequential check would have left it.
 */
export function composeGates(gates: AdmissionGate[]): AdmissionGate {
  return {
    name: gates.map((gate) => gate.name).join('+') || 'none',
    async admit(request) {
      const results = await Promise.allSettled(gates.map((gate) => gate.admit(request)));
      const refusal = results.find((result) => result.status === 'rejected');
      const tickets = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      if (refusal) {
        await Promise.allSettled(
          tickets.map((ticket) => ticket.settle({ promptTokens: 0, completionTokens: 0 }, 429)),
        );
        throw refusal.reason;
      }
      return {
        headers: Object.assign({}, ...tickets.map((ticket) => ticket.headers)),
        async settle(usage, status) {
          await Promise.allSettled(tickets.map((ticket) => ticket.settle(usage, status)));
        },
      };
    },
  };
}
