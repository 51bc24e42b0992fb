import type { AppError } from '@ollama-gateway/runtime';
import type { ChatEvent, FinishReason, Usage } from '../../canonical/chat.types.js';
import { toOpenAIError } from './errors.js';
import { unixSeconds } from './response.js';
import {
  functionCallItem,
  itemId,
  messageItem,
  reasoningItem,
  responseObject,
  toResponsesUsage,
} from './responses.output.js';
import type {
  ItemStatus,
  MessageItem,
  OutputItem,
  ReasoningItem,
  ResponseMeta,
  ResponseObject,
  ResponseStatus,
  ResponsesUsage,
} from './responses.types.js';

/**
 * Renders canonical events as Responses API SSE (`event: <type>` + `data: {…, sequence_number}`), the sequence the
 * official SDKs accumulate:
 * - `response.created`, `response.in_progress` (status in_progress, empty output);
 * - thinking: a `reasoning` item — `output_item.added`, `content_part.added` (reasoning_text),
 *   `reasoning_text.delta`…, `reasoning_text.done`, `content_part.done`, `output_item.done`;
 * - text: a `message` item — the same with an `output_text` part and `output_text.delta`/`.done`;
 * - each tool call: a `function_call` item — `output_item.added`, `function_call_arguments.delta` (the whole
 *   arguments: Ollama sends each call complete), `function_call_arguments.done`, `output_item.done`;
 * - `response.completed` (or `response.incomplete` when max_output_tokens was reached) with the full response
 *   and the exact usage.
 * Items never interleave; `output_index` is the position in the final `output`. An upstream error after the stream
 * began becomes an `error` event and `response.failed`, then the stream closes.
 */
export class ResponsesStreamRenderer {
  private sequence = 0;
  private readonly output: OutputItem[] = [];
  private open: MessageItem | ReasoningItem | null = null;
  private sawMessage = false;
  private sawCall = false;
  private status: ResponseStatus = 'in_progress';
  private usage: ResponsesUsage | undefined;
  private completedAt: number | null = null;
  private failure: { code: string; message: string } | null = null;

  /** `usageSoFar` gives the tokens counted so far, for `response.failed` when the upstream broke off. */
  constructor(
    private readonly meta: ResponseMeta,
    private readonly usageSoFar?: () => Usage,
  ) {}

  /** The response as a client has assembled it from the frames sent so far (for the request log). */
  get response(): ResponseObject {
    return responseObject(this.meta, {
      status: this.status,
      output: this.output,
      ...(this.usage ? { usage: this.usage } : {}),
      completedAt: this.completedAt,
      error: this.failure,
    });
  }

  start(): string {
    const response = this.response;
    return this.frame('response.created', { response }) + this.frame('response.in_progress', { response });
  }

  /** The frames for one event (may be empty). Call `start()` first. */
  render(event: ChatEvent): string {
    switch (event.type) {
      case 'thinking':
        return (
          this.enter('reasoning') +
          this.delta('response.reasoning_text.delta', { delta: event.text }, event.text)
        );
      case 'text':
        return (
          this.enter('message') +
          this.delta('response.output_text.delta', { delta: event.text, logprobs: [] }, event.text)
        );
      case 'tool_call': {
        this.sawCall = true;
        const closed = this.close('completed');
        const outputIndex = this.output.length;
        const id = itemId('fc', this.meta.requestId, outputIndex);
        const item = functionCallItem(id, 'in_progress', event.call, '');
        this.output.push(item);
        const added = this.frame('response.output_item.added', { output_index: outputIndex, item });
        item.arguments = event.call.arguments;
        const args = { item_id: id, output_index: outputIndex };
        const deltas = this.frame('response.function_call_arguments.delta', {
          ...args,
          delta: item.arguments,
        });
        const done = this.frame('response.function_call_arguments.done', {
          ...args,
          name: item.name,
          arguments: item.arguments,
        });
        item.status = 'completed';
        return (
          closed +
          added +
          deltas +
          done +
          this.frame('response.output_item.done', { output_index: outputIndex, item })
        );
      }
      case 'end':
        return this.finish(event.finishReason, event.usage, unixSeconds(event.createdAt));
      case 'error':
        return this.fail(
          { message: event.message, type: 'server_error', param: null, code: null },
          'server_error',
        );
    }
  }

