import type { DashboardConfig } from '@ollama-gateway/contracts';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import * as api from '../api.js';

type SessionState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'authenticated'; config: DashboardConfig };

interface SessionApi {
  state: SessionState;
  login: (secret: string) => Promise<void>;
  logout: () => Promise<void>;
  retry: () => void;
}

const SessionContext = createContext<SessionApi | null>(null);

const fallbackConfig: DashboardConfig = {
  currency: 'USD',
  timeZone: 'UTC',
  adminEnabled: false,
  version: '',
};

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const load = useCallback(async () => {
    try {
      const session = await api.fetchSession();
      setState(
        session.authenticated
          ? { status: 'authenticated', config: session.config ?? fallbackConfig }
          : { status: 'anonymous', expired: false },
      );
    } catch (error) {
      setState({ status: 'error', message: api.errorMessage(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    api.setUnauthorizedHandler(() => {
      api.setCsrfToken(undefined);
      setState({ status: 'anonymous', expired: true });
    });
    return () => api.setUnauthorizedHandler(undefined);
  }, []);

  const login = useCallback(async (secret: string) => {
    const session = await api.login(secret);
    setState({ status: 'authenticated', config: session.config ?? fallbackConfig });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setState({ status: 'anonymous', expired: false });
    }
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    void load();
  }, [load]);

  const value = useMemo(() => ({ state, login, logout, retry }), [state, login, logout, retry]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The dashboard config; only inside the authenticated app. */
export function useConfig(): DashboardConfig {
  const { state } = useSession();
  return state.status === 'authenticated' ? state.config : fallbackConfig;
}
