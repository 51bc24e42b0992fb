import { type ReactNode, useState } from 'react';
import { NavLink, useLocation } from 'react-router';
import { errorMessage } from '../api.js';
import { REFRESH_INTERVAL_MS, useRefresh } from '../hooks/refresh.js';
import { useConfig, useSession } from '../hooks/session.js';
import { testIds } from '../test-ids.js';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/models', label: 'Models', end: false },
  { to: '/customers', label: 'Customers', end: false },
  { to: '/logs', label: 'Request log', end: false },
  { to: '/pricing', label: 'Pricing', end: false },
] as const;

/** Header (navigation, auto-refresh toggle, logout) around the current page. */
export function Layout({ children }: { children: ReactNode }) {
  const { logout } = useSession();
  const config = useConfig();
  const { paused, held, setPaused, refreshNow } = useRefresh();
  const [menuOpen, setMenuOpen] = useState(false);
  const [logoutError, setLogoutError] = useState<string | null>(null);
  const location = useLocation();
  const [lastPath, setLastPath] = useState(location.pathname);
  if (lastPath !== location.pathname) {
    setLastPath(location.pathname);
    setMenuOpen(false);
  }

  const status = paused
    ? 'Auto-refresh paused'
    : held
      ? 'Auto-refresh waits while you edit'
      : 'Auto-refresh on';

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-name">Ollama Gateway</span>
          {config.version ? <span className="brand-version">v{config.version}</span> : null}
        </div>
        <button
          type="button"
          className="nav-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
          data-testid={testIds.navToggle}
        >
          Menu
        </button>
        <nav
          id="main-nav"
          aria-label="Main"
          className={menuOpen ? 'nav open' : 'nav'}
          data-testid={testIds.nav}
        >
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className={menuOpen ? 'header-tools open' : 'header-tools'}>
          <span className="refresh-status" role="status" title={`Every ${REFRESH_INTERVAL_MS / 1000} s`}>
            {status}
          </span>
          <button
            type="button"
            className="small"
            aria-pressed={paused}
            onClick={() => setPaused(!paused)}
            data-testid={testIds.refreshToggle}
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            className="small"
            onClick={refreshNow}
            data-testid={testIds.refreshNow}
            aria-label="Refresh now"
          >
            ↻
          </button>
          <button
            type="button"
            className="small"
            onClick={() => logout().catch((error: unknown) => setLogoutError(errorMessage(error)))}
            data-testid={testIds.logout}
          >
            Log out
          </button>
        </div>
      </header>
      {logoutError ? (
        <p className="form-error banner" role="alert">
          Logging out failed: {logoutError}
        </p>
      ) : null}
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
