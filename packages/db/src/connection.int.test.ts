import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from './connection.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

let testDb: TestDatabase;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase('connection');
  db = createDb(testDb.url, { max: 2, applicationName: 'connection-test' });
});
afterAll(async () => {
  await db?.destroy();
  await testDb?.drop();
});

describe('createDb', () => {
  it('survives a connection cut while checked out between two queries (Postgres restarting mid-transaction)', async () => {
    const failed = db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
      // Another session ends this one, as a Postgres shutdown does; pg emits 'error' on the idle checked-out client.
      await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(testDb.db);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sql`SELECT 1`.execute(trx);
    });
    await expect(failed).rejects.toThrow();
    // The process is still here (no uncaught 'error' event), and the pool hands out a working connection again.
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
