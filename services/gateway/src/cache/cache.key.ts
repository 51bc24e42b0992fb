import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest } from '../canonical/chat.types.js';
import type { AuthKey } from '../services/key-auth.service.js';
import type { CacheConfig } from './cache.config.js';

/** Bumped when the normalised form or the stored entry changes shape: old entries are then never read again. */
export const CACHE_KEY_VERSION = 'v1';

/**
 * Who may see an entry: `c:<customer id>` (every key of the customer) or `k:<key id>` (one key). A request without a
 * key has no scope and is never cached, so one customer can never be served another's answer.
 */
export function cacheScopeOf(key: AuthKey | null, scope: CacheConfig['scope']): string | null {
  if (!key) return null;
  return scope === 'key' ? `k:${key.id}` : `c:${key.customerId}`;
}

const definedEntries = <T extends object>(value: T) =>
  Object.entries(value).filter(([, field]) => field !== undefined && field !== null);

function normalisedMessage(message: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: message.role, content: message.content };
  if (message.images?.length) out.images = message.images;
  if (message.toolCalls?.length)
    out.toolCalls = message.toolCalls.map((call) => ({
      id: call.id,
      name: call.name,
      arguments: call.arguments,
    }));
  if (message.toolCallId) out.toolCallId = message.toolCallId;
  if (message.toolName) out.toolName = message.toolName;
  if (message.thinking) out.thinking = message.thinking;
  return out;
}

/**
 * What decides the answer, in a fixed field order: the model (after alias resolution when the caller knows it), the
 * messages, the generation options (sorted by name; they are a flat map of Ollama parameters), format, thinking, tools
 * and logprobs. Left out: `stream` (a streamed and a plain request share an entry), `keepAlive` (how long the model
 * stays loaded, not what it says) and anything outside the canonical request (request ids, headers, dialect — the
 * dialect is only a rendering of the same canonical answer). Client-supplied objects (tools, a JSON schema format)
 * keep their own key order: with structured outputs the property order can change the answer.
 */
export function normalisedRequest(request: ChatRequest, model: string): Record<string, unknown> {
  const options = Object.fromEntries(
    definedEntries(request.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const out: Record<string, unknown> = {
    model,
    messages: request.messages.map(normalisedMessage),
    options,
  };
  if (request.format !== undefined) out.format = request.format;
  if (request.think !== undefined) out.think = request.think;
  if (request.tools?.length) out.tools = request.tools;
  if (request.logprobs) {
    out.logprobs = true;
    if (request.topLogprobs) out.topLogprobs = request.topLogprobs;
  }
  return out;
}

/**
 * The entry id of a request in a scope: `<version>:<scope>:<sha256 of the normalised request>`. The scope stays
 * readable so an operator can find (SCAN) and drop one customer's entries.
 */
export function cacheEntryId(request: ChatRequest, scope: string, model = request.model): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(normalisedRequest(request, model)))
    .digest('hex');
  return `${CACHE_KEY_VERSION}:${scope}:${hash}`;
}
