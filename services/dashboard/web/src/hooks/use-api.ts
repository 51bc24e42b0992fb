import { useCallback, useEffect, useRef, useState } from 'react';
import { type GetRequest, get } from '../api.js';
import { useRefresh } from './refresh.js';

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True while a request is in flight (also during a background refresh, when `data` is still shown). */
  loading: boolean;
  reload: () => void;
}

/**
 * Loads a read and reloads it on every auto-refresh tick, on `reload()`, and when the path changes. A new path clears
 * the old data (it described something else); a refresh keeps it on screen until the answer arrives. `null` = idle.
 */
export function useApi<T>(request: GetRequest<T> | null, options: { poll?: boolean } = {}): ApiState<T> {
  const poll = options.poll ?? true;
  const { tick } = useRefresh();
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ path: string | null; data?: T; error?: Error; loading: boolean }>({
    path: null,
    loading: request !== null,
  });
  const requestRef = useRef(request);
  requestRef.current = request;

  const path = request?.path ?? null;
  const fetchKey = path === null ? null : `${poll ? tick : 0}:${nonce}:${path}`;

  useEffect(() => {
    const current = requestRef.current;
    if (fetchKey === null || !current) {
      setState({ path: null, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((previous) =>
      previous.path === current.path
        ? { ...previous, loading: true }
        : { path: current.path, loading: true, data: undefined, error: undefined },
    );
    get(current, controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ path: current.path, data, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((previous) => ({
          ...previous,
          path: current.path,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        }));
      },
    );
    return () => controller.abort();
  }, [fetchKey]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const fresh = state.path === path;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: fresh ? state.loading : path !== null,
    reload,
  };
}
