import type { Logger } from '@ollama-gateway/runtime';
import type { GatewayConfig } from './gateway-config.js';

export type ConfigListener = (next: GatewayConfig, previous: GatewayConfig) => void;

export type ReloadResult = { ok: true; config: GatewayConfig } | { ok: false; error: string };

/**
 * The gateway config in force, shared by every section (routing, fallback, cache). `current()` is a plain read (no
 * I/O), so it is fine on the hot path; a reload swaps the whole object at once, so a request that read it keeps a
 * consistent view (in-flight requests finish with what they started with).
 */
export interface ConfigStore {
  current(): GatewayConfig;
  /** Called after each successful reload with the new and the old config. Returns an unsubscribe function. */
  onChange(listener: ConfigListener): () => void;
  /**
   * Loads the config again (SIGHUP). A config that does not load or validate is logged and ignored: the current one
   * stays. Listeners run after the swap; one that throws is logged and does not stop the others.
   */
  reload(): ReloadResult;
}

export function createConfigStore(options: {
  /** Reads and validates the config (config.loader.ts); throws with a message naming the field when it is invalid. */
  load: () => GatewayConfig;
  /** The config already loaded at start-up; absent = `load()` now. */
  initial?: GatewayConfig;
  logger?: Pick<Logger, 'info' | 'error'>;
}): ConfigStore {
  let config = options.initial ?? options.load();
  const listeners = new Set<ConfigListener>();

  return {
    current: () => config,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reload() {
      let next: GatewayConfig;
      try {
        next = options.load();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        options.logger?.error(
          { err: error },
          `config reload refused, keeping the current config: ${message}`,
        );
        return { ok: false, error: message };
      }
      const previous = config;
      config = next;
      for (const listener of listeners) {
        try {
          listener(next, previous);
        } catch (error) {
          options.logger?.error({ err: error }, 'a config listener failed on reload');
        }
      }
      options.logger?.info({ hosts: next.hosts.map((host) => host.url) }, 'config reloaded');
      return { ok: true, config: next };
    },
  };
}

/** A store over a fixed config (tests, and the tools that never reload). */
export const staticConfigStore = (config: GatewayConfig): ConfigStore =>
  createConfigStore({ load: () => config, initial: config });
