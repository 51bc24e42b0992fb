// The dashboard in headless Chromium (playwright-core, /usr/bin/chromium) against the real stack: requests go through
// nginx with the OpenAI SDK, the billing worker and logger write them, and the browser logs in, reads the overview
// with those numbers, switches period, searches the log and opens a request, creates a key (used, then revoked) and
// edits a price. (The README's screenshots come from a `make demo` stack: scripts/screenshots.mjs.)
import { existsSync } from 'node:fs';
import { LATENCY_HISTOGRAM_BUCKETS } from '@ollama-gateway/contracts';
import OpenAI from 'openai';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MODEL = 'llama3.2:latest';
/** Rollup rows written 20 days ago: inside "30 days", outside "7 days". */
const OLD_REQUESTS = 7;

let stack: Stack;
let customer: CreatedKey;
let browser: Browser;
let page: Page;
let requests = 0;
let promptTokens = 0;

const tid = (id: string) => page.getByTestId(id);
const digits = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));
const sdk = (apiKey: string) =>
  new OpenAI({ apiKey, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0, timeout: 15_000 });

/** Polls until `read` returns `want` (the page refreshes on its own when inputs change). */
async function until<T>(read: () => Promise<T>, want: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== want && Date.now() < deadline) {
    await page.waitForTimeout(100);
    last = await read();
  }
  return last;
}

