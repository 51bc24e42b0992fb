// A steady load driver for the fault tests: fires requests at a fixed rate through one base URL (nginx or a gateway),
// cycling through a mix of kinds (plain chat, OpenAI / Anthropic / Ollama streams, streams the client abandons), and
// records for each request what the client saw: the request id (x-request-id), the HTTP status, how it ended and the
// tokens it received. Every request carries a unique user agent `<tag>/<n>`, which the gateway stores on its usage
// row, so a request the client never got an id for (connection refused or reset) can still be looked up.

export type LoadKind =
  | 'chat'
  | 'stream'
  | 'anthropic-stream'
  | 'ollama-stream'
  /** Streams the client abandons after `disconnectAfter` tokens (OpenAI, Anthropic, Ollama). */
  | 'disconnect'
  | 'anthropic-disconnect'
  | 'ollama-disconnect';

export const dialectOf = (kind: LoadKind) =>
  kind.startsWith('anthropic') ? 'anthropic' : kind.startsWith('ollama') ? 'ollama' : 'openai';
export const isDisconnect = (kind: LoadKind) => kind.endsWith('disconnect');

/** How a request ended, as the client saw it. */
export type LoadResult =
  /** 2xx and a complete answer (a stream's terminal event). */
  | 'ok'
  /** An HTTP error status before any body. */
  | 'http-error'
  /** A stream that began (200) and then carried its dialect's error event, and closed. */
  | 'stream-error'
  /** A stream that closed with neither its terminal event nor an error event. */
  | 'truncated'
  /** The client abandoned the stream on purpose (kind `disconnect`). */
  | 'disconnected'
  /** No HTTP response at all, or the connection failed mid-body (refused, reset, timeout). */
  | 'network-error';

export interface Outcome {
  n: number;
  kind: LoadKind;
  /** The user agent sent, `<tag>/<n>`: unique per request. */
  userAgent: string;
  /** Wall clock (ms since the epoch, sub-ms precision) when the request was sent, got headers, ended. */
  sentAt: number;
  headersAt: number | null;
  endedAt: number;
  httpStatus: number | null;
  requestId: string | null;
  result: LoadResult;
  /** Content tokens (chunks) received. */
  tokens: number;
  /** The error event or network error, when there was one. */
  error?: string;
  /** A stream's last bytes as received (up to 600 characters), to check its error event and close. */
  tail?: string;
  /** When the client aborted a `disconnect` request. */
  abortedAt?: number;
}

export interface LoadOptions {
  baseUrl: string;
  apiKey: string;
  /** Requests started per second (steady; a request is started on schedule whatever the others do). */
  rps: number;
  /** The kinds, in the order they are cycled through (repeat a kind to weight it). Default: chat and stream. */
  mix?: LoadKind[];
  /** Prefix of the user agents: make it unique per test (`ogw-faults/<scenario>-<random>`). */
  tag: string;
  model?: string;
  /** Reply length asked of the simulator (`[[sim:tokens=N]]`). Default 8. */
  tokens?: number;
  /** `disconnect` requests abort after this many content tokens. Default 2. */
  disconnectAfter?: number;
  /** Per-request limit. Default 60 s. */
  timeoutMs?: number;
  /** Stop after this many requests (default: until stop()). */
  maxRequests?: number;
}

export interface Load {
  readonly outcomes: readonly Outcome[];
  /** Requests started so far. */
  readonly started: number;
  readonly inFlight: number;
  /** Stops starting requests and waits for the ones in flight; resolves with every outcome, in start order. */
  stop(): Promise<Outcome[]>;
}

export const now = () => performance.timeOrigin + performance.now();

