// Hostile requests below the JSON layer, straight at the gateway and through nginx (issue 9, part 2): very long and
// very many headers, random header values (content type, keys, request ids, encodings), random query strings and path
// segments on the GET endpoints, and raw bytes that are not HTTP at all. Never a 5xx; JSON errors in the dialect.
import { once } from 'node:events';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET_ENDPOINTS, POST_ENDPOINTS } from './support/endpoints.js';
import {
  dialectErrorMessage,
  expectClientError,
  expectNoServerError,
  tally,
} from './support/expect-error.js';
import {
  FUZZ_SEED,
  fuzzRuns,
  type HostileStack,
  RAW_USER_AGENT,
  startHostileStack,
  type TargetName,
} from './support/hostile-stack.js';

let hostile: HostileStack;
beforeAll(async () => {
  hostile = await startHostileStack('fuzzwire');
});
afterAll(async () => {
  await hostile?.stop();
});

const target = fc.constantFrom('gateway' as const, 'nginx' as const);
const settings = (runs: number) => ({ numRuns: fuzzRuns(runs), seed: FUZZ_SEED, endOnFailure: true });
/** Header values fetch accepts: visible ASCII and spaces, no leading/trailing space. */
const headerValue = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Raw bytes to a port; resolves with what came back before the server closed (or 2 s passed). */
async function rawExchange(to: TargetName, bytes: Uint8Array): Promise<string> {
  const { port } = new URL(hostile.url(to));
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  socket.write(bytes);
  // Half-close: a server still waiting for the rest of a request sees the end and answers or closes.
  socket.end();
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, 2000))]);
  socket.destroy();
  return text;
}

describe('hostile transport', () => {
  it('very long and very many headers are answered, at worst with a JSON 4xx in the dialect', async () => {
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.constantFrom(...POST_ENDPOINTS),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 100, max: 90_000 }),
        async (to, e, count, totalBytes) => {
          const size = Math.max(1, Math.floor(totalBytes / count));
          const headers: Record<string, string> = {};
          for (let i = 0; i < count; i++) headers[`x-filler-${i}`] = 'a'.repeat(size);
          const answer = await hostile.send(to, 'POST', e.path, { body: JSON.stringify(e.valid()), headers });
          const what = `${e.path} ${count} headers of ${size} bytes`;
          if (answer.status === 431 && to === 'gateway') {
            // Node's parser failed past the request line: the body is one both OpenAI and Anthropic clients read.
            const message =
              dialectErrorMessage(e.dialect, answer.json) ?? dialectErrorMessage('openai', answer.json);
            expect(message, `${what}: ${answer.text}`).toMatch(/headers are too large/);
          } else expectNoServerError(answer, e.dialect, what);
          // What nginx accepts (each line under 8 KB, 32 KB in all) the gateway must accept too.
          if (to === 'nginx' && size < 7000 && count * size < 24_000)
            expect(answer.status, `${count} × ${size} B through nginx`).toBeLessThan(400);
        },
      ),
      settings(100),
    );
  });

  it('random values in the headers the gateway reads are never a 5xx', async () => {
    const names = [
      'content-type',
      'authorization',
      'x-api-key',
      'anthropic-version',
      'anthropic-beta',
      'x-request-id',
      'accept',
      'accept-encoding',
      'content-encoding',
      'x-gateway-internal',
      'x-gateway-key-id',
      'x-gateway-customer-id',
      'x-real-ip',
      'x-forwarded-for',
      'x-ollama-host',
      'openai-organization',
      'cache-control',
    ];
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.constantFrom(...POST_ENDPOINTS),
        fc.dictionary(fc.constantFrom(...names), headerValue(300), { minKeys: 1, maxKeys: 4 }),
        async (to, e, headers) => {
          const answer = await hostile.send(to, 'POST', e.path, { body: JSON.stringify(e.valid()), headers });
          const what = `${e.path} ${JSON.stringify(headers)}`;
          expectNoServerError(answer, e.dialect, what);
          // A credential of our own making never authenticates (it replaces the valid key in Authorization).
          if (headers.authorization !== undefined) expect(answer.status, what).not.toBe(200);
        },
      ),
      settings(150),
    );
  });

  it('random query strings and path segments on the GET endpoints are never a 5xx', async () => {
    const segment = fc.oneof(
      fc.webSegment(),
      fc.constantFrom('%ff', '%', '%00', '..%2f..%2fetc%2fpasswd', 'a'.repeat(3000), '%E2%82', '🙂'),
    );
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.constantFrom(...GET_ENDPOINTS),
        fc.option(segment, { nil: undefined }),
        fc.webQueryParameters(),
        async (to, e, extra, query) => {
          const path = `${extra === undefined ? e.path : `${e.path.replace(/\/llama3\.2$/, '')}/${extra}`}?${query}`;
          const answer = await hostile.send(to, 'GET', path);
          // A URI nginx cannot parse (`%00`), or one that `..` segments take out of /api/ (`/api/tags/..%2f..`):
          // nginx cannot tell which API was meant and answers in OpenAI form.
          if (
            to === 'nginx' &&
            ((answer.status === 400 && /nginx could not read/.test(answer.text)) ||
              (answer.status === 404 && /"code":"unknown_url"/.test(answer.text) && /\.\.|%2e/i.test(path)))
          )
            expectClientError(answer, 'openai', path);
          else expectNoServerError(answer, e.dialect, path);
        },
      ),
      settings(150),
    );
  });

  it('bytes that are not HTTP get a 4xx or a closed connection, never a 5xx, and the server keeps serving', async () => {
    const request = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 512 }),
      // Almost HTTP: a real request line with a broken rest.
      fc
        .tuple(fc.constantFrom(...POST_ENDPOINTS.map((e) => e.path)), fc.uint8Array({ maxLength: 256 }))
        .map(([path, rest]) =>
          Buffer.concat([
            Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${RAW_USER_AGENT}\r\n`),
            rest,
          ]),
        ),
      // A body shorter than its Content-Length, then the client goes away.
      fc
        .constantFrom(...POST_ENDPOINTS.map((e) => e.path))
        .map((path) =>
          Buffer.from(
            `POST ${path} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${RAW_USER_AGENT}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"model":`,
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(target, request, async (to, bytes) => {
        const text = await rawExchange(to, bytes);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
        if (status !== undefined) expect(Number(status), text.slice(0, 300)).toBeLessThan(500);
      }),
      settings(100),
    );
    const after = await hostile.send('gateway', 'GET', '/v1/models');
    expect(after.status).toBe(200);
  });

  it('leaves the stack intact: healthy, no error logged, one ledger and log row per answered request', async () => {
    await hostile.expectIntact();
    process.stdout.write(
      `fuzz transport: ${hostile.answers.length} requests, statuses ${JSON.stringify(tally(hostile.answers))}\n`,
    );
  });
});
