import { AppError, ConfigError } from '@ollama-gateway/runtime';

/** An expected failure with a message written for the operator. exitCode 1 = runtime error, 2 = usage error. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** What to do next, by the AppError code a repository threw. */
const HINTS: Record<string, string> = {
  customer_email_taken: 'run "npx gatewayctl list-customers" to find it',
  customer_not_found: 'run "npx gatewayctl list-customers"',
};

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[] } | null;
  if (typeof e?.code === 'string') return e.code;
  // net's happy-eyeballs connect fails with an AggregateError of one error per address.
  if (Array.isArray(e?.errors)) return codeOf(e.errors[0]);
  return undefined;
}

function server(databaseUrl: string | undefined): {
  host: string;
  port: string;
  database: string;
  user: string;
} {
  try {
    const url = new URL(databaseUrl ?? '');
    return {
      host: url.hostname || '127.0.0.1',
      port: url.port || '5432',
      database: decodeURIComponent(url.pathname.replace(/^\//, '')),
      user: decodeURIComponent(url.username) || 'postgres',
    };
  } catch {
    return { host: '127.0.0.1', port: '5432', database: '', user: '' };
  }
}

/** One line (or a few) that says what went wrong and what to do; never a stack trace, never the password. */
export function describeError(error: unknown, databaseUrl: string | undefined): string {
  if (error instanceof CliError || error instanceof ConfigError) return error.message;
  if (error instanceof AppError)
    return error.code && HINTS[error.code] ? `${error.message}; ${HINTS[error.code]}` : error.message;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const { host, port, database, user } = server(databaseUrl);
  if (
    (code && UNREACHABLE_CODES.has(code)) ||
    /timeout exceeded when trying to connect|Connection terminated unexpectedly/i.test(message)
  )
    return `Cannot reach Postgres at ${host}:${port} — is it running? (make up starts it)`;
  if (code === '3D000')
    return `Database "${database}" does not exist on ${host}:${port}: run "npx gatewayctl migrate" first`;
  if (code === '42P01')
    return `Database "${database}" has no gateway schema: run "npx gatewayctl migrate" first`;
  if (code === '28P01' || code === '28000')
    return `Postgres at ${host}:${port} refused user "${user}": check the user and password in DATABASE_URL`;
  return message;
}

/** Exit status for an error: a CliError says; anything else is a runtime error. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof CliError ? error.exitCode : 1;
}
