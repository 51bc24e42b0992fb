import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../canonical/chat.types.js';
import type { RequestContext } from '../services/request-context.js';
import { relaySse, type StreamRenderer } from './sse-relay.js';

const renderer: StreamRenderer = {
  start: () => 'data: start\n\n',
  render: (event) => (event.type === 'text' ? `data: ${event.text}\n\n` : 'data: [DONE]\n\n'),
  error: (error) => `data: error ${error.message}\n\n`,
};

const end: ChatEvent = {
  type: 'end',
  finishReason: 'stop',
  usage: { promptTokens: 1, completionTokens: 3 },
  timings: {},
  createdAt: new Date(0).toISOString(),
} as unknown as ChatEvent;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves one relayed stream and returns the raw HTTP response's chunked-encoding frames (their payloads). */
async function relayedChunks(events: () => AsyncIterable<ChatEvent>): Promise<string[]> {
  server = createServer((_req, res) => {
    void relaySse(res, {
      open: async () => events(),
      renderer,
      context: {} as RequestContext,
      keepAliveMs: 60_000,
      signal: new AbortController().signal,
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
    );
    let data = '';
    // SSE responses say `connection: keep-alive`: the response ends with the last chunk, not the socket.
    socket.setEncoding('latin1').on('data', (chunk) => {
      data += chunk;
      if (data.endsWith('\r\n0\r\n\r\n')) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('error', reject);
  });
  let body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const chunks: string[] = [];
  for (;;) {
    const size = Number.parseInt(body.slice(0, body.indexOf('\r\n')), 16);
    if (!size) break;
    const start = body.indexOf('\r\n') + 2;
    chunks.push(body.slice(start, start + size));
    body = body.slice(start + size + 2);
  }
  return chunks;
}

describe('relaySse', () => {
  it('sends the events of one upstream read as one chunk, and the end with the last of them', async () => {
    const chunks = await relayedChunks(async function* () {
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield { type: 'text', text: 'a' } as ChatEvent;
      yield { type: 'text', text: 'b' } as ChatEvent;
      yield { type: 'text', text: 'c' } as ChatEvent;
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield { type: 'text', text: 'd' } as ChatEvent;
      yield end;
    });
    expect(chunks).toEqual([
      'data: start\n\n',
      'data: a\n\ndata: b\n\ndata: c\n\n',
      'data: d\n\ndata: [DONE]\n\n',
    ]);
  });

  it('sends paced events one by one, as they come', async () => {
    const chunks = await relayedChunks(async function* () {
      for (const text of ['a', 'b', 'c']) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield { type: 'text', text } as ChatEvent;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield end;
    });
    expect(chunks).toEqual([
      'data: start\n\n',
      'data: a\n\n',
      'data: b\n\n',
      'data: c\n\n',
      'data: [DONE]\n\n',
    ]);
  });

  it('an upstream error after some events sends them, then the error frame', async () => {
    const chunks = await relayedChunks(async function* () {
      yield { type: 'text', text: 'a' } as ChatEvent;
      yield { type: 'error', message: 'boom' } as ChatEvent;
    });
    expect(chunks.join('')).toBe('data: start\n\ndata: a\n\ndata: error boom\n\n');
  });
});
