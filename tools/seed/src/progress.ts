/** One progress line per finished chunk: done / total, share, rate since the phase began, time left. */
export interface Progress {
  add(rows: number): void;
  /** Seconds since the phase began. */
  elapsedSeconds(): number;
}

export function createProgress(
  label: string,
  total: number,
  write: (line: string) => void,
  now: () => number = () => performance.now(),
): Progress {
  const started = now();
  let done = 0;
  return {
    add(rows) {
      done += rows;
      const seconds = (now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const left = rate > 0 ? (total - done) / rate : 0;
      write(
        `  ${label.padEnd(9)} ${formatCount(done).padStart(12)} / ${formatCount(total)}  ${((100 * done) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${formatCount(rate).padStart(9)} rows/s  ETA ${formatDuration(left)}`,
      );
    },
    elapsedSeconds: () => (now() - started) / 1000,
  };
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 75 → "1m15s", 9.2 → "9s", 3725 → "1h02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
