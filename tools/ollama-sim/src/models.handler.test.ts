import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OllamaSim, startOllamaSim } from './sim.server.js';

let sim: OllamaSim;
beforeAll(async () => {
  sim = await startOllamaSim();
});
afterAll(() => sim.close());

describe('model and status endpoints', () => {
  it('GET / says Ollama is running, /api/version returns the version', async () => {
    const root = await fetch(`${sim.url}/`);
    expect(await root.text()).toBe('Ollama is running');
    const version = await fetch(`${sim.url}/api/version`);
    expect(await version.json()).toEqual({ version: '0.12.3' });
    const head = await fetch(`${sim.url}/api/version`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('GET|HEAD /api/tags lists the default models with details', async () => {
    const body = (await (await fetch(`${sim.url}/api/tags`)).json()) as {
      models: Array<Record<string, unknown>>;
    };
    expect(body.models.map((m) => m.name).sort()).toEqual([
      'all-minilm:latest',
      'llama3.2:latest',
      'llava:latest',
      'qwen3:0.6b',
    ]);
    const llama = body.models.find((m) => m.name === 'llama3.2:latest') as Record<string, unknown>;
    expect(Object.keys(llama)).toEqual(['name', 'model', 'modified_at', 'size', 'digest', 'details']);
    expect(llama.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '3.2B',
      quantization_level: 'Q4_K_M',
    });
    expect((llama.digest as string).length).toBe(64);
    expect((await fetch(`${sim.url}/api/tags`, { method: 'HEAD' })).status).toBe(200);
  });

  it('POST /api/show accepts model or the deprecated name', async () => {
    for (const body of [{ model: 'qwen3:0.6b' }, { name: 'qwen3:0.6b' }]) {
      const res = await fetch(`${sim.url}/api/show`, { method: 'POST', body: JSON.stringify(body) });
      const show = (await res.json()) as Record<string, unknown>;
      expect(show.capabilities).toEqual(['completion', 'tools', 'thinking']);
      expect((show.model_info as Record<string, unknown>)['qwen3.context_length']).toBe(40960);
      expect((show.model_info as Record<string, unknown>)['general.architecture']).toBe('qwen3');
      expect(show.modelfile).toContain('FROM ');
      expect(typeof show.template).toBe('string');
      expect(typeof show.parameters).toBe('string');
      expect(show.modified_at).toMatch(/^\d{4}-/);
    }
    const embed = (await (
      await fetch(`${sim.url}/api/show`, { method: 'POST', body: '{"model":"all-minilm"}' })
    ).json()) as Record<string, unknown>;
    expect((embed.model_info as Record<string, unknown>)['bert.embedding_length']).toBe(384);
  });

  it('POST /api/show errors', async () => {
    let res = await fetch(`${sim.url}/api/show`, { method: 'POST', body: '{"model":"ghost"}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "model 'ghost' not found" });
    res = await fetch(`${sim.url}/api/show`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'model is required' });
    res = await fetch(`${sim.url}/api/show`, { method: 'POST' });
    expect(await res.json()).toEqual({ error: 'missing request body' });
  });

  it('GET /api/ps lists recently used models with expiry', async () => {
    sim.reset();
    await fetch(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
        keep_alive: '10m',
      }),
    });
    const ps = (await (await fetch(`${sim.url}/api/ps`)).json()) as {
      models: Array<Record<string, unknown>>;
    };
    expect(ps.models).toHaveLength(1);
    const m = ps.models[0] as Record<string, unknown>;
    expect(Object.keys(m)).toEqual([
      'name',
      'model',
      'size',
      'digest',
      'details',
      'expires_at',
      'size_vram',
      'context_length',
    ]);
    const expires = Date.parse(m.expires_at as string);
    expect(expires - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });

  it('answers unknown routes and wrong methods like Go', async () => {
    const missing = await fetch(`${sim.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('404 page not found');
    const wrong = await fetch(`${sim.url}/api/chat`);
    expect(wrong.status).toBe(405);
    expect(await wrong.text()).toBe('405 method not allowed');
  });
});
