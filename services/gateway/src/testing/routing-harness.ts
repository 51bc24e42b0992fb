import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OllamaSim, type SimConfig, startOllamaSim } from '@ollama-gateway/ollama-sim';
import { stringify } from 'yaml';
import { createOllamaClient, type OllamaClient } from '../clients/ollama/ollama.client.js';
import { loadGatewayConfig } from '../config/config.loader.js';
import {
  type ConfigStore,
  createConfigStore,
  type ReloadResult,
  staticConfigStore,
} from '../config/config.store.js';
import { gatewayConfigSchema } from '../config/gateway-config.js';
import { createOllamaRouter, type OllamaRouter } from '../routing/ollama.router.js';

/** Config file sections for a test (YAML-shaped input: defaults apply as in a real file). */
export type TestConfigInput = Record<string, unknown>;

export interface RoutedHosts {
  /** The simulators, in config order (`hosts[i]` is `sims[i]` unless the test's config lists hosts itself). */
  sims: OllamaSim[];
  router: OllamaRouter;
  config: ConfigStore;
  /** The config file the store reads (GATEWAY_CONFIG_FILE). */
  file: string;
  /** Writes a new config file (an object as YAML, or raw text) and reloads it, as SIGHUP does. */
  reloadWith(input: TestConfigInput | string): ReloadResult;
  close(): Promise<void>;
}

/**
 * Simulators behind a real router and config store reading a real YAML file in `dir`. Unless the config lists its own
 * `hosts`, there is one host per simulator with maxConcurrent 64 (so tests about other things never queue). Active
 * health checks are off unless asked for: they would add /api/version, /api/tags and /api/ps calls to the
 * simulators' request counts.
 */
export async function startRoutedHosts(options: {
  dir: string;
  sims: Partial<SimConfig>[];
  config?: TestConfigInput;
  healthChecks?: boolean;
}): Promise<RoutedHosts> {
  const sims = await Promise.all(options.sims.map((sim) => startOllamaSim({ port: 0, ...sim })));
  const file = join(options.dir, 'gateway.yaml');
  const write = (input: TestConfigInput | string) =>
    writeFileSync(
      file,
      typeof input === 'string'
        ? input
        : stringify({ hosts: sims.map((sim) => ({ url: sim.url, maxConcurrent: 64 })), ...input }),
    );
  write(options.config ?? {});
  const source = { file, envHosts: [] };
  const config = createConfigStore({ load: () => loadGatewayConfig(source) });
  const router = createOllamaRouter({
    config,
    healthChecks: options.healthChecks ?? false,
    createClient: (baseUrl) =>
      createOllamaClient({ baseUrl, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 }),
  });
  return {
    sims,
    router,
    config,
    file,
    reloadWith(input) {
      write(input);
      return config.reload();
    },
    async close() {
      await router.close();
      await Promise.all(sims.map((sim) => sim.close()));
    },
  };
}

/**
 * A router over one host and no config file: `client` (a fake in unit tests) or a real client for `url`. No health
 * checks, maxConcurrent 64: it behaves like the single Ollama client the gateway had before routing.
 */
export function singleHostRouter(host: { url: string; client?: OllamaClient }): OllamaRouter {
  const config = gatewayConfigSchema.parse({ hosts: [{ url: host.url, maxConcurrent: 64 }] });
  return createOllamaRouter({
    config: staticConfigStore(config),
    healthChecks: false,
    createClient: (baseUrl) =>
      host.client ?? createOllamaClient({ baseUrl, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 }),
  });
}
