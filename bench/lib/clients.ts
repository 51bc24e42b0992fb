// The requests each scenario sends, per target, and the content check every response must pass before its timing
// counts. The simulator is called with Ollama's native API (the floor); the gateway and nginx with the OpenAI API.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export type TargetName = 'sim' | 'gateway' | 'nginx';
export const TARGETS: readonly TargetName[] = ['sim', 'gateway', 'nginx'];

export interface Target {
  name: TargetName;
  url: string;
  /** Authorization header (the gateway and nginx), none for the simulator. */
  auth?: string;
}

/** One checked response. Times are milliseconds from just before the request was sent. */
export interface Sample {
  totalMs: number;
  /** Response headers received (streams). */
  ttfbMs?: number;
  /** First content delta (streams). */
  ttftMs?: number;
}

export interface Expected {
  model: string;
  messages: Array<{ role: string; content: string }>;
  /** The reply text every chat answer must carry. */
  text: string;
  /** Content chunks a stream must carry (one token = one chunk in the simulator). */
  chunks: number;
  /** Embedding dimensions. */
  dims: number;
}

export type Kind = 'chat' | 'stream' | 'embed';

export class CheckError extends Error {}

const JSON_HEADERS = { 'content-type': 'application/json' };

function headersFor(target: Target): Record<string, string> {
  return target.auth ? { ...JSON_HEADERS, authorization: target.auth } : JSON_HEADERS;
}

/** Builds the request body once per (kind, target): the hot loop only sends it. */
function bodyFor(kind: Kind, target: Target, expected: Expected): { path: string; body: string } {
  const native = target.name === 'sim';
  switch (kind) {
    case 'chat':
      return native
        ? {
            path: '/api/chat',
            body: JSON.stringify({ model: expected.model, messages: expected.messages, stream: false }),
          }
        : {
            path: '/v1/chat/completions',
            body: JSON.stringify({ model: expected.model, messages: expected.messages }),
          };
    case 'stream':
      return native
        ? {
            path: '/api/chat',
            body: JSON.stringify({ model: expected.model, messages: expected.messages, stream: true }),
          }
        : {
            path: '/v1/chat/completions',
            body: JSON.stringify({
              model: expected.model,
              messages: expected.messages,
              stream: true,
              stream_options: { include_usage: true },
            }),
          };
    case 'embed':
      return native
        ? { path: '/api/embed', body: JSON.stringify({ model: 'all-minilm', input: 'The quick brown fox.' }) }
        : {
            path: '/v1/embeddings',
            body: JSON.stringify({ model: 'all-minilm', input: 'The quick brown fox.' }),
          };
  }
}

function checkChat(target: Target, text: string, expected: Expected): void {
  const json = JSON.parse(text) as {
    message?: { content?: string };
    choices?: Array<{ message?: { content?: string } }>;
    usage?: { completion_tokens?: number };
  };
  const content = target.name === 'sim' ? json.message?.content : json.choices?.[0]?.message?.content;
  if (content !== expected.text) throw new CheckError(`unexpected content: ${text.slice(0, 200)}`);
  if (target.name !== 'sim' && json.usage?.completion_tokens !== expected.chunks) {
    throw new CheckError(`unexpected usage: ${JSON.stringify(json.usage)}`);
  }
}

function checkEmbed(target: Target, text: string, expected: Expected): void {
  const json = JSON.parse(text) as { embeddings?: number[][]; data?: Array<{ embedding?: number[] }> };
  const vector = target.name === 'sim' ? json.embeddings?.[0] : json.data?.[0]?.embedding;
  if (!Array.isArray(vector) || vector.length !== expected.dims) {
    throw new CheckError(`unexpected embedding: ${text.slice(0, 200)}`);
  }
}

/** A request function for one target: sends, reads, checks, returns the timings; throws on any mismatch. */
export function makeRequester(
  kind: Kind,
  target: Target,
  pool: Pool,
  expected: Expected,
): () => Promise<Sample> {
  const { path, body } = bodyFor(kind, target, expected);
  const headers = headersFor(target);
  const native = target.name === 'sim';

  if (kind !== 'stream') {
    const check = kind === 'chat' ? checkChat : checkEmbed;
    return async () => {
      const start = performance.now();
      const res = await pool.request({ method: 'POST', path, headers, body });
      const text = await res.body.text();
      const totalMs = performance.now() - start;
      if (res.statusCode !== 200) throw new CheckError(`status ${res.statusCode}: ${text.slice(0, 200)}`);
      check(target, text, expected);
      return { totalMs };
    };
  }

  return async () => {
    const start = performance.now();
    const res = await pool.request({ method: 'POST', path, headers, body });
    const ttfbMs = performance.now() - start;
    let ttftMs: number | undefined;
    let buffer = '';
    let content = '';
    let chunks = 0;
    let finished = false;
    let usage = false;
    const line = (raw: string) => {
      if (native) {
        if (raw === '') return;
        const json = JSON.parse(raw) as { message?: { content?: string }; done?: boolean; error?: string };
        if (json.error) throw new CheckError(`stream error: ${json.error}`);
        const delta = json.message?.content;
        if (delta) {
          if (ttftMs === undefined) ttftMs = performance.now() - start;
          content += delta;
          chunks += 1;
        }
        if (json.done) finished = true;
        return;
      }
      if (!raw.startsWith('data: ')) return; // blank separators and keep-alive comments
      const data = raw.slice(6);
      if (data === '[DONE]') {
        finished = true;
        return;
      }
      const json = JSON.parse(data) as {
        choices?: Array<{ delta?: { content?: string } }>;
        usage?: { completion_tokens?: number } | null;
        error?: unknown;
      };
      if (json.error) throw new CheckError(`stream error: ${data.slice(0, 200)}`);
      const delta = json.choices?.[0]?.delta?.content;
      if (delta) {
        if (ttftMs === undefined) ttftMs = performance.now() - start;
        content += delta;
        chunks += 1;
      }
      if (json.usage?.completion_tokens === expected.chunks) usage = true;
    };
    res.body.setEncoding('utf8');
    for await (const piece of res.body as AsyncIterable<string>) {
      buffer += piece;
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        line(buffer.slice(0, nl).replace(/\r$/, ''));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    }
    const totalMs = performance.now() - start;
    if (buffer.trim()) line(buffer.trim());
    if (res.statusCode !== 200) throw new CheckError(`status ${res.statusCode}`);
    if (!finished) throw new CheckError('stream did not finish');
    if (chunks !== expected.chunks)
      throw new CheckError(`${chunks} content chunks, expected ${expected.chunks}`);
    if (content !== expected.text) throw new CheckError(`unexpected content: ${content.slice(0, 200)}`);
    if (!native && !usage) throw new CheckError('no usage chunk');
    return { totalMs, ttfbMs, ...(ttftMs === undefined ? {} : { ttftMs }) };
  };
}

export function makePool(target: Target, connections: number): Pool {
  return new Pool(target.url, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}
