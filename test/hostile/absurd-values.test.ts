// Absurd values on every public POST endpoint, straight at the gateway and through nginx (issue 9, part 2): numbers
// no client sends (negative or 10^9 max_tokens…), thousands of messages or tools, bodies nested thousands deep,
// invalid UTF-8, bodies over the size limits. Never a 5xx; a 4xx in the caller's dialect says what is wrong.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { absurdNumber } from './support/arbitraries.js';
import { POST_ENDPOINTS, setPath } from './support/endpoints.js';
import { expectClientError, expectNoServerError, tally } from './support/expect-error.js';
import { FUZZ_SEED, fuzzRuns, type HostileStack, startHostileStack } from './support/hostile-stack.js';

// Small limits so "over the limit" bodies stay cheap: nginx refuses above 2 MB, the gateway above 1 MB.
const GATEWAY_LIMIT = 1024 * 1024;
let hostile: HostileStack;
beforeAll(async () => {
  hostile = await startHostileStack('fuzzabsurd', {
    env: { MAX_BODY_BYTES: String(GATEWAY_LIMIT) },
    nginx: { MAX_BODY_SIZE: '2m' },
  });
});
afterAll(async () => {
  await hostile?.stop();
});

const target = fc.constantFrom('gateway' as const, 'nginx' as const);
const settings = (runs: number) => ({ numRuns: fuzzRuns(runs), seed: FUZZ_SEED, endOnFailure: true });
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('absurd values', () => {
  it('absurd numbers in any numeric field are never a 5xx', async () => {
    const cases = POST_ENDPOINTS.flatMap((e) => e.numbers.map((path) => ({ e, path })));
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom(...cases), absurdNumber, async (to, { e, path }, value) => {
        const body = setPath(e.valid(), path, value);
        const answer = await hostile.send(to, 'POST', e.path, { body: JSON.stringify(body) });
        expectNoServerError(answer, e.dialect, `${e.path} ${path}=${JSON.stringify(value)}`);
      }),
      settings(200),
    );
  });

  it('a max_tokens below 1 or not an integer is a 4xx naming max_tokens (OpenAI and Anthropic)', async () => {
    const cases = POST_ENDPOINTS.filter(
      (e) => e.dialect !== 'ollama' && e.fields.some((f) => f.name === 'max_tokens'),
    );
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
      fc.constantFrom(-1e9, 1e308 * -1, 0.5),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom(...cases), bad, fc.boolean(), async (to, e, value, stream) => {
        const body = { ...e.valid(), max_tokens: value, stream };
        const answer = await hostile.send(to, 'POST', e.path, { body: JSON.stringify(body) });
        expectClientError(answer, e.dialect, `${e.path} max_tokens=${value}`, /max_tokens/);
      }),
      settings(100),
    );
  });

  it('a 10^9 max_tokens is answered (Ollama stops at the model’s end of text), never a 5xx', async () => {
    for (const e of POST_ENDPOINTS.filter(
      (x) => x.numbers.includes('max_tokens') || x.numbers.includes('options.num_predict'),
    ))
      for (const to of ['gateway', 'nginx'] as const) {
        const path = e.numbers.includes('max_tokens') ? 'max_tokens' : 'options.num_predict';
        const answer = await hostile.send(to, 'POST', e.path, {
          body: JSON.stringify(setPath(e.valid(), path, 1e9)),
        });
        expectNoServerError(answer, e.dialect, `${e.path} ${path}=1e9`);
      }
  });

  it('thousands of messages, tools or inputs are never a 5xx', async () => {
    const cases = POST_ENDPOINTS.flatMap((e) => e.lists.map((list) => ({ e, list })));
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.constantFrom(...cases),
        fc.integer({ min: 1000, max: 5000 }),
        async (to, { e, list }, count) => {
          const body = setPath(
            e.valid(),
            list.path,
            Array.from({ length: count }, () => list.item),
          );
          const answer = await hostile.send(to, 'POST', e.path, { body: JSON.stringify(body) });
          expectNoServerError(answer, e.dialect, `${e.path} ${count} × ${list.path}`);
        },
      ),
      settings(25),
    );
  });

  it('bodies nested deeper than 100 levels are a 4xx saying so; shallower ones are never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.constantFrom(...POST_ENDPOINTS),
        fc.oneof(fc.integer({ min: 90, max: 110 }), fc.integer({ min: 1000, max: 100_000 })),
        async (to, e, levels) => {
          // The body object is one level, `x` adds `levels` more.
          const valid = JSON.stringify(e.valid());
          const body = `${valid.slice(0, -1)},"x":${nested(levels)}}`;
          const answer = await hostile.send(to, 'POST', e.path, { body });
          if (levels + 1 > 100)
            expectClientError(answer, e.dialect, `${e.path} depth ${levels + 1}`, /nested too deeply/);
          else expectNoServerError(answer, e.dialect, `${e.path} depth ${levels + 1}`);
        },
      ),
      settings(60),
    );
  });

  it('invalid UTF-8 inside a body is never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.constantFrom(...POST_ENDPOINTS),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.boolean(),
        async (to, e, bytes, inString) => {
          const valid = Buffer.from(JSON.stringify(e.valid()));
          // Inside the model's string value (where a client's text goes), or anywhere at all.
          const at = inString ? valid.indexOf('"', valid.indexOf(':') + 1) + 1 : bytes[0]! % valid.length;
          const body = Buffer.concat([valid.subarray(0, at), Buffer.from(bytes), valid.subarray(at)]);
          const answer = await hostile.send(to, 'POST', e.path, { body });
          expectNoServerError(
            answer,
            e.dialect,
            `${e.path} with bytes ${Buffer.from(bytes).toString('hex')}`,
          );
        },
      ),
      settings(150),
    );
  });

  it('bodies over the size limits are a 413 in the caller dialect: the gateway’s (1 MB) and nginx’s (2 MB)', async () => {
    const filler = (bytes: number) => 'x'.repeat(bytes);
    for (const e of POST_ENDPOINTS) {
      const over = (size: number) => JSON.stringify({ ...e.valid(), padding: filler(size) });
      const direct = await hostile.send('gateway', 'POST', e.path, { body: over(GATEWAY_LIMIT + 10) });
      expectClientError(direct, e.dialect, `${e.path} 1 MB straight`, /too large/i);
      expect(direct.status).toBe(413);
      const behind = await hostile.send('nginx', 'POST', e.path, { body: over(GATEWAY_LIMIT + 10) });
      expect(behind.status, `${e.path} 1 MB through nginx`).toBe(413);
      expectClientError(behind, e.dialect, `${e.path} 1 MB through nginx`, /too large/i);
      const edge = await hostile.send('nginx', 'POST', e.path, { body: over(3 * GATEWAY_LIMIT) });
      expect(edge.status, `${e.path} 3 MB through nginx`).toBe(413);
      expectClientError(edge, e.dialect, `${e.path} 3 MB through nginx`, /2m/);
    }
  });

  it('leaves the stack intact: healthy, no error logged, one ledger and log row per answered request', async () => {
    await hostile.expectIntact();
    process.stdout.write(
      `fuzz absurd-values: ${hostile.answers.length} requests, statuses ${JSON.stringify(tally(hostile.answers))}\n`,
    );
  });
});