async function waitForLogs(n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const row = await stack.db
      .selectFrom('request_logs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${row.n} of ${n} request logs\n${stack.describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  stack = await startStack({ label: 'dashboard', dashboard: true });
  customer = await stack.createKey({ name: 'Zebra Research Ltd' });
  const client = sdk(customer.key);

  await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'Tell me about zebra migrations across the Serengeti.' }],
  });
  await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'Write a limerick about a sleepy GPU.' }],
  });
  const stream = await client.chat.completions.create({
    model: MODEL,
    stream: true,
    messages: [{ role: 'user', content: 'Explain how a zebra stays cool in the heat.' }],
  });
  for await (const _chunk of stream) {
    // drain
  }
  await client.chat.completions
    .create({ model: 'no-such-model:1b', messages: [{ role: 'user', content: 'hello?' }] })
    .catch((error: unknown) => {
      if (!(error instanceof OpenAI.NotFoundError)) throw error;
    });

  const rows = await stack.waitForUsageRows(4);
  requests = rows.length;
  promptTokens = rows.reduce((sum, row) => sum + row.prompt_tokens, 0);
  await waitForLogs(4);

  const old = new Date(Date.now() - 20 * 86_400_000);
  old.setUTCMinutes(0, 0, 0);
  // Older traffic in the rollups, as the billing worker would have written it (all requests under 1 ms).
  const usage = { model: MODEL, provider: 'ollama', requests: OLD_REQUESTS, prompt_tokens: 70 };
  await stack.db
    .insertInto('usage_hourly')
    .values({ bucket: old, ...usage })
    .execute();
  const histogram = (count: number) =>
    Array.from({ length: LATENCY_HISTOGRAM_BUCKETS }, (_, i) => (i ? 0 : count));
  const histograms = { latency_hist: histogram(OLD_REQUESTS), ttft_hist: histogram(0) };
  await stack.db
    .insertInto('model_hourly')
    .values({ bucket: old, ...usage, ...histograms })
    .execute();
  await stack.db
    .insertInto('model_daily')
    .values({ day: old.toISOString().slice(0, 10), ...usage, ...histograms })
    .execute();
  await stack.db
    .insertInto('key_daily')
    .values({ day: old.toISOString().slice(0, 10), requests: OLD_REQUESTS, prompt_tokens: 70 })
    .execute();

  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard in a real browser', () => {
  it('refuses a wrong secret and logs in with ADMIN_TOKEN', async () => {
    await page.goto(stack.dashboardUrl);
    await tid('login-form').waitFor();
    await tid('login-secret').fill('not-the-admin-token');
    await tid('login-submit').click();
    await expect.poll(() => tid('login-error').textContent()).toMatch(/wrong/i);

    await tid('login-secret').fill(stack.env.ADMIN_TOKEN!);
    await tid('login-submit').click();
    await tid('stat-requests-value').waitFor();
  });

  it('shows the overview with the requests that went through the stack', async () => {
    expect(await until(async () => digits(await tid('stat-requests-value').textContent()), requests)).toBe(
      requests,
    );
    expect(digits(await tid('stat-tokens-in-value').textContent())).toBe(promptTokens);
    // One of the four requests failed (unknown model): 25 % errors.
    expect(await tid('stat-error-rate-value').textContent()).toMatch(/25(\.0+)?\s?%/);
    await tid('chart-requests-cost').waitFor();
  });

  it('switching the period to 30 days adds the older traffic', async () => {
    await tid('period-select').selectOption('30d');
    const want = requests + OLD_REQUESTS;
    expect(await until(async () => digits(await tid('stat-requests-value').textContent()), want)).toBe(want);
    await tid('period-select').selectOption('7d');
    expect(await until(async () => digits(await tid('stat-requests-value').textContent()), requests)).toBe(
      requests,
    );
  });

  it('lists models per upstream host', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    await tid('table-models').waitFor();
    await expect.poll(() => tid('table-models').textContent()).toContain(MODEL);
  });

  it('searches the request log and opens a request with its bodies and timings', async () => {
    await page.getByRole('link', { name: 'Request log' }).click();
    await tid('table-logs').waitFor();
    await expect.poll(() => tid('table-logs').locator('tbody tr').count()).toBe(requests);

    await tid('log-search').fill('zebra');
    await tid('log-search').press('Enter');
    await expect.poll(() => tid('table-logs').locator('tbody tr').count()).toBe(2);
    await expect.poll(() => tid('table-logs').textContent()).toContain('zebra migrations');

    await tid('table-logs').locator('tbody tr', { hasText: 'zebra migrations' }).click();
    await tid('log-detail').waitFor();
    await expect.poll(() => tid('log-request-json').textContent()).toContain('zebra migrations');
    await expect.poll(() => tid('log-timings').textContent()).toMatch(/\d/);
    await page.keyboard.press('Escape');
    await tid('log-detail').waitFor({ state: 'detached' });
  });

  it('creates a key that works at once, and revoking it locks it out', async () => {
    await page.getByRole('link', { name: 'Customers' }).click();
    await tid('table-customers').waitFor();
    await page.getByRole('link', { name: 'Zebra Research Ltd' }).click();
    await tid('key-create-open').click();
    const form = tid('key-create-form');
    await form.getByLabel('Name (optional)').fill('browser-made');
    await form.getByRole('button', { name: 'Create key' }).click();
    await tid('key-secret').waitFor();
    const secret = await tid('key-secret').inputValue();
    expect(secret).toMatch(/^sk-og-/);
    await tid('key-secret-done').click();

    const answer = await sdk(secret).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(answer.choices[0]?.message.content).toBeTruthy();

    const row = tid('table-keys').locator('tbody tr', { hasText: 'browser-made' });
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByText('Key revoked.').waitFor();
    const refused = await sdk(secret)
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'ping' }] })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('edits a model price', async () => {
    await page.getByRole('link', { name: 'Pricing' }).click();
    const form = tid('price-form');
    await form.waitFor();
    await form.getByLabel('Model (name or glob)').fill('llama3*');
    await form.getByLabel('Input per million tokens').fill('0.25');
    await form.getByLabel('Output per million tokens').fill('1.5');
    await form.getByRole('button', { name: 'Save price' }).click();
    await page.getByText('Price for llama3* saved.').waitFor();

    const price = await stack.db
      .selectFrom('pricing')
      .select(['input_per_million', 'output_per_million', 'customer_id'])
      .where('model', '=', 'llama3*')
      .executeTakeFirstOrThrow();
    expect(Number(price.input_per_million)).toBe(0.25);
    expect(Number(price.output_per_million)).toBe(1.5);
    expect(price.customer_id).toBeNull();
    await expect.poll(() => tid('table-prices').textContent()).toContain('llama3*');
  });

  it('works at phone width and logs out', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Overview' }).click();
    await tid('stat-requests-value').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Menu' }).click();
    await tid('logout').click();
    await tid('login-form').waitFor();
    const session = await page.evaluate(() =>
      fetch('/api/session').then((r) => r.json() as Promise<unknown>),
    );
    expect(session).toMatchObject({ authenticated: false });
  });
});
