import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientErrorResponse, handleClientError } from './client-error.js';

/** Sends raw bytes to a server and collects everything it answers until it closes. */
async function raw(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(request);
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  await once(socket, 'close');
  return text;
}

describe('clientErrorResponse', () => {
  it('answers oversized headers with a 431 in the dialect of the request line', () => {
    const overflow = Object.assign(new Error('Header overflow'), {
      code: 'HPE_HEADER_OVERFLOW',
      rawPacket: Buffer.from('POST /v1/messages HTTP/1.1\r\nx-long: aaaa'),
    });
    const response = clientErrorResponse(overflow);
    expect(response).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(JSON.parse(response.split('\r\n\r\n')[1]!)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'The request headers are too large.' },
    });
    const ollama = clientErrorResponse({ ...overflow, rawPacket: Buffer.from('GET /api/tags HTTP/1.1\r\n') });
    expect(JSON.parse(ollama.split('\r\n\r\n')[1]!)).toEqual({ error: 'The request headers are too large.' });
  });

  it('answers a malformed request in OpenAI form when no path could be read', () => {
    const response = clientErrorResponse(
      Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }),
    );
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(response.split('\r\n\r\n')[1]!)).toMatchObject({
      error: { message: 'The HTTP request is malformed.', type: 'invalid_request_error' },
    });
  });
});

describe('handleClientError on a real server', () => {
  it('replaces Node’s empty 431 and 400 with JSON bodies and keeps serving', async () => {
    const server = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    server.on('clientError', handleClientError);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const tooLong = await raw(
        port,
        `GET /v1/models HTTP/1.1\r\nHost: x\r\nx-long: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(tooLong).toMatch(/^HTTP\/1\.1 431 /);
      expect(tooLong).toContain('"message":"The request headers are too large."');
      const garbage = await raw(port, 'NOT-HTTP \u0001\r\n\r\n');
      expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
      expect(garbage).toContain('The HTTP request is malformed.');
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    } finally {
      server.close();
    }
  });
});
