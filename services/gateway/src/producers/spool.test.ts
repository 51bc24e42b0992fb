import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSpool, type SpoolRecord } from './spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ogw-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (n: number): SpoolRecord => ({
  queue: n % 2 ? 'usage' : 'request-log',
  jobId: `req-${String(n).padStart(4, '0')}`,
  data: { n, text: `é🌍 "${n}"\nline` },
});

/** A send that records what it got and fails on the given calls (1-based). */
function sender(failOn: number[] = []) {
  const sent: SpoolRecord[] = [];
  let calls = 0;
  const send = async (r: SpoolRecord) => {
    calls++;
    if (failOn.includes(calls)) throw new Error('redis down');
    sent.push(r);
  };
  return { sent, send };
}

describe('createSpool', () => {
  it('replays every appended record in order and leaves the spool empty', async () => {
    const spool = createSpool(join(dir, 'nested', 'spool'));
    const records = Array.from({ length: 25 }, (_, i) => record(i));
    await Promise.all(records.map((r) => spool.append(r)));
    expect(spool.pending).toBe(25);
    const { sent, send } = sender();
    expect(await spool.replay(send)).toBe(25);
    expect(sent).toEqual(records);
    expect(spool.pending).toBe(0);
    expect(await readdir(join(dir, 'nested', 'spool'))).toEqual([]);
    const again = sender();
    expect(await spool.replay(again.send)).toBe(0);
    expect(again.sent).toEqual([]);
  });

  it('keeps exactly the unsent records when a send fails midway, and replays them next time', async () => {
    const spool = createSpool(dir);
    const records = Array.from({ length: 10 }, (_, i) => record(i));
    for (const r of records) await spool.append(r);
    const first = sender([5]);
    expect(await spool.replay(first.send)).toBe(4);
    expect(first.sent).toEqual(records.slice(0, 4));
    expect(spool.pending).toBe(6);

    await spool.append(record(99));
    const second = sender();
    expect(await spool.replay(second.send)).toBe(7);
    expect(second.sent).toEqual([...records.slice(4), record(99)]);
    expect(spool.pending).toBe(0);
  });

  it('a failure on the first record keeps everything', async () => {
    const spool = createSpool(dir);
    for (let i = 0; i < 3; i++) await spool.append(record(i));
    expect(await spool.replay(sender([1]).send)).toBe(0);
    expect(spool.pending).toBe(3);
    const { sent, send } = sender();
    await spool.replay(send);
    expect(sent).toEqual([record(0), record(1), record(2)]);
  });

  it('a new instance over the same directory counts and replays what an earlier one left', async () => {
    const earlier = createSpool(dir);
    for (let i = 0; i < 6; i++) await earlier.append(record(i));
    // The earlier process replayed partly and died.
    expect(await earlier.replay(sender([3]).send)).toBe(2);

    const later = createSpool(dir);
    await later.append(record(50)); // waits for the start-up count
    expect(later.pending).toBe(5);
    const { sent, send } = sender();
    expect(await later.replay(send)).toBe(5);
    expect(sent).toEqual([record(2), record(3), record(4), record(5), record(50)]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('picks up a replay file an earlier process claimed but never finished', async () => {
    await appendFile(
      join(dir, 'replay-1700000000000.ndjson'),
      `${JSON.stringify(record(1))}\n${JSON.stringify(record(2))}\n`,
    );
    await appendFile(join(dir, 'events.ndjson'), `${JSON.stringify(record(3))}\n`);
    const spool = createSpool(dir);
    const { sent, send } = sender();
    expect(await spool.replay(send)).toBe(3);
    expect(spool.pending).toBe(0);
    expect(sent).toEqual([record(1), record(2), record(3)]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a torn line (a crash mid-append) does not block the records after it', async () => {
    await appendFile(
      join(dir, 'events.ndjson'),
      `${JSON.stringify(record(1))}\n{"queue":"usage","jobId":"req-torn","da${JSON.stringify(record(2))}\n${JSON.stringify(record(3))}\n`,
    );
    const spool = createSpool(dir);
    const { sent, send } = sender();
    await spool.replay(send);
    expect(sent).toEqual([record(1), record(3)]);
    const second = sender();
    expect(await spool.replay(second.send)).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes one JSON line per record', async () => {
    const spool = createSpool(dir);
    await spool.append(record(1));
    await spool.append(record(2));
    const text = await readFile(join(dir, 'events.ndjson'), 'utf8');
    expect(text.split('\n')).toEqual([JSON.stringify(record(1)), JSON.stringify(record(2)), '']);
  });
});
