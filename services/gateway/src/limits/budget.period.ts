/**
 * Billing periods for budgets and plan quotas: calendar months in the billing time zone (BILLING_TIME_ZONE), or
 * `all` for one-off budgets that never reset.
 */
import { zonedMonthWindow } from '@ollama-gateway/pricing';

// The time-zone primitives live in @ollama-gateway/pricing (one implementation for the gateway and the worker).
export { assertTimeZone, zonedMonthStart } from '@ollama-gateway/pricing';

export interface BillingWindow {
  /** `YYYY-MM-01` for a month (the same key as `customer_spend.period`), `all` for a one-off budget. */
  period: string;
  /** First instant of the period (null: since the beginning). */
  start: Date | null;
  /** First instant of the next period (null: never ends). */
  end: Date | null;
}

/** The calendar month containing `at` in `timeZone` (cached per zone and minute in @ollama-gateway/pricing). */
export function monthWindow(at: Date, timeZone: string): BillingWindow {
  return zonedMonthWindow(at, timeZone);
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
