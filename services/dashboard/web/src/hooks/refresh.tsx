import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

/**
 * Auto-refresh: every 30 s `tick` advances and every mounted read reloads, unless the user paused it, the tab is
 * hidden, or something holds it (an open modal, a dirty form), so data never changes under someone's cursor.
 */
export const REFRESH_INTERVAL_MS = 30_000;

interface RefreshState {
  tick: number;
  paused: boolean;
  held: boolean;
  setPaused: (paused: boolean) => void;
  refreshNow: () => void;
  hold: () => () => void;
}

const RefreshContext = createContext<RefreshState | null>(null);

export function RefreshProvider({ children }: { children: ReactNode }) {
  const [tick, setTick] = useState(0);
  const [paused, setPaused] = useState(false);
  const [holds, setHolds] = useState(0);
  const held = holds > 0;

  useEffect(() => {
    if (paused || held) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, REFRESH_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [paused, held]);

  const refreshNow = useCallback(() => setTick((t) => t + 1), []);
  const hold = useCallback(() => {
    setHolds((n) => n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      setHolds((n) => n - 1);
    };
  }, []);

  const value = useMemo(
    () => ({ tick, paused, held, setPaused, refreshNow, hold }),
    [tick, paused, held, refreshNow, hold],
  );
  return <RefreshContext.Provider value={value}>{children}</RefreshContext.Provider>;
}

export function useRefresh(): RefreshState {
  const state = useContext(RefreshContext);
  if (!state) throw new Error('useRefresh outside RefreshProvider');
  return state;
}

/** Suspends auto-refresh while `active` (a form is dirty, a modal is open). */
export function useHoldRefresh(active: boolean): void {
  const { hold } = useRefresh();
  useEffect(() => (active ? hold() : undefined), [active, hold]);
}
