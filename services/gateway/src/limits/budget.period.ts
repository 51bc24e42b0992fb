/**
 * Billing periods for budgets and plan quotas: calendar months in the billing time zone (BILLING_TIME_ZONE), or
 * `all` for one-off budgets that never reset.
 */

export interface BillingWindow {
  /** `YYYY-MM-01` for a month (the same key as `customer_spend.period`), `all` for a one-off budget. */
  period: string;
  /** First instant of the period (null: since the beginning). */
  start: Date | null;
  /** First instant of the next period (null: never ends). */
  end: Date | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

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

/** The wall-clock fields of `at` in `timeZone`. */
function wall(at: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(at)))
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
  const w = wall(at, timeZone);
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

/** Throws a RangeError for a time zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The calendar month containing `at` in `timeZone`. */
export function monthWindow(at: Date, timeZone: string): BillingWindow {
  const { year, month } = wall(at.getTime(), timeZone);
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return {
    period: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`,
    start: zonedMonthStart(year, month, timeZone),
    end: zonedMonthStart(next.year, next.month, timeZone),
  };
}

/** The window a budget is counted in: the current month, or everything for a one-off budget. */
export function budgetWindow(period: 'monthly' | 'one_off', at: Date, timeZone: string): BillingWindow {
  return period === 'one_off' ? { period: 'all', start: null, end: null } : monthWindow(at, timeZone);
}

/** Seconds a counter of `window` must live: to the end of the period plus a day, or `rollingSeconds` when open. */
export function counterTtlSeconds(window: BillingWindow, now: Date, rollingSeconds: number): number {
  if (!window.end) return rollingSeconds;
  return Math.max(60, Math.ceil((window.end.getTime() - now.getTime()) / 1000) + 86_400);
}
