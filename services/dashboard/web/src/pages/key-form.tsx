import {
  type CreateKeyRequest,
  createKeyRequestSchema,
  type KeySummary,
  type UpdateKeyRequest,
  updateKeyRequestSchema,
} from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { FormMessage } from '../components/status.js';
import type { Submit } from '../hooks/use-submit.js';
import { formatModelList, inputText, parseLimit, parseModelList } from '../lib/form-values.js';
import { isoToWallTime, wallTimeToIso } from '../lib/time-zone.js';

export interface KeyFormValues {
  name: string;
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  expiresAt: string | null;
}

/**
 * The fields of a key, for creating (empty) or editing (prefilled). Expiry is a wall time in the dashboard's zone.
 * `onValues` gets checked values; it runs the request through `submit`.
 */
export function KeyForm({
  initial,
  timeZone,
  submit,
  submitLabel,
  testId,
  onValues,
}: {
  initial?: KeySummary;
  timeZone: string;
  submit: Submit;
  submitLabel: string;
  testId: string;
  onValues: (values: KeyFormValues) => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [models, setModels] = useState(formatModelList(initial?.allowedModels ?? null));
  const [rpm, setRpm] = useState(inputText(initial?.rpmLimit));
  const [tpm, setTpm] = useState(inputText(initial?.tpmLimit));
  const [concurrency, setConcurrency] = useState(inputText(initial?.maxConcurrency));
  const [expires, setExpires] = useState(
    initial?.expiresAt ? isoToWallTime(initial.expiresAt, timeZone) : '',
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = [
      parseModelList(models),
      parseLimit(rpm, 'Requests per minute'),
      parseLimit(tpm, 'Tokens per minute'),
      parseLimit(concurrency, 'Concurrent requests'),
    ] as const;
    for (const p of parsed) if (!p.ok) return submit.setError(p.error);
    const [m, r, t, c] = parsed;
    if (!m.ok || !r.ok || !t.ok || !c.ok) return;
    const expiresAt = expires ? wallTimeToIso(expires, timeZone) : null;
    if (expires && !expiresAt) return submit.setError('The expiry is not a valid date and time');
    if (expiresAt && !initial && new Date(expiresAt).getTime() <= Date.now())
      return submit.setError('The expiry must be in the future');
    onValues({
      name: name.trim(),
      models: m.value,
      rpm: r.value,
      tpm: t.value,
      concurrency: c.value,
      expiresAt,
    });
  };

  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid={testId}>
      <label className="field">
        <span>Name{initial ? '' : ' (optional)'}</span>
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required={!!initial} />
      </label>
      <label className="field span-2">
        <span>Allowed models (comma-separated, globs like llama3*; empty = all)</span>
        <input value={models} onChange={(e) => setModels(e.target.value)} spellCheck={false} />
      </label>
      <label className="field">
        <span>Requests per minute</span>
        <input
          inputMode="numeric"
          value={rpm}
          onChange={(e) => setRpm(e.target.value)}
          placeholder="No limit"
        />
      </label>
      <label className="field">
        <span>Tokens per minute</span>
        <input
          inputMode="numeric"
          value={tpm}
          onChange={(e) => setTpm(e.target.value)}
          placeholder="No limit"
        />
      </label>
      <label className="field">
        <span>Concurrent requests</span>
        <input
          inputMode="numeric"
          value={concurrency}
          onChange={(e) => setConcurrency(e.target.value)}
          placeholder="No limit"
        />
      </label>
      <label className="field">
        <span>Expires ({timeZone}; empty = never)</span>
        <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </label>
      <FormMessage error={submit.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** Values → the create body (absent = unlimited / all models / never). */
export function createKeyBody(values: KeyFormValues): CreateKeyRequest {
  const body: CreateKeyRequest = {
    ...(values.name ? { name: values.name } : {}),
    ...(values.models ? { models: values.models } : {}),
    ...(values.rpm !== null ? { rpm: values.rpm } : {}),
    ...(values.tpm !== null ? { tpm: values.tpm } : {}),
    ...(values.concurrency !== null ? { concurrency: values.concurrency } : {}),
    ...(values.expiresAt ? { expiresAt: values.expiresAt } : {}),
  };
  return createKeyRequestSchema.parse(body);
}

/** Values → the PATCH body (null clears a limit). */
export function updateKeyBody(values: KeyFormValues): UpdateKeyRequest {
  return updateKeyRequestSchema.parse({
    ...(values.name ? { name: values.name } : {}),
    models: values.models,
    rpm: values.rpm,
    tpm: values.tpm,
    concurrency: values.concurrency,
    expiresAt: values.expiresAt,
  });
}
