import type { CustomerSummary } from '@ollama-gateway/contracts';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { reads } from '../api.js';
import { AdminNote } from '../components/admin-note.js';
import { type Column, DataTable } from '../components/data-table.js';
import { RangeSummary } from '../components/range-summary.js';
import { RangeToolbar } from '../components/range-toolbar.js';
import { EmptyState, ErrorBox, FormMessage } from '../components/status.js';
import { UsageBar } from '../components/usage-bar.js';
import { useRange } from '../hooks/range.js';
import { useConfig } from '../hooks/session.js';
import { useApi } from '../hooks/use-api.js';
import { formatInt, formatMoney, toNumber } from '../lib/format.js';
import { testIds } from '../test-ids.js';
import { CustomerCreateForm } from './customer-create-form.js';
import { PlansSection } from './plans-section.js';

export function BudgetCell({ customer, currency }: { customer: CustomerSummary; currency: string }) {
  if (customer.budget === null) return <span className="muted">No budget</span>;
  return (
    <UsageBar
      label={`Budget used by ${customer.name}`}
      used={toNumber(customer.periodSpend) || 0}
      limit={toNumber(customer.budget) || 0}
      text={`${formatMoney(customer.periodSpend, currency)} of ${formatMoney(customer.budget, currency)}`}
    />
  );
}

export function QuotaCell({ customer, kind }: { customer: CustomerSummary; kind: 'requests' | 'tokens' }) {
  const quota = kind === 'requests' ? customer.plan?.monthlyRequestQuota : customer.plan?.monthlyTokenQuota;
  const used = kind === 'requests' ? customer.periodRequests : customer.periodTokens;
  if (quota === null || quota === undefined)
    return <span className="muted">{formatInt(used)} · no quota</span>;
  return (
    <UsageBar
      label={`${kind === 'requests' ? 'Request' : 'Token'} quota used by ${customer.name}`}
      used={used}
      limit={quota}
      text={`${formatInt(used)} of ${formatInt(quota)}`}
    />
  );
}

function columns(currency: string): Column<CustomerSummary>[] {
  return [
    {
      key: 'name',
      header: 'Customer',
      value: (c) => c.name,
      render: (c) => (
        <Link
          to={`/customers/${c.id}`}
          data-testid={testIds.customerOpen(c.id)}
          onClick={(e) => e.stopPropagation()}
        >
          {c.name}
        </Link>
      ),
    },
    { key: 'email', header: 'Email', value: (c) => c.email ?? '', render: (c) => c.email ?? '—' },
    {
      key: 'status',
      header: 'Status',
      value: (c) => c.status,
      render: (c) => <span className={`badge ${c.status}`}>{c.status}</span>,
    },
    { key: 'plan', header: 'Plan', value: (c) => c.plan?.name ?? '', render: (c) => c.plan?.name ?? '—' },
    { key: 'keys', header: 'Keys', numeric: true, value: (c) => c.keys },
    {
      key: 'requests',
      header: 'Requests',
      numeric: true,
      value: (c) => c.requests,
      render: (c) => formatInt(c.requests),
    },
    {
      key: 'tokens',
      header: 'Tokens',
      numeric: true,
      value: (c) => c.promptTokens + c.completionTokens,
      render: (c) => formatInt(c.promptTokens + c.completionTokens),
    },
    {
      key: 'billed',
      header: 'Spend',
      numeric: true,
      value: (c) => c.billed,
      render: (c) => formatMoney(c.billed, currency),
    },
    {
      key: 'budget',
      header: 'Budget (this period)',
      value: (c) => (c.budget === null ? '' : `${c.periodSpend}/${c.budget}`),
      render: (c) => <BudgetCell customer={c} currency={currency} />,
    },
    {
      key: 'requestQuota',
      header: 'Request quota',
      value: (c) => `${c.periodRequests}/${c.plan?.monthlyRequestQuota ?? ''}`,
      render: (c) => <QuotaCell customer={c} kind="requests" />,
    },
    {
      key: 'tokenQuota',
      header: 'Token quota',
      value: (c) => `${c.periodTokens}/${c.plan?.monthlyTokenQuota ?? ''}`,
      render: (c) => <QuotaCell customer={c} kind="tokens" />,
    },
  ];
}

export function CustomersPage() {
  const { query } = useRange();
  const { currency, adminEnabled } = useConfig();
  const navigate = useNavigate();
  const customers = useApi(query ? reads.customers(query) : null);
  const plans = useApi(reads.plans());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  return (
    <section className="page" aria-labelledby="customers-title">
      <div className="page-head">
        <h1 id="customers-title">Customers</h1>
        <RangeToolbar />
      </div>
      <RangeSummary range={customers.data?.range} loading={customers.loading} />
      <AdminNote />
      {creating ? (
        <CustomerCreateForm
          plans={plans.data ?? []}
          onCancel={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            setCreated(`Customer "${name}" created.`);
            customers.reload();
          }}
        />
      ) : null}
      <FormMessage success={created} />
      {customers.error ? (
        <ErrorBox title="Customers" error={customers.error} onRetry={customers.reload} />
      ) : null}
      <DataTable
        name="customers"
        title="Customers"
        columns={columns(currency)}
        rows={customers.data?.data}
        loading={customers.loading}
        rowKey={(c) => c.id}
        onOpen={(c) => navigate(`/customers/${c.id}`)}
        actions={
          adminEnabled && !creating ? (
            <button
              type="button"
              className="primary small"
              onClick={() => {
                setCreated(null);
                setCreating(true);
              }}
              data-testid={testIds.customerCreateOpen}
            >
              New customer
            </button>
          ) : null
        }
        empty={
          <EmptyState title="No customers yet">
            <p>{adminEnabled ? 'Create one with "New customer".' : 'Create one with gatewayctl.'}</p>
          </EmptyState>
        }
      />
      <PlansSection plans={plans} />
    </section>
  );
}
