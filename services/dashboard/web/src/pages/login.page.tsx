import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../api.js';
import { useSession } from '../hooks/session.js';
import { testIds } from '../test-ids.js';

function loginErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return error.message || 'That secret is not right.';
    if (error.status === 429) return `${error.message || 'Too many attempts.'} Wait a moment and try again.`;
  }
  return errorMessage(error);
}

export function LoginPage({ expired }: { expired: boolean }) {
  const { login } = useSession();
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!secret) return;
    setBusy(true);
    setError(null);
    try {
      await login(secret);
    } catch (caught) {
      setError(loginErrorText(caught));
      setBusy(false);
    }
  };

  return (
    <main className="center-page">
      <form
        className="card login-card"
        onSubmit={submit}
        data-testid={testIds.loginForm}
        aria-labelledby="login-title"
      >
        <h1 id="login-title">Ollama Gateway</h1>
        <p className="muted">
          Sign in with the admin token (ADMIN_TOKEN) or the dashboard password (DASHBOARD_PASSWORD).
        </p>
        {expired && !error ? (
          <p className="note" role="status">
            Your session has ended. Please sign in again.
          </p>
        ) : null}
        <label className="field">
          <span>Secret</span>
          <input
            type="password"
            name="secret"
            autoComplete="current-password"
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            required
            // biome-ignore lint/a11y/noAutofocus: the only field of the login page
            autoFocus
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            data-testid={testIds.loginSecret}
          />
        </label>
        {error ? (
          <p id="login-error" className="form-error" role="alert" data-testid={testIds.loginError}>
            {error}
          </p>
        ) : null}
        <button
          type="submit"
          className="primary"
          disabled={busy || !secret}
          data-testid={testIds.loginSubmit}
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
