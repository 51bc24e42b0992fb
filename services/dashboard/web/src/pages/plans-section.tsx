import { type Plan, updatePlanRequestSchema } from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { mutations } from '../api.js';
import { type Column, DataTable } from '../components/data-table.js';
import { Modal } from '../components/modal.js';
import { EmptyState, ErrorBox, FormMessage } from '../components/status.js';
import { useConfig } from '../hooks/session.js';
import type { ApiState } from '../hooks/use-api.js';
import { useSubmit } from '../hooks/use-submit.js';
import { inputText, parseAmount, parseQuota } from '../lib/form-values.js';
import { formatInt, formatMoney } from '../lib/format.js';
import { testIds } from '../test-ids.js';

/** Plans: monthly request/token quotas and price, editable by admins. */
export function PlansSection({ plans }: { plans: ApiState<Plan[]> }) {
  const { currency, adminEnabled } = useConfig();
  const [editing, setEditing] = useState<Plan | null>(null);

  const columns: Column<Plan>[] = [
    { key: 'name', header: 'Plan', value: (p) => p.name },
    {
      key: 'monthlyRequestQuota',
      header: 'Requests / month',
      numeric: true,
      value: (p) => p.monthlyRequestQuota,
      render: (p) => (p.monthlyRequestQuota === null ? 'Unlimited' : formatInt(p.monthlyRequestQuota)),
    },
    {
      key: 'monthlyTokenQuota',
      header: 'Tokens / month',
      numeric: true,
      value: (p) => p.monthlyTokenQuota,
      render: (p) => (p.monthlyTokenQuota === null ? 'Unlimited' : formatInt(p.monthlyTokenQuota)),
    },
    {
      key: 'monthlyPrice',
      header: 'Price / month',
      numeric: true,
      value: (p) => p.monthlyPrice,
      render: (p) => formatMoney(p.monthlyPrice, currency),
    },
  ];
  if (adminEnabled) {
    columns.push({
      key: 'actions',
      header: 'Actions',
      noExport: true,
      value: () => null,
      render: (p) => (
        <button
          type="button"
          className="small"
          onClick={() => setEditing(p)}
          data-testid={testIds.planEdit(p.name)}
        >
          Edit<span className="visually-hidden"> plan {p.name}</span>
        </button>
      ),
    });
  }

  return (
    <>
      {plans.error ? <ErrorBox title="Plans" error={plans.error} onRetry={plans.reload} /> : null}
      <DataTable
        name="plans"
        title="Plans"
        columns={columns}
        rows={plans.data}
        loading={plans.loading}
        rowKey={(p) => p.name}
        empty={<EmptyState title="No plans yet">Plans are created with gatewayctl.</EmptyState>}
      />
      {editing ? (
        <Modal title={`Edit plan ${editing.name}`} onClose={() => setEditing(null)}>
          <PlanForm
            plan={editing}
            onSaved={() => {
              setEditing(null);
              plans.reload();
            }}
          />
        </Modal>
      ) : null}
    </>
  );
}

function PlanForm({ plan, onSaved }: { plan: Plan; onSaved: () => void }) {
  const [requests, setRequests] = useState(inputText(plan.monthlyRequestQuota));
  const [tokens, setTokens] = useState(inputText(plan.monthlyTokenQuota));
  const [price, setPrice] = useState(plan.monthlyPrice);
  const submit = useSubmit();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const r = parseQuota(requests, 'Request quota');
    const t = parseQuota(tokens, 'Token quota');
    const p = parseAmount(price, 'Price');
    const firstError = [r, t, p].find((v) => !v.ok);
    if (firstError && !firstError.ok) return submit.setError(firstError.error);
    if (!r.ok || !t.ok || !p.ok) return;
    const body = updatePlanRequestSchema.safeParse({
      monthlyRequestQuota: r.value,
      monthlyTokenQuota: t.value,
      monthlyPrice: p.value,
    });
    if (!body.success) return submit.setError(body.error.issues[0]?.message ?? 'Invalid plan');
    if (await submit.run(() => mutations.updatePlan(plan.name, body.data).then(() => true))) onSaved();
  };

  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid={testIds.planEditForm}>
      <label className="field">
        <span>Requests per month (empty = unlimited)</span>
        <input inputMode="numeric" value={requests} onChange={(e) => setRequests(e.target.value)} />
      </label>
      <label className="field">
        <span>Tokens per month (empty = unlimited)</span>
        <input inputMode="numeric" value={tokens} onChange={(e) => setTokens(e.target.value)} />
      </label>
      <label className="field">
        <span>Monthly price</span>
        <input inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} required />
      </label>
      <FormMessage error={submit.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save plan'}
        </button>
      </div>
    </form>
  );
}
