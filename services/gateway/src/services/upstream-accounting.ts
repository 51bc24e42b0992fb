import { performance } from 'node:perf_hooks';
import type { ChatEvent } from '../canonical/chat.types.js';
import type { RequestContext } from './request-context.js';

/**
 * Adds a wait on the upstream (from `began` to `ended`, performance.now() values) to `context.upstreamMs` (excluded
 * from the gateway's overhead) and widens the upstream's time span (the trace's upstream span) to include it.
 */
export function addUpstreamWait(context: RequestContext, began: number, ended = performance.now()): void {
  context.upstreamMs += ended - began;
  context.upstreamStartedAt ??= began;
  context.upstreamEndedAt = ended;
}

/** Awaits an upstream call and accounts the time spent (addUpstreamWait). */
export async function timedUpstream<T>(context: RequestContext, call: () => Promise<T>): Promise<T> {
  const began = performance.now();
  try {
    return await call();
  } finally {
    addUpstreamWait(context, began);
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
