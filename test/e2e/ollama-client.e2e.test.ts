// The official `ollama` npm client through nginx, with the gateway key as `Authorization: Bearer`: chat stream,
// generate, embed, list, show, and errors (a bad key, an unknown model before a stream) as ResponseError.
// At the end, the ledger: one usage row per request, with the counts the client saw.
import {
  conversationKey,
  embeddingVector,
  embedTokenCount,
  generatePromptTokenCount,
  promptTokenCount,
  replyText,
} from '@ollama-gateway/ollama-sim';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, expectLedger, recordingFetch, type Seen } from '../support/ledger.js';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';
const EMBED_MODEL = 'all-minilm:latest';

let stack: Stack;
let customer: CreatedKey;
let ollama: Ollama;
const exchanges: Exchange[] = [];
const seen: Seen[] = [];

const client = (key: string) =>
  new Ollama({
    host: stack.apiUrl,
    headers: { Authorization: `Bearer ${key}` },
    fetch: recordingFetch(exchanges),
  });

const last = () => exchanges[exchanges.length - 1]!;

/** The client does not expose response headers: the request id comes from the recorded exchange. */
function saw(entry: Omit<Seen, 'requestId' | 'dialect'>): void {
  seen.push({ keyId: customer.keyId, ...entry, requestId: last().requestId!, dialect: 'ollama' });
}

/** The ollama client's error class is not exported: it is recognised by name and `status_code`. */
async function responseError(
  call: () => Promise<unknown>,
): Promise<Error & { status_code: number; error: string }> {
  try {
    await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'ResponseError')
      return error as Error & { status_code: number; error: string };
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

beforeAll(async () => {
  stack = await startStack({ label: 'ollamaclient' });
  customer = await stack.createKey();
  ollama = client(customer.key);
});

afterAll(async () => {
  await stack?.stop();
});

describe('ollama client', () => {
  it('streams a chat', async () => {
    const messages = [{ role: 'user', content: 'Stream a short poem about tokens.' }];
    const stream = await ollama.chat({ model: MODEL, messages, stream: true });
    let text = '';
    let final: Awaited<ReturnType<typeof ollama.chat>> | undefined;
    let parts = 0;
    for await (const part of stream) {
      parts += 1;
      text += part.message.content;
      if (part.done) final = part;
    }
    expect(last().headers.authorization).toBe(`Bearer ${customer.key}`);
    expect(parts).toBe(stack.sim.config.replyTokens + 1);
    expect(text).toBe(replyText(conversationKey(messages), stack.sim.config.replyTokens));
    expect(final?.done_reason).toBe('stop');
    expect(final?.prompt_eval_count).toBe(promptTokenCount(messages));
    expect(final?.eval_count).toBe(stack.sim.config.replyTokens);
    saw({
      what: 'chat stream',
      status: 200,
      stream: true,
      usage: { prompt: final!.prompt_eval_count, completion: final!.eval_count },
    });
  });

  it('generates', async () => {
    const prompt = 'Once upon a time';
    const answer = await ollama.generate({ model: MODEL, prompt, system: 'Tell stories.' });
    expect(answer.response).toBe(
      replyText(
        conversationKey([
          { role: 'system', content: 'Tell stories.' },
          { role: 'user', content: prompt },
        ]),
        stack.sim.config.replyTokens,
      ),
    );
    expect(answer.done).toBe(true);
    expect(answer.prompt_eval_count).toBe(generatePromptTokenCount(prompt, 'Tell stories.'));
    saw({
      what: 'generate',
      status: 200,
      stream: false,
      usage: { prompt: answer.prompt_eval_count, completion: answer.eval_count },
    });
  });

  it('embeds', async () => {
    const input = ['The quick brown fox.', 'A second sentence to embed.'];
    const answer = await ollama.embed({ model: EMBED_MODEL, input });
    expect(answer.embeddings).toHaveLength(2);
    expect(answer.embeddings[0]).toEqual(embeddingVector(EMBED_MODEL, input[0]!, 384));
    expect(answer.prompt_eval_count).toBe(embedTokenCount(input[0]!) + embedTokenCount(input[1]!));
    saw({
      what: 'embed',
      status: 200,
      stream: false,
      usage: { prompt: answer.prompt_eval_count, completion: 0 },
    });
  });

  it('lists and shows models', async () => {
    const list = await ollama.list();
    expect(list.models.map((m) => m.name).sort()).toEqual([
      'all-minilm:latest',
      'llama3.2:latest',
      'llava:latest',
      'qwen3:0.6b',
    ]);
    saw({ what: 'list', status: 200 });
    const show = await ollama.show({ model: MODEL });
    expect(show.capabilities).toEqual(expect.arrayContaining(['completion', 'tools']));
    saw({ what: 'show', status: 200 });
  });

  it('rejects a bad key with ResponseError 401 in Ollama shape', async () => {
    const error = await responseError(() => client('sk-og-this-key-does-not-exist-000000000000').list());
    expect(error.status_code).toBe(401);
    expect(error.error).toMatch(/\S/);
    expect(error.error).not.toMatch(/^Error 401/); // the body was JSON {"error": "…"}, not a bare status
    saw({ what: 'bad key', status: 401, keyId: undefined });

    const chatError = await responseError(() =>
      client('sk-og-this-key-does-not-exist-000000000000').chat({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    );
    expect(chatError.status_code).toBe(401);
    saw({ what: 'bad key stream', status: 401, keyId: undefined });
  });

  it('answers an unknown model before a stream with a real 404 ResponseError', async () => {
    const error = await responseError(() =>
      ollama.chat({ model: 'no-such-model:7b', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    );
    expect(error.status_code).toBe(404);
    expect(error.error).toBe('model "no-such-model:7b" not found, try pulling it first');
    saw({ what: 'stream unknown model', status: 404 });
  });
});

describe('upstream failures', () => {
  it('answers an upstream failure before a stream with a real 500 ResponseError', async () => {
    const error = await responseError(() =>
      ollama.chat({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi [[sim:error-500]]' }],
        stream: true,
      }),
    );
    expect(error.status_code).toBe(500);
    expect(error.error).toBe('llama runner process has terminated: simulated error-500');
    saw({ what: 'stream upstream 500', status: 500 });
  });

  it('relays a mid-stream error line, which the client throws', async () => {
    const stream = await ollama.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi [[sim:error-midstream]]' }],
      stream: true,
    });
    let text = '';
    let failure: unknown;
    try {
      for await (const part of stream) text += part.message.content;
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).toMatch(/simulated error-midstream/);
    expect(text.split(' ')).toHaveLength(stack.sim.config.faultAfterTokens);
    saw({
      what: 'midstream error',
      status: 502,
      httpStatus: 200,
      stream: true,
      usage: { completion: stack.sim.config.faultAfterTokens },
    });
  });
});

describe('ledger', () => {
  it('records exactly one usage row per request, with the counts the client saw', async () => {
    await expectLedger(stack, exchanges, seen);
    expect(seen.length).toBe(exchanges.length);
  });
});
