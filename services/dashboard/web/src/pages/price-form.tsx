import {
  type ModelPrice,
  type Provider,
  providerSchema,
  type UpsertPriceRequest,
  upsertPriceRequestSchema,
} from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { mutations } from '../api.js';
import { FormMessage } from '../components/status.js';
import { useHoldRefresh } from '../hooks/refresh.js';
import { useSubmit } from '../hooks/use-submit.js';
import { parseAmount } from '../lib/form-values.js';
import { wallTimeToIso } from '../lib/time-zone.js';
import { testIds } from '../test-ids.js';

/**
 * Add a price or a new version of one (PUT /api/pricing). Prices are versioned by "effective from": saving never
 * rewrites what past requests were billed. `initial` prefills from a row of the table.
 */
export function PriceForm({
  initial,
  customers,
  timeZone,
  onSaved,
  onCancel,
}: {
  initial: ModelPrice | null;
  customers: readonly { id: string; name: string }[];
  timeZone: string;
  onSaved: (model: string) => void;
  onCancel: () => void;
}) {
  const [model, setModel] = useState(initial?.model ?? '');
  const [provider, setProvider] = useState<Provider>((initial?.provider as Provider | undefined) ?? 'ollama');
  const [input, setInput] = useState(initial?.inputPerMillion ?? '');
  const [output, setOutput] = useState(initial?.outputPerMillion ?? '');
  const [perRequest, setPerRequest] = useState(initial?.perRequest ?? '');
  const [customerId, setCustomerId] = useState(initial?.customerId ?? '');
  const [effectiveFrom, setEffectiveFrom] = useState('');
  const [dirty, setDirty] = useState(false);
  const submit = useSubmit();
  useHoldRefresh(dirty);

  const edit =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      setter(value);
      setDirty(true);
    };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = [
      parseAmount(input, 'Input price'),
      parseAmount(output, 'Output price'),
      parseAmount(perRequest, 'Per-request price', true),
    ] as const;
    for (const p of parsed) if (!p.ok) return submit.setError(p.error);
    const [i, o, r] = parsed;
    if (!i.ok || !o.ok || !r.ok) return;
    const from = effectiveFrom ? wallTimeToIso(effectiveFrom, timeZone) : null;
    if (effectiveFrom && !from) return submit.setError('"Effective from" is not a valid date and time');
    const body: UpsertPriceRequest = {
      model: model.trim(),
      provider,
      inputPerMillion: i.value,
      outputPerMillion: o.value,
      ...(r.value !== null ? { perRequest: r.value } : {}),
      customerId: customerId || null,
      ...(from ? { effectiveFrom: from } : {}),
    };
    const checked = upsertPriceRequestSchema.safeParse(body);
    if (!checked.success) return submit.setError(`Model: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    if (await submit.run(() => mutations.upsertPrice(checked.data).then(() => true))) {
      setDirty(false);
      onSaved(body.model);
    }
  };

  return (
    <form
      className="card form-grid"
      onSubmit={onSubmit}
      data-testid={testIds.priceForm}
      aria-labelledby="price-form-title"
    >
      <h2 id="price-form-title">{initial ? `Change the price of ${initial.model}` : 'Add a price'}</h2>
      <label className="field">
        <span>Model (name or glob)</span>
        <input
          name="model"
          value={model}
          onChange={(e) => edit(setModel)(e.target.value)}
          required
          spellCheck={false}
          placeholder="llama3.2 or llama3*"
        />
      </label>
      <label className="field">
        <span>Provider</span>
        <select
          name="provider"
          value={provider}
          onChange={(e) => edit(setProvider)(e.target.value as Provider)}
        >
          {providerSchema.options.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Input per million tokens</span>
        <input
          name="inputPerMillion"
          inputMode="decimal"
          value={input}
          onChange={(e) => edit(setInput)(e.target.value)}
          required
        />
      </label>
      <label className="field">
        <span>Output per million tokens</span>
        <input
          name="outputPerMillion"
          inputMode="decimal"
          value={output}
          onChange={(e) => edit(setOutput)(e.target.value)}
          required
        />
      </label>
      <label className="field">
        <span>Per request (optional)</span>
        <input
          name="perRequest"
          inputMode="decimal"
          value={perRequest}
          onChange={(e) => edit(setPerRequest)(e.target.value)}
          placeholder="0"
        />
      </label>
      <label className="field">
        <span>Customer (optional)</span>
        <select name="customerId" value={customerId} onChange={(e) => edit(setCustomerId)(e.target.value)}>
          <option value="">All customers</option>
          {customers.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Effective from ({timeZone}; empty = now)</span>
        <input
          name="effectiveFrom"
          type="datetime-local"
          value={effectiveFrom}
          onChange={(e) => edit(setEffectiveFrom)(e.target.value)}
        />
      </label>
      <FormMessage error={submit.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save price'}
        </button>
        {initial || dirty ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
