import type { AppError } from '@ollama-gateway/runtime';
import type { ChatEvent, FinishReason, Usage } from '../../canonical/chat.types.js';
import { toOpenAIError } from './errors.js';
import { SYSTEM_FINGERPRINT, toOpenAILogprobs, toOpenAIToolCall, toOpenAIUsage } from './response.js';

/**
 * Renders canonical events as OpenAI `chat.completion.chunk` SSE frames (reference §2.2, §4.5). The envelope that
 * is the same on every chunk is serialised once; each chunk only serialises its delta.
 */
export class OpenAIChatStreamRenderer {
  private readonly head: string;
  private readonly usageTail: string;
  private started = false;
  private toolIndex = 0;

  constructor(
    private readonly id: string,
    model: string,
    created: number,
    private readonly includeUsage: boolean,
    /** The request asked for logprobs: content chunks carry `logprobs:{content:[…],refusal:null}`. */
    private readonly withLogprobs = false,
  ) {
    this.head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":`;
    this.usageTail = includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  }

  private choice(delta: string, finishReason: FinishReason | null, logprobs = 'null'): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    return `${this.head}[{"index":0,"delta":${delta},"logprobs":${logprobs},"finish_reason":${finish}}]${this.usageTail}`;
  }

  /** The first frame: `role:"assistant"` with empty content, as OpenAI sends it. */
  start(): string {
    this.started = true;
    return this.choice('{"role":"assistant","content":""}', null);
  }

  /** The frames for one event (may be empty). Call `start()` first. */
  render(event: ChatEvent): string {
    switch (event.type) {
      case 'text':
        return this.choice(
          `{"content":${JSON.stringify(event.text)}}`,
          null,
          this.withLogprobs ? JSON.stringify(toOpenAILogprobs(event.logprobs ?? [])) : 'null',
        );
      case 'thinking':
        return this.choice(`{"reasoning_content":${JSON.stringify(event.text)}}`, null);
      case 'tool_call': {
        const call = { index: this.toolIndex++, ...toOpenAIToolCall(event.call) };
        return this.choice(`{"tool_calls":[${JSON.stringify(call)}]}`, null);
      }
      case 'end':
        return this.finish(event.finishReason, event.usage);
      case 'error':
        return `data: ${JSON.stringify({ error: { message: event.message, type: 'server_error', param: null, code: null } })}\n\n`;
    }
  }

  /** The finish frame, the usage frame when asked for, and `[DONE]`. */
  finish(finishReason: FinishReason, usage: Usage): string {
    let out = this.choice('{}', finishReason);
    if (this.includeUsage) out += `${this.head}[],"usage":${JSON.stringify(toOpenAIUsage(usage))}}\n\n`;
    return `${out}data: [DONE]\n\n`;
  }

  /** An error after the stream began: OpenAI's error event (the SDK throws on it); the stream then closes. */
  error(error: AppError): string {
    return `data: ${JSON.stringify(toOpenAIError(error))}\n\n`;
  }

  get hasStarted(): boolean {
    return this.started;
  }

  get streamId(): string {
    return this.id;
  }
}
