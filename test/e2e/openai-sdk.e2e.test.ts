// The official OpenAI Node SDK against the real stack (nginx → gateway → simulator; usage → billing-worker, logs →
// logger), then the ledger: exactly one usage_events row per request, with the counts the client saw.
import { conversationKey, promptTokenCount, replyText } from '@ollama-gateway/ollama-sim';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';

/** What the client saw for one request; checked against the ledger at the end. */
interface Seen {
  what: string;
  requestId: string;
  status: number;
  stream: boolean;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

let stack: Stack;
let customer: CreatedKey;
let client: OpenAI;
const seen: Seen[] = [];

const sdk = (apiKey: string, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({ apiKey, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0, timeout: 15_000, ...extra });

/** Runs a call expected to fail and returns the SDK's APIError. */
async function apiError(call: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await call();
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

beforeAll(async () => {
  stack = await startStack({ label: 'openaisdk' });
  customer = await stack.createKey();
  client = sdk(customer.key);
});

afterAll(async () => {
  await stack?.stop();
});

describe('OpenAI SDK through nginx', () => {
  it('gatewayctl created a customer and an sk-og- key', () => {
    expect(customer.customerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(customer.keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(customer.key).toMatch(/^sk-og-/);
  });

  it('answers a chat completion with the simulator reply and usage', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hello to the gateway.' }];
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages })
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(data.choices[0]?.message.content).toBe(
      replyText(conversationKey(messages), stack.sim.config.replyTokens),
    );
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({
      prompt_tokens: promptTokenCount(messages),
      completion_tokens: stack.sim.config.replyTokens,
      total_tokens: promptTokenCount(messages) + stack.sim.config.replyTokens,
    });
    seen.push({ what: 'chat', requestId: requestId!, status: 200, stream: false, usage: data.usage! });
  });

  it('streams a chat completion with a final usage chunk', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream a short poem about tokens.' }];
    const { data: stream, response } = await client.chat.completions
      .create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    let text = '';
    let finishReason: string | null | undefined;
    let usageChunk: OpenAI.Chat.Completions.ChatCompletionChunk | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.usage) usageChunk = chunk;
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toBe(replyText(conversationKey(messages), stack.sim.config.replyTokens));
    expect(finishReason).toBe('stop');
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toMatchObject({
      prompt_tokens: promptTokenCount(messages),
      completion_tokens: stack.sim.config.replyTokens,
    });
    seen.push({
      what: 'stream',
      requestId: requestId!,
      status: 200,
      stream: true,
      usage: usageChunk!.usage!,
    });
  });

  it('rejects a wrong key with AuthenticationError invalid_api_key', async () => {
    const error = await apiError(() =>
      sdk('sk-og-this-key-does-not-exist-000000000000').chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_api_key');
    expect(error.type).toBe('invalid_request_error');
    expect(error.requestID).toBeTruthy();
    seen.push({ what: 'wrong key', requestId: error.requestID!, status: 401, stream: false });
  });

  it('rejects a request without a key with AuthenticationError', async () => {
    const noKey = sdk('unused', { defaultHeaders: { Authorization: null } });
    const error = await apiError(() =>
      noKey.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/API key/);
    expect(error.requestID).toBeTruthy();
    seen.push({ what: 'no key', requestId: error.requestID!, status: 401, stream: false });
  });

  it('answers an unknown model with NotFoundError model_not_found', async () => {
    const error = await apiError(() =>
      client.chat.completions.create({
        model: 'no-such-model:7b',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.status).toBe(404);
    expect(error.code).toBe('model_not_found');
    expect(error.requestID).toBeTruthy();
    seen.push({ what: 'unknown model', requestId: error.requestID!, status: 404, stream: false });
  });

  it('cannot be impersonated with client-sent internal headers', async () => {
    const forged = {
      'X-Gateway-Internal': 'guessed-internal-secret',
      'X-Gateway-Key-Id': customer.keyId,
      'X-Gateway-Customer-Id': customer.customerId,
    };
    const error = await apiError(() =>
      sdk('sk-og-bogus-key-0000000000000000', { defaultHeaders: forged }).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
    seen.push({ what: 'forged via nginx', requestId: error.requestID!, status: 401, stream: false });

    // Straight to the gateway, bypassing nginx: a wrong internal secret means the identity headers are ignored.
    const direct = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...forged, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(direct.status).toBe(401);
    const body = (await direct.json()) as { error?: { type?: string } };
    expect(body.error?.type).toBe('invalid_request_error');
    const directId = direct.headers.get('x-request-id');
    expect(directId).toBeTruthy();
    seen.push({ what: 'forged direct', requestId: directId!, status: 401, stream: false });
  });
});

describe('ledger', () => {
  it('records exactly one usage row per request, with the counts the client saw', async () => {
    expect(seen.length, 'every request above must have run').toBe(7);
    const rows = await stack.waitForUsageRows(seen.length);
    for (const request of seen) {
      const matching = rows.filter((row) => row.request_id === request.requestId);
      expect(matching, `${request.what}: one usage row for request ${request.requestId}`).toHaveLength(1);
      const row = matching[0]!;
      expect(row.status, request.what).toBe(request.status);
      expect(row.stream, request.what).toBe(request.stream);
      if (request.usage) {
        expect(row.prompt_tokens, request.what).toBe(request.usage.prompt_tokens);
        expect(row.completion_tokens, request.what).toBe(request.usage.completion_tokens);
        expect(row.api_key_id, request.what).toBe(customer.keyId);
        expect(row.customer_id, request.what).toBe(customer.customerId);
        expect(row.dialect, request.what).toBe('openai');
      }
    }
    // Nothing else was recorded (no duplicates under other ids, no rows for the readiness probes).
    await new Promise((r) => setTimeout(r, 500));
    const all = await stack.db.selectFrom('usage_events').select('request_id').execute();
    expect(all.map((r) => r.request_id).sort()).toEqual(seen.map((s) => s.requestId).sort());
  });

  it('logs the successful requests in request_logs', async () => {
    const ok = seen.filter((s) => s.status === 200).map((s) => s.requestId);
    const deadline = Date.now() + 15_000;
    let logs: { request_id: string; status: number; stream: boolean }[] = [];
    while (Date.now() < deadline) {
      logs = await stack.db
        .selectFrom('request_logs')
        .select(['request_id', 'status', 'stream'])
        .where('request_id', 'in', ok)
        .execute();
      if (logs.length >= ok.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs.map((l) => l.request_id).sort(), stack.describe()).toEqual([...ok].sort());
    expect(logs.every((l) => l.status === 200)).toBe(true);
  });
});
