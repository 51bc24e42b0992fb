import { performance } from 'node:perf_hooks';
import type { ChatEvent } from '../canonical/chat.types.js';
import type { RequestContext } from './request-context.js';

/** Awaits an upstream call and adds the time spent to `context.upstreamMs` (excluded from the gateway's overhead). */
export async function timedUpstream<T>(context: RequestContext, call: () => Promise<T>): Promise<T> {
  const began = performance.now();
  try {
    return await call();
  } finally {
    context.upstreamMs += performance.now() - began;
  }
}

/**
 * Turns upstream lines into canonical events while keeping the request's accounting current: time waiting on the
 * upstream, time to the first token, and a running completion-token count (Ollama sends one token per line) that
 * stands for an aborted stream until the final line's exact counts replace it.
 */
export async function* accountedEvents<T>(
  lines: AsyncIterable<T>,
  toEvents: (line: T) => Iterable<ChatEvent>,
  context: RequestContext,
): AsyncGenerator<ChatEvent> {
  const iterator = lines[Symbol.asyncIterator]();
  while (true) {
    const step = await timedUpstream(context, () => iterator.next());
    if (step.done) return;
    for (const event of toEvents(step.value)) {
      if (event.type === 'text' || event.type === 'thinking' || event.type === 'tool_call') {
        context.usage.completionTokens++;
        context.ttftMs ??= performance.now() - context.startedAt;
      } else if (event.type === 'end') {
        context.usage = { ...event.usage };
        context.timings = event.timings;
      }
      yield event;
    }
  }
}
