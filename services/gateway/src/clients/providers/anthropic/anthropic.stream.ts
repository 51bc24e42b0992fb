import type { ChatEvent, Usage } from '../../../canonical/chat.types.js';
import { toolCallId } from '../../ollama/ollama.mapping.js';
import { argumentsText, NO_TIMINGS } from '../provider.mapping.js';
import { anthropicFinish } from './anthropic.response.js';
import type { AnthropicStreamEventIn } from './anthropic.types.js';

interface OpenToolUse {
  id: string;
  name: string;
  json: string;
  /** The `input` of content_block_start, used when no input_json_delta follows. */
  input: unknown;
}

/**
 * Anthropic stream events → canonical events (reference §3.4): text and thinking deltas pass through, a tool_use
 * block is emitted whole at its content_block_stop (its input_json_delta pieces joined), `ping` and signatures are
 * dropped, and `message_stop` ends the stream with the usage of message_start (input) and message_delta (output;
 * cumulative, so the last value wins).
 */
export class AnthropicStreamMapper {
  private readonly tools = new Map<number, OpenToolUse>();
  private usage: Usage = { promptTokens: 0, completionTokens: 0 };
  private stopReason: string | null = null;
  private sawToolCall = false;
  private ended = false;

  push(event: AnthropicStreamEventIn): ChatEvent[] {
    switch (event.type) {
      case 'message_start': {
        const usage = event.message?.usage;
        this.usage = { promptTokens: usage?.input_tokens ?? 0, completionTokens: usage?.output_tokens ?? 0 };
        return [];
      }
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'tool_use') {
          this.tools.set(event.index ?? 0, {
            id: block.id ?? '',
            name: block.name ?? '',
            json: '',
            input: block.input,
          });
          return [];
        }
        if (block?.type === 'text' && block.text) return [{ type: 'text', text: block.text }];
        if (block?.type === 'thinking' && block.thinking) return [{ type: 'thinking', text: block.thinking }];
        return [];
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta' && delta.text) return [{ type: 'text', text: delta.text }];
        if (delta?.type === 'thinking_delta' && delta.thinking)
          return [{ type: 'thinking', text: delta.thinking }];
        if (delta?.type === 'input_json_delta') {
          const tool = this.tools.get(event.index ?? 0);
          if (tool) tool.json += delta.partial_json ?? '';
        }
        return [];
      }
      case 'content_block_stop': {
        const tool = this.tools.get(event.index ?? 0);
        if (!tool) return [];
        this.tools.delete(event.index ?? 0);
        this.sawToolCall = true;
        const args = tool.json.trim() ? argumentsText(tool.json) : JSON.stringify(tool.input ?? {});
        return [
          { type: 'tool_call', call: { id: tool.id || toolCallId(), name: tool.name, arguments: args } },
        ];
      }
      case 'message_delta':
        if (event.delta?.stop_reason) this.stopReason = event.delta.stop_reason;
        if (typeof event.usage?.output_tokens === 'number')
          this.usage.completionTokens = event.usage.output_tokens;
        if (typeof event.usage?.input_tokens === 'number') this.usage.promptTokens = event.usage.input_tokens;
        return [];
      case 'message_stop':
        return this.done();
      case 'error':
        return [{ type: 'error', message: event.error?.message ?? 'The provider failed mid-stream.' }];
      default:
        return [];
    }
  }

  /** Whether message_stop arrived. */
  get isEnded(): boolean {
    return this.ended;
  }

  private done(): ChatEvent[] {
    if (this.ended) return [];
    this.ended = true;
    return [
      {
        type: 'end',
        finishReason: anthropicFinish(this.stopReason, this.sawToolCall),
        usage: { ...this.usage },
        timings: NO_TIMINGS,
        createdAt: new Date().toISOString(),
      },
    ];
  }
}