/** One request of `kind` and what the client saw. */
export async function sendOne(
  options: Omit<LoadOptions, 'rps' | 'mix' | 'maxRequests'>,
  kind: LoadKind,
  n: number,
): Promise<Outcome> {
  const model = options.model ?? 'llama3.2:latest';
  const content = `fault load ${options.tag} request ${n} [[sim:tokens=${options.tokens ?? 8}]]`;
  const messages = [{ role: 'user', content }];
  const userAgent = `${options.tag}/${n}`;
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    'content-type': 'application/json',
    'user-agent': userAgent,
  };
  const dialect = dialectOf(kind);
  let path = '/v1/chat/completions';
  let body: Record<string, unknown> = { model, messages, stream: kind !== 'chat' };
  if (kind !== 'chat') body.stream_options = { include_usage: true };
  if (dialect === 'anthropic') {
    path = '/v1/messages';
    headers['anthropic-version'] = '2023-06-01';
    body = { model, messages, max_tokens: 4096, stream: true };
  }
  if (dialect === 'ollama') {
    path = '/api/chat';
    body = { model, messages, stream: true };
  }

  const controller = new AbortController();
  const timeout = setTimeout(
    () => controller.abort(new Error('client timeout')),
    options.timeoutMs ?? 60_000,
  );
  const outcome: Outcome = {
    n,
    kind,
    userAgent,
    sentAt: now(),
    headersAt: null,
    endedAt: 0,
    httpStatus: null,
    requestId: null,
    result: 'network-error',
    tokens: 0,
  };
  try {
    const response = await fetch(`${options.baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    outcome.headersAt = now();
    outcome.httpStatus = response.status;
    outcome.requestId = response.headers.get('x-request-id');
    if (!response.ok) {
      outcome.error = (await response.text()).slice(0, 300);
      outcome.result = 'http-error';
      return outcome;
    }
    if (kind === 'chat') {
      const json = (await response.json()) as { choices?: { message?: { content?: string } }[] };
      outcome.tokens = json.choices?.[0]?.message?.content ? 1 : 0;
      outcome.result = json.choices ? 'ok' : 'truncated';
      return outcome;
    }
    outcome.result = await readStream(response, kind, outcome, () => {
      if (isDisconnect(kind) && outcome.tokens >= (options.disconnectAfter ?? 2)) {
        outcome.abortedAt = now();
        controller.abort(new Error('client disconnect'));
        return true;
      }
      return false;
    });
    return outcome;
  } catch (error) {
    if (outcome.abortedAt !== undefined) outcome.result = 'disconnected';
    else {
      outcome.result = 'network-error';
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      outcome.error = [(error as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
    }
    return outcome;
  } finally {
    clearTimeout(timeout);
    outcome.endedAt = now();
  }
}

/**
 * Reads a stream line by line and classifies its end. `onToken` runs after each content token; when it returns true
 * the caller has aborted and the result is `disconnected`.
 */
async function readStream(
  response: Response,
  kind: LoadKind,
  outcome: Outcome,
  onToken: () => boolean,
): Promise<LoadResult> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let terminal: LoadResult | null = null;
  const line = (text: string): boolean => {
    if (dialectOf(kind) === 'ollama') {
      if (!text.trim()) return false;
      const json = JSON.parse(text) as { error?: string; done?: boolean; message?: { content?: string } };
      if (json.error) {
        outcome.error = json.error;
        terminal = 'stream-error';
      } else if (json.done) terminal = 'ok';
      else if (json.message?.content) {
        outcome.tokens += 1;
        return onToken();
      }
      return false;
    }
    if (text.startsWith('event:')) {
      event = text.slice(6).trim();
      return false;
    }
    if (!text.startsWith('data:')) return false;
    const data = text.slice(5).trim();
    if (data === '[DONE]') {
      terminal = terminal ?? 'ok';
      return false;
    }
    const json = JSON.parse(data) as {
      type?: string;
      error?: unknown;
      choices?: { delta?: { content?: string } }[];
      delta?: { type?: string; text?: string };
    };
    if (json.error || event === 'error' || json.type === 'error') {
      outcome.error = JSON.stringify(json.error ?? json).slice(0, 300);
      terminal = 'stream-error';
      return false;
    }
    if (json.type === 'message_stop') terminal = 'ok';
    const text2 =
      json.choices?.[0]?.delta?.content ?? (json.delta?.type === 'text_delta' ? json.delta.text : '');
    if (text2) {
      outcome.tokens += 1;
      return onToken();
    }
    return false;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    outcome.tail = ((outcome.tail ?? '') + text).slice(-600);
    buffer += text;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const text = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line(text)) {
        await reader.cancel().catch(() => {});
        return 'disconnected';
      }
      newline = buffer.indexOf('\n');
    }
  }
  if (buffer) line(buffer);
  return terminal ?? 'truncated';
}

/** Starts the steady load. */
export function startLoad(options: LoadOptions): Load {
  const mix = options.mix ?? ['chat', 'stream'];
  const outcomes: Outcome[] = [];
  const running = new Set<Promise<void>>();
  let started = 0;
  let stopped = false;
  const fire = () => {
    if (stopped) return;
    if (options.maxRequests !== undefined && started >= options.maxRequests) return;
    const n = started++;
    const kind = mix[n % mix.length]!;
    const task = sendOne(options, kind, n).then((outcome) => {
      outcomes.push(outcome);
    });
    running.add(task);
    void task.finally(() => running.delete(task));
  };
  // A fixed schedule (not one timer per gap): a late tick catches up, so the rate stays what was asked.
  const intervalMs = 1000 / options.rps;
  const began = now();
  const tick = () => {
    if (stopped) return;
    const due = Math.floor((now() - began) / intervalMs) + 1;
    while (started < due && !stopped) {
      fire();
      if (options.maxRequests !== undefined && started >= options.maxRequests) break;
    }
  };
  const timer = setInterval(tick, Math.max(5, Math.min(intervalMs, 50)));
  fire();
  return {
    outcomes,
    get started() {
      return started;
    },
    get inFlight() {
      return running.size;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running.size > 0) await Promise.allSettled([...running]);
      return [...outcomes].sort((a, b) => a.n - b.n);
    },
  };
}

/** Counts of outcomes by result, e.g. `{ ok: 120, disconnected: 12 }`. */
export function countResults(outcomes: readonly Outcome[]): Partial<Record<LoadResult, number>> {
  const counts: Partial<Record<LoadResult, number>> = {};
  for (const outcome of outcomes) counts[outcome.result] = (counts[outcome.result] ?? 0) + 1;
  return counts;
}
