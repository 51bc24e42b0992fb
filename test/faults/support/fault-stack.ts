// The stack every fault test starts: test/support/stack.ts with nginx's flood guard out of the way (its 429s are
// answered by nginx alone and never reach the gateway, so they would have no usage row by design), plus the small
// things the scenarios share: a unique user-agent tag, a process by name, the long-variant switch and a result line.
import { randomBytes } from 'node:crypto';
import type { ManagedProcess } from '../../support/processes.js';
import { type Stack, type StackOptions, startStack } from '../../support/stack.js';

/** SOAK=1 runs the long variants (make soak); `make test` runs the short ones. */
export const SOAK = process.env.SOAK === '1' || process.env.SOAK === 'true';

export const MODEL = 'llama3.2:latest';

export async function startFaultStack(options: StackOptions): Promise<Stack> {
  return startStack({
    ...options,
    nginx: {
      NGINX_KEY_RATE: '2000r/s',
      NGINX_KEY_BURST: '2000',
      NGINX_IP_RATE: '2000r/s',
      NGINX_IP_BURST: '2000',
      NGINX_WORKER_PROCESSES: '1',
      ...options.nginx,
    },
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });
}

/** A user-agent prefix unique to this run of one scenario. */
export const runTag = (scenario: string) => `ogw-faults/${scenario}-${randomBytes(3).toString('hex')}`;

/** The stack's process of that name (the current one after a restart). */
export function processOf(stack: Stack, name: string): ManagedProcess {
  const found = stack.processes.find((p) => p.name === name);
  if (!found) throw new Error(`no process ${name} in the stack`);
  return found;
}

/** Resolves when the process has exited (at once if it has). */
export function exited(proc: ManagedProcess): Promise<void> {
  if (proc.exited) return Promise.resolve();
  return new Promise((resolve) => proc.child.once('exit', () => resolve()));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One machine-readable line per scenario, collected into docs/reliability.md. */
export function reportResult(scenario: string, values: Record<string, unknown>): void {
  process.stdout.write(`[fault-result] ${JSON.stringify({ scenario, ...values })}\n`);
}
