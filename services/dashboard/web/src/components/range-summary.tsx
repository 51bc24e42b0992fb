import type { ResolvedRange } from '@ollama-gateway/contracts';
import { formatDateTime } from '../lib/format.js';
import { periodLabel } from '../lib/period.js';
import { Spinner } from './status.js';

/** "Last 7 days: 26 Feb 2026, 14:00:00 – 5 Mar 2026, 14:00:00 (Europe/Berlin)", plus a spinner while refreshing. */
export function RangeSummary({ range, loading }: { range: ResolvedRange | undefined; loading: boolean }) {
  return (
    <p className="range-summary muted">
      {range ? (
        <>
          {periodLabel(range.period)}: {formatDateTime(range.from, range.timeZone)} –{' '}
          {formatDateTime(range.to, range.timeZone)} ({range.timeZone})
        </>
      ) : null}
      {loading ? <Spinner label="Updating" /> : null}
    </p>
  );
}
