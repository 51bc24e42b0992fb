import type { IncomingMessage, ServerResponse } from 'node:http';

const BODY_LIMIT = 32 * 1024 * 1024;

/** The request body as text (a request larger than 32 MiB is cut off). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        req.destroy();
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** Starts an SSE response (the headers go out at once, as the real APIs send them before the first token). */
export function startSse(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  res.flushHeaders();
}

/** Writes a frame and waits for 'drain' when the socket buffer is full; resolves early when the client left. */
export function writeFrame(res: ServerResponse, frame: string): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(frame)) return Promise.resolve();
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

/** Waits `ms` (0: not at all), or less when `gone()` turns true (checked every 20 ms). */
export async function pause(ms: number, gone: () => boolean): Promise<void> {
  if (ms <= 0) return;
  const until = Date.now() + ms;
  while (!gone() && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, until - Date.now())));
}

/** The headers a request record keeps. */
export function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['authorization', 'x-api-key', 'anthropic-version', 'anthropic-beta', 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** A random-looking, unique id suffix of `length` characters [a-zA-Z0-9]. */
export function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
