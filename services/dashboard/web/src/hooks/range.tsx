import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { type RangeSelection, rangeQueryString } from '../lib/period.js';

/** The period and time zone every analytics page reads with; shared, so switching pages keeps the choice. */
interface RangeState {
  selection: RangeSelection;
  setSelection: (selection: RangeSelection) => void;
  /** The query string for the applied selection, or null while it is incomplete/invalid. */
  query: string | null;
  error: string | null;
}

const RangeContext = createContext<RangeState | null>(null);

export function RangeProvider({
  defaultTimeZone,
  children,
}: {
  defaultTimeZone: string;
  children: ReactNode;
}) {
  const [selection, setSelection] = useState<RangeSelection>({
    period: '7d',
    customFrom: '',
    customTo: '',
    timeZone: defaultTimeZone,
  });
  const value = useMemo(() => {
    const result = rangeQueryString(selection);
    return {
      selection,
      setSelection,
      query: result.ok ? result.query : null,
      error: result.ok ? null : result.error,
    };
  }, [selection]);
  return <RangeContext.Provider value={value}>{children}</RangeContext.Provider>;
}

export function useRange(): RangeState {
  const range = useContext(RangeContext);
  if (!range) throw new Error('useRange outside RangeProvider');
  return range;
}
