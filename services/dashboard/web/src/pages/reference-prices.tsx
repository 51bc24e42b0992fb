import type { ReferencePrice } from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { mutations } from '../api.js';
import { type Column, DataTable } from '../components/data-table.js';
import { Modal } from '../components/modal.js';
import { EmptyState, FormMessage } from '../components/status.js';
import { useSubmit } from '../hooks/use-submit.js';
import { parseAmount } from '../lib/form-values.js';
import { formatMoney } from '../lib/format.js';
import { testIds } from '../test-ids.js';

/** The reference (OpenAI) prices savings are computed against; one is the default. */
export function ReferencePrices({
  prices,
  currency,
  adminEnabled,
  loading,
  onChanged,
}: {
  prices: readonly ReferencePrice[] | undefined;
  currency: string;
  adminEnabled: boolean;
  loading: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<ReferencePrice | null>(null);
  const makeDefault = useSubmit();

  const columns: Column<ReferencePrice>[] = [
    { key: 'name', header: 'Reference', value: (p) => p.name },
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
      key: 'isDefault',
      header: 'Default',
      value: (p) => p.isDefault,
      render: (p) => (p.isDefault ? <span className="badge active">default</span> : ''),
    },
  ];
  if (adminEnabled) {
    columns.push({
      key: 'actions',
      header: 'Actions',
      noExport: true,
      value: () => null,
      render: (p) => (
        <span className="row-actions">
          <button
            type="button"
            className="small"
            onClick={() => setEditing(p)}
            data-testid={testIds.referenceEdit(p.name)}
          >
            Edit<span className="visually-hidden"> {p.name}</span>
          </button>
          {p.isDefault ? null : (
            <button
              type="button"
              className="small"
              disabled={makeDefault.busy}
              onClick={async () => {
                const body = {
                  inputPerMillion: Number(p.inputPerMillion),
                  outputPerMillion: Number(p.outputPerMillion),
                  isDefault: true,
                };
                if (
                  await makeDefault.run(() => mutations.updateReferencePrice(p.name, body).then(() => true))
                )
                  onChanged();
              }}
            >
              Make default<span className="visually-hidden"> ({p.name})</span>
            </button>
          )}
        </span>
      ),
    });
  }

  return (
    <>
      <FormMessage error={makeDefault.error} />
      <DataTable
        name="reference-prices"
        title="Reference prices (OpenAI-equivalent)"
        columns={columns}
        rows={prices}
        loading={loading}
        rowKey={(p) => p.name}
        empty={<EmptyState title="No reference prices" />}
      />
      {editing ? (
        <Modal title={`Edit reference price ${editing.name}`} onClose={() => setEditing(null)}>
          <ReferenceForm
            price={editing}
            onSaved={() => {
              setEditing(null);
              onChanged();
            }}
          />
        </Modal>
      ) : null}
    </>
  );
}

function ReferenceForm({ price, onSaved }: { price: ReferencePrice; onSaved: () => void }) {
  const [input, setInput] = useState(price.inputPerMillion);
  const [output, setOutput] = useState(price.outputPerMillion);
  const [isDefault, setIsDefault] = useState(price.isDefault);
  const submit = useSubmit();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const i = parseAmount(input, 'Input price');
    const o = parseAmount(output, 'Output price');
    if (!i.ok) return submit.setError(i.error);
    if (!o.ok) return submit.setError(o.error);
    const body = {
      inputPerMillion: i.value,
      outputPerMillion: o.value,
      ...(isDefault ? { isDefault: true } : {}),
    };
    if (await submit.run(() => mutations.updateReferencePrice(price.name, body).then(() => true))) onSaved();
  };

  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid={testIds.referenceForm}>
      <label className="field">
        <span>Input per million tokens</span>
        <input inputMode="decimal" value={input} onChange={(e) => setInput(e.target.value)} required />
      </label>
      <label className="field">
        <span>Output per million tokens</span>
        <input inputMode="decimal" value={output} onChange={(e) => setOutput(e.target.value)} required />
      </label>
      <label className="check span-2">
        <input
          type="checkbox"
          checked={isDefault}
          disabled={price.isDefault}
          onChange={(e) => setIsDefault(e.target.checked)}
        />
        Use as the default reference for savings
      </label>
      <FormMessage error={submit.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save reference price'}
        </button>
      </div>
    </form>
  );
}
