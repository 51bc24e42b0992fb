import type { ElectricitySettings } from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { mutations } from '../api.js';
import { FormMessage } from '../components/status.js';
import { useHoldRefresh } from '../hooks/refresh.js';
import { useSubmit } from '../hooks/use-submit.js';
import { parseAmount } from '../lib/form-values.js';
import { testIds } from '../test-ids.js';

/** GPU watts and the price of a kWh, which turn generation time into energy and electricity cost. */
export function ElectricityForm({
  settings,
  currency,
  adminEnabled,
  notice,
  onSaved,
}: {
  settings: ElectricitySettings;
  currency: string;
  adminEnabled: boolean;
  /** Shown under the form (the form remounts with the saved values, so the page keeps the message). */
  notice: string | null;
  onSaved: () => void;
}) {
  const [watts, setWatts] = useState(String(settings.gpuWatts));
  const [price, setPrice] = useState(String(settings.pricePerKwh));
  const submit = useSubmit();
  const dirty = watts !== String(settings.gpuWatts) || price !== String(settings.pricePerKwh);
  useHoldRefresh(dirty);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const w = parseAmount(watts, 'GPU watts');
    const p = parseAmount(price, 'Price per kWh');
    if (!w.ok) return submit.setError(w.error);
    if (!p.ok) return submit.setError(p.error);
    if (w.value > 100_000) return submit.setError('GPU watts must be at most 100000');
    if (p.value > 1000) return submit.setError('Price per kWh must be at most 1000');
    const body = { gpuWatts: w.value, pricePerKwh: p.value };
    if (await submit.run(() => mutations.updateElectricity(body).then(() => true))) onSaved();
  };

  return (
    <form
      className="card form-grid"
      onSubmit={onSubmit}
      data-testid={testIds.electricityForm}
      aria-labelledby="electricity-title"
    >
      <h2 id="electricity-title">Electricity</h2>
      <p className="span-2" data-testid={testIds.electricitySource}>
        {settings.source === 'env' ? (
          <>
            <span className="badge">from environment</span> GPU_WATTS and ELECTRICITY_PRICE_PER_KWH apply
            until you save values here.
          </>
        ) : (
          <>
            <span className="badge active">saved in settings</span> These values override GPU_WATTS and
            ELECTRICITY_PRICE_PER_KWH.
          </>
        )}
      </p>
      <label className="field">
        <span>Average GPU draw while generating (W)</span>
        <input
          inputMode="decimal"
          value={watts}
          onChange={(e) => setWatts(e.target.value)}
          disabled={!adminEnabled}
          required
        />
      </label>
      <label className="field">
        <span>Price per kWh ({currency})</span>
        <input
          inputMode="decimal"
          value={price}
          onChange={(e) => setPrice(e.target.value)}
          disabled={!adminEnabled}
          required
        />
      </label>
      <FormMessage error={submit.error} success={dirty ? null : notice} />
      {adminEnabled ? (
        <div className="form-actions">
          <button type="submit" className="primary" disabled={submit.busy || !dirty}>
            {submit.busy ? 'Saving…' : 'Save electricity settings'}
          </button>
        </div>
      ) : null}
    </form>
  );
}
