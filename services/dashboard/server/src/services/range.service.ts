import type { Period, RangeQuery, ResolvedRange } from '@ollama-gateway/contracts';
import { badRequest } from '@ollama-gateway/runtime';
import { isTimeZone, zonedStartOf } from './time-zone.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Ranges up to this long are charted per hour, longer ones per day (in the range's time zone). */
const HOURLY_UP_TO = 3 * DAY;
/** The longest custom range (day buckets: about 3700 points). */
const MAX_CUSTOM = 3660 * DAY;

/** A resolved range: [from, to), both on whole UTC hours (the rollups' resolution). */
export interface Range {
  period: Period;
  from: Date;
  to: Date;
  timeZone: string;
  granularity: 'hour' | 'day';
}

const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;
const ceilHour = (ms: number) => Math.ceil(ms / HOUR) * HOUR;

/**
 * Resolves `?period=…&tz=…` at `now` (see rangeQuerySchema). Every range ends at the end of the current hour
 * (`to` = the next whole hour after `now`, exclusive), so the current, partial hour's rollups count:
 * - today / month / year: from local midnight of today / the 1st / 1 January in `tz`;
 * - 7d / 30d: the last 168 / 720 hourly buckets (from = to − 7×24 h / 30×24 h);
 * - all: from the oldest rollup hour (`earliest`; with no data, the current hour);
 * - custom: `from`/`to` widened outwards to whole hours.
 * `from` is floored to a whole UTC hour too (differs from local midnight only in zones with a :30/:45 offset).
 */
export function resolveRange(
  query: RangeQuery,
  context: { now: Date; defaultTimeZone: string; earliest?: Date | null },
): Range {
  const timeZone = query.tz ?? context.defaultTimeZone;
  if (!isTimeZone(timeZone))
    throw badRequest('tz: not an IANA time zone (e.g. UTC, Europe/Berlin)', {
      code: 'invalid_request',
      param: 'tz',
    });
  const now = context.now.getTime();
  const end = floorHour(now) + HOUR;
  let from: number;
  let to = end;
  switch (query.period) {
    case 'today':
      from = zonedStartOf('day', context.now, timeZone).getTime();
      break;
    case 'month':
      from = zonedStartOf('month', context.now, timeZone).getTime();
      break;
    case 'year':
      from = zonedStartOf('year', context.now, timeZone).getTime();
      break;
    case '7d':
      from = end - 7 * DAY;
      break;
    case '30d':
      from = end - 30 * DAY;
      break;
    case 'all':
      from = Math.min(context.earliest?.getTime() ?? end - HOUR, end - HOUR);
      break;
    case 'custom': {
      if (!query.from)
        throw badRequest('from: required when period is custom', { code: 'invalid_request', param: 'from' });
      if (!query.to)
        throw badRequest('to: required when period is custom', { code: 'invalid_request', param: 'to' });
      from = Date.parse(query.from);
      to = ceilHour(Date.parse(query.to));
      if (!(Date.parse(query.to) > from))
        throw badRequest('to: must be after from', { code: 'invalid_request', param: 'to' });
      if (to - from > MAX_CUSTOM)
        throw badRequest('to: a custom range may span at most 3660 days', {
          code: 'invalid_request',
          param: 'to',
        });
      break;
    }
  }
  from = floorHour(from);
  return {
    period: query.period,
    from: new Date(from),
    to: new Date(to),
    timeZone,
    granularity: to - from <= HOURLY_UP_TO ? 'hour' : 'day',
  };
}

export const toResolvedRange = (range: Range): ResolvedRange => ({
  period: range.period,
  from: range.from.toISOString(),
  to: range.to.toISOString(),
  timeZone: range.timeZone,
  granularity: range.granularity,
});

/** Resolves a range query at the current time; reads the oldest rollup hour only for period=all. */
export type RangeResolver = (query: RangeQuery) => Promise<Range>;

export function createRangeResolver(deps: {
  earliest: () => Promise<Date | null>;
  now: () => Date;
  defaultTimeZone: string;
}): RangeResolver {
  return async (query) =>
    resolveRange(query, {
      now: deps.now(),
      defaultTimeZone: deps.defaultTimeZone,
      earliest: query.period === 'all' ? await deps.earliest() : null,
    });
}
