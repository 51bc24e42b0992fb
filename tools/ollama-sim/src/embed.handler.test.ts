import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingVector } from './embedding.generator.js';
import { type OllamaSim, startOllamaSim } from './sim.server.js';
import { embedTokenCount } from './tokens.counter.js';

let sim: OllamaSim;
beforeAll(async () => {
  sim = await startOllamaSim();
});
afterAll(() => sim.close());

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('POST /api/embed', () => {
  it('embeds a string array into normalised 384-dim vectors with usage', async () => {
    const res = await post('/api/embed', { model: 'all-minilm', input: ['hello world', 'second text here'] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'model',
      'embeddings',
      'total_duration',
      'load_duration',
      'prompt_eval_count',
    ]);
    expect(body.model).toBe('all-minilm');
    const embeddings = body.embeddings as number[][];
    expect(embeddings).toHaveLength(2);
    for (const e of embeddings) {
      expect(e).toHaveLength(384);
      expect(norm(e)).toBeCloseTo(1, 5);
    }
    expect(embeddings[0]).toEqual(embeddingVector('all-minilm', 'hello world', 384));
    expect(embeddings[0]).not.toEqual(embeddings[1]);
    expect(body.prompt_eval_count).toBe(embedTokenCount('hello world') + embedTokenCount('second text here'));
  });

  it('is deterministic and truncates to `dimensions` (re-normalised)', async () => {
    const a = (await (
      await post('/api/embed', { model: 'all-minilm', input: 'same', dimensions: 8 })
    ).json()) as {
      embeddings: number[][];
    };
    const b = (await (
      await post('/api/embed', { model: 'all-minilm:latest', input: 'same', dimensions: 8 })
    ).json()) as {
      embeddings: number[][];
    };
    expect(a.embeddings).toEqual(b.embeddings);
    expect(a.embeddings[0]).toHaveLength(8);
    expect(norm(a.embeddings[0] as number[])).toBeCloseTo(1, 5);
  });

  it('rejects other input types and answers an empty input with no embeddings (as Ollama)', async () => {
    for (const input of [42, [1, 2], { a: 1 }, ['ok', 3]]) {
      const res = await post('/api/embed', { model: 'all-minilm', input });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid input type' });
    }
    const empty = await post('/api/embed', { model: 'all-minilm', input: [] });
    expect(await empty.json()).toEqual({ model: 'all-minilm', embeddings: [] });
  });

  it('returns 404 / 400 like Ollama', async () => {
    let res = await post('/api/embed', { model: 'nomic-embed-text', input: 'x' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'model "nomic-embed-text" not found, try pulling it first' });
    res = await post('/api/embed', { input: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'model is required' });
  });
});

describe('POST /api/embeddings (legacy)', () => {
  it('returns {embedding} for a prompt', async () => {
    const body = (await (
      await post('/api/embeddings', { model: 'all-minilm', prompt: 'hello world' })
    ).json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['embedding']);
    expect(body.embedding).toEqual(embeddingVector('all-minilm', 'hello world', 384));
  });
});
