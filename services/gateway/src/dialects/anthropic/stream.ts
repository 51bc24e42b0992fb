import type { AppError } from '@ollama-gateway/runtime';
import type { ChatEvent } from '../../canonical/chat.types.js';
import { toAnthropicError } from './errors.js';
import { stopReasonOf, toAnthropicUsage, toolInput } from './response.js';
import type { AnthropicMessage } from './types.js';

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** Anthropic's keep-alive event (the SDK skips it); also sent once right after `message_start`, as Anthropic does. */
export const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';

/**
 * Renders canonical events as Anthropic Messages SSE (reference §3.4, §5.4): one `message_start`, then each content
 * block as `content_block_start`, deltas and `content_block_stop` (blocks never interleave; `index` is the position
 * in the final `content[]`), then `message_delta` (stop_reason and the exact usage) and `message_stop`. Block shapes
 * are those of the non-stream response, so the SDK's accumulated message equals what `messages.create` returns.
 */
export class AnthropicStreamRenderer {
  private nextIndex = 0;
  private openBlock: 'text' | 'thinking' | null = null;
  private sawToolCall = false;

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  /**
   * `message_start` and a ping. Ollama reports the prompt's token count only on its last line, so `input_tokens`
   * is 0 here and exact in `message_delta` (the SDK overwrites it, reference §3.4).
   */
  start(): string {
    const message: AnthropicMessage = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: toAnthropicUsage({ promptTokens: 0, completionTokens: 0 }),
    };
    return frame('message_start', { type: 'message_start', message }) + PING_FRAME;
  }

  /** The frames for one event (may be empty). Call `start()` first. */
  render(event: ChatEvent): string {
    switch (event.type) {
      case 'thinking':
        return (
          this.enter('thinking') +
          this.delta({ type: 'thinking_delta', thinking: event.text }, this.nextIndex - 1)
        );
      case 'text':
        return this.enter('text') + this.delta({ type: 'text_delta', text: event.text }, this.nextIndex - 1);
      case 'tool_call': {
        this.sawToolCall = true;
        const closed = this.close();
        const index = this.nextIndex++;
        return (
          closed +
          frame('content_block_start', {
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: event.call.id, name: event.call.name, input: {} },
          }) +
          this.delta(
            { type: 'input_json_delta', partial_json: JSON.stringify(toolInput(event.call)) },
            index,
          ) +
          frame('content_block_stop', { type: 'content_block_stop', index })
        );
      }
      case 'end':
        return (
          this.close() +
          frame('message_delta', {
            type: 'message_delta',
            delta: { stop_reason: stopReasonOf(event.finishReason, this.sawToolCall), stop_sequence: null },
            usage: toAnthropicUsage(event.usage),
          }) +
          frame('message_stop', { type: 'message_stop' })
        );
      case 'error':
        return frame('error', { type: 'error', error: { type: 'api_error', message: event.message } });
    }
  }

  /** An error after the stream began: `event: error` (the SDK throws an APIError of that type); the stream then closes. */
  error(error: AppError): string {
    return frame('error', toAnthropicError(error));
  }

  keepAlive(): string {
    return PING_FRAME;
  }

  /** Opens a text or thinking block unless one of that kind is the open one (closing any other first). */
  private enter(kind: 'text' | 'thinking'): string {
    if (this.openBlock === kind) return '';
    const closed = this.close();
    this.openBlock = kind;
    const content_block =
      kind === 'text'
        ? { type: 'text', text: '', citations: null }
        : { type: 'thinking', thinking: '', signature: '' };
    return (
      closed +
      frame('content_block_start', { type: 'content_block_start', index: this.nextIndex++, content_block })
    );
  }

  private close(): string {
    if (this.openBlock === null) return '';
    this.openBlock = null;
    return frame('content_block_stop', { type: 'content_block_stop', index: this.nextIndex - 1 });
  }

  private delta(delta: Record<string, unknown>, index: number): string {
    return frame('content_block_delta', { type: 'content_block_delta', index, delta });
  }
}
