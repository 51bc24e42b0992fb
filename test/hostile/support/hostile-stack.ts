// The real stack the hostile-input fuzzers run against, with one customer key, and the checks every fuzz file ends
// with: the processes are still up and healthy, nothing crashed or logged an error, no queue job failed, and every
// request the gateway answered has exactly one usage_events row and one request_logs row (nothing lost or doubled).
import { readFileSync } from 'node:fs';
import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { type Stack, startStack } from '../../support/stack.js';

/** The seed every property runs with (FUZZ_SEED overrides it; fast-check prints the seed of a failing run). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_909);
/** Runs per property (FUZZ_RUNS overrides, e.g. FUZZ_RUNS=2000 for a long local hunt). */
export const fuzzRuns = (fallback: number) => Number(process.env.FUZZ_RUNS ?? fallback);

/** The user agent of raw-socket requests: their answers are not parsed, so their rows are not reconciled. */
export const RAW_USER_AGENT = 'hostile-raw';

export type TargetName = 'gateway' | 'nginx';

export interface Answer {
  target: TargetName;
  status: number;
  text: string;
  json: unknown;
  requestId: string | null;
}

export interface HostileStack {
  stack: Stack;
  key: string;
  url(target: TargetName): string;
  /** Sends one request and reads the whole answer (a stream to its end). */
  send(
    target: TargetName,
    method: string,
    path: string,
    options?: { body?: string | Uint8Array; headers?: Record<string, string>; auth?: boolean },
  ): Promise<Answer>;
  /** Every answer so far. */
  answers: Answer[];
  /** The end-of-file checks described above. */
  expectIntact(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHostileStack(
  label: string,
  options: { env?: Record<string, string>; nginx?: Record<string, string> } = {},
): Promise<HostileStack> {
  const stack = await startStack({
    label,
    // The flood guard is not under test here: hundreds of requests a second from one key must reach the gateway.
    nginx: {
      NGINX_KEY_RATE: '100000r/s',
      NGINX_KEY_BURST: '100000',
      NGINX_IP_RATE: '100000r/s',
      NGINX_IP_BURST: '100000',
      ...options.nginx,
    },
    ...(options.env ? { env: options.env } : {}),
  });
  const { key } = await stack.createKey();
  const answers: Answer[] = [];
  const url = (target: TargetName) => (target === 'nginx' ? stack.apiUrl : stack.gatewayUrl);

  const send: HostileStack['send'] = async (target, method, path, sendOptions = {}) => {
    const headers: Record<string, string> = {
      ...(sendOptions.auth === false ? {} : { authorization: `Bearer ${key}` }),
      ...(sendOptions.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...sendOptions.headers,
    };
    const response = await fetch(`${url(target)}${path}`, {
      method,
      headers,
      ...(sendOptions.body !== undefined ? { body: sendOptions.body } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const answer: Answer = {
      target,
      status: response.status,
      text,
      json,
      requestId: response.headers.get('x-request-id'),
    };
    answers.push(answer);
    return answer;
  };

  return {
    stack,
    key,
    url,
    send,
    answers,
    async expectIntact() {
      await expectIntact(stack, answers);
    },
    stop: () => stack.stop(),
  };
}

const logOf = (stack: Stack, name: string) => readFileSync(`${stack.dir}/logs/${name}.log`, 'utf8');

/** Log lines at error level or above (pino: 50 error, 60 fatal), and anything that looks like a crash. */
export function errorLines(log: string): string[] {
  return log
    .split('\n')
    .filter(Boolean)
    .filter((line) => {
      if (/unhandled|uncaught|FATAL ERROR|heap out of memory/i.test(line)) return true;
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
      } catch {
        return false;
      }
    });
}

async function expectIntact(stack: Stack, answers: Answer[]): Promise<void> {
  for (const proc of stack.processes)
    expect(proc.exited, `${proc.name} exited\n${proc.describe()}`).toBeNull();
  const health = await fetch(`${stack.gatewayUrl}/health`);
  expect(health.status, 'gateway /health').toBe(200);
  const ready = await fetch(`${stack.apiUrl}/ready`);
  expect(ready.status, 'nginx → gateway /ready').toBe(200);

  // Every answer the gateway gave straight carries its request id: one row each, in both tables. Through nginx some
  // answers are nginx's own (413, 400, the auth 401s…), so those ids only must not be doubled or unexplained.
  const expected = new Set(
    answers.filter((a) => a.target === 'gateway' && a.requestId).map((a) => a.requestId!),
  );
  const all = new Set(answers.map((a) => a.requestId).filter((id): id is string => id !== null));
  const deadline = Date.now() + 20_000;
  let usage: string[] = [];
  let raw = new Set<string>();
  let logs: string[] = [];
  for (;;) {
    const rows = await stack.db.selectFrom('usage_events').select(['request_id', 'user_agent']).execute();
    usage = rows.map((r) => r.request_id);
    raw = new Set(rows.filter((r) => r.user_agent === RAW_USER_AGENT).map((r) => r.request_id));
    logs = (await stack.db.selectFrom('request_logs').select('request_id').execute()).map(
      (r) => r.request_id,
    );
    const have = new Set(usage);
    // The billing worker and the logger write at their own pace: wait until both have every row.
    const sameRows = logs.length === usage.length && logs.every((id) => have.has(id));
    if ([...expected].every((id) => have.has(id)) && sameRows) break;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const usageSet = new Set(usage);
  const missing = [...expected].filter((id) => !usageSet.has(id));
  expect(missing, `answered requests without a usage row\n${stack.describe()}`).toEqual([]);
  expect(usage.length, 'no usage row doubled').toBe(usageSet.size);
  const unexplained = usage.filter((id) => !all.has(id) && !raw.has(id));
  if (unexplained.length > 0) {
    const rows = await stack.db
      .selectFrom('usage_events')
      .select(['request_id', 'status', 'endpoint', 'user_agent', 'error_code'])
      .where('request_id', 'in', unexplained)
      .execute();
    expect(rows, 'no usage row that no request explains').toEqual([]);
  }
  expect([...logs].sort(), 'request_logs has exactly the rows usage_events has').toEqual([...usage].sort());

  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, {
      connection: { url: stack.env.REDIS_URL! },
      prefix: stack.env.QUEUE_PREFIX!,
    });
    try {
      const counts = await queue.getJobCounts('failed', 'delayed', 'waiting', 'active');
      expect(counts, `queue ${name}: no job failed, retried or left`).toMatchObject({
        failed: 0,
        delayed: 0,
        waiting: 0,
        active: 0,
      });
    } finally {
      await queue.close();
    }
  }
  for (const name of ['gateway', 'billing-worker', 'logger'])
    expect(errorLines(logOf(stack, name)), `${name} log: no error, crash or unhandled rejection`).toEqual([]);
}