  /** An error after the stream began: `error` (the SDK throws an APIError on it), then `response.failed`. */
  error(error: AppError): string {
    return this.fail(
      toOpenAIError(error).error,
      error.kind === 'rate_limit' ? 'rate_limit_exceeded' : 'server_error',
    );
  }

  private finish(reason: FinishReason, usage: Usage, completedAt: number): string {
    const cut = reason === 'length';
    let out = this.close(cut ? 'incomplete' : 'completed');
    // An answer with neither text nor calls still has its (empty) message, as the whole response has.
    if (!this.sawMessage && !this.sawCall)
      out += this.enter('message') + this.close(cut ? 'incomplete' : 'completed');
    this.status = cut ? 'incomplete' : 'completed';
    this.usage = toResponsesUsage(usage);
    this.completedAt = cut ? null : completedAt;
    return out + this.frame(cut ? 'response.incomplete' : 'response.completed', { response: this.response });
  }

  private fail(
    error: { message: string; type: string; param: string | null; code: string | null },
    code: string,
  ): string {
    if (this.open) this.open.status = 'incomplete';
    this.open = null;
    this.status = 'failed';
    this.failure = { code, message: error.message };
    const usage = this.usageSoFar?.();
    if (usage) this.usage = toResponsesUsage(usage);
    // Top-level code/message/param as the spec has them; the nested `error` is what OpenAI sends and what the SDKs
    // turn into an APIError.
    return (
      this.frame('error', { code, message: error.message, param: error.param, error }) +
      this.frame('response.failed', { response: this.response })
    );
  }

  /** Opens a message or reasoning item unless one of that kind is the open one (closing any other first). */
  private enter(kind: 'message' | 'reasoning'): string {
    if (this.open?.type === kind) return '';
    const closed = this.close('completed');
    const outputIndex = this.output.length;
    const item =
      kind === 'message'
        ? messageItem(itemId('msg', this.meta.requestId, outputIndex), 'in_progress', null)
        : reasoningItem(itemId('rs', this.meta.requestId, outputIndex), 'in_progress', null);
    if (kind === 'message') this.sawMessage = true;
    this.output.push(item);
    this.open = item;
    const added = this.frame('response.output_item.added', { output_index: outputIndex, item });
    const part =
      item.type === 'message'
        ? { type: 'output_text' as const, text: '', annotations: [] as [], logprobs: [] as [] }
        : { type: 'reasoning_text' as const, text: '' };
    const partAdded = this.frame('response.content_part.added', { ...this.at(), part });
    if (item.type === 'message') item.content.push(part as MessageItem['content'][number]);
    else item.content.push(part as ReasoningItem['content'][number]);
    return closed + added + partAdded;
  }

  private close(status: ItemStatus): string {
    const item = this.open;
    if (!item) return '';
    const part = item.content[0]!;
    const where = this.at();
    const done =
      item.type === 'message'
        ? this.frame('response.output_text.done', { ...where, text: part.text, logprobs: [] })
        : this.frame('response.reasoning_text.done', { ...where, text: part.text });
    const partDone = this.frame('response.content_part.done', { ...where, part });
    item.status = status;
    this.open = null;
    return (
      done +
      partDone +
      this.frame('response.output_item.done', { output_index: this.output.length - 1, item })
    );
  }

  private delta(type: string, fields: Record<string, unknown>, text: string): string {
    this.open!.content[0]!.text += text;
    return this.frame(type, { ...this.at(), ...fields });
  }

  /** Where the open item's (only) content part is. */
  private at() {
    return { item_id: this.open!.id, output_index: this.output.length - 1, content_index: 0 };
  }

  private frame(type: string, fields: Record<string, unknown>): string {
    const data = JSON.stringify({ type, ...fields, sequence_number: this.sequence++ });
    return `event: ${type}\ndata: ${data}\n\n`;
  }
}
