import type { ReactNode } from 'react';
import { type StatName, testIds } from '../test-ids.js';

export function StatCard({
  name,
  label,
  value,
  hint,
  tone,
  loading = false,
}: {
  name: StatName;
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: 'good' | 'bad';
  loading?: boolean;
}) {
  return (
    <article className="stat-card" data-testid={testIds.stat(name)} aria-busy={loading}>
      <h3 className="stat-label">{label}</h3>
      {loading ? (
        <span className="skeleton-line stat-skeleton">
          <span className="visually-hidden">Loading</span>
        </span>
      ) : (
        <p className={tone ? `stat-value ${tone}` : 'stat-value'} data-testid={testIds.statValue(name)}>
          {value}
        </p>
      )}
      {hint && !loading ? <p className="stat-hint">{hint}</p> : null}
    </article>
  );
}
