import { logDetailSchema, logPageSchema } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, type DashboardClient, startDashboard } from './testing/dashboard-harness.js';

const ACME = '11111111-1111-4111-8111-111111111111';
const BETA = '22222222-2222-4222-8222-222222222222';
const K1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1';
const LONG = `${'word '.repeat(80)}end`;

let database: TestDatabase;
let dashboard: Dashboard;
let client: DashboardClient;

type LogInsert = {
  request_id: string;
  occurred_at: string;
  customer_id?: string | null;
  api_key_id?: string | null;
  model?: string;
  endpoint?: string;
  dialect?: string;
  status?: number;
  stream?: boolean;
  duration_ms?: number;
  request_body?: unknown;
  response_body?: unknown;
  error?: string | null;
};
const log = (row: LogInsert) => ({
  customer_id: null,
  api_key_id: null,
  model: 'llama3',
  endpoint: '/v1/chat/completions',
  dialect: 'openai',
  status: 200,
  stream: false,
  duration_ms: 12.5,
  error: null,
  ...row,
  request_body: row.request_body === undefined ? null : JSON.stringify(row.request_body),
  response_body: row.response_body === undefined ? null : JSON.stringify(row.response_body),
});

beforeAll(async () => {
  database = await createTestDatabase('dashlogs');
  const db = database.db;
  await db
    .insertInto('customers')
    .values([
      { id: ACME, name: 'Acme' },
      { id: BETA, name: 'Beta' },
    ])
    .execute();
  await db
    .insertInto('api_keys')
    .values({ id: K1, customer_id: ACME, prefix: 'sk-og-AAAA1111', secret_hash: 'h1' })
    .execute();
  await db
    .insertInto('request_logs')
    .values([
      log({
        request_id: 'req-openai-1',
        occurred_at: '2026-03-15T10:00:00.000001Z',
        customer_id: ACME,
        api_key_id: K1,
        stream: true,
        duration_ms: 812.25,
        request_body: {
          model: 'llama3',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'first question' },
            { role: 'assistant', content: 'first answer' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Tell me about  penguins\n in' },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
                { type: 'text', text: 'Antarctica' },
              ],
            },
          ],
        },
        response_body: {
          choices: [{ message: { role: 'assistant', content: 'They are birds that swim.' } }],
        },
      }),
      log({
        request_id: 'req-ollama-2',
        occurred_at: '2026-03-15T09:00:00Z',
        customer_id: BETA,
        endpoint: '/api/generate',
        dialect: 'ollama',
        model: 'qwen',
        request_body: { model: 'qwen', prompt: 'Why is the sky blue?' },
        response_body: { response: 'Rayleigh scattering.' },
      }),
      log({
        request_id: 'req-anthropic-3',
        occurred_at: '2026-03-15T08:00:00Z',
        endpoint: '/v1/messages',
        dialect: 'anthropic',
        request_body: { model: 'llama3', system: 'x', messages: [{ role: 'user', content: LONG }] },
      }),
      log({
        request_id: 'req-404-4',
        occurred_at: '2026-03-15T07:00:00Z',
        endpoint: '/v1/nope',
        status: 404,
        error: 'Invalid URL (POST /v1/nope)',
      }),
      log({
        request_id: 'req-tags-5',
        occurred_at: '2026-03-15T06:00:00Z',
        endpoint: '/api/tags',
        dialect: 'ollama',
      }),
      log({
        request_id: 'req-error-6',
        occurred_at: '2026-03-15T05:00:00Z',
        model: 'qwen',
        status: 500,
        error: 'upstream exploded mid stream',
        request_body: { model: 'qwen', messages: [{ role: 'user', content: 'hello' }] },
      }),
      // 25 rows at one instant: the keyset pagination must split them by id.
      ...Array.from({ length: 25 }, (_, i) =>
        log({
          request_id: `req-bulk-${String(i).padStart(2, '0')}`,
          occurred_at: '2026-03-14T12:00:00.123456Z',
          model: 'bulk',
          request_body: { input: `bulk prompt ${i}` },
        }),
      ),
    ])
    .execute();
  await db
    .insertInto('usage_events')
    .values({
      request_id: 'req-openai-1',
      occurred_at: '2026-03-15T10:00:00Z',
      customer_id: ACME,
      api_key_id: K1,
      model: 'llama3',
      provider: 'ollama',
      upstream_host: 'http://gpu1:11434',
      endpoint: '/v1/chat/completions',
      dialect: 'openai',
      status: 200,
      stream: true,
      prompt_tokens: 42,
      completion_tokens: 7,
      total_ms: 812.25,
      ttft_ms: 120.5,
      gateway_overhead_ms: 1.75,
      load_duration_ns: 2_500_000,
      prompt_eval_duration_ns: 40_000_000,
      eval_duration_ns: 650_123_456,
      total_cost: '0.000123456',
      energy_wh: '0.063194444',
      electricity_cost: '0.000009479',
      reference_cost: '0.000010500',
    })
    .execute();
  dashboard = await startDashboard({ db, now: () => new Date('2026-03-15T10:20:00Z') });
  client = await dashboard.login();
});

