import pg from 'pg';
import type { Statement } from './sql/setup.sql.js';

/**
 * A few Postgres connections that run independent statements side by side (one per core is what helps: each
 * statement is one backend's work). Every connection runs the same setup (session settings, temporary lookup
 * tables) once.
 */
export interface WorkerPool {
  /** Runs every task; at most one per connection at a time; `onDone` after each. Rejects on the first error. */
  run<T>(
    tasks: readonly T[],
    execute: (client: pg.Client, task: T) => Promise<void>,
    onDone: (task: T) => void,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function createWorkerPool(
  connectionString: string,
  size: number,
  setup: readonly Statement[],
): Promise<WorkerPool> {
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < size; i += 1) {
      const client = new pg.Client({ connectionString, application_name: `ogw-seed-${i + 1}` });
      clients.push(client);
      await client.connect();
      for (const statement of setup) await client.query(statement.sql, statement.params);
    }
  } catch (error) {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    throw error;
  }
  return {
    async run(tasks, execute, onDone) {
      let next = 0;
      let failed: unknown = null;
      await Promise.all(
        clients.map(async (client) => {
          while (failed === null && next < tasks.length) {
            const task = tasks[next++]!;
            try {
              await execute(client, task);
              onDone(task);
            } catch (error) {
              failed ??= error;
            }
          }
        }),
      );
      if (failed !== null) throw failed;
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
    },
  };
}

/** [from, to) ranges of at most `size` covering [0, total). */
export function chunks(total: number, size: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < total; from += size) out.push({ from, to: Math.min(total, from + size) });
  return out;
}
