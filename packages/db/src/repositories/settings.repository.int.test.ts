import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import { createReferencePricesRepository } from './reference-prices.repository.js';
import { createSettingsRepository } from './settings.repository.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase('settings');
});
afterAll(async () => {
  await testDb?.drop();
});

describe('settings repository: electricity', () => {
  it('is null until set, then answers the stored value; set replaces; clear deletes', async () => {
    const settings = createSettingsRepository(testDb.db);
    expect(await settings.getElectricity()).toBeNull();
    expect(await settings.setElectricity({ gpuWatts: 450, pricePerKwh: 0.2 })).toEqual({
      gpuWatts: 450,
      pricePerKwh: 0.2,
    });
    expect(await settings.setElectricity({ gpuWatts: 287.5, pricePerKwh: 0.125 })).toEqual({
      gpuWatts: 287.5,
      pricePerKwh: 0.125,
    });
    expect(await settings.getElectricity()).toEqual({ gpuWatts: 287.5, pricePerKwh: 0.125 });
    const row = await testDb.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'electricity')
      .executeTakeFirstOrThrow();
    expect(row.value).toEqual({ gpuWatts: 287.5, pricePerKwh: 0.125 });
    expect(await settings.clearElectricity()).toBe(true);
    expect(await settings.getElectricity()).toBeNull();
    expect(await settings.clearElectricity()).toBe(false);
  });

  it('ignores a bad row (null + one warning per distinct value), and extra fields in a good one', async () => {
    const warnings: unknown[] = [];
    const settings = createSettingsRepository(testDb.db, {
      logger: { warn: (...args: unknown[]) => warnings.push(args) },
    });
    const store = (value: unknown) =>
      testDb.db
        .insertInto('settings')
        .values({ key: 'electricity', value: JSON.stringify(value) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
        .execute();
    await store({ gpuWatts: '350', pricePerKwh: 0.15 });
    expect(await settings.getElectricity()).toBeNull();
    expect(await settings.getElectricity()).toBeNull();
    expect(warnings).toHaveLength(1);
    await store([1, 2]);
    expect(await settings.getElectricity()).toBeNull();
    expect(warnings).toHaveLength(2);
    await store({ gpuWatts: 300, pricePerKwh: 0.1, note: 'summer tariff' });
    expect(await settings.getElectricity()).toEqual({ gpuWatts: 300, pricePerKwh: 0.1 });
    expect(warnings).toHaveLength(2);
  });
});

describe('reference prices repository', () => {
  it('lists the seeded prices, the default first', async () => {
    expect(await createReferencePricesRepository(testDb.db).list()).toEqual([
      { name: 'gpt-4o-mini', inputPerMillion: '0.150000', outputPerMillion: '0.600000', isDefault: true },
      { name: 'gpt-4o', inputPerMillion: '2.500000', outputPerMillion: '10.000000', isDefault: false },
    ]);
  });

  it('upserts; isDefault true makes it the only default; absent keeps the flag', async () => {
    const prices = createReferencePricesRepository(testDb.db);
    expect(await prices.upsert('claude-haiku', { inputPerMillion: 0.8, outputPerMillion: 4 })).toEqual({
      name: 'claude-haiku',
      inputPerMillion: '0.800000',
      outputPerMillion: '4.000000',
      isDefault: false,
    });
    await prices.upsert('gpt-4o', { inputPerMillion: 2.5, outputPerMillion: 10, isDefault: true });
    const defaults = (await prices.list()).filter((p) => p.isDefault).map((p) => p.name);
    expect(defaults).toEqual(['gpt-4o']);
    expect(await prices.upsert('gpt-4o', { inputPerMillion: 3, outputPerMillion: 12 })).toMatchObject({
      inputPerMillion: '3.000000',
      isDefault: true,
    });

    // concurrent "make me the default": exactly one default afterwards, no deadlock
    await Promise.all(
      ['gpt-4o-mini', 'claude-haiku', 'gpt-4o', 'new-one'].map((name) =>
        prices.upsert(name, { inputPerMillion: 1, outputPerMillion: 1, isDefault: true }),
      ),
    );
    expect((await prices.list()).filter((p) => p.isDefault)).toHaveLength(1);
  });

  it('answers 400 for an amount the column cannot hold', async () => {
    await expect(
      createReferencePricesRepository(testDb.db).upsert('huge', {
        inputPerMillion: 1e9,
        outputPerMillion: 1,
      }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_request_body' });
  });
});
