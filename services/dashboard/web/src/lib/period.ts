import type { Period } from '@ollama-gateway/contracts';
import { isValidTimeZone, wallTimeToIso } from './time-zone.js';

/** What the range selector holds: a period, the custom range's wall times (in `timeZone`) and the zone. */
export interface RangeSelection {
  period: Period;
  /** `datetime-local` values, used when period is custom. */
  customFrom: string;
  customTo: string;
  timeZone: string;
}

export const PERIOD_OPTIONS: readonly { value: Period; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'month', label: 'This month' },
  { value: 'year', label: 'This year' },
  { value: 'all', label: 'All time' },
  { value: 'custom', label: 'Custom range' },
];

export function periodLabel(period: Period): string {
  return PERIOD_OPTIONS.find((option) => option.value === period)?.label ?? period;
}

export type RangeQueryResult = { ok: true; query: string } | { ok: false; error: string };

/**
 * The query string of an analytics read (`period=7d&tz=Europe%2FBerlin`, or with from/to for a custom range), or the
 * reason the selection cannot be sent yet.
 */
export function rangeQueryString(selection: RangeSelection): RangeQueryResult {
  const timeZone = selection.timeZone.trim();
  if (!isValidTimeZone(timeZone)) return { ok: false, error: `Unknown time zone "${timeZone}"` };
  const params = new URLSearchParams({ period: selection.period });
  if (selection.period === 'custom') {
    const from = wallTimeToIso(selection.customFrom, timeZone);
    const to = wallTimeToIso(selection.customTo, timeZone);
    if (!from || !to) return { ok: false, error: 'Choose both the start and the end of the custom range' };
    if (from >= to) return { ok: false, error: 'The start of the range must be before its end' };
    params.set('from', from);
    params.set('to', to);
  }
  params.set('tz', timeZone);
  return { ok: true, query: params.toString() };
}
