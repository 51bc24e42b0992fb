// Fallback to cloud providers through nginx (docs/fallback.md): the built gateway reads its chain from the config file
// and the provider keys from the variables it names, serves local failures from a cloud stub (OpenAI first, Anthropic
// next), says so in x-provider, and the billing worker prices the ledger row at the provider's price (gatewayctl
// set-price --provider).
import Anthropic from '@anthropic-ai/sdk';
import { type CloudStub, conversationKey, replyPieces, startCloudStub } from '@ollama-gateway/cloud-stub';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

let stub: CloudStub;
let stack: Stack;
let customer: CreatedKey;

beforeAll(async () => {
  stub = await startCloudStub();
  stack = await startStack({
    label: 'fallback',
    gatewayConfig: {
      fallback: {
        firstByteTimeoutMs: 500,
        retries: { count: 1, baseMs: 20, maxMs: 100 },
        providers: [
          {
            name: 'stub-openai',
            type: 'openai',
            baseUrl: `${stub.url}/v1`,
            apiKeyEnv: 'E2E_OPENAI_KEY',
            models: { 'llama3.2': 'gpt-4o-mini' },
          },
          {
            name: 'stub-anthropic',
            type: 'anthropic',
            baseUrl: stub.url,
            apiKeyEnv: 'E2E_ANTHROPIC_KEY',
            defaultModel: 'claude-haiku-4-5',
          },
        ],
      },
    },
    env: { E2E_OPENAI_KEY: stub.config.openaiKey, E2E_ANTHROPIC_KEY: stub.config.anthropicKey },
  });
  customer = await stack.createKey();
  await stack.gatewayctl([
    'set-price',
    'gpt-4o-mini',
    '--provider',
    'openai',
    '--input',
    '150',
    '--output',
    '600',
  ]);
  await stack.gatewayctl([
    'set-price',
    '*',
    '--provider',
    'anthropic',
    '--input',
    '1000',
    '--output',
    '5000',
  ]);
});

afterAll(async () => {
  await stack?.stop();
  await stub?.close();
});

const reply = (content: string) =>
  replyPieces(conversationKey([{ role: 'user', text: content }]), 8).join('');

describe('fallback to cloud providers, through nginx', () => {
  it('serves local failures from the chain, says who served, and prices the ledger at the provider price', async () => {
    const openai = new OpenAI({ apiKey: customer.key, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0 });
    const failed = 'Local failure [[sim:error-500]]';
    const first = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: failed }] })
      .withResponse();
    expect(first.response.headers.get('x-provider')).toBe('stub-openai');
    expect(first.response.headers.get('x-fallback-reason')).toBe('upstream_error');
    expect(first.data.choices[0]?.message.content).toBe(reply(failed));

    // A slow host: no first token within firstByteTimeoutMs, streamed.
    const slow = 'Slow host [[sim:hang]]';
    const second = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: slow }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of second.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(reply(slow));
    expect(second.response.headers.get('x-fallback-reason')).toBe('timeout');

    // The OpenAI stub fails twice (first attempt and its retry): Anthropic serves the Anthropic SDK's request.
    stub.setFaults({ mode: 'error-500', count: 2 });
    const anthropic = new Anthropic({ apiKey: customer.key, baseURL: stack.apiUrl, maxRetries: 0 });
    const third = await anthropic.messages
      .create({ model: 'llama3.2', max_tokens: 100, messages: [{ role: 'user', content: failed }] })
      .withResponse();
    expect(third.response.headers.get('x-provider')).toBe('stub-anthropic');
    expect(stub.stats().byPath).toEqual({ '/v1/chat/completions': 4, '/v1/messages': 1 });

    const local = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'All good' }] })
      .withResponse();
    expect(local.response.headers.get('x-provider')).toBe('ollama');

    const rows = await stack.waitForUsageRows(4);
    const byId = new Map(rows.map((row) => [row.request_id, row]));
    const row = byId.get(first.response.headers.get('x-request-id')!)!;
    expect(row).toMatchObject({
      provider: 'openai',
      upstream_model: 'gpt-4o-mini',
      upstream_host: `${stub.url}/v1`,
      status: 200,
    });
    // 150 and 600 per million tokens.
    const expected = (row.prompt_tokens * 150 + row.completion_tokens * 600) / 1e6;
    expect(Number(row.total_cost)).toBeCloseTo(expected, 9);
    expect(Number(row.electricity_cost)).toBe(0);
    expect(byId.get(second.response.headers.get('x-request-id')!)).toMatchObject({
      provider: 'openai',
      stream: true,
    });
    const claude = byId.get(third.response.headers.get('x-request-id')!)!;
    expect(claude).toMatchObject({ provider: 'anthropic', upstream_model: 'claude-haiku-4-5' });
    expect(Number(claude.total_cost)).toBeCloseTo(
      (claude.prompt_tokens * 1000 + claude.completion_tokens * 5000) / 1e6,
      9,
    );
    expect(byId.get(local.response.headers.get('x-request-id')!)).toMatchObject({ provider: 'ollama' });
  });
});
