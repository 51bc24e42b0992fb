import type { CreatedKey, KeySummary } from '@ollama-gateway/contracts';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { mutations, reads } from '../api.js';
import { AdminNote } from '../components/admin-note.js';
import { Modal } from '../components/modal.js';
import { RangeSummary } from '../components/range-summary.js';
import { RangeToolbar } from '../components/range-toolbar.js';
import { EmptyState, ErrorBox, FormMessage, Skeleton } from '../components/status.js';
import { useRange } from '../hooks/range.js';
import { useConfig } from '../hooks/session.js';
import { useApi } from '../hooks/use-api.js';
import { useSubmit } from '../hooks/use-submit.js';
import { formatDateTime, formatInt, formatMoney } from '../lib/format.js';
import { testIds } from '../test-ids.js';
import { CustomerEditForm } from './customer-edit-form.js';
import { CustomerKeysTable } from './customer-keys.js';
import { BudgetCell, QuotaCell } from './customers.page.js';
import { createKeyBody, KeyForm, updateKeyBody } from './key-form.js';
import { SecretModal } from './secret-modal.js';

type Dialog =
  | { kind: 'edit-customer' }
  | { kind: 'create-key' }
  | { kind: 'edit-key'; key: KeySummary }
  | null;

/** One customer: usage, budget and quotas, settings, and its API keys. */
export function CustomerDetailPage() {
  const { id = '' } = useParams();
  const { query, selection } = useRange();
  const { currency, adminEnabled } = useConfig();
  const customers = useApi(query ? reads.customers(query) : null);
  const keys = useApi(query && id ? reads.keys(id, query) : null);
  const plans = useApi(reads.plans(), { poll: false });
  const [dialog, setDialog] = useState<Dialog>(null);
  const [secret, setSecret] = useState<CreatedKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const submit = useSubmit();
  const customer = customers.data?.data.find((c) => c.id === id);
  const timeZone = selection.timeZone;

  const close = () => {
    setDialog(null);
    submit.setError(null);
  };
  const changed = (message: string) => {
    close();
    setNotice(message);
    keys.reload();
    customers.reload();
  };

  return (
    <section className="page" aria-labelledby="customer-title">
      <p className="breadcrumb">
        <Link to="/customers">← Customers</Link>
      </p>
      <div className="page-head">
        <h1 id="customer-title">{customer?.name ?? 'Customer'}</h1>
        <RangeToolbar />
      </div>
      <RangeSummary range={customers.data?.range} loading={customers.loading || keys.loading} />
      {customers.error ? (
        <ErrorBox title="Customer" error={customers.error} onRetry={customers.reload} />
      ) : null}
      {!customers.data && customers.loading ? <Skeleton lines={3} label="Loading customer" /> : null}
      {customers.data && !customer ? (
        <EmptyState title="No such customer">
          <p>
            It may have been removed. <Link to="/customers">See all customers</Link>.
          </p>
        </EmptyState>
      ) : null}
      {customer ? (
        <div className="card customer-summary">
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <span className={`badge ${customer.status}`}>{customer.status}</span>
              </dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>{customer.email ?? '—'}</dd>
            </div>
            <div>
              <dt>Plan</dt>
              <dd>{customer.plan?.name ?? 'No plan'}</dd>
            </div>
            <div>
              <dt>Markup</dt>
              <dd>{customer.markupPercent}%</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDateTime(customer.createdAt, timeZone)}</dd>
            </div>
            <div>
              <dt>Requests (range)</dt>
              <dd>{formatInt(customer.requests)}</dd>
            </div>
            <div>
              <dt>Spend (range)</dt>
              <dd>{formatMoney(customer.billed, currency)}</dd>
            </div>
            <div className="wide">
              <dt>Budget ({customer.budgetPeriod === 'monthly' ? 'this month' : 'one-off'})</dt>
              <dd>
                <BudgetCell customer={customer} currency={currency} />
              </dd>
            </div>
            <div className="wide">
              <dt>Request quota</dt>
              <dd>
                <QuotaCell customer={customer} kind="requests" />
              </dd>
            </div>
            <div className="wide">
              <dt>Token quota</dt>
              <dd>
                <QuotaCell customer={customer} kind="tokens" />
              </dd>
            </div>
          </dl>
          {adminEnabled ? (
            <button
              type="button"
              onClick={() => setDialog({ kind: 'edit-customer' })}
              data-testid={testIds.customerEditOpen}
            >
              Edit customer
            </button>
          ) : null}
        </div>
      ) : null}
      <AdminNote />
      <FormMessage success={notice} />
      {keys.error ? <ErrorBox title="Keys" error={keys.error} onRetry={keys.reload} /> : null}
      <CustomerKeysTable
        keys={keys.data?.data}
        loading={keys.loading}
        currency={currency}
        timeZone={timeZone}
        adminEnabled={adminEnabled}
        onEdit={(key) => setDialog({ kind: 'edit-key', key })}
        onChanged={() => changed('Key revoked.')}
        actions={
          adminEnabled ? (
            <button
              type="button"
              className="primary small"
              onClick={() => setDialog({ kind: 'create-key' })}
              data-testid={testIds.keyCreateOpen}
            >
              New key
            </button>
          ) : null
        }
      />

      {dialog?.kind === 'edit-customer' && customer ? (
        <Modal title={`Edit ${customer.name}`} onClose={close}>
          <CustomerEditForm
            customer={customer}
            plans={plans.data ?? []}
            onSaved={() => changed('Customer saved.')}
          />
        </Modal>
      ) : null}
      {dialog?.kind === 'create-key' ? (
        <Modal title="New API key" onClose={close}>
          <KeyForm
            timeZone={timeZone}
            submit={submit}
            submitLabel="Create key"
            testId={testIds.keyCreateForm}
            onValues={async (values) => {
              const created = await submit.run(() => mutations.createKey(id, createKeyBody(values)));
              if (created) {
                setSecret(created);
                changed(`Key "${created.name}" created.`);
              }
            }}
          />
        </Modal>
      ) : null}
      {dialog?.kind === 'edit-key' ? (
        <Modal title={`Edit key ${dialog.key.name}`} onClose={close}>
          <KeyForm
            initial={dialog.key}
            timeZone={timeZone}
            submit={submit}
            submitLabel="Save key"
            testId={testIds.keyEditForm}
            onValues={async (values) => {
              const key = dialog.key;
              if (await submit.run(() => mutations.updateKey(key.id, updateKeyBody(values)).then(() => true)))
                changed(`Key "${values.name || key.name}" saved.`);
            }}
          />
        </Modal>
      ) : null}
      {secret ? <SecretModal created={secret} onDone={() => setSecret(null)} /> : null}
    </section>
  );
}
