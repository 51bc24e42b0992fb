import { modelKey } from './model-name.js';
import type { UpstreamHost } from './upstream-host.js';

const namesOf = (models: ReadonlyArray<{ model?: string; name?: string }> | undefined): Set<string> => {
  const keys = new Set<string>();
  for (const entry of models ?? []) {
    const name = entry.model || entry.name;
    if (name) keys.add(modelKey(name));
  }
  return keys;
};

/**
 * One active check of a host: `/api/version` says whether it is alive (a failure or no answer within `timeoutMs`
 * marks it down), then `/api/tags` (which models it has) and `/api/ps` (which are loaded) refresh what the router
 * knows. A tags or ps failure keeps the last known lists.
 */
export async function checkHost(host: UpstreamHost, timeoutMs: number): Promise<void> {
  try {
    await host.client.version(AbortSignal.timeout(timeoutMs));
  } catch (error) {
    host.checkedAt = Date.now();
    host.markDown(error);
    return;
  }
  host.markUp();
  const [tags, ps] = await Promise.allSettled([
    host.client.tags(AbortSignal.timeout(timeoutMs)),
    host.client.ps(AbortSignal.timeout(timeoutMs)),
  ]);
  if (tags.status === 'fulfilled') host.setModels(namesOf(tags.value.models));
  if (ps.status === 'fulfilled') host.setLoaded(namesOf(ps.value.models));
  host.checkedAt = Date.now();
}

export interface HealthChecker {
  /** Checks every host now (the periodic round does the same); resolves when all are done. */
  checkNow(): Promise<void>;
  stop(): void;
}

/**
 * Checks every host of `hosts()` at once, every `intervalMs` (a host whose last check is still running is skipped),
 * starting right away so tag lists are known within moments of start-up. The timer does not keep the process alive.
 */
export function startHealthChecks(options: {
  hosts: () => readonly UpstreamHost[];
  intervalMs: number;
  timeoutMs: number;
}): HealthChecker {
  const running = new Map<UpstreamHost, Promise<void>>();
  const checkAll = () =>
    Promise.all(
      options.hosts().map((host) => {
        let check = running.get(host);
        if (!check) {
          check = checkHost(host, options.timeoutMs).finally(() => running.delete(host));
          running.set(host, check);
        }
        return check;
      }),
    ).then(() => undefined);
  const timer = setInterval(() => void checkAll(), options.intervalMs);
  timer.unref();
  void checkAll();
  return {
    checkNow: checkAll,
    stop: () => clearInterval(timer),
  };
}
