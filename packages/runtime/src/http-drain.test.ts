import { Agent, createServer, get, type IncomingMessage, type Server } from 'node:http';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackHttpDrain } from './http-drain.js';

let server: Server | undefined;
let agent: Agent | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  agent?.destroy();
  server = agent = undefined;
});

/** A server whose responses begin after `headersAfterMs` and stream `chunks` chunks, one every 50 ms. */
async function start(chunks: number, headersAfterMs = 0) {
  server = createServer({ keepAliveTimeout: 60_000 }, async (_req, res) => {
    if (headersAfterMs > 0) await new Promise((r) => setTimeout(r, headersAfterMs));
    res.writeHead(200, { 'content-type': 'text/plain' });
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      if (sent < chunks) res.write(`${sent}\n`);
      else {
        clearInterval(timer);
        res.end(`${sent}\n`);
      }
    }, 50);
    res.on('close', () => clearInterval(timer));
  });
  const drain = trackHttpDrain(server);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return { drain, port };
}

function request(port: number) {
  return new Promise<{ body: string; res: IncomingMessage }>((resolve, reject) => {
    get({ host: '127.0.0.1', port, agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ body, res }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('trackHttpDrain', () => {
  it('lets a stream in flight finish, refuses new connections and resolves once it is done', async () => {
    const { drain, port } = await start(6);
    await request(port); // leaves a kept-alive connection behind (the agent reuses it below)
    const streaming = request(port);
    await new Promise((r) => setTimeout(r, 80));
    expect(drain.inFlight).toBe(1);
    const began = Date.now();
    const drained = drain.drain(5_000);
    expect(await refused(port)).toBe(true);
    const { body } = await streaming;
    expect(body).toBe('1\n2\n3\n4\n5\n6\n');
    expect(await drained).toEqual({ cut: false });
    // Well before the grace: the kept-alive connection was closed after its response instead of waiting for reuse.
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it('tells a request whose answer has not begun to close its connection', async () => {
    const { drain, port } = await start(2, 200);
    const slow = request(port);
    // The drain begins before the response's headers: it is told to close.
    await new Promise((r) => setTimeout(r, 50));
    const drained = drain.drain(5_000);
    const { res } = await slow;
    expect(res.headers.connection).toBe('close');
    expect(await drained).toEqual({ cut: false });
  });

  it('cuts what still runs when the grace is over', async () => {
    const { drain, port } = await start(1_000);
    const streaming = request(port).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 80));
    expect(await drain.drain(200)).toEqual({ cut: true });
    expect(await streaming).toBeInstanceOf(Error);
  });
});
