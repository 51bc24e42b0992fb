import { ConfigError, type Logger } from '@ollama-gateway/runtime';
import { createAnthropicClient } from '../clients/providers/anthropic/anthropic.client.js';
import { createOpenAICompatibleClient } from '../clients/providers/openai/openai.client.js';
import { DEFAULT_BASE_URLS, type ProviderClient } from '../clients/providers/provider.types.js';
import type { FallbackConfig, FallbackTriggerName, ProviderConfig, RetryConfig } from './fallback.config.js';

/** A provider's key by the name of its variable (env.ts reads the environment; tests pass a map). */
export type ProviderKeyLookup = (envName: string) => string | undefined;

/** One link of the chain: the client and the settings resolved against the section's defaults. */
export interface FallbackProvider {
  client: ProviderClient;
  retries: RetryConfig;
  firstByteTimeoutMs: number | undefined;
  /** The provider model for a request, or null when this provider does not serve that model. */
  modelFor(requested: string, upstreamModel: string | null): string | null;
}

/** The chain built from one version of the `fallback` section. */
export interface FallbackChain {
  config: FallbackConfig;
  triggers: ReadonlySet<FallbackTriggerName>;
  providers: FallbackProvider[];
  close(): Promise<void>;
}

export type ProviderClientFactory = (config: ProviderConfig, apiKey: string | undefined) => ProviderClient;

/** The client for a configured provider (base URL defaulted per type). */
export const createProviderClient: ProviderClientFactory = (config, apiKey) => {
  const baseUrl =
    config.baseUrl ?? (config.type === 'openai-compatible' ? '' : DEFAULT_BASE_URLS[config.type]);
  const common = { name: config.name, baseUrl, apiKey, headers: config.headers, timeoutMs: config.timeoutMs };
  return config.type === 'anthropic'
    ? createAnthropicClient({ ...common, defaultMaxTokens: config.defaultMaxTokens })
    : createOpenAICompatibleClient({ ...common, type: config.type });
};

/**
 * Every provider whose `apiKeyEnv` names an unset or empty variable, as messages naming the provider and the
 * variable (never a value).
 */
export function missingProviderKeys(config: FallbackConfig, keyOf: ProviderKeyLookup): string[] {
  return config.providers
    .filter((provider) => provider.apiKeyEnv && !keyOf(provider.apiKeyEnv))
    .map(
      (provider) =>
        `fallback provider "${provider.name}": the environment variable ${provider.apiKeyEnv} (apiKeyEnv) is not set`,
    );
}

/** Start-up and reload check: a chain whose keys are missing is refused with a ConfigError. */
export function assertProviderKeys(config: FallbackConfig, keyOf: ProviderKeyLookup): void {
  const missing = missingProviderKeys(config, keyOf);
  if (missing.length > 0) throw new ConfigError(`Invalid fallback config:\n  ${missing.join('\n  ')}`);
}

/** assertProviderKeys for the composition root: a missing key stops the process with the message (exit 78). */
export function assertProviderKeysOrExit(config: FallbackConfig, keyOf: ProviderKeyLookup): void {
  try {
    assertProviderKeys(config, keyOf);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(78);
  }
}

/** The loaded config once its fallback keys are checked (a reload naming an unset variable is refused). */
export function withProviderKeys<T extends { fallback: FallbackConfig }>(
  config: T,
  keyOf: ProviderKeyLookup,
): T {
  assertProviderKeys(config.fallback, keyOf);
  return config;
}

function lookup(models: Record<string, string>, name: string): string | undefined {
  if (Object.hasOwn(models, name)) return models[name];
  const other = name.endsWith(':latest')
    ? name.slice(0, -':latest'.length)
    : name.includes(':')
      ? null
      : `${name}:latest`;
  return other !== null && Object.hasOwn(models, other) ? models[other] : undefined;
}

export function buildFallbackChain(
  config: FallbackConfig,
  keyOf: ProviderKeyLookup,
  createClient: ProviderClientFactory = createProviderClient,
): FallbackChain {
  const providers = config.providers.map((provider): FallbackProvider => {
    const apiKey = provider.apiKeyEnv ? keyOf(provider.apiKeyEnv) : undefined;
    return {
      client: createClient(provider, apiKey),
      retries: { ...config.retries, ...provider.retries },
      firstByteTimeoutMs: provider.firstByteTimeoutMs ?? config.firstByteTimeoutMs,
      modelFor: (requested, upstreamModel) =>
        lookup(provider.models, requested) ??
        (upstreamModel ? lookup(provider.models, upstreamModel) : undefined) ??
        provider.defaultModel ??
        null,
    };
  });
  return {
    config,
    triggers: new Set(config.triggers),
    providers,
    close: async () => {
      await Promise.allSettled(providers.map((provider) => provider.client.close()));
    },
  };
}

/**
 * The chain for the config in force: rebuilt when the section changes (a SIGHUP reload swaps the config object),
 * the previous chain's connection pools closed once their in-flight requests are done.
 */
export interface FallbackChains {
  current(): FallbackChain;
  close(): Promise<void>;
}

export function createFallbackChains(options: {
  config: () => FallbackConfig;
  keyOf: ProviderKeyLookup;
  createClient?: ProviderClientFactory;
  logger?: Pick<Logger, 'warn'>;
}): FallbackChains {
  let chain: FallbackChain | null = null;
  return {
    current() {
      const config = options.config();
      if (chain?.config === config) return chain;
      const previous = chain;
      chain = buildFallbackChain(config, options.keyOf, options.createClient);
      previous
        ?.close()
        .catch((error: unknown) =>
          options.logger?.warn({ err: error }, 'closing the previous fallback chain failed'),
        );
      return chain;
    },
    close: async () => {
      await chain?.close();
      chain = null;
    },
  };
}
