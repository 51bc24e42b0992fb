import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from './ollama.proxy.js';

describe('native proxy headers', () => {
  const incoming = {
    host: 'gateway.example',
    authorization: 'Bearer sk-og-secret',
    'x-api-key': 'sk-og-secret',
    cookie: 'a=b',
    'content-type': 'application/json',
    'content-length': '42',
    'content-encoding': 'gzip',
    'accept-encoding': 'gzip, br',
    'user-agent': 'ollama-js/0.6.4',
    connection: 'keep-alive, x-hop',
    'x-hop': '1',
    'x-gateway-internal': 'secret',
    'x-gateway-key-id': 'id',
    'x-request-id': 'abc',
    'x-forwarded-for': '1.2.3.4',
    accept: 'application/json',
  };

  it('strips our credentials, internal and hop-by-hop headers; keeps the content type', () => {
    expect(upstreamRequestHeaders(incoming, { decodedBody: true })).toEqual({
      'content-type': 'application/json',
      'user-agent': 'ollama-js/0.6.4',
      accept: 'application/json',
    });
  });

  it('keeps the length and encoding of a body streamed through unread', () => {
    expect(upstreamRequestHeaders(incoming, { decodedBody: false })).toMatchObject({
      'content-length': '42',
      'content-encoding': 'gzip',
    });
  });

  it('passes Ollama’s response headers but not framing ones (the length is set again)', () => {
    expect(
      clientResponseHeaders({
        'Content-Type': 'application/x-ndjson',
        'transfer-encoding': 'chunked',
        'content-length': '10',
        date: 'x',
        connection: 'close',
        'x-request-id': 'upstream',
      }),
    ).toEqual({ 'content-type': 'application/x-ndjson' });
  });
});
