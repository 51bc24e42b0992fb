import { type CreatedKey, createdKeySchema } from '@ollama-gateway/contracts';
import { AppError, type ErrorKind } from '@ollama-gateway/runtime';
import type { AdminMethod, GatewayAdminClient } from '../clients/gateway-admin.client.js';

export interface AdminService {
  /** ADMIN_TOKEN is set (the gateway client exists). */
  readonly configured: boolean;
  /** Configured and the gateway admin API answered recently (cached): the SPA's `config.adminEnabled`. */
  available(): Promise<boolean>;
  /** Forwards one mutation; a gateway error becomes an AppError with the same status, message and code. */
  forward(method: AdminMethod, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** POST /admin/customers/:id/keys, answered in the CreatedKey shape (the secret is in it, once). */
  createKey(customerId: string, body: unknown): Promise<CreatedKey>;
}

const kindFor = (status: number): ErrorKind =>
  status === 404
    ? 'not_found'
    : status === 429
      ? 'rate_limit'
      : status === 503
        ? 'unavailable'
        : status >= 500
          ? 'upstream'
          : 'invalid_request';

/** The gateway's error JSON (OpenAI-shaped `{error:{message,type,code}}`) as an AppError with the same status. */
export function translateGatewayError(status: number, body: unknown): AppError {
  // The gateway refusing our token is a dashboard configuration problem, not the browser's session: never 401/403.
  if (status === 401 || status === 403)
    return new AppError(
      502,
      'upstream',
      'The gateway refused the dashboard ADMIN_TOKEN: set the same ADMIN_TOKEN for the gateway and the dashboard.',
      { code: 'admin_token_rejected' },
    );
  const error = (body as { error?: unknown } | null)?.error;
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const message =
    typeof fields.message === 'string'
      ? fields.message
      : typeof error === 'string'
        ? error
        : `The gateway admin API answered ${status}.`;
  const code =
    typeof fields.code === 'string'
      ? fields.code
      : typeof fields.type === 'string'
        ? fields.type
        : 'gateway_error';
  return new AppError(status, kindFor(status), message, { code });
}

/** 503 `admin_disabled`: the answer to every mutation while ADMIN_TOKEN is unset. */
export const adminDisabled = () =>
  new AppError(
    503,
    'unavailable',
    'Admin changes are disabled: set ADMIN_TOKEN for the dashboard (the same as the gateway) and restart it.',
    { code: 'admin_disabled' },
  );

export function createAdminService(deps: {
  /** null when ADMIN_TOKEN is unset. */
  client: GatewayAdminClient | null;
  now?: () => number;
  /** How long a probe answer is reused (ms). */
  probeTtlMs?: number;
  probeTimeoutMs?: number;
}): AdminService {
  const now = deps.now ?? Date.now;
  const ttl = deps.probeTtlMs ?? 30_000;
  let probe: { at: number; ok: Promise<boolean> } | undefined;

  async function forward(method: AdminMethod, path: string, body?: unknown) {
    if (!deps.client) throw adminDisabled();
    const response = await deps.client.call(method, path, body);
    if (response.status >= 400) throw translateGatewayError(response.status, response.body);
    return response;
  }

  return {
    configured: deps.client !== null,

    available() {
      const client = deps.client;
      if (!client) return Promise.resolve(false);
      if (probe && now() - probe.at < ttl) return probe.ok;
      const ok = client
        .call('GET', '/plans', undefined, { timeoutMs: deps.probeTimeoutMs ?? 2000 })
        .then((response) => response.status === 200)
        .catch(() => false);
      probe = { at: now(), ok };
      return ok;
    },

    forward,

    async createKey(customerId, body) {
      const response = await forward('POST', `/customers/${encodeURIComponent(customerId)}/keys`, body);
      const parsed = createdKeySchema.safeParse(response.body);
      if (!parsed.success)
        throw new AppError(502, 'upstream', 'The gateway answered the new key in an unexpected shape.', {
          code: 'gateway_error',
        });
      return parsed.data;
    },
  };
}
