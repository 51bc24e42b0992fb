import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

let testDb: TestDatabase;
const cli = (...args: string[]) => runGatewayctl(args, { DATABASE_URL: testDb.url });

beforeAll(async () => {
  assertCliBuilt();
  testDb = await createTestDatabase('cli-customers');
});
afterAll(async () => {
  await testDb?.drop();
});

describe('gatewayctl create-customer / list-customers', () => {
  it('creates a customer and prints one JSON object with its id, plan and budget', async () => {
    const run = await cli(
      'create-customer',
      'Acme Corp',
      'ops@acme.example',
      '--budget',
      '25.5',
      '--plan',
      'pro',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const customer = onlyJson(run.stdout);
    expect(customer).toMatchObject({
      name: 'Acme Corp',
      email: 'ops@acme.example',
      planName: 'Pro',
      budget: 25.5,
      status: 'active',
    });
    expect(customer.id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await testDb.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', customer.id as string)
      .executeTakeFirst();
    expect(row?.budget).toBe('25.5000');
  });

  it('prints a human summary with the next command to run', async () => {
    const run = await cli('create-customer', 'Beta', 'beta@acme.example');
    expect(run.code).toBe(0);
    const id = /id:\s+([0-9a-f-]{36})/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(run.stdout).toContain('Created customer Beta <beta@acme.example>');
    expect(run.stdout).toContain(`Next: npx gatewayctl generate-key ${id}`);
  });

  it('lists customers as JSON and as an aligned table', async () => {
    const json = await cli('list-customers', '--json');
    expect(json.code).toBe(0);
    const { customers } = onlyJson(json.stdout) as { customers: { name: string; email: string }[] };
    expect(customers.map((c) => c.name)).toEqual(['Acme Corp', 'Beta']);

    const table = await cli('list-customers');
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+EMAIL\s+PLAN\s+BUDGET\s+STATUS\s+CREATED$/);
    const nameColumn = lines[0]!.indexOf('NAME');
    expect(lines[1]!.indexOf('Acme Corp')).toBe(nameColumn);
    expect(lines[2]!.indexOf('Beta')).toBe(nameColumn);
    expect(lines[1]).toContain('Pro');
  });

  it('refuses a duplicate email and an unknown plan with exit 1 and a hint', async () => {
    const dup = await cli('create-customer', 'Again', 'OPS@acme.example');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('A customer with email OPS@acme.example already exists');
    expect(dup.stderr).toContain('npx gatewayctl list-customers');

    const plan = await cli('create-customer', 'Gold', 'gold@acme.example', '--plan', 'Gold', '--json');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toBe('');
    expect(onlyJson(plan.stderr).error).toBe(
      'No plan named "Gold"; plans: Free, Basic, Pro, Business, Enterprise',
    );
  });

  it('treats missing or malformed arguments as usage errors (exit 2) without touching the database', async () => {
    for (const { args, run } of await Promise.all(
      [
        ['create-customer', 'NoEmail'],
        ['create-customer', 'Bad', 'not-an-email'],
        ['create-customer', 'Bad', 'bad@acme.example', '--budget', '-5'],
        ['create-customer', 'Bad', 'bad@acme.example', '--budget', 'lots'],
      ].map(async (args) => ({ args, run: await cli(...args) })),
    )) {
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/error: /);
    }
    const json = await cli('create-customer', 'Bad', 'not-an-email', '--json');
    expect(json.code).toBe(2);
    expect(onlyJson(json.stderr).error).toContain('Not an email address');
    const count = await testDb.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    expect(count?.n).toBe('2');
  });
});
