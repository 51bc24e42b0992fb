/**
 * The one time-zone implementation (billing periods, plan quotas, budgets, time-of-use electricity): wall-clock
 * fields of an instant in an IANA zone, the instant a zoned calendar month starts, and the month containing an
 * instant. One cached Intl.DateTimeFormat per zone; month windows cached per (zone, minute) so the gateway's hot
 * path does not call formatToParts on every request.
 */

/** The calendar month containing an instant, in a time zone. */
export interface MonthWindow {
  /** `YYYY-MM-01` (the key of `customer_spend.period` and of monthly quotas and budgets). */
  period: string;
  /** First instant of the month. */
  start: Date;
  /** First instant of the next month. */
  end: Date;
}

/** Wall-clock fields of an instant in a zone (month 1-12, hour 0-23). */
export interface WallClockParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The cached formatter of `timeZone`; throws a RangeError for a zone Intl does not know. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for a time zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The wall-clock fields of `at` (a Date or epoch milliseconds) in `timeZone`. */
export function zonedParts(at: Date | number, timeZone = 'UTC'): WallClockParts {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(typeof at === 'number' ? new Date(at) : at))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The zone's offset from UTC at `at`, in milliseconds (wall clock − UTC). */
function offsetMs(at: number, timeZone: string): number {
  const w = zonedParts(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows midnight on the first of `month` (1-12) of `year`. */
export function zonedMonthStart(year: number, month: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, 1);
  let instant = guess - offsetMs(guess, timeZone);
  const corrected = guess - offsetMs(instant, timeZone);
  if (corrected !== instant) instant = corrected;
  return new Date(instant);
}

/** `YYYY-MM-01` for a year and month (1-12). */
export function periodKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
}

function computeMonthWindow(at: number, timeZone: string): MonthWindow {
  const { year, month } = zonedParts(at, timeZone);
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return {
    period: periodKey(year, month),
    start: zonedMonthStart(year, month, timeZone),
    end: zonedMonthStart(next.year, next.month, timeZone),
  };
}

const MINUTE = 60_000;
/** The last window computed per zone, with the minute it was computed for. */
const windows = new Map<string, { minute: number; window: MonthWindow }>();

/**
 * The calendar month containing `at` in `timeZone`. Cached per (zone, minute): zoned month boundaries fall on whole
 * minutes, so every instant of one minute lies in the same month. The answer is shared: do not mutate it.
 */
export function zonedMonthWindow(at: Date | number, timeZone = 'UTC'): MonthWindow {
  const ms = typeof at === 'number' ? at : at.getTime();
  const minute = Math.floor(ms / MINUTE);
  const hit = windows.get(timeZone);
  if (hit && hit.minute === minute) return hit.window;
  const window = computeMonthWindow(ms, timeZone);
  if (windows.size > 1000) windows.clear();
  windows.set(timeZone, { minute, window });
  return window;
}
