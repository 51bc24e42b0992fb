import { AppError } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import { type CustomersRepository, createCustomersRepository } from './customers.repository.js';

let testDb: TestDatabase;
let customers: CustomersRepository;

beforeAll(async () => {
  testDb = await createTestDatabase('customers');
  customers = createCustomersRepository(testDb.db);
});
afterAll(async () => {
  await testDb?.drop();
});

describe('customers repository', () => {
  it('creates a customer with a plan (by name, any case) and a budget, and reads it back', async () => {
    const created = await customers.create({
      name: 'Acme',
      email: 'ops@acme.test',
      budget: 12.5,
      planName: 'pro',
    });
    expect(created).toMatchObject({
      name: 'Acme',
      email: 'ops@acme.test',
      planName: 'Pro',
      budget: 12.5,
      status: 'active',
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.planId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await customers.get(created.id)).toEqual(created);
  });

  it('creates a customer with only a name: no email, plan or budget', async () => {
    const created = await customers.create({ name: 'Internal tools' });
    expect(created).toMatchObject({ email: null, planId: null, planName: null, budget: null });
  });

  it('lists customers oldest first', async () => {
    const a = await customers.create({ name: 'First', email: 'first@list.test' });
    const b = await customers.create({ name: 'Second', email: 'second@list.test' });
    const ids = (await customers.list()).map((c) => c.id);
    expect(ids.indexOf(a.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
  });

  it('rejects an unknown plan, naming the plans that exist', async () => {
    const error = await customers.create({ name: 'X', planName: 'Platinum' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('plan_not_found');
    expect((error as AppError).message).toContain('No plan named "Platinum"');
    expect((error as AppError).message).toContain('plans: Free, Basic, Pro, Business, Enterprise');
  });

  it('rejects a second customer with the same email, whatever its case', async () => {
    await customers.create({ name: 'Dup', email: 'dup@acme.test' });
    const error = await customers.create({ name: 'Dup 2', email: 'DUP@acme.test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(409);
    expect((error as AppError).code).toBe('customer_email_taken');
  });

  it('returns null for an unknown id and for a string that is not a UUID', async () => {
    expect(await customers.get('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await customers.get('not-a-uuid')).toBeNull();
  });
});
