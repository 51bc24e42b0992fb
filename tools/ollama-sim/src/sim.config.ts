import { DEFAULT_MODELS } from './models.catalog.js';
import type { SimConfig } from './sim.types.js';

/** Defaults tuned for tests: instant load, no time to first token, unpaced tokens. */
export const DEFAULT_CONFIG: Readonly<SimConfig> = Object.freeze({
  port: 11434,
  host: '127.0.0.1',
  version: '0.12.3',
  models: [...DEFAULT_MODELS],
  replyTokens: 12,
  thinkingTokens: 8,
  loadMs: 0,
  ttftMs: 0,
  tokensPerSecond: 0,
  keepAliveMs: 5 * 60_000,
  faultAfterTokens: 3,
  slowTtftMs: 250,
  slowTokensPerSecond: 20,
  maxBodyBytes: 64 * 1024 * 1024,
});

export function resolveConfig(options: Partial<SimConfig> = {}): SimConfig {
  const config: SimConfig = { ...DEFAULT_CONFIG, models: [...DEFAULT_CONFIG.models] };
  for (const [key, value] of Object.entries(options) as [keyof SimConfig, unknown][]) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  return config;
}

/** Milliseconds between two tokens, or 0 when unpaced. */
export function tokenIntervalMs(tokensPerSecond: number): number {
  return tokensPerSecond > 0 && Number.isFinite(tokensPerSecond) ? 1000 / tokensPerSecond : 0;
}
