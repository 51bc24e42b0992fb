import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIDSTREAM_ERROR, SERVER_ERROR } from './inference.runner.js';
import { parseNdjson } from './ndjson.util.js';
import { type OllamaSim, startOllamaSim } from './sim.server.js';
import type { SimStats } from './sim.types.js';

let sim: OllamaSim;
beforeAll(async () => {
  sim = await startOllamaSim({ port: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const chat = (
  content: string,
  extra: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<Response> =>
  fetch(`${sim.url}/api/chat`, {
    method: 'POST',
    body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content }], ...extra }),
    signal,
  });

const control = async (path: string, body?: unknown): Promise<unknown> => {
  const res = await fetch(
    `${sim.url}${path}`,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
  );
  return res.json();
};

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 2000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('fault markers', () => {
  it('[[sim:error-500]] answers 500 before any byte', async () => {
    const res = await chat('boom [[sim:error-500]]');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: SERVER_ERROR });
  });

  it('[[sim:error-midstream]] writes an error line after a few tokens, with no done chunk', async () => {
    const res = await chat('x [[sim:error-midstream]]');
    expect(res.status).toBe(200);
    const lines = parseNdjson<Record<string, unknown>>(await res.text());
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).every((l) => l.done === false)).toBe(true);
    expect(lines[3]).toEqual({ error: MIDSTREAM_ERROR });
    const nonStream = await chat('x [[sim:error-midstream]]', { stream: false });
    expect(nonStream.status).toBe(500);
  });

  it('[[sim:drop]] destroys the socket mid-stream', async () => {
    const res = await chat('x [[sim:drop]]');
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    let failed = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(text).not.toContain('"done":true');
    const stats = sim.stats();
    expect(stats.cancellations).toHaveLength(0);
  });

  it('[[sim:hang]] never answers; the client abort is recorded as a cancellation', async () => {
    const abort = new AbortController();
    const pending = chat('x [[sim:hang]]', {}, abort.signal);
    await waitFor(async () => (sim.stats().active > 0 ? true : undefined));
    expect(sim.stats().inFlight).toMatchObject([{ path: '/api/chat', model: 'llama3.2', tokensSent: 0 }]);
    const abortedAt = Date.now();
    abort.abort();
    await expect(pending).rejects.toThrow();
    const c = await waitFor(async () => sim.stats().cancellations[0]);
    expect(c).toMatchObject({ path: '/api/chat', model: 'llama3.2', tokensSent: 0 });
    expect(Math.abs(c.atMs - abortedAt)).toBeLessThan(100);
    expect(sim.stats().active).toBe(0);
    expect(sim.stats().inFlight).toEqual([]);
  });

  it('[[sim:slow]] uses the slow timing', async () => {
    const slow = await startOllamaSim({ slowTtftMs: 60, slowTokensPerSecond: 1000 });
    try {
      const started = Date.now();
      const res = await fetch(`${slow.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'llama3.2',
          messages: [{ role: 'user', content: '[[sim:slow]]' }],
          stream: false,
        }),
      });
      const body = (await res.json()) as { prompt_eval_duration: number };
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
      expect(body.prompt_eval_duration).toBeGreaterThanOrEqual(55e6);
    } finally {
      await slow.close();
    }
  });
});

describe('cancellation', () => {
  it('records a client abort mid-stream with the tokens sent, and stops generating', async () => {
    const paced = await startOllamaSim({ tokensPerSecond: 100, replyTokens: 50 });
    try {
      const abort = new AbortController();
      const res = await fetch(`${paced.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'qwen3:0.6b',
          messages: [{ role: 'user', content: 'long' }],
          think: false,
        }),
        signal: abort.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while ((text.match(/\n/g) ?? []).length < 3) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
      abort.abort();
      const c = await waitFor(async () => paced.stats().cancellations[0]);
      expect(c.path).toBe('/api/chat');
      expect(c.model).toBe('qwen3:0.6b');
      expect(c.tokensSent).toBeGreaterThanOrEqual(3);
      // Stopped before the 50-token reply ended (a loaded machine may let a few more tokens out than 3).
      expect(c.tokensSent).toBeLessThan(50);
      expect(c.afterMs).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(paced.stats().cancellations[0]?.tokensSent).toBe(c.tokensSent);
      expect(paced.stats().active).toBe(0);
    } finally {
      await paced.close();
    }
  });

  it('does not count completed requests as cancelled', async () => {
    await (await chat('fine')).text();
    await (await chat('fine', { stream: false })).text();
    expect(sim.stats().cancellations).toEqual([]);
  });
});

describe('control API', () => {
  it('POST /_sim/faults applies a mode to the next N inference requests', async () => {
    expect(await control('/_sim/faults', { mode: 'error-500', count: 2 })).toEqual({
      mode: 'error-500',
      remaining: 2,
    });
    expect((await chat('a')).status).toBe(500);
    expect((await fetch(`${sim.url}/api/tags`)).status).toBe(200);
    expect((await chat('b', { stream: false })).status).toBe(500);
    expect((await chat('c', { stream: false })).status).toBe(200);
    expect(await control('/_sim/faults')).toEqual({ mode: null, remaining: null });
  });

  it('a fault without count stays until cleared with mode null', async () => {
    await control('/_sim/faults', { mode: 'error-midstream' });
    for (let i = 0; i < 3; i++) {
      const lines = parseNdjson<Record<string, unknown>>(await (await chat('x')).text());
      expect(lines.at(-1)).toEqual({ error: MIDSTREAM_ERROR });
    }
    await control('/_sim/faults', { mode: null });
    const lines = parseNdjson<Record<string, unknown>>(await (await chat('x')).text());
    expect(lines.at(-1)?.done).toBe(true);
  });

  it('validates the fault body', async () => {
    const res = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: '{"mode":"explode"}' });
    expect(res.status).toBe(400);
  });

  it('GET /_sim/stats counts requests by path; POST /_sim/reset clears them', async () => {
    await (await chat('x', { stream: false })).text();
    await (await fetch(`${sim.url}/api/tags`)).text();
    await (await chat('[[sim:error-500]]')).text();
    const stats = (await control('/_sim/stats')) as SimStats;
    expect(stats.requests).toBe(3);
    expect(stats.byPath).toEqual({ '/api/chat': 2, '/api/tags': 1 });
    expect(stats.active).toBe(0);
    expect(stats.faultsInjected).toBe(1);
    expect(stats.cancellations).toEqual([]);
    expect(await control('/_sim/reset', {})).toEqual({ ok: true });
    expect(((await control('/_sim/stats')) as SimStats).requests).toBe(0);
  });

  it('programmatic setFaults mirrors the control API', async () => {
    sim.setFaults({ mode: 'error-500', count: 1 });
    expect((await chat('a')).status).toBe(500);
    expect((await chat('a', { stream: false })).status).toBe(200);
  });

  it('POST /_sim/config changes timing at run time', async () => {
    const cfg = (await control('/_sim/config', { replyTokens: 4 })) as { replyTokens: number };
    expect(cfg.replyTokens).toBe(4);
    const body = (await (await chat('x', { stream: false })).json()) as { eval_count: number };
    expect(body.eval_count).toBe(4);
    await control('/_sim/config', { replyTokens: 12 });
  });
});