afterAll(async () => {
  await dashboard?.close();
  await database?.drop();
});

const page = async (query: string) => {
  const answer = await client.get(`/api/logs${query}`);
  expect(answer.status, answer.text).toBe(200);
  return logPageSchema.parse(answer.body);
};
const ids = (p: { data: Array<{ requestId: string }> }) => p.data.map((r) => r.requestId);

describe('GET /api/logs', () => {
  it('newest first, noise hidden, customer name, key prefix and prompt preview joined in', async () => {
    const first = await page('?limit=5');
    expect(ids(first)).toEqual([
      'req-openai-1',
      'req-ollama-2',
      'req-anthropic-3',
      'req-error-6',
      'req-bulk-24',
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.data[0]).toEqual({
      requestId: 'req-openai-1',
      occurredAt: '2026-03-15T10:00:00.000Z',
      customerId: ACME,
      customerName: 'Acme',
      apiKeyId: K1,
      keyPrefix: 'sk-og-AAAA1111',
      model: 'llama3',
      endpoint: '/v1/chat/completions',
      dialect: 'openai',
      status: 200,
      stream: true,
      durationMs: 812.25,
      preview: 'Tell me about penguins in Antarctica',
      error: null,
    });
    expect(first.data[1]).toMatchObject({
      customerName: 'Beta',
      keyPrefix: null,
      preview: 'Why is the sky blue?',
    });
    const long = first.data[2]!.preview;
    expect(long).toHaveLength(160);
    expect(long.endsWith('…')).toBe(true);
    expect(long.startsWith('word word')).toBe(true);
    expect(first.data[3]).toMatchObject({
      status: 500,
      error: 'upstream exploded mid stream',
      preview: 'hello',
    });
    expect(first.data[4]).toMatchObject({ preview: 'bulk prompt 24' });
  });

  it('pages through rows sharing one timestamp without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Awaited<ReturnType<typeof page>> = await page(
        `?limit=7&model=bulk${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...ids(p));
      cursor = p.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `req-bulk-${String(24 - i).padStart(2, '0')}`));
  });

  it('the default page is 20 rows; the last page has no cursor', async () => {
    const first = await page('');
    expect(first.data).toHaveLength(20);
    const second = await page(`?cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.data).toHaveLength(9);
    expect(second.nextCursor).toBeNull();
  });

  it('shows 404s and polls with includeNoise=true only', async () => {
    expect(ids(await page('?model=llama3'))).toEqual(['req-openai-1', 'req-anthropic-3']);
    expect(ids(await page('?model=llama3&includeNoise=false'))).toEqual(['req-openai-1', 'req-anthropic-3']);
    expect(ids(await page('?model=llama3&includeNoise=true'))).toEqual([
      'req-openai-1',
      'req-anthropic-3',
      'req-404-4',
      'req-tags-5',
    ]);
  });

  it('keeps a 404 for a model that does not exist (a real request, not noise)', async () => {
    const row = log({
      request_id: 'req-missing-model',
      occurred_at: '2026-03-15T07:30:00Z',
      model: 'ghost-model',
      status: 404,
      error: "model 'ghost-model' not found",
    });
    await database.db.insertInto('request_logs').values(row).execute();
    try {
      expect(ids(await page('?model=ghost-model'))).toEqual(['req-missing-model']);
    } finally {
      await database.db.deleteFrom('request_logs').where('request_id', '=', 'req-missing-model').execute();
    }
  });

  it('full-text search over prompts, responses and errors (websearch syntax)', async () => {
    expect(ids(await page('?q=penguins'))).toEqual(['req-openai-1']);
    expect(ids(await page('?q=swim'))).toEqual(['req-openai-1']);
    expect(ids(await page(`?q=${encodeURIComponent('"sky blue"')}`))).toEqual(['req-ollama-2']);
    expect(ids(await page(`?q=${encodeURIComponent('"blue sky"')}`))).toEqual([]);
    expect(ids(await page('?q=exploded'))).toEqual(['req-error-6']);
    expect(ids(await page(`?q=${encodeURIComponent('bulk -prompt')}`))).toEqual([]);
  });

  it('filters by status, model, customer, key, dialect and time', async () => {
    expect(ids(await page('?status=errors'))).toEqual(['req-error-6']);
    expect(ids(await page('?status=errors&includeNoise=1'))).toEqual(['req-404-4', 'req-error-6']);
    expect(ids(await page('?model=qwen'))).toEqual(['req-ollama-2', 'req-error-6']);
    expect(ids(await page(`?customerId=${BETA}`))).toEqual(['req-ollama-2']);
    expect(ids(await page(`?apiKeyId=${K1}`))).toEqual(['req-openai-1']);
    expect(ids(await page('?dialect=anthropic'))).toEqual(['req-anthropic-3']);
    expect(
      ids(
        await page(
          `?from=${encodeURIComponent('2026-03-15T08:00:00Z')}&to=${encodeURIComponent('2026-03-15T10:00:00Z')}`,
        ),
      ),
    ).toEqual(['req-ollama-2', 'req-anthropic-3']);
  });

  it('400 names a bad parameter', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?status=bad', 'status'],
      ['?customerId=nope', 'customerId'],
      ['?dialect=cobol', 'dialect'],
      ['?includeNoise=maybe', 'includeNoise'],
      ['?cursor=garbage', 'cursor'],
    ] as const) {
      const answer = await client.get(`/api/logs${query}`);
      expect(answer.status, query).toBe(400);
      expect((answer.body as { error: { message: string; code: string } }).error).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(new RegExp(`^${field}: `)),
      });
    }
  });
});

