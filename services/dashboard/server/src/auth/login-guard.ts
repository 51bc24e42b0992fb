/**
 * Login brute-force guard: after `maxFailures` failed logins from one client IP within `windowMs`, that IP is refused
 * (429) until the oldest of those failures leaves the window. In memory, per process; bounded in size.
 */
export interface LoginGuard {
  /** Seconds the IP must wait, or 0 when it may try. */
  retryAfterSeconds(ip: string): number;
  recordFailure(ip: string): void;
  recordSuccess(ip: string): void;
}

export function createLoginGuard(
  options: { maxFailures?: number; windowMs?: number; maxTrackedIps?: number; now?: () => number } = {},
): LoginGuard {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const maxTracked = options.maxTrackedIps ?? 10_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (ip: string): number[] => {
    const since = now() - windowMs;
    const list = (failures.get(ip) ?? []).filter((at) => at > since);
    if (list.length === 0) failures.delete(ip);
    else failures.set(ip, list);
    return list;
  };

  return {
    retryAfterSeconds(ip) {
      const list = recent(ip);
      if (list.length < maxFailures) return 0;
      const oldestCounted = list[list.length - maxFailures]!;
      return Math.max(1, Math.ceil((oldestCounted + windowMs - now()) / 1000));
    },
    recordFailure(ip) {
      const list = recent(ip);
      if (!failures.has(ip) && failures.size >= maxTracked) {
        // Forget the IP tracked longest (Map keeps insertion order) rather than grow without bound.
        const first = failures.keys().next();
        if (!first.done) failures.delete(first.value);
      }
      list.push(now());
      failures.set(ip, list.slice(-maxFailures));
    },
    recordSuccess(ip) {
      failures.delete(ip);
    },
  };
}
