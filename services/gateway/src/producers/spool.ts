import { appendFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolRecord {
  queue: string;
  jobId: string;
  data: unknown;
}

/**
 * A local append-only file for events that could not reach Redis. Each record is one JSON line; `replay` moves the
 * file aside, sends every record, and appends back whatever failed. Job ids make replays idempotent downstream.
 */
export interface Spool {
  append(record: SpoolRecord): Promise<void>;
  /** Sends every spooled record with `send`; returns how many were sent. Stops at the first failure. */
  replay(send: (record: SpoolRecord) => Promise<void>): Promise<number>;
  /** Records waiting (approximate: counted on the last append/replay). */
  readonly pending: number;
}

export function createSpool(dir: string): Spool {
  const active = join(dir, 'events.ndjson');
  let pending = 0;
  // Start-up: count what an earlier process left behind, so it is replayed too.
  let chain: Promise<unknown> = (async () => {
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      if (name === 'events.ndjson' || name.startsWith('replay-'))
        pending += (await readFile(join(dir, name), 'utf8')).split('\n').filter(Boolean).length;
    }
  })();
  // Appends and replays are serialised so a replay never races an append into the same file.
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = chain.then(task, task);
    chain = next.catch(() => {});
    return next;
  };

  return {
    get pending() {
      return pending;
    },
    append(record) {
      return serial(async () => {
        await appendFile(active, `${JSON.stringify(record)}\n`);
        pending++;
      });
    },
    replay(send) {
      return serial(async () => {
        const files = (await readdir(dir)).filter((name) => name.startsWith('replay-')).sort();
        try {
          const claimed = join(dir, `replay-${Date.now()}.ndjson`);
          await rename(active, claimed);
          files.push(claimed.slice(dir.length + 1));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        let sent = 0;
        for (const name of files) {
          const path = join(dir, name);
          const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
          for (let i = 0; i < lines.length; i++) {
            let record: SpoolRecord;
            try {
              record = JSON.parse(lines[i]!) as SpoolRecord;
            } catch {
              continue; // a line torn by a crash mid-append: drop it, or it would block every record after it
            }
            try {
              await send(record);
              sent++;
            } catch {
              await appendFile(active, `${lines.slice(i).join('\n')}\n`);
              await rm(path);
              pending = lines.length - i;
              return sent;
            }
          }
          await rm(path);
        }
        pending = 0;
        return sent;
      });
    },
  };
}
