// A closed-loop load generator: `connections` workers each send one request, wait for the checked answer, and send
// the next, until the slice's time is up. Requests in flight at the deadline are finished and counted.
import { performance } from 'node:perf_hooks';
import type { Sample } from './clients.js';

export interface SliceResult {
  samples: Sample[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

export async function closedLoop(
  connections: number,
  durationMs: number,
  send: () => Promise<Sample>,
): Promise<SliceResult> {
  const samples: Sample[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        samples.push(await send());
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        // A refused connection fails fast: do not spin.
        if (errors > 1000) return;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { samples, errors, ...(firstError ? { firstError } : {}), elapsedMs: performance.now() - start };
}
