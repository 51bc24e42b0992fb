// /metrics on the built gateway, billing worker and logger after real traffic through nginx: every series that
// docs/metrics.md documents for a process is exposed by that process (so the docs, the Grafana dashboard and the
// code cannot drift apart), and the counts follow the requests sent.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const DOCS = fileURLToPath(new URL('../../docs/metrics.md', import.meta.url));
const GRAFANA = fileURLToPath(new URL('../../docs/grafana/ollama-gateway.json', import.meta.url));

/** The metric names of each `## <Process>` section's table in docs/metrics.md. */
function documentedSeries(): Record<string, string[]> {
  const sections: Record<string, string[]> = {};
  let current: string[] | null = null;
  for (const line of readFileSync(DOCS, 'utf8').split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) current = sections[heading[1]!.trim().toLowerCase()] = [];
    const row = /^\| `([a-z_]+)` \| (counter|gauge|histogram) \|/.exec(line);
    if (row && current) current.push(row[1]!);
  }
  return sections;
}

/** The metric families a process exposes (histograms by their base name). */
async function exposed(url: string): Promise<Set<string>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  const names = new Set<string>();
  for (const match of (await res.text()).matchAll(/^# TYPE (\S+) \S+$/gm)) names.add(match[1]!);
  return names;
}

/** The value of the series `name` whose labels include `labels` (label order does not matter); 0 when absent. */
async function sample(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = new Map([...match[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return 0;
}

let stack: Stack;
let customer: CreatedKey;

beforeAll(async () => {
  stack = await startStack({ label: 'metrics' });
  customer = await stack.createKey();
});

afterAll(async () => {
  await stack?.stop();
});

describe('/metrics on every process', () => {
  it('exposes every series docs/metrics.md lists, with counts that follow the traffic', async () => {
    const openai = new OpenAI({ apiKey: customer.key, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for (const stream of [false, true, false]) {
      if (stream) {
        const response = await openai.chat.completions
          .create({ model: 'llama3.2', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
          .withResponse();
        for await (const _ of response.data);
        ids.push(response.response.headers.get('x-request-id')!);
      } else {
        const response = await openai.chat.completions
          .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] })
          .withResponse();
        ids.push(response.response.headers.get('x-request-id')!);
      }
    }
    expect(ids.every(Boolean)).toBe(true);
    await stack.waitForUsageRows(3);
    for (let waited = 0; waited < 15_000; waited += 100) {
      const { n } = await stack.db
        .selectFrom('request_logs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n) >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const docs = documentedSeries();
    const targets = {
      gateway: stack.gatewayUrl,
      'billing worker': stack.billingWorkerUrl,
      logger: stack.loggerUrl,
    };
    for (const [section, url] of Object.entries(targets)) {
      const documented = docs[section] ?? [];
      expect(documented.length, `docs/metrics.md has a "## ${section}" table`).toBeGreaterThan(0);
      const names = await exposed(url);
      expect(
        documented.filter((name) => !names.has(name)),
        `${section}: documented but not exposed`,
      ).toEqual([]);
      expect(names.has('process_resident_memory_bytes'), `${section}: process metrics`).toBe(true);
    }

    const gw = (name: string, labels: Record<string, string>) => sample(stack.gatewayUrl, name, labels);
    const route = { dialect: 'openai', endpoint: '/v1/chat/completions' };
    expect(await gw('gateway_requests_total', { ...route, model: 'llama3.2', status: '200' })).toBe(3);
    expect(await gw('gateway_overhead_seconds_count', route)).toBe(3);
    expect(
      await gw('gateway_time_to_first_token_seconds_count', { dialect: 'openai', model: 'llama3.2' }),
    ).toBe(1);
    expect(await gw('gateway_upstream_up', { host: stack.simUrl })).toBe(1);
    expect(await gw('gateway_spool_events', {})).toBe(0);
    expect(await sample(stack.billingWorkerUrl, 'billing_events_total', { result: 'inserted' })).toBe(3);
    expect(await sample(stack.billingWorkerUrl, 'billing_queue_lag_seconds_count', {})).toBe(3);
    expect(await sample(stack.billingWorkerUrl, 'queue_jobs', { queue: 'usage', state: 'waiting' })).toBe(0);
    expect(await sample(stack.loggerUrl, 'request_logs_total', { result: 'inserted' })).toBe(3);
  });

  it('the Grafana dashboard queries only series that exist', () => {
    const all = new Set(Object.values(documentedSeries()).flat());
    const dashboard = JSON.parse(readFileSync(GRAFANA, 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const used = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) =>
        [...target.expr.matchAll(/\b((?:gateway|billing|queue|request_logs)_[a-z_]*)/g)].map((m) =>
          m[1]!.replace(/_(bucket|sum|count)$/, ''),
        ),
      ),
    );
    expect(dashboard.panels.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((name) => !all.has(name))).toEqual([]);
  });
});
