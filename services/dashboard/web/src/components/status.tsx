import type { ReactNode } from 'react';
import { errorMessage } from '../api.js';
import { testIds } from '../test-ids.js';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status" aria-label={label} data-testid={testIds.loading}>
      <span className="spinner-dot" aria-hidden="true" />
    </span>
  );
}

/** Grey placeholder lines while the first answer is on its way. */
export function Skeleton({ lines = 3, label = 'Loading' }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label} aria-busy="true" data-testid={testIds.loading}>
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <span key={i} className="skeleton-line" />
      ))}
    </div>
  );
}

export function ErrorBox({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="error-box" role="alert" data-testid={testIds.errorBox}>
      <p>
        {title ? <strong>{title}: </strong> : null}
        {errorMessage(error)}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry} data-testid={testIds.errorRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={testId ?? testIds.emptyState}>
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** A form's error or success line, announced to screen readers. */
export function FormMessage({ error, success }: { error?: string | null; success?: string | null }) {
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (success)
    return (
      <p className="form-success" role="status">
        {success}
      </p>
    );
  return null;
}
