/** Response headers as OpenAI sends them, e.g. `x-ratelimit-reset-requests: 1s`, `x-ratelimit-reset-tokens: 6m0s`. */

/**
 * A duration the way OpenAI (Go's time.Duration) writes it: `0s`, `250ms`, `1s`, `1.5s`, `59.2s`, `6m0s`, `1h0m0s`.
 * Under a second: whole milliseconds; otherwise seconds with up to three decimals.
 */
export function formatResetDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const total = Math.ceil(ms);
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = `${(total % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

export interface RateLimitState {
  /** The key's limit, or null when unlimited (then no headers for it). */
  limit: number | null;
  remaining: number;
  resetMs: number;
}

/** The three headers for requests and the three for tokens, each only when the key has that limit. */
export function rateLimitHeaders(state: {
  requests: RateLimitState;
  tokens: RateLimitState;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, s] of [
    ['requests', state.requests],
    ['tokens', state.tokens],
  ] as const) {
    if (s.limit === null) continue;
    headers[`x-ratelimit-limit-${name}`] = String(s.limit);
    headers[`x-ratelimit-remaining-${name}`] = String(Math.max(0, Math.floor(s.remaining)));
    headers[`x-ratelimit-reset-${name}`] = formatResetDuration(s.resetMs);
  }
  return headers;
}

/** `retry-after` in whole seconds, at least 1. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
