import { AppError } from '@ollama-gateway/runtime';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface GatewayAdminResponse {
  status: number;
  /** The parsed JSON body; null when it was empty or not JSON. */
  body: unknown;
}

/** The gateway's admin REST API (`<GATEWAY_ADMIN_URL>/admin/…` with `Authorization: Bearer ADMIN_TOKEN`). */
export interface GatewayAdminClient {
  /** `path` starts after /admin (e.g. `/customers`); callers encode path segments. */
  call(
    method: AdminMethod,
    path: string,
    body?: unknown,
    options?: { timeoutMs?: number },
  ): Promise<GatewayAdminResponse>;
}

/**
 * The only network I/O of the dashboard. A network failure is a 502 `gateway_unreachable`, a timeout a 504
 * `gateway_timeout`; any HTTP answer (2xx-5xx) is returned as is for the caller to translate.
 */
export function createGatewayAdminClient(options: {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): GatewayAdminClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async call(method, path, body, callOptions) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${options.token}`,
        accept: 'application/json',
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await doFetch(`${base}/admin${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(callOptions?.timeoutMs ?? options.timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        const name = (error as { name?: string } | null)?.name;
        if (name === 'TimeoutError' || name === 'AbortError')
          throw new AppError(504, 'upstream', 'The gateway admin API did not answer in time.', {
            code: 'gateway_timeout',
            cause: error,
          });
        throw new AppError(
          502,
          'upstream',
          `Cannot reach the gateway admin API at ${base}: is the gateway running (GATEWAY_ADMIN_URL)?`,
          { code: 'gateway_unreachable', cause: error },
        );
      }
      let text = '';
      try {
        text = await response.text();
      } catch (error) {
        throw new AppError(502, 'upstream', 'The gateway admin API answer was cut short.', {
          code: 'gateway_unreachable',
          cause: error,
        });
      }
      let parsed: unknown = null;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = null;
        }
      }
      return { status: response.status, body: parsed };
    },
  };
}
