import {
  type CreateCustomerRequest,
  createCustomerRequestSchema,
  type Plan,
} from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { mutations } from '../api.js';
import { FormMessage } from '../components/status.js';
import { useHoldRefresh } from '../hooks/refresh.js';
import { useSubmit } from '../hooks/use-submit.js';
import { parseAmount } from '../lib/form-values.js';
import { testIds } from '../test-ids.js';

/** New customer: name, email, budget, plan. Auto-refresh waits while it is open. */
export function CustomerCreateForm({
  plans,
  onCreated,
  onCancel,
}: {
  plans: readonly Plan[];
  onCreated: (name: string) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [budget, setBudget] = useState('');
  const [plan, setPlan] = useState('');
  const submit = useSubmit();
  useHoldRefresh(true);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const parsedBudget = parseAmount(budget, 'Budget', true);
    if (!parsedBudget.ok) return submit.setError(parsedBudget.error);
    const body: CreateCustomerRequest = {
      name: name.trim(),
      email: email.trim() || null,
      budget: parsedBudget.value,
      plan: plan || null,
    };
    const checked = createCustomerRequestSchema.safeParse(body);
    if (!checked.success) return submit.setError(checked.error.issues[0]?.message ?? 'Invalid customer');
    const done = await submit.run(() => mutations.createCustomer(checked.data).then(() => true));
    if (done) onCreated(body.name);
  };

  return (
    <form
      className="card form-grid"
      onSubmit={onSubmit}
      data-testid={testIds.customerCreateForm}
      aria-label="New customer"
    >
      <h2>New customer</h2>
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label className="field">
        <span>Email (optional)</span>
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={320} />
      </label>
      <label className="field">
        <span>Monthly budget (optional)</span>
        <input
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
          placeholder="No budget"
        />
      </label>
      <label className="field">
        <span>Plan</span>
        <select value={plan} onChange={(e) => setPlan(e.target.value)}>
          <option value="">No plan</option>
          {plans.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <FormMessage error={submit.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.busy}>
          {submit.busy ? 'Creating…' : 'Create customer'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
