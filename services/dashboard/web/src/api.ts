/**
 * The dashboard API client: typed GET descriptors (validated with the contract's zod schemas) and mutations that send
 * the CSRF token. The session cookie is httpOnly; the browser sends it (same origin). Everything is under /api.
 */
import {
  type CreateCustomerRequest,
  type CreatedKey,
  type CreateKeyRequest,
  type CustomersResponse,
  createdKeySchema,
  customersResponseSchema,
  dashboardErrorSchema,
  type KeysResponse,
  keysResponseSchema,
  type LogDetail,
  type LogPage,
  logDetailSchema,
  logPageSchema,
  type ModelsResponse,
  modelsResponseSchema,
  type Overview,
  overviewSchema,
  type Plan,
  type PricingResponse,
  plansResponseSchema,
  pricingResponseSchema,
  type Session,
  sessionSchema,
  type Timeseries,
  timeseriesSchema,
  type UpdateCustomerRequest,
  type UpdateElectricityRequest,
  type UpdateKeyRequest,
  type UpdatePlanRequest,
  type UpdateReferencePriceRequest,
  type UpsertPriceRequest,
} from '@ollama-gateway/contracts';

/** The part of a zod schema the client uses (keeps zod itself out of this file's imports). */
export interface Schema<T> {
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** A read: the path (also the cache/refresh key) and how to check the answer. */
export interface GetRequest<T> {
  path: string;
  schema: Schema<T>;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a request answers 401 (the session expired or was logged out elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = dashboardErrorSchema.safeParse(body);
  if (parsed.success) return new ApiError(parsed.data.error.message, response.status, parsed.data.error.code);
  const text = response.statusText ? ` ${response.statusText}` : '';
  return new ApiError(`The server answered ${response.status}${text}`, response.status, 'http_error');
}

async function call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError('Could not reach the dashboard server. Check that it is running.', 0, 'network_error');
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    // The session is gone (expired, logged out elsewhere, server restarted): back to the login page.
    if (response.status === 401 && path !== '/api/session' && error.code !== 'invalid_credentials')
      onUnauthorized?.();
    // A stale CSRF token: fetch the current one, so retrying the action works.
    if (response.status === 403 && error.code === 'csrf') void fetchSession().catch(() => undefined);
    throw error;
  }
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      `The server sent something that is not JSON for ${path}`,
      response.status,
      'bad_response',
    );
  }
}

function check<T>(schema: Schema<T>, data: unknown, path: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new ApiError(
    `Unexpected answer from ${path.split('?')[0]}${where}: ${issue?.message ?? 'invalid'}`,
    200,
    'bad_response',
  );
}

export async function get<T>(request: GetRequest<T>, signal?: AbortSignal): Promise<T> {
  return check(request.schema, await call('GET', request.path, undefined, signal), request.path);
}

async function send<T>(
  method: string,
  path: string,
  body: unknown,
  schema?: Schema<T>,
): Promise<T | undefined> {
  const data = await call(method, path, body);
  return schema ? check(schema, data, path) : undefined;
}

const enc = encodeURIComponent;

/** GET /api/plans answers `{ data: Plan[] }`; callers get the list. */
const plansSchema: Schema<Plan[]> = {
  safeParse(data) {
    const parsed = plansResponseSchema.safeParse(data);
    return parsed.success ? { success: true, data: parsed.data.data } : parsed;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Reads (rangeQuery = the query string from lib/period.ts)

export const reads = {
  overview: (rangeQuery: string): GetRequest<Overview> => ({
    path: `/api/overview?${rangeQuery}`,
    schema: overviewSchema,
  }),
  timeseries: (rangeQuery: string): GetRequest<Timeseries> => ({
    path: `/api/timeseries?${rangeQuery}`,
    schema: timeseriesSchema,
  }),
  models: (rangeQuery: string): GetRequest<ModelsResponse> => ({
    path: `/api/models?${rangeQuery}`,
    schema: modelsResponseSchema,
  }),
  customers: (rangeQuery: string): GetRequest<CustomersResponse> => ({
    path: `/api/customers?${rangeQuery}`,
    schema: customersResponseSchema,
  }),
  keys: (customerId: string, rangeQuery: string): GetRequest<KeysResponse> => ({
    path: `/api/customers/${enc(customerId)}/keys?${rangeQuery}`,
    schema: keysResponseSchema,
  }),
  plans: (): GetRequest<Plan[]> => ({ path: '/api/plans', schema: plansSchema }),
  pricing: (): GetRequest<PricingResponse> => ({ path: '/api/pricing', schema: pricingResponseSchema }),
  logs: (logQuery: string): GetRequest<LogPage> => ({ path: `/api/logs?${logQuery}`, schema: logPageSchema }),
  logDetail: (requestId: string): GetRequest<LogDetail> => ({
    path: `/api/logs/${enc(requestId)}`,
    schema: logDetailSchema,
  }),
};

// ---------------------------------------------------------------------------------------------------------------
// Session

export async function fetchSession(): Promise<Session> {
  const session = await get({ path: '/api/session', schema: sessionSchema });
  setCsrfToken(session.authenticated ? session.csrfToken : undefined);
  return session;
}

export async function login(secret: string): Promise<Session> {
  const answer = await send('POST', '/api/session', { secret }, sessionSchema);
  // The login answer carries the CSRF token; the full session (with config) comes from GET.
  if (answer?.csrfToken) setCsrfToken(answer.csrfToken);
  return answer?.config && answer.csrfToken ? answer : fetchSession();
}

export async function logout(): Promise<void> {
  try {
    await send('DELETE', '/api/session', undefined);
  } finally {
    setCsrfToken(undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Admin mutations

export const mutations = {
  createCustomer: (body: CreateCustomerRequest) => send('POST', '/api/customers', body),
  updateCustomer: (id: string, body: UpdateCustomerRequest) =>
    send('PATCH', `/api/customers/${enc(id)}`, body),
  createKey: async (customerId: string, body: CreateKeyRequest): Promise<CreatedKey> =>
    (await send('POST', `/api/customers/${enc(customerId)}/keys`, body, createdKeySchema)) as CreatedKey,
  updateKey: (id: string, body: UpdateKeyRequest) => send('PATCH', `/api/keys/${enc(id)}`, body),
  revokeKey: (id: string) => send('DELETE', `/api/keys/${enc(id)}`, undefined),
  updatePlan: (name: string, body: UpdatePlanRequest) => send('PATCH', `/api/plans/${enc(name)}`, body),
  upsertPrice: (body: UpsertPriceRequest) => send('PUT', '/api/pricing', body),
  updateReferencePrice: (name: string, body: UpdateReferencePriceRequest) =>
    send('PUT', `/api/reference-prices/${enc(name)}`, body),
  updateElectricity: (body: UpdateElectricityRequest) => send('PUT', '/api/settings/electricity', body),
};

/** A message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
