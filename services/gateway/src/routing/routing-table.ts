import type { Logger } from '@ollama-gateway/runtime';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import { modelKey } from './model-name.js';
import type { ModelOptions, RoutingConfig } from './routing.config.js';
import { UpstreamHost } from './upstream-host.js';

/** A requested model once aliases are resolved: what is sent upstream and how hosts are matched on it. */
export interface RouteTarget {
  /** The real model, as sent to Ollama (an alias's target as configured, else the name the client sent). */
  readonly model: string;
  /** Its key for matching host tag lists (model-name.ts); '' when the request names no model. */
  readonly key: string;
  /** Options forced on the request (modelOptions: its own entry over `'*'`), or undefined. */
  readonly options: ModelOptions | undefined;
}

/** Everything routing reads, built from one config and swapped whole on reload. */
export interface RoutingTable {
  readonly config: RoutingConfig;
  readonly hosts: readonly UpstreamHost[];
  /** Alias key → (target key, real name). */
  readonly aliases: ReadonlyMap<string, { alias: string; target: RouteTarget }>;
  target(requested: string): RouteTarget;
}

/** Resolved targets kept per table (the names clients send are few); cleared when it grows past this. */
const TARGET_CACHE_SIZE = 1024;

/**
 * Builds the table for a config. Hosts whose URL is already in `previous` are kept (same object, settings updated),
 * so their queue, breaker, health state and connection pool carry over; new ones get a client from `createClient`.
 * Returns the hosts that left, for the caller to retire.
 */
export function buildRoutingTable(
  config: RoutingConfig,
  previous: RoutingTable | null,
  createClient: (url: string) => OllamaClient,
  logger?: Pick<Logger, 'warn' | 'info'>,
): { table: RoutingTable; removed: UpstreamHost[] } {
  const old = new Map((previous?.hosts ?? []).map((host) => [host.url, host]));
  const hosts = config.hosts.map((settings) => {
    const url = settings.url.replace(/\/+$/, '');
    const kept = old.get(url);
    if (kept) {
      old.delete(url);
      kept.configure(settings, config);
      return kept;
    }
    return new UpstreamHost(settings, createClient(url), config, logger);
  });

  const fallbackOptions = config.modelOptions['*'];
  const options = new Map<string, ModelOptions>();
  for (const [model, forced] of Object.entries(config.modelOptions))
    if (model !== '*') options.set(modelKey(model), { ...fallbackOptions, ...forced });
  const optionsFor = (key: string) => (key === '' ? undefined : (options.get(key) ?? fallbackOptions));
  const make = (model: string): RouteTarget => {
    const key = model.trim() === '' ? '' : modelKey(model);
    return { model, key, options: optionsFor(key) };
  };

  const aliases = new Map<string, { alias: string; target: RouteTarget }>();
  for (const [alias, model] of Object.entries(config.aliases))
    aliases.set(modelKey(alias), { alias, target: make(model) });

  const cache = new Map<string, RouteTarget>();
  const table: RoutingTable = {
    config,
    hosts,
    aliases,
    target(requested) {
      let found = cache.get(requested);
      if (found) return found;
      const key = requested.trim() === '' ? '' : modelKey(requested);
      found = aliases.get(key)?.target ?? make(requested);
      if (cache.size >= TARGET_CACHE_SIZE) cache.clear();
      cache.set(requested, found);
      return found;
    },
  };
  return { table, removed: [...old.values()] };
}

/** Forces a target's options on an Ollama request body (mutates and returns it: bodies are built per request). */
export function withModelOptions<
  B extends { options?: Record<string, unknown>; keep_alive?: string | number },
>(body: B, forced: ModelOptions | undefined): B {
  if (!forced) return body;
  if (forced.numCtx !== undefined) body.options = { ...body.options, num_ctx: forced.numCtx };
  if (forced.keepAlive !== undefined) body.keep_alive = forced.keepAlive;
  return body;
}
