import type { ModelPrice } from '@ollama-gateway/contracts';
import { useState } from 'react';
import { reads } from '../api.js';
import { AdminNote } from '../components/admin-note.js';
import { type Column, DataTable } from '../components/data-table.js';
import { EmptyState, ErrorBox, FormMessage, Skeleton } from '../components/status.js';
import { useRange } from '../hooks/range.js';
import { useConfig } from '../hooks/session.js';
import { useApi } from '../hooks/use-api.js';
import { formatDateTime, formatMoney } from '../lib/format.js';
import { testIds } from '../test-ids.js';
import { ElectricityForm } from './electricity-form.js';
import { PriceForm } from './price-form.js';
import { ReferencePrices } from './reference-prices.js';

/** Model prices (versioned), reference prices, electricity settings. */
export function PricingPage() {
  const { adminEnabled } = useConfig();
  const { selection } = useRange();
  const timeZone = selection.timeZone;
  const pricing = useApi(reads.pricing());
  const customers = useApi(
    reads.customers(new URLSearchParams({ period: 'today', tz: timeZone }).toString()),
    {
      poll: false,
    },
  );
  const [editing, setEditing] = useState<ModelPrice | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [electricityNotice, setElectricityNotice] = useState<string | null>(null);
  const currency = pricing.data?.currency ?? 'USD';
  const customerList = (customers.data?.data ?? []).map((c) => ({ id: c.id, name: c.name }));
  const customerName = (id: string | null) =>
    id === null ? 'All customers' : (customerList.find((c) => c.id === id)?.name ?? id);

  const resetForm = () => {
    setEditing(null);
    setFormKey((k) => k + 1);
  };

  const columns: Column<ModelPrice>[] = [
    { key: 'model', header: 'Model', value: (p) => p.model },
    { key: 'provider', header: 'Provider', value: (p) => p.provider },
    { key: 'customer', header: 'Customer', value: (p) => customerName(p.customerId) },
    {
      key: 'inputPerMillion',
      header: 'Input / 1M',
      numeric: true,
      value: (p) => p.inputPerMillion,
      render: (p) => formatMoney(p.inputPerMillion, currency),
    },
    {
      key: 'outputPerMillion',
      header: 'Output / 1M',
      numeric: true,
      value: (p) => p.outputPerMillion,
      render: (p) => formatMoney(p.outputPerMillion, currency),
    },
    {
      key: 'perRequest',
      header: 'Per request',
      numeric: true,
      value: (p) => p.perRequest,
      render: (p) => formatMoney(p.perRequest, currency),
    },
    {
      key: 'effectiveFrom',
      header: 'Effective from',
      value: (p) => p.effectiveFrom,
      render: (p) => formatDateTime(p.effectiveFrom, timeZone),
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
          onClick={() => {
            setNotice(null);
            setEditing(p);
            setFormKey((k) => k + 1);
            document.getElementById('price-form-title')?.scrollIntoView({ block: 'center' });
          }}
          data-testid={testIds.priceEdit(p.id)}
        >
          Edit<span className="visually-hidden"> price of {p.model}</span>
        </button>
      ),
    });
  }

  return (
    <section className="page" aria-labelledby="pricing-title">
      <div className="page-head">
        <h1 id="pricing-title">Pricing</h1>
      </div>
      <AdminNote />
      {pricing.error ? <ErrorBox title="Pricing" error={pricing.error} onRetry={pricing.reload} /> : null}
      <FormMessage success={notice} />
      <DataTable
        name="prices"
        title="Model prices"
        columns={columns}
        rows={pricing.data?.prices}
        loading={pricing.loading}
        rowKey={(p) => p.id}
        empty={
          <EmptyState title="No prices yet">
            <p>Requests to unpriced models are billed at zero. Add a price below.</p>
          </EmptyState>
        }
      />
      {adminEnabled ? (
        <PriceForm
          key={formKey}
          initial={editing}
          customers={customerList}
          timeZone={timeZone}
          onCancel={resetForm}
          onSaved={(model) => {
            resetForm();
            setNotice(`Price for ${model} saved.`);
            pricing.reload();
          }}
        />
      ) : null}
      <ReferencePrices
        prices={pricing.data?.referencePrices}
        currency={currency}
        adminEnabled={adminEnabled}
        loading={pricing.loading}
        onChanged={pricing.reload}
      />
      {pricing.data ? (
        <ElectricityForm
          key={`${pricing.data.electricity.gpuWatts}|${pricing.data.electricity.pricePerKwh}|${pricing.data.electricity.source}`}
          settings={pricing.data.electricity}
          currency={currency}
          adminEnabled={adminEnabled}
          notice={electricityNotice}
          onSaved={() => {
            setElectricityNotice('Electricity settings saved.');
            pricing.reload();
          }}
        />
      ) : pricing.loading ? (
        <Skeleton lines={2} label="Loading electricity settings" />
      ) : null}
    </section>
  );
}
