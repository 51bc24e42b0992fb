import { AppError, atMostEvery, type Logger, type Redis } from '@ollama-gateway/runtime';
import type { AdmissionGate, AdmissionTicket } from './admission.js';
import { rateLimitHeaders, retryAfterSeconds } from './rate-limit.headers.js';
import { ADMIT_SCRIPT, SETTLE_SCRIPT } from './rate-limit.scripts.js';

const WINDOW_MS = 60_000;

/** A 429 that also carries the rate-limit headers to send with it (OpenAI sends them on refusals too). */
export class RateLimitError extends AppError {
  constructor(
    message: string,
    readonly headers: Record<string, string>,
    retryAfterMs: number,
    code: 'requests' | 'tokens',
  ) {
    super(429, 'rate_limit', message, { code, retryAfterSeconds: retryAfterSeconds(retryAfterMs) });
  }
}

type AdmitReply = [number, string, number, number, number, number, number];
interface RateLimitCommands {
  ogwRateAdmit(...args: (string | number)[]): Promise<AdmitReply>;
  ogwRateSettle(...args: (string | number)[]): Promise<number>;
}

const EMPTY_TICKET: AdmissionTicket = { headers: {}, settle: async () => {} };

export interface RateLimitGateOptions {
  /** A fail-fast connection (role `producer`): when Redis is down the gate lets requests through (fail open). */
  redis: Redis;
  /** QUEUE_PREFIX: keys are `<prefix>:ratelimit:{<key id>}:…`, so stacks and test runs sharing Redis never collide. */
  prefix: string;
  logger: Logger;
  /** How long an in-flight request holds its concurrency slot and token estimate at most (a crashed gateway's lapse). */
  leaseMs?: number;
  /** Completion tokens held for a request that sets no max_tokens. */
  defaultCompletionHold?: number;
}

/**
 * Exact per-key RPM, TPM and concurrency in Redis (see rate-limit.scripts.ts): one atomic script per admit and per
 * settle, shared by every gateway process. Limits come from the key (null = unlimited; keys without limits never
 * touch Redis). If Redis cannot be reached the request is let through and a warning logged (at most every 10 s):
 * a self-hosted gateway should keep serving when its limiter's store is down; budgets are the hard stop.
 */
export function createRateLimitGate(options: RateLimitGateOptions): AdmissionGate {
  const { redis, prefix, logger } = options;
  const leaseMs = options.leaseMs ?? 15 * 60_000;
  const defaultHold = options.defaultCompletionHold ?? 1024;
  const commands = redis as unknown as RateLimitCommands;
  if (!('ogwRateAdmit' in redis)) {
    redis.defineCommand('ogwRateAdmit', { numberOfKeys: 4, lua: ADMIT_SCRIPT });
    redis.defineCommand('ogwRateSettle', { numberOfKeys: 4, lua: SETTLE_SCRIPT });
  }
  const warn = atMostEvery(10_000, (error: unknown, what: string) =>
    logger.warn({ err: error }, `rate limits not enforced: Redis unavailable while ${what} (failing open)`),
  );
  const keysFor = (keyId: string) => {
    const base = `${prefix}:ratelimit:{${keyId}}`;
    return [`${base}:requests`, `${base}:inflight`, `${base}:token-log`, `${base}:tokens`];
  };

  return {
    name: 'rate-limit',
    async admit({ context, promptTokensEstimate, maxCompletionTokens }) {
      const key = context.key;
      if (!key) return EMPTY_TICKET;
      const { rpmLimit: rpm, tpmLimit: tpm, maxConcurrency: conc } = key;
      if (rpm === null && tpm === null && conc === null) return EMPTY_TICKET;
      const wanted = promptTokensEstimate + (maxCompletionTokens ?? defaultHold);
      const held = tpm === null ? wanted : Math.min(wanted, tpm);
      const keys = keysFor(key.id);
      const id = context.requestId;
      let reply: AdmitReply;
      try {
        reply = await commands.ogwRateAdmit(
          ...keys,
          id,
          rpm ?? -1,
          tpm ?? -1,
          conc ?? -1,
          held,
          WINDOW_MS,
          leaseMs,
        );
      } catch (error) {
        warn(error, 'admitting a request');
        return EMPTY_TICKET;
      }
      const [allowed, reason, retryMs, requests, requestsResetMs, tokens, tokensResetMs] = reply;
      const headers = rateLimitHeaders({
        requests: { limit: rpm, remaining: (rpm ?? 0) - requests, resetMs: requestsResetMs },
        tokens: { limit: tpm, remaining: (tpm ?? 0) - tokens, resetMs: tokensResetMs },
      });
      if (allowed !== 1) {
        const wait = `Please try again in ${(Math.max(retryMs, 1) / 1000).toFixed(1)}s.`;
        if (reason === 'requests')
          throw new RateLimitError(
            `Rate limit reached for requests per minute (RPM) on this key: Limit ${rpm}, Used ${requests}, Requested 1. ${wait}`,
            headers,
            retryMs,
            'requests',
          );
        if (reason === 'tokens')
          throw new RateLimitError(
            `Rate limit reached for tokens per minute (TPM) on this key: Limit ${tpm}, Used ${tokens}, Requested ${held}. ${wait}`,
            headers,
            retryMs,
            'tokens',
          );
        throw new RateLimitError(
          `Too many concurrent requests on this key: Limit ${conc}. Please retry when one of them finishes.`,
          headers,
          retryMs,
          'requests',
        );
      }
      if (conc === null && tpm === null) return { headers, settle: async () => {} };
      return {
        headers,
        async settle(usage) {
          const used = Math.max(0, Math.round(usage.promptTokens + usage.completionTokens));
          try {
            await commands.ogwRateSettle(...keys, id, used, tpm === null ? 0 : 1, WINDOW_MS, leaseMs);
          } catch (error) {
            warn(error, 'settling a request');
          }
        },
      };
    },
  };
}
