import type { EnergyConfig } from './cost.js';
import { zonedMonthWindow, zonedParts } from './time-zone.js';

export { assertTimeZone } from './time-zone.js';

/**
 * Electricity policy: which GPU power and which kWh price apply to one request.
 *
 * - Watts: `gpuWattsByHost[upstreamHost]` (hosts compared without a trailing slash, case-insensitively), else
 *   `gpuWatts` (GPU_WATTS).
 * - kWh price: the first time-of-use window containing the request's start time (`occurredAt`), read as a wall
 *   clock in `timeZone`, else `electricityPricePerKwh`. A window is `from` inclusive, `to` exclusive, `HH:MM`;
 *   `from` > `to` wraps midnight (22:00 → 06:00); `from` = `to` is the whole day.
 */
export interface TimeOfUseWindow {
  from: string;
  to: string;
  pricePerKwh: string | number;
}

/** `gpuWatts` and `electricityPricePerKwh` are the defaults; a plain EnergyConfig is a valid policy. */
export interface EnergyPolicy extends EnergyConfig {
  gpuWattsByHost?: Readonly<Record<string, string | number>>;
  timeOfUse?: readonly TimeOfUseWindow[];
  /** IANA time zone the windows are written in. Default UTC. */
  timeZone?: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "22:30" → 1350 minutes after midnight; throws on anything else. */
export function parseClock(value: string): number {
  const match = HHMM.exec(value);
  if (!match) throw new TypeError(`Expected a time of day HH:MM (00:00-23:59), got "${value}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The wall-clock date and time of `at` in `timeZone` (see time-zone.ts, the one time-zone implementation). */
export function wallClock(
  at: Date,
  timeZone = 'UTC',
): { year: number; month: number; day: number; minutes: number } {
  const { year, month, day, hour, minute } = zonedParts(at, timeZone);
  return { year, month, day, minutes: hour * 60 + minute };
}

function inWindow(minutes: number, window: TimeOfUseWindow): boolean {
  const from = parseClock(window.from);
  const to = parseClock(window.to);
  if (from === to) return true;
  return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

/** The kWh price in force at `at`. */
export function electricityPriceAt(policy: EnergyPolicy, at: Date): string | number {
  const windows = policy.timeOfUse ?? [];
  if (windows.length === 0) return policy.electricityPricePerKwh;
  const { minutes } = wallClock(at, policy.timeZone ?? 'UTC');
  return windows.find((window) => inWindow(minutes, window))?.pricePerKwh ?? policy.electricityPricePerKwh;
}

function normaliseHost(host: string): string {
  return host.trim().replace(/\/+$/, '').toLowerCase();
}

/** The GPU power of `upstreamHost`, else the default. */
export function gpuWattsFor(policy: EnergyPolicy, upstreamHost: string | null): string | number {
  if (upstreamHost && policy.gpuWattsByHost) {
    const wanted = normaliseHost(upstreamHost);
    for (const [host, watts] of Object.entries(policy.gpuWattsByHost))
      if (normaliseHost(host) === wanted) return watts;
  }
  return policy.gpuWatts;
}

/** The watts and kWh price for one request served by `upstreamHost` starting at `at`. */
export function resolveEnergy(policy: EnergyPolicy, upstreamHost: string | null, at: Date): EnergyConfig {
  return {
    gpuWatts: gpuWattsFor(policy, upstreamHost),
    electricityPricePerKwh: electricityPriceAt(policy, at),
  };
}

/**
 * The billing period (calendar month in `timeZone`) containing `at`, as its first day "YYYY-MM-01": the key of
 * `customer_spend` and of monthly quotas and budgets.
 */
export function billingPeriod(at: Date, timeZone = 'UTC'): string {
  return zonedMonthWindow(at, timeZone).period;
}
