import { useCallback, useRef, useState } from 'react';
import { errorMessage } from '../api.js';

export interface Submit {
  busy: boolean;
  error: string | null;
  setError: (error: string | null) => void;
  /** Runs the mutation once at a time; a thrown error becomes `error` (the server's message, shown as is). */
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
}

export function useSubmit(): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);
  const run = useCallback(async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (caught) {
      setError(errorMessage(caught));
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
