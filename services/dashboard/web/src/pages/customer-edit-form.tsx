import {
  type CustomerSummary,
  type Plan,
  type UpdateCustomerRequest,
  updateCustomerRequestSchema,
} from '@ollama-gateway/contracts';
import { type FormEvent, useState } from 'react';
import { mutations } from '../api.js';
import { FormMessage } from '../components/status.js';
import { useSubmit } from '../hooks/use-submit.js';
import { parseAmount, parseNumberInRange } from '../lib/form-values.js';
import { testIds } from '../test-ids.js';

/** Edit a customer's name, email, budget, budget period, plan, status and markup (PATCH /api/customers/:id). */
export function CustomerEditForm({
  customer,
  plans,
  onSaved,
}: {
  customer: CustomerSummary;
  plans: readonly Plan[];
  onSaved: () => void;
}) {
  const [name, setName] = useState(customer.name);
  const [email, setEmail] = useState(customer.email ?? '');
  const [budget, setBudget] = useState(customer.budget ?? '');
  const [budgetPeriod, setBudgetPeriod] = useState(customer.budgetPeriod);
  const [plan, setPlan] = useState(customer.plan?.name ?? '');
  const [status, setStatus] = useState(customer.status);
  const [markup, setMarkup] = useState(customer.markupPercent);
  const submit = useSubmit();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const parsedBudget = parseAmount(budget, 'Budget', true);
    if (!parsedBudget.ok) return submit.setError(parsedBudget.error);
    const parsedMarkup = parseNumberInRange(markup, 'Markup', -100, 99_999);
    if (!parsedMarkup.ok) return submit.setError(parsedMarkup.error);
    const body: UpdateCustomerRequest = {
      name: name.trim(),
      email: email.trim() || null,
      budget: parsedBudget.value,
      budgetPeriod,
      plan: plan || null,
      status,
      markupPercent: parsedMarkup.value,
    };
    const checked = updateCustomerRequestSchema.safeParse(body);
    if (!checked.success) return submit.setError(checked.error.issues[0]?.message ?? 'Invalid values');
    if (await submit.run(() => mutations.updateCustomer(customer.id, checked.data).then(() => true)))
      onSaved();
  };

  return (
    <form className="form-grid" onSubmit={onSubmit} data-testid={testIds.customerEditForm}>
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label className="field">
        <span>Email</span>
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={320} />
      </label>
      <label className="field">
        <span>Budget (empty = none)</span>
        <input
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
          placeholder="No budget"
        />
      </label>
      <label className="field">
        <span>Budget period</span>
        <select value={budgetPeriod} onChange={(e) => setBudgetPeriod(e.target.value as typeof budgetPeriod)}>
          <option value="monthly">Monthly</option>
          <option value="one_off">One-off</option>
        </select>
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
      <label className="field">
        <span>Status</span>
        <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="active">Active</option>
          <option value="suspended">Suspended (all keys refused)</option>
        </select>
      </label>
      <label className="field">
        <span>Markup on prices (%)</span>
        <input inputMode="decimal" value={markup} onChange={(e) => setMarkup(e.target.value)} required />
      </label>
      <FormMessage error={submit.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save customer'}
        </button>
      </div>
    </form>
  );
}
