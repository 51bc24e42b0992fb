// Resident memory of child processes, sampled from /proc/<pid>/status (Linux): the fault tests report the maximum,
// and the soak and slow-consumer tests assert it stays bounded.
import { readFileSync } from 'node:fs';

/** VmRSS of a process in MiB, or null when it is gone (or not on Linux). */
export function rssMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface RssSeries {
  /** Every sample, MiB, with its time (ms since the sampler started). */
  samples: { atMs: number; mib: number }[];
  readonly max: number;
  readonly first: number;
  readonly last: number;
}

export interface RssSampler {
  /** One series per name. */
  series: Record<string, RssSeries>;
  stop(): Record<string, RssSeries>;
}

/** Samples each process's RSS every `intervalMs` (pids are read on each tick, so a restarted process is followed). */
export function sampleRss(pids: Record<string, () => number | undefined>, intervalMs = 500): RssSampler {
  const started = Date.now();
  const series: Record<string, RssSeries> = {};
  for (const name of Object.keys(pids)) {
    const samples: { atMs: number; mib: number }[] = [];
    series[name] = {
      samples,
      get max() {
        return samples.reduce((max, s) => Math.max(max, s.mib), 0);
      },
      get first() {
        return samples[0]?.mib ?? 0;
      },
      get last() {
        return samples.at(-1)?.mib ?? 0;
      },
    };
  }
  const tick = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const mib = rssMiB(pid());
      if (mib !== null) series[name]!.samples.push({ atMs: Date.now() - started, mib });
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    series,
    stop() {
      clearInterval(timer);
      tick();
      return series;
    },
  };
}

/** Median of the samples in [fromMs, toMs) of a series, MiB (0 when none). */
export function medianBetween(series: RssSeries, fromMs: number, toMs: number): number {
  const values = series.samples
    .filter((s) => s.atMs >= fromMs && s.atMs < toMs)
    .map((s) => s.mib)
    .sort((a, b) => a - b);
  return values.length === 0 ? 0 : values[Math.floor(values.length / 2)]!;
}
