import type { Provider } from '@ollama-gateway/contracts';
import { AppError } from '@ollama-gateway/runtime';
import type { ChatEvent, ChatRequest, ChatResult } from '../../canonical/chat.types.js';

/** The kinds of cloud provider a fallback chain can call (the `type` of a provider in the config file). */
export type ProviderType = 'openai' | 'openrouter' | 'anthropic' | 'openai-compatible';

/** Where each type is reached when the config names no baseUrl (openai-compatible has no default). */
export const DEFAULT_BASE_URLS: Record<Exclude<ProviderType, 'openai-compatible'>, string> = {
  openai: 'https://api.openai.com/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  anthropic: 'https://api.anthropic.com',
};

/**
 * One cloud provider: translates the canonical request into its API and its answers back into canonical results and
 * events (usage included), so every dialect renders a provider's answer exactly as a local one.
 */
export interface ProviderClient {
  /** The provider's name in the config file (sent to clients as `x-provider`). */
  readonly name: string;
  readonly type: ProviderType;
  /** The usage row's `provider` column (prices are looked up by it). */
  readonly provider: Provider;
  readonly baseUrl: string;
  /** A whole answer. `model` is the provider's model name. */
  complete(request: ChatRequest, model: string, signal: AbortSignal): Promise<ChatResult>;
  /** Resolves once the provider answered 200, then yields canonical events as its SSE frames arrive. */
  stream(request: ChatRequest, model: string, signal: AbortSignal): Promise<AsyncIterable<ChatEvent>>;
  close(): Promise<void>;
}

/**
 * A provider call that failed. `retryable`: the same call may succeed later (connection trouble, timeouts, 408, 409,
 * 429 other than insufficient_quota, 5xx and 529), so the chain retries it with backoff before moving on.
 * Messages never contain the provider key.
 */
export class ProviderError extends AppError {
  constructor(
    readonly providerStatus: number,
    message: string,
    readonly retryable: boolean,
    code: string,
    cause?: unknown,
  ) {
    super(providerStatus >= 500 || providerStatus === 0 ? 502 : providerStatus, 'upstream', message, {
      code,
      cause,
    });
  }
}

/** Whether a provider's HTTP status is worth retrying (as the official SDKs decide). */
export function isRetryableStatus(status: number, code?: string | null): boolean {
  if (status === 429) return code !== 'insufficient_quota';
  return status === 408 || status === 409 || status >= 500;
}
