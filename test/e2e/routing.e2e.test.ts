// Routing through nginx with two Ollama hosts (two simulators with different model lists): each model goes only to a
// host that has it, the loaded one is preferred, an alias resolves before routing, and the ledger's upstream_host
// says which host served each request. Then a reload (SIGHUP) of the config file moves the traffic.
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_MODELS } from '@ollama-gateway/ollama-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const models = (...names: string[]) => DEFAULT_MODELS.filter((model) => names.includes(model.name));

let stack: Stack;
let customer: CreatedKey;

beforeAll(async () => {
  stack = await startStack({
    label: 'routing',
    sims: [
      { models: models('llama3.2:latest', 'qwen3:0.6b') },
      { models: models('llama3.2:latest', 'all-minilm:latest') },
    ],
    gatewayConfig: { health: { intervalMs: 300 }, aliases: { fast: 'qwen3:0.6b' } },
  });
  customer = await stack.createKey();
});

afterAll(async () => {
  await stack?.stop();
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(200);
  return { id: response.headers.get('x-request-id')!, queueWait: response.headers.get('x-queue-wait-ms') };
}

const chat = (model: string, content: string) =>
  post('/v1/chat/completions', { model, messages: [{ role: 'user', content }] });

/** Waits for a health round that began after now (the gateway checks every 300 ms). */
const nextHealthRound = () => new Promise((resolve) => setTimeout(resolve, 900));

describe('routing across two Ollama hosts, through nginx', () => {
  it('sends each model to a host that has it, prefers the loaded one, and records the host in the ledger', async () => {
    const [a, b] = stack.sims.map((sim) => sim.url);
    await nextHealthRound(); // tag lists known
    // llama3.2 is on both: load it on the second host only, so the gateway prefers that one.
    await fetch(`${b}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', prompt: '' }),
    });
    await nextHealthRound();

    const expected = new Map<string, string>();
    for (let i = 0; i < 3; i += 1) expected.set((await chat('qwen3:0.6b', `qwen ${i}`)).id, a!);
    const embed = await post('/v1/embeddings', { model: 'all-minilm', input: 'hello' });
    expected.set(embed.id, b!);
    for (let i = 0; i < 3; i += 1) {
      const sent = await chat('llama3.2', `llama ${i}`);
      expect(sent.queueWait).toBe('0'); // x-queue-wait-ms reaches the client through nginx
      expected.set(sent.id, b!);
    }
    const alias = await chat('fast', 'an alias');
    expected.set(alias.id, a!);

    const rows = await stack.waitForUsageRows(expected.size);
    const byId = new Map(rows.map((row) => [row.request_id, row]));
    for (const [id, host] of expected) expect(byId.get(id)?.upstream_host, id).toBe(host);
    expect(byId.get(alias.id)).toMatchObject({ model: 'fast', upstream_model: 'qwen3:0.6b', status: 200 });
    expect(stack.sims[0]!.stats().byPath['/api/chat'] ?? 0).toBe(4); // qwen ×3 and the alias; no llama
    expect(stack.sims[0]!.stats().byPath['/api/embed'] ?? 0).toBe(0);
  });

  it('SIGHUP reloads the config file: traffic moves to the host it now lists', async () => {
    const [, b] = stack.sims.map((sim) => sim.url);
    const config = parse(readFileSync(stack.gatewayConfigFile, 'utf8')) as { hosts: Array<{ url: string }> };
    writeFileSync(
      stack.gatewayConfigFile,
      stringify({ ...config, hosts: config.hosts.filter((host) => host.url === b) }),
    );
    const gateway = stack.processes.find((proc) => proc.name === 'gateway')!;
    gateway.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = stack.sims[0]!.stats().byPath['/api/chat'] ?? 0;
    const sent = await chat('llama3.2', 'after the reload');
    // qwen3 was only on the host that left: now no host has it.
    const gone = await fetch(`${stack.apiUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen3:0.6b', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(gone.status).toBe(404);
    const rows = await stack.waitForUsageRows(10);
    expect(rows.find((row) => row.request_id === sent.id)?.upstream_host).toBe(b);
    expect(stack.sims[0]!.stats().byPath['/api/chat'] ?? 0).toBe(before);
  });
});
