import type { KeySummary } from '@ollama-gateway/contracts';
import { type ReactNode, useState } from 'react';
import { mutations } from '../api.js';
import { type Column, DataTable } from '../components/data-table.js';
import { EmptyState, FormMessage } from '../components/status.js';
import { useSubmit } from '../hooks/use-submit.js';
import { formatDateTime, formatInt, formatMoney } from '../lib/format.js';
import { keyStatus, limitsText } from '../lib/keys.js';
import { testIds } from '../test-ids.js';

/** Revoke with an inline confirmation step (no browser confirm dialog). */
function RevokeButton({ keyRow, onRevoked }: { keyRow: KeySummary; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const submit = useSubmit();
  if (!confirming) {
    return (
      <button
        type="button"
        className="small danger"
        onClick={() => setConfirming(true)}
        data-testid={testIds.revokeKey(keyRow.id)}
      >
        Revoke<span className="visually-hidden"> key {keyRow.name}</span>
      </button>
    );
  }
  return (
    <fieldset className="confirm">
      <legend className="visually-hidden">Revoke key {keyRow.name}?</legend>
      <button
        type="button"
        className="small danger"
        disabled={submit.busy}
        // biome-ignore lint/a11y/noAutofocus: moves focus to the confirmation the user just asked for
        autoFocus
        onClick={async () => {
          if (await submit.run(() => mutations.revokeKey(keyRow.id).then(() => true))) onRevoked();
        }}
        data-testid={testIds.revokeConfirm(keyRow.id)}
      >
        {submit.busy ? 'Revoking…' : 'Yes, revoke'}
      </button>
      <button type="button" className="small" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <FormMessage error={submit.error} />
    </fieldset>
  );
}

export function CustomerKeysTable({
  keys,
  loading,
  currency,
  timeZone,
  adminEnabled,
  onEdit,
  onChanged,
  actions,
}: {
  keys: readonly KeySummary[] | undefined;
  loading: boolean;
  currency: string;
  timeZone: string;
  adminEnabled: boolean;
  onEdit: (key: KeySummary) => void;
  onChanged: () => void;
  actions: ReactNode;
}) {
  const columns: Column<KeySummary>[] = [
    { key: 'name', header: 'Name', value: (k) => k.name },
    { key: 'prefix', header: 'Prefix', value: (k) => k.prefix, render: (k) => <code>{k.prefix}…</code> },
    {
      key: 'status',
      header: 'Status',
      value: (k) => keyStatus(k),
      render: (k) => <span className={`badge ${keyStatus(k)}`}>{keyStatus(k)}</span>,
    },
    {
      key: 'allowedModels',
      header: 'Models',
      value: (k) => (k.allowedModels ? k.allowedModels.join(' ') : 'all'),
      render: (k) => (k.allowedModels ? k.allowedModels.join(', ') : <span className="muted">all</span>),
    },
    { key: 'limits', header: 'Limits', value: (k) => limitsText(k) },
    {
      key: 'expiresAt',
      header: 'Expires',
      value: (k) => k.expiresAt,
      render: (k) => (k.expiresAt ? formatDateTime(k.expiresAt, timeZone) : 'Never'),
    },
    {
      key: 'lastUsedAt',
      header: 'Last used',
      value: (k) => k.lastUsedAt,
      render: (k) => (k.lastUsedAt ? formatDateTime(k.lastUsedAt, timeZone) : 'Never'),
    },
    {
      key: 'requests',
      header: 'Requests',
      numeric: true,
      value: (k) => k.requests,
      render: (k) => formatInt(k.requests),
    },
    {
      key: 'tokens',
      header: 'Tokens',
      numeric: true,
      value: (k) => k.promptTokens + k.completionTokens,
      render: (k) => formatInt(k.promptTokens + k.completionTokens),
    },
    {
      key: 'billed',
      header: 'Spend',
      numeric: true,
      value: (k) => k.billed,
      render: (k) => formatMoney(k.billed, currency),
    },
  ];
  if (adminEnabled) {
    columns.push({
      key: 'actions',
      header: 'Actions',
      noExport: true,
      value: () => null,
      render: (k) =>
        k.revokedAt ? (
          <span className="muted">Revoked {formatDateTime(k.revokedAt, timeZone)}</span>
        ) : (
          <span className="row-actions">
            <button
              type="button"
              className="small"
              onClick={() => onEdit(k)}
              data-testid={testIds.keyEdit(k.id)}
            >
              Edit<span className="visually-hidden"> key {k.name}</span>
            </button>
            <RevokeButton keyRow={k} onRevoked={onChanged} />
          </span>
        ),
    });
  }

  return (
    <DataTable
      name="keys"
      title="API keys"
      columns={columns}
      rows={keys}
      loading={loading}
      rowKey={(k) => k.id}
      actions={actions}
      empty={
        <EmptyState title="No keys yet">
          <p>{adminEnabled ? 'Create one with "New key".' : 'Keys are created by an admin.'}</p>
        </EmptyState>
      }
    />
  );
}
