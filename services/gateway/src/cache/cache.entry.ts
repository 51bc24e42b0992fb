import { randomBytes } from 'node:crypto';
import type { Provider } from '@ollama-gateway/contracts';
import type { ChatEvent, ChatResult, TokenLogprob, ToolCall } from '../canonical/chat.types.js';

/**
 * One cached answer: the canonical result, stored once whatever dialect or stream mode produced it, and who produced
 * it (so a billed hit is priced like the original answer). `model` is not stored: it is the requested model, the
 * same for every request sharing the entry.
 */
export interface CacheEntry {
  v: 1;
  /** When the answer was stored (epoch ms): the `age` header of a hit. */
  storedAt: number;
  provider: Provider;
  upstreamModel: string | null;
  result: Omit<ChatResult, 'model'>;
}

export function toCacheEntry(
  result: ChatResult,
  origin: { provider: Provider; upstreamModel: string | null },
  storedAt: number,
): CacheEntry {
  const { model: _model, ...rest } = result;
  return { v: 1, storedAt, provider: origin.provider, upstreamModel: origin.upstreamModel, result: rest };
}

/** The stored text, or null when it is not an entry of this version (an old format is a miss, not an error). */
export function parseCacheEntry(text: string): CacheEntry | null {
  try {
    const entry = JSON.parse(text) as Partial<CacheEntry> | null;
    if (entry?.v !== 1 || typeof entry.result !== 'object' || entry.result === null) return null;
    if (typeof entry.result.content !== 'string' || !Array.isArray(entry.result.toolCalls)) return null;
    return entry as CacheEntry;
  } catch {
    return null;
  }
}

const freshToolCallId = () => `call_${randomBytes(12).toString('base64url')}`;

/**
 * The cached answer for one request: the requested model, and fresh tool-call ids (an id must be unique within the
 * conversation that receives it, and the original answer went to another request).
 */
export function resultFromEntry(entry: CacheEntry, model: string): ChatResult {
  return {
    ...entry.result,
    model,
    toolCalls: entry.result.toolCalls.map((call) => ({ ...call, id: freshToolCallId() })),
  };
}

/**
 * A result as the canonical event stream every dialect renders: thinking, the text (with its logprobs), each tool
 * call, then the end with the original usage, finish reason and timings.
 */
export function resultToEvents(result: ChatResult): ChatEvent[] {
  const events: ChatEvent[] = [];
  if (result.thinking) events.push({ type: 'thinking', text: result.thinking });
  if (result.content || result.logprobs?.length)
    events.push(
      result.logprobs?.length
        ? { type: 'text', text: result.content, logprobs: result.logprobs }
        : { type: 'text', text: result.content },
    );
  for (const call of result.toolCalls) events.push({ type: 'tool_call', call });
  events.push({
    type: 'end',
    finishReason: result.finishReason,
    usage: { ...result.usage },
    timings: result.timings,
    createdAt: result.createdAt,
  });
  return events;
}

/**
 * Rebuilds the result of a live stream from its events as they pass (the events themselves are never held back).
 * `result()` is non-null only after an `end` with no `error` before it; `bytes` approximates the entry's size so a
 * too-large answer stops being collected early.
 */
export class StreamResultCollector {
  private content = '';
  private thinking = '';
  private readonly toolCalls: ToolCall[] = [];
  private readonly logprobs: TokenLogprob[] = [];
  private ended: Extract<ChatEvent, { type: 'end' }> | null = null;
  private failed = false;
  /** Approximate serialised size so far. */
  bytes = 0;

  constructor(
    private readonly model: string,
    private readonly withLogprobs: boolean,
    private readonly maxBytes: number,
  ) {}

  /** True once the answer can no longer be stored (an error, or too large). */
  get abandoned(): boolean {
    return this.failed || this.tooLarge;
  }

  /** The answer grew past the entry size limit (checked exactly again when it is serialised). */
  get tooLarge(): boolean {
    return this.bytes > this.maxBytes;
  }

  add(event: ChatEvent): void {
    if (this.abandoned || this.ended) return;
    switch (event.type) {
      case 'text':
        this.content += event.text;
        this.bytes += Buffer.byteLength(event.text);
        if (this.withLogprobs && event.logprobs) {
          this.logprobs.push(...event.logprobs);
          this.bytes += event.logprobs.length * 48;
        }
        break;
      case 'thinking':
        this.thinking += event.text;
        this.bytes += Buffer.byteLength(event.text);
        break;
      case 'tool_call':
        this.toolCalls.push(event.call);
        this.bytes += Buffer.byteLength(event.call.name) + Buffer.byteLength(event.call.arguments) + 48;
        break;
      case 'end':
        this.ended = event;
        break;
      case 'error':
        this.failed = true;
        break;
    }
    if (this.abandoned) {
      // Free what was collected: it will not be stored.
      this.content = '';
      this.thinking = '';
      this.toolCalls.length = 0;
      this.logprobs.length = 0;
    }
  }

  result(): ChatResult | null {
    if (!this.ended || this.abandoned) return null;
    const result: ChatResult = {
      model: this.model,
      content: this.content,
      thinking: this.thinking,
      toolCalls: this.toolCalls,
      finishReason: this.ended.finishReason,
      usage: { ...this.ended.usage },
      timings: this.ended.timings,
      createdAt: this.ended.createdAt,
    };
    if (this.withLogprobs) result.logprobs = this.logprobs;
    return result;
  }
}
