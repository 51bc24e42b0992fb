import type { Response } from 'express';
import type { RequestContext } from '../services/request-context.js';
import type { AdmissionGate, AdmissionTicket } from './admission.js';
import { estimatePromptTokens } from './estimate.js';

/** The gate used when none is configured: lets everything through. */
export const noopGate: AdmissionGate = {
  name: 'none',
  admit: async () => ({ headers: {}, settle: async () => {} }),
};

/** Stored by the request-context middleware on every API request. */
export interface AdmissionLocals {
  admission: AdmissionGate;
  /** Set when the response has closed (a ticket taken after that is settled at once). */
  responseClosed?: boolean;
}

/** A ticket whose settle runs at most once and never throws. */
function settleOnce(ticket: AdmissionTicket): AdmissionTicket {
  let settled = false;
  return {
    headers: ticket.headers,
    async settle(usage, status) {
      if (settled) return;
      settled = true;
      await ticket.settle(usage, status).catch(() => {});
    },
  };
}

/**
 * The admission hook every route that reaches upstream calls right after the model permission check: asks the
 * gates (rate limits, budget…) whether the request may go upstream, puts the ticket on the request context (the
 * request-context middleware settles it when the response closes) and the gates' headers on the response. A refusal
 * throws the gate's AppError (429), with its rate-limit headers already set.
 */
export async function admitRequest(
  res: Response,
  request: { model: string; prompt: unknown; maxCompletionTokens: number | null },
): Promise<void> {
  const locals = res.locals as Partial<AdmissionLocals> & { context: RequestContext };
  const context = locals.context;
  const gate = locals.admission ?? noopGate;
  let ticket: AdmissionTicket;
  try {
    ticket = settleOnce(
      await gate.admit({
        context,
        model: request.model,
        promptTokensEstimate: estimatePromptTokens(request.prompt),
        maxCompletionTokens: request.maxCompletionTokens,
      }),
    );
  } catch (error) {
    const headers = (error as { headers?: unknown } | null)?.headers;
    if (headers && typeof headers === 'object' && !res.headersSent)
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, String(value));
    throw error;
  }
  context.admission = ticket;
  if (locals.responseClosed) {
    // The client left while we were admitting: nothing will go upstream; give the slot back now.
    await ticket.settle({ promptTokens: 0, completionTokens: 0 }, 499);
    return;
  }
  if (!res.headersSent)
    for (const [name, value] of Object.entries(ticket.headers)) res.setHeader(name, value);
}
