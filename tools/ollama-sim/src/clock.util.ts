import type { CancelSignal } from './cancel.signal.js';

/** Monotonic nanoseconds (for durations). */
export function monoNs(): bigint {
  return process.hrtime.bigint();
}

const startMs = Date.now();
const [hrSec0, hrNs0] = process.hrtime();
const baseSec = Math.floor(startMs / 1000);
const baseNs = (startMs % 1000) * 1_000_000;
let cachedSec = -1;
let cachedPrefix = '';

function formatRfc3339(sec: number, ns: number): string {
  if (sec !== cachedSec) {
    cachedSec = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 19);
  }
  if (ns === 0) return `${cachedPrefix}Z`;
  let frac = String(ns).padStart(9, '0');
  let end = frac.length;
  while (frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  return `${cachedPrefix}.${frac}Z`;
}

/**
 * Go's time.RFC3339Nano in UTC, e.g. `2025-07-07T20:22:19.184789Z` (fraction trimmed of trailing zeros).
 * Without an argument: now, with nanosecond resolution.
 */
export function rfc3339Nano(ns?: bigint): string {
  if (ns !== undefined) return formatRfc3339(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
  const [s, n] = process.hrtime();
  let sec = baseSec + (s - hrSec0);
  let nanos = baseNs + (n - hrNs0);
  while (nanos >= 1e9) {
    nanos -= 1e9;
    sec++;
  }
  while (nanos < 0) {
    nanos += 1e9;
    sec--;
  }
  return formatRfc3339(sec, nanos);
}

/** Same format for a millisecond timestamp. */
export function rfc3339FromMs(ms: number): string {
  return rfc3339Nano(BigInt(Math.round(ms)) * 1_000_000n);
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function sleep(ms: number, signal?: CancelSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      remove?.();
      resolve(true);
    }, ms);
    const remove = signal?.onAbort(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/**
 * Parses a Go duration string (`"5m"`, `"1h30m"`, `"300ms"`, `"-1"`, `"0"`) into milliseconds.
 * Throws with Go's error text on a bad value.
 */
export function parseGoDuration(text: string): number {
  const orig = text;
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration "${orig}"`);
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1e3,
    m: 6e4,
    h: 3.6e6,
  };
  const re = /^(\d+(?:\.\d*)?|\.\d+)([a-zµμ]*)/;
  let total = 0;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) throw new Error(`time: invalid duration "${orig}"`);
    const unit = m[2] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration "${orig}"`);
    const factor = units[unit];
    if (factor === undefined) throw new Error(`time: unknown unit "${unit}" in duration "${orig}"`);
    total += Number(m[1]) * factor;
    s = s.slice(m[0].length);
  }
  return sign * total;
}
