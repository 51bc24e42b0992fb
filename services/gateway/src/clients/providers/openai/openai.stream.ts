import type { ChatEvent, Usage } from '../../../canonical/chat.types.js';
import { toolCallId } from '../../ollama/ollama.mapping.js';
import { argumentsText, isoFromUnix, NO_TIMINGS } from '../provider.mapping.js';
import { openAIFinish, openAIUsage } from './openai.response.js';
import type { OpenAICompletionIn } from './openai.types.js';

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * OpenAI `chat.completion.chunk`s → canonical events. Text and reasoning pass through as they arrive; tool-call
 * fragments (the first with id and name, later ones with argument pieces, keyed by `index`) are joined and emitted
 * whole when the choice finishes; the end event waits for `[DONE]` so the usage chunk (sent after the finish chunk
 * when `stream_options.include_usage` is on) is in it.
 */
export class OpenAIStreamMapper {
  private readonly calls = new Map<number, PendingCall>();
  private finishReason: string | null = null;
  private sawToolCall = false;
  private usage: Usage = { promptTokens: 0, completionTokens: 0 };
  private created: number | undefined;
  private ended = false;

  /** One parsed `data:` payload. */
  push(chunk: OpenAICompletionIn): ChatEvent[] {
    if (chunk.error)
      return [{ type: 'error', message: chunk.error.message ?? 'The provider failed mid-stream.' }];
    this.created ??= chunk.created;
    if (chunk.usage) this.usage = openAIUsage(chunk.usage);
    const events: ChatEvent[] = [];
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    if (delta) {
      const thinking = delta.reasoning_content ?? delta.reasoning;
      if (thinking) events.push({ type: 'thinking', text: thinking });
      if (delta.content) events.push({ type: 'text', text: delta.content });
      for (const fragment of delta.tool_calls ?? []) {
        const index = fragment.index ?? 0;
        let call = this.calls.get(index);
        if (!call) {
          call = { id: '', name: '', arguments: '' };
          this.calls.set(index, call);
        }
        if (fragment.id) call.id = fragment.id;
        if (fragment.function?.name) call.name += fragment.function.name;
        if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
      }
    }
    if (choice?.finish_reason) {
      this.finishReason = choice.finish_reason;
      events.push(...this.flushCalls());
    }
    return events;
  }

  /** `data: [DONE]`, or the end of the body after a finish reason (servers that skip `[DONE]`). */
  done(): ChatEvent[] {
    if (this.ended) return [];
    this.ended = true;
    return [
      ...this.flushCalls(),
      {
        type: 'end',
        finishReason: openAIFinish(this.finishReason, this.sawToolCall),
        usage: this.usage,
        timings: NO_TIMINGS,
        createdAt: isoFromUnix(this.created),
      },
    ];
  }

  /** Whether the provider said the answer is complete (a finish reason arrived). */
  get finished(): boolean {
    return this.finishReason !== null;
  }

  private flushCalls(): ChatEvent[] {
    const events: ChatEvent[] = [];
    for (const index of [...this.calls.keys()].sort((a, b) => a - b)) {
      const call = this.calls.get(index)!;
      this.sawToolCall = true;
      events.push({
        type: 'tool_call',
        call: { id: call.id || toolCallId(), name: call.name, arguments: argumentsText(call.arguments) },
      });
    }
    this.calls.clear();
    return events;
  }
}
