import { useCallback, useEffect, useState } from 'react';

/**
 * `value`, once it has stopped changing for `delayMs`; `flush(v)` applies `v` at once (search on Enter).
 */
export function useDebouncedValue<T>(value: T, delayMs: number): [T, (now: T) => void] {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delayMs);
    return () => window.clearTimeout(timer);
  }, [value, delayMs]);
  const flush = useCallback((now: T) => setDebounced(now), []);
  return [debounced, flush];
}
