/** Wall-clock arithmetic in IANA time zones with Intl (one cached formatter per zone). */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * True for an IANA zone name Intl knows (UTC, Europe/Berlin, Etc/GMT+5…). Raw offsets such as `+05:00` are refused:
 * Postgres reads those as POSIX zones, with the sign reversed.
 */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

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
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `at` in `timeZone`. */
export function wallClock(at: Date | number, timeZone: string): WallClock {
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

/** The zone's offset from UTC at `at`, ms (wall clock − UTC). */
function offsetMs(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at / 1000) * 1000;
}

/** The instant the wall clock in `timeZone` shows midnight starting `year-month-day` (month 1-12; overflow rolls). */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - offsetMs(guess, timeZone);
  const corrected = guess - offsetMs(instant, timeZone);
  if (corrected !== instant) instant = corrected;
  return new Date(instant);
}

/** Local midnight starting the day / month / year containing `at`. */
export function zonedStartOf(unit: 'day' | 'month' | 'year', at: Date, timeZone: string): Date {
  const w = wallClock(at, timeZone);
  if (unit === 'day') return zonedMidnight(w.year, w.month, w.day, timeZone);
  if (unit === 'month') return zonedMidnight(w.year, w.month, 1, timeZone);
  return zonedMidnight(w.year, 1, 1, timeZone);
}

/** The billing period containing `at`: the first day of its calendar month in `timeZone`, as `YYYY-MM-01`. */
export function billingPeriodOf(at: Date, timeZone: string): string {
  const { year, month } = wallClock(at, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
}
