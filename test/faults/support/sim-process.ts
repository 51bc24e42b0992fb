// An Ollama simulator in its own process (tools/ollama-sim's CLI), for the scenarios that kill a host: the in-process
// simulators of test/support/stack.ts share the test's process and cannot be SIGKILLed. Its stats come from the
// control API (GET /_sim/stats).
import { join } from 'node:path';
import type { SimStats } from '@ollama-gateway/ollama-sim';
import { freePort, type ManagedProcess, spawnManaged, waitForHttpOk } from '../../support/processes.js';
import { ROOT } from '../../support/stack.js';

export interface SimProcess {
  url: string;
  proc: ManagedProcess;
  stats(): Promise<SimStats>;
  /** Loads `model` and keeps it loaded (keep_alive -1), so the gateway's first health round sees it in /api/ps. */
  preload(model: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `node tools/ollama-sim/dist/main.js` on a free port with the given CLI flags; resolves once it answers. */
export async function startSimProcess(
  name: string,
  logDir: string,
  flags: readonly string[] = [],
): Promise<SimProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnManaged(
    name,
    process.execPath,
    [join(ROOT, 'tools/ollama-sim/dist/main.js'), '--port', String(port), ...flags],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: ROOT, logFile: join(logDir, `${name}.log`) },
  );
  try {
    await waitForHttpOk(`${url}/api/version`, {
      timeoutMs: 15_000,
      watch: [proc],
      what: `${name} /api/version`,
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    url,
    proc,
    async stats() {
      const response = await fetch(`${url}/_sim/stats`, { signal: AbortSignal.timeout(2_000) });
      return (await response.json()) as SimStats;
    },
    async preload(model) {
      const response = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [], keep_alive: -1, stream: false }),
      });
      if (!response.ok) throw new Error(`${name}: loading ${model} answered ${response.status}`);
      await response.body?.cancel();
    },
    stop: () => proc.stop(),
  };
}
