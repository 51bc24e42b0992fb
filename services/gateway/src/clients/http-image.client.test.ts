import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpImageClient,
  type HttpImageClient,
  ImageFetchError,
  isPrivateAddress,
} from './http-image.client.js';

// A 1×1 PNG.
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '64:ff9b::a9fe:a9fe',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('createHttpImageClient against a local server', () => {
  let server: Server;
  let base: string;
  const clients: HttpImageClient[] = [];
  const client = (options: Partial<Parameters<typeof createHttpImageClient>[0]> = {}) => {
    const created = createHttpImageClient({
      maxBytes: 1024,
      timeoutMs: 2000,
      allowPrivate: true,
      ...options,
    });
    clients.push(created);
    return created;
  };
  const signal = () => new AbortController().signal;

  beforeAll(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case '/cat.png':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
          res.end(PNG);
          return;
        case '/redirect':
          res.writeHead(302, { location: '/cat.png' });
          res.end();
          return;
        case '/redirect-private':
          res.writeHead(302, { location: 'http://10.0.0.1/cat.png' });
          res.end();
          return;
        case '/redirect-loop':
          res.writeHead(302, { location: '/redirect-loop' });
          res.end();
          return;
        case '/page.html':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<html></html>');
          return;
        case '/big.png':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': 4096 });
          res.end(Buffer.alloc(4096));
          return;
        case '/big-chunked.png':
          res.writeHead(200, { 'content-type': 'image/png' });
          for (let i = 0; i < 8; i++) res.write(Buffer.alloc(512));
          res.end();
          return;
        case '/slow.png':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(PNG.subarray(0, 4)); // then never finishes
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    server.closeAllConnections();
    server.close();
  });

  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageFetchError);
    return (error as Error).message;
  };

  it('downloads an image (allowPrivate, as tests need), following redirects', async () => {
    const image = await client().fetch(`${base}/cat.png`, signal());
    expect(image.contentType).toBe('image/png');
    expect(image.data.equals(PNG)).toBe(true);
    expect((await client().fetch(`${base}/redirect`, signal())).data.equals(PNG)).toBe(true);
  });

  it('refuses 127.0.0.1 without allowPrivate, by literal address and by a name that resolves to it', async () => {
    const strict = client({ allowPrivate: false });
    expect(await failure(strict.fetch(`${base}/cat.png`, signal()))).toMatch(
      /non-public address \(127\.0\.0\.1\)/,
    );
    const port = (server.address() as AddressInfo).port;
    expect(await failure(strict.fetch(`http://localhost:${port}/cat.png`, signal()))).toMatch(
      /localhost resolves to a non-public address/,
    );
    expect(await failure(strict.fetch(`http://[::1]:${port}/cat.png`, signal()))).toMatch(/non-public/);
  });

  it('checks every redirect hop, not only the first URL', async () => {
    const onlyLoopbackAllowed = client({
      allowPrivate: false,
      isBlocked: (address) => address !== '127.0.0.1' && isPrivateAddress(address),
    });
    expect((await onlyLoopbackAllowed.fetch(`${base}/redirect`, signal())).data.equals(PNG)).toBe(true);
    expect(await failure(onlyLoopbackAllowed.fetch(`${base}/redirect-private`, signal()))).toMatch(
      /non-public address \(10\.0\.0\.1\)/,
    );
  });

  it('refuses non-images, errors, oversized bodies (declared or streamed), redirect loops and slow downloads', async () => {
    expect(await failure(client().fetch(`${base}/page.html`, signal()))).toMatch(
      /not an image \(content-type text\/html\)/,
    );
    expect(await failure(client().fetch(`${base}/missing.png`, signal()))).toMatch(/HTTP 404/);
    expect(await failure(client().fetch(`${base}/big.png`, signal()))).toMatch(/larger than 1024 bytes/);
    expect(await failure(client().fetch(`${base}/big-chunked.png`, signal()))).toMatch(
      /larger than 1024 bytes/,
    );
    expect(await failure(client().fetch(`${base}/redirect-loop`, signal()))).toMatch(/too many times/);
    expect(await failure(client({ timeoutMs: 200 }).fetch(`${base}/slow.png`, signal()))).toMatch(
      /longer than 200 ms/,
    );
  });

  it('refuses other schemes, credentials and malformed URLs', async () => {
    expect(await failure(client().fetch('ftp://example.com/a.png', signal()))).toMatch(/only http and https/);
    expect(await failure(client().fetch(`http://user:pw@127.0.0.1/a.png`, signal()))).toMatch(/credentials/);
    expect(await failure(client().fetch('http://', signal()))).toMatch(/not a valid URL/);
  });
});