describe('GET /api/logs/:requestId', () => {
  it('the row, its bodies and its ledger row (durations in ms, money at 6 decimals)', async () => {
    const answer = await client.get('/api/logs/req-openai-1');
    expect(answer.status).toBe(200);
    const detail = logDetailSchema.parse(answer.body);
    expect(detail).toMatchObject({
      requestId: 'req-openai-1',
      customerName: 'Acme',
      preview: expect.any(String),
    });
    expect(detail.requestBody).toMatchObject({ model: 'llama3', messages: expect.any(Array) });
    expect(detail.responseBody).toEqual({
      choices: [{ message: { role: 'assistant', content: 'They are birds that swim.' } }],
    });
    expect(detail.usage).toEqual({
      promptTokens: 42,
      completionTokens: 7,
      totalMs: 812.25,
      ttftMs: 120.5,
      gatewayOverheadMs: 1.75,
      loadDurationMs: 2.5,
      promptEvalDurationMs: 40,
      evalDurationMs: 650.123456,
      upstreamHost: 'http://gpu1:11434',
      provider: 'ollama',
      totalCost: '0.000123',
      energyWh: '0.063194',
      electricityCost: '0.000009',
      referenceCost: '0.000011',
      currency: 'USD',
    });
  });

  it('usage is null before the billing worker wrote the ledger row; 404 for an unknown id', async () => {
    const detail = logDetailSchema.parse((await client.get('/api/logs/req-ollama-2')).body);
    expect(detail.usage).toBeNull();
    expect(detail.requestBody).toEqual({ model: 'qwen', prompt: 'Why is the sky blue?' });
    const bare = logDetailSchema.parse((await client.get('/api/logs/req-404-4')).body);
    expect(bare).toMatchObject({ requestBody: null, responseBody: null, preview: '' });
    const missing = await client.get('/api/logs/req-nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
  });
});
