import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import { createPricingRepository, type PricingRepository } from './pricing.repository.js';

let testDb: TestDatabase;
let pricing: PricingRepository;

beforeAll(async () => {
  testDb = await createTestDatabase('pricing');
  pricing = createPricingRepository(testDb.db);
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.deleteFrom('pricing').execute();
});

const NOW = new Date('2025-06-01T00:00:00Z');
const model = async (provider: string, name: string, at = NOW) =>
  (await pricing.findEffective(provider, name, at))?.model ?? null;

describe('pricing repository', () => {
  it('upserts: same provider, model and start replaces the amounts; a new start adds a row', async () => {
    const first = await pricing.upsert({ model: 'llama3', inputPerMillion: 0.1, outputPerMillion: 0.2 });
    expect(first).toMatchObject({
      provider: 'ollama',
      model: 'llama3',
      inputPerMillion: 0.1,
      outputPerMillion: 0.2,
      perRequest: 0,
      effectiveFrom: new Date('1970-01-01T00:00:00Z'),
    });
    const replaced = await pricing.upsert({
      model: 'llama3',
      inputPerMillion: 0.3,
      outputPerMillion: 0.4,
      perRequest: 0.001,
    });
    expect(replaced.id).toBe(first.id);
    expect(replaced).toMatchObject({ inputPerMillion: 0.3, outputPerMillion: 0.4, perRequest: 0.001 });
    await pricing.upsert({ model: 'llama3', inputPerMillion: 1, outputPerMillion: 2, effectiveFrom: NOW });
    const listed = await pricing.list();
    expect(listed.map((p) => [p.model, p.inputPerMillion])).toEqual([
      ['llama3', 1],
      ['llama3', 0.3],
    ]);
  });

  it('picks the row in force at the given time: the latest start not after it', async () => {
    await pricing.upsert({
      model: 'llama3',
      inputPerMillion: 1,
      outputPerMillion: 1,
      effectiveFrom: new Date('2025-01-01Z'),
    });
    await pricing.upsert({
      model: 'llama3',
      inputPerMillion: 2,
      outputPerMillion: 2,
      effectiveFrom: new Date('2025-03-01Z'),
    });
    await pricing.upsert({
      model: 'llama3',
      inputPerMillion: 3,
      outputPerMillion: 3,
      effectiveFrom: new Date('2025-09-01Z'),
    });
    const at = async (iso: string) =>
      (await pricing.findEffective('ollama', 'llama3', new Date(iso)))?.inputPerMillion;
    expect(await at('2024-12-31T23:59:59Z')).toBeUndefined();
    expect(await at('2025-01-01T00:00:00Z')).toBe(1);
    expect(await at('2025-02-15T00:00:00Z')).toBe(1);
    expect(await at('2025-03-01T00:00:00Z')).toBe(2);
    expect(await at('2025-06-01T00:00:00Z')).toBe(2);
    expect(await at('2026-01-01T00:00:00Z')).toBe(3);
  });

  it('prefers an exact name, then the longer glob, then the default *', async () => {
    await pricing.upsert({ model: '*', inputPerMillion: 9, outputPerMillion: 9 });
    await pricing.upsert({ model: 'llama3*', inputPerMillion: 2, outputPerMillion: 2 });
    await pricing.upsert({ model: 'llama3.1*', inputPerMillion: 3, outputPerMillion: 3 });
    await pricing.upsert({ model: 'llama3.1:8b', inputPerMillion: 4, outputPerMillion: 4 });
    expect(await model('ollama', 'llama3.1:8b')).toBe('llama3.1:8b');
    expect(await model('ollama', 'llama3.1:70b')).toBe('llama3.1*');
    expect(await model('ollama', 'llama3:latest')).toBe('llama3*');
    expect(await model('ollama', 'qwen2.5:7b')).toBe('*');
  });

  it('an exact row wins over a glob even when the glob started later', async () => {
    await pricing.upsert({
      model: 'llama3',
      inputPerMillion: 1,
      outputPerMillion: 1,
      effectiveFrom: new Date('2025-01-01Z'),
    });
    await pricing.upsert({
      model: 'llama3*',
      inputPerMillion: 2,
      outputPerMillion: 2,
      effectiveFrom: new Date('2025-05-01Z'),
    });
    expect(await model('ollama', 'llama3')).toBe('llama3');
  });

  it('treats ? as one character and LIKE characters (% _ \\) literally', async () => {
    await pricing.upsert({ model: 'qwen?.5', inputPerMillion: 1, outputPerMillion: 1 });
    await pricing.upsert({ model: 'a_b', inputPerMillion: 1, outputPerMillion: 1 });
    await pricing.upsert({ model: '100%', inputPerMillion: 1, outputPerMillion: 1 });
    await pricing.upsert({ model: 'back\\slash*', inputPerMillion: 1, outputPerMillion: 1 });
    expect(await model('ollama', 'qwen2.5')).toBe('qwen?.5');
    expect(await model('ollama', 'qwen12.5')).toBeNull();
    expect(await model('ollama', 'axb')).toBeNull();
    expect(await model('ollama', 'a_b')).toBe('a_b');
    expect(await model('ollama', '1000')).toBeNull();
    expect(await model('ollama', 'back\\slash-v2')).toBe('back\\slash*');
    expect(await model('ollama', 'backXslash-v2')).toBeNull();
  });

  it('matches only the given provider', async () => {
    await pricing.upsert({
      provider: 'openai',
      model: 'gpt-4o*',
      inputPerMillion: 2.5,
      outputPerMillion: 10,
    });
    expect(await model('openai', 'gpt-4o-mini')).toBe('gpt-4o*');
    expect(await model('ollama', 'gpt-4o-mini')).toBeNull();
  });

  it('finds the default reference price seeded by the schema', async () => {
    expect(await pricing.findDefaultReferencePrice()).toMatchObject({
      name: 'gpt-4o-mini',
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
      isDefault: true,
    });
    await testDb.db.updateTable('reference_prices').set({ is_default: false }).execute();
    expect(await pricing.findDefaultReferencePrice()).toBeNull();
  });
});
