import type { ServerResponse } from 'node:http';
import { type AppError, toAppError, upstreamError } from '@ollama-gateway/runtime';
import type { ChatEvent } from '../canonical/chat.types.js';
import type { RequestContext } from '../services/request-context.js';

/** How a dialect turns canonical events into wire frames. */
export interface StreamRenderer {
  start(): string;
  render(event: ChatEvent): string;
  error(error: AppError): string;
  /** The keep-alive frame, when the dialect has its own (Anthropic's `event: ping`); otherwise `: ping` comments. */
  keepAlive?(): string;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** Writes `data`, and waits for 'drain' when the socket buffer is full (backpressure), or until the client left. */
export function write(res: ServerResponse, data: string | Uint8Array): Promise<void> | undefined {
  if (res.write(data)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Frames rendered in one turn of the event loop, written as one chunk when the turn ends (process.nextTick): the events
 * parsed from one upstream read go out in one `write` — one chunked-encoding frame and one syscall instead of one per
 * token — and nothing waits longer than the current turn, so a paced stream is sent exactly as before.
 */
class FrameBatch {
  private pending = '';
  private scheduled = false;
  /** Set while the socket buffer is full: the relay awaits it before reading further (backpressure). */
  drained: Promise<void> | undefined;

  constructor(private readonly res: ServerResponse) {}

  add(frame: string): void {
    this.pending += frame;
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.flush);
  }

  /** What is still pending (for a final `res.end(…)`), emptied. */
  take(): string {
    const frames = this.pending;
    this.pending = '';
    return frames;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const frames = this.take();
    if (!frames || this.res.writableEnded) return;
    const drained = write(this.res, frames);
    if (!drained) return;
    this.drained = drained.then(() => {
      this.drained = undefined;
    });
  };
}

/**
 * Relays a canonical event stream to an SSE client as it comes, never buffering past the current turn of the event
 * loop (see FrameBatch). Until the upstream answers, it
 * holds the HTTP status back so early errors are real HTTP errors; if that takes longer than `keepAliveMs`, it
 * commits 200 and sends `: ping` comments (tunnels cut idle connections), and a later error becomes an error event.
 * Returns the status to record: 200, 502 when the upstream failed mid-stream.
 */
export async function relaySse(
  res: ServerResponse,
  options: {
    open: () => Promise<AsyncIterable<ChatEvent>>;
    renderer: StreamRenderer;
    context: RequestContext;
    keepAliveMs: number;
    signal: AbortSignal;
    extraHeaders?: Record<string, string>;
  },
): Promise<number> {
  const { renderer, context, signal } = options;
  const batch = new FrameBatch(res);
  let lastWrite = Date.now();
  const commitHeaders = () => {
    if (!res.headersSent) res.writeHead(200, { ...SSE_HEADERS, ...options.extraHeaders });
  };
  const keepAlive = setInterval(
    () => {
      if (Date.now() - lastWrite < options.keepAliveMs || res.writableEnded) return;
      commitHeaders();
      res.write(renderer.keepAlive?.() ?? ': ping\n\n');
      lastWrite = Date.now();
    },
    Math.min(options.keepAliveMs, 1000),
  );
  keepAlive.unref();

  const fail = (error: AppError): number => {
    context.errorCode = error.code ?? 'upstream_error';
    context.errorMessage = error.message;
    if (!res.writableEnded && !signal.aborted) res.end(batch.take() + renderer.error(error));
    return error.status >= 500 ? error.status : 502;
  };

  try {
    let events: AsyncIterable<ChatEvent>;
    try {
      events = await options.open();
    } catch (error) {
      if (!res.headersSent) throw error; // the route's error handler answers with a real HTTP error
      return fail(toAppError(error));
    }
    commitHeaders();
    res.write(renderer.start());
    lastWrite = Date.now();
    for await (const event of events) {
      if (event.type === 'error') return fail(upstreamError(event.message, { code: 'upstream_error' }));
      if (event.type === 'end') {
        res.end(batch.take() + renderer.render(event));
        return 200;
      }
      const frame = renderer.render(event);
      if (frame) {
        batch.add(frame);
        lastWrite = Date.now();
        if (batch.drained) await batch.drained;
      }
      if (signal.aborted) return 499;
    }
    return fail(
      upstreamError('The model server closed the stream before it finished.', {
        code: 'upstream_incomplete',
      }),
    );
  } catch (error) {
    if (signal.aborted) return 499;
    if (!res.headersSent) throw error; // from open(), rethrown above: nothing was sent, so a real HTTP error
    return fail(toAppError(error));
  } finally {
    clearInterval(keepAlive);
  }
}

/** Passes events through unchanged while collecting the generated text into `into` (for the request log). */
export async function* collectingText(
  events: AsyncIterable<ChatEvent>,
  into: string[],
): AsyncGenerator<ChatEvent> {
  for await (const event of events) {
    if (event.type === 'text') into.push(event.text);
    yield event;
  }
}
