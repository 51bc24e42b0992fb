import { describe, expect, it } from 'vitest';
import { parseNdjson } from './ndjson.util.js';
import { startOllamaSim } from './sim.server.js';

const chatBody = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content }], ...extra });

describe('simulated timing', () => {
  it('paces tokens, waits ttft, loads once, and reports consistent durations', async () => {
    const sim = await startOllamaSim({ loadMs: 40, ttftMs: 30, tokensPerSecond: 200, replyTokens: 10 });
    try {
      const started = performance.now();
      const res = await fetch(`${sim.url}/api/chat`, { method: 'POST', body: chatBody('hi') });
      const lines = parseNdjson<Record<string, number>>(await res.text());
      const elapsedMs = performance.now() - started;
      const final = lines.at(-1) as Record<string, number>;
      // 40 load + 30 ttft + 10 tokens × 5 ms (9 gaps after the first token); lower bounds leave room for timer
      // and clock granularity, so a loaded CI box cannot flake the test while real pacing is still required.
      expect(elapsedMs).toBeGreaterThanOrEqual(105);
      expect(final.load_duration).toBeGreaterThanOrEqual(35e6);
      expect(final.prompt_eval_duration).toBeGreaterThanOrEqual(25e6);
      expect(final.eval_duration).toBeGreaterThanOrEqual(40e6);
      expect(final.eval_duration).toBeLessThan(150e6);
      expect(final.eval_count / (final.eval_duration / 1e9)).toBeGreaterThan(60);
      expect(final.total_duration).toBeGreaterThanOrEqual(
        final.load_duration + final.prompt_eval_duration + final.eval_duration,
      );
      expect(final.total_duration / 1e6).toBeLessThanOrEqual(elapsedMs + 1);

      const again = (await (
        await fetch(`${sim.url}/api/chat`, { method: 'POST', body: chatBody('hi', { stream: false }) })
      ).json()) as Record<string, number>;
      expect(again.load_duration).toBeLessThan(20e6);
      expect(sim.stats().loads).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('reloads after keep_alive expiry and after keep_alive 0', async () => {
    const sim = await startOllamaSim({ loadMs: 30 });
    try {
      const send = async (extra: Record<string, unknown>): Promise<Record<string, number>> =>
        (await (
          await fetch(`${sim.url}/api/chat`, {
            method: 'POST',
            body: chatBody('hi', { stream: false, ...extra }),
          })
        ).json()) as Record<string, number>;
      expect((await send({ keep_alive: '20ms' })).load_duration).toBeGreaterThanOrEqual(29e6);
      await new Promise((r) => setTimeout(r, 40));
      expect((await send({ keep_alive: 0 })).load_duration).toBeGreaterThanOrEqual(29e6);
      expect((await send({})).load_duration).toBeGreaterThanOrEqual(29e6);
      expect((await send({})).load_duration).toBeLessThan(20e6);
      expect(sim.stats().loads).toBe(3);
    } finally {
      await sim.close();
    }
  });

  it('streams large unpaced replies without losing chunks', async () => {
    const sim = await startOllamaSim({ replyTokens: 20000 });
    try {
      const res = await fetch(`${sim.url}/api/chat`, { method: 'POST', body: chatBody('big') });
      const lines = parseNdjson<Record<string, unknown>>(await res.text());
      expect(lines).toHaveLength(20001);
      expect(lines.at(-1)).toMatchObject({ done: true, eval_count: 20000 });
    } finally {
      await sim.close();
    }
  });
});
