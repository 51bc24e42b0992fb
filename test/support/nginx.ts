// Our own nginx instance for tests: rendered from nginx/nginx.conf.template into a temp prefix and run in the
// foreground as a child process. Never touches the system nginx service.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NGINX_DEFAULTS, renderTemplate, TEMPLATE_PATH } from '../../scripts/render-nginx.mjs';
import { freePort, type ManagedProcess, spawnManaged, waitForHttpOk } from './processes.js';

export const NGINX_INSTALL_HINT = 'nginx not found: run `apt-get install -y nginx`, or `make up` once.';

const CANDIDATES = [
  '/usr/sbin/nginx',
  '/usr/local/sbin/nginx',
  '/usr/local/nginx/sbin/nginx',
  '/usr/bin/nginx',
];

/** The nginx binary (NGINX_BIN, PATH, or the usual places). Throws with the install hint when there is none. */
export function nginxBinary(): string {
  const fromEnv = process.env.NGINX_BIN;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`NGINX_BIN=${fromEnv} does not exist. ${NGINX_INSTALL_HINT}`);
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error(NGINX_INSTALL_HINT);
  return found;
}

export interface NginxConfigOptions {
  /** Directory for the config, pid, temp dirs and logs (created if missing). */
  prefix: string;
  /** host:port of the gateway, or several comma-separated (one upstream `server` line each). */
  gatewayUpstream: string;
  internalSecret: string;
  apiPort: number;
  /** Any other template variable (MAX_BODY_SIZE, NGINX_KEY_RATE, …). */
  vars?: Record<string, string>;
}

export interface RenderedNginx {
  prefix: string;
  confPath: string;
  accessLog: string;
  errorLog: string;
}

/** Renders the template for a private instance under `prefix`. */
export function renderNginxConfig(options: NginxConfigOptions): RenderedNginx {
  const { prefix } = options;
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  // Started as root, nginx runs its workers as an unprivileged user: they must be able to enter the prefix.
  chmodSync(prefix, 0o755);
  chmodSync(join(prefix, 'tmp'), 0o755);
  const rendered: RenderedNginx = {
    prefix,
    confPath: join(prefix, 'nginx.conf'),
    accessLog: join(prefix, 'access.log'),
    errorLog: join(prefix, 'error.log'),
  };
  const conf = renderTemplate(readFileSync(TEMPLATE_PATH, 'utf8'), {
    ...NGINX_DEFAULTS,
    NGINX_WORKER_PROCESSES: '2',
    API_HOST: '127.0.0.1',
    API_PORT: String(options.apiPort),
    GATEWAY_UPSTREAM: options.gatewayUpstream,
    INTERNAL_SECRET: options.internalSecret,
    NGINX_PID_FILE: join(prefix, 'nginx.pid'),
    NGINX_TEMP_DIR: join(prefix, 'tmp'),
    NGINX_ACCESS_LOG: rendered.accessLog,
    NGINX_ERROR_LOG: rendered.errorLog,
    ...options.vars,
  });
  writeFileSync(rendered.confPath, conf);
  return rendered;
}

/** `nginx -t` on a rendered config: returns nginx's output, throws with it when the test fails. */
export function testNginxConfig(rendered: RenderedNginx): string {
  try {
    return execFileSync(
      nginxBinary(),
      ['-t', '-p', rendered.prefix, '-c', rendered.confPath, '-e', 'stderr'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `nginx -t failed for ${rendered.confPath}:\n${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`,
    );
  }
}

export interface RunningNginx extends RenderedNginx {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Renders, checks and starts nginx in the foreground; resolves once /health answers. */
export async function startNginx(
  options: Omit<NginxConfigOptions, 'apiPort'> & { apiPort?: number },
): Promise<RunningNginx> {
  const port = options.apiPort ?? (await freePort());
  const rendered = renderNginxConfig({ ...options, apiPort: port });
  testNginxConfig(rendered);
  const proc = spawnManaged(
    'nginx',
    nginxBinary(),
    ['-p', rendered.prefix, '-c', rendered.confPath, '-e', rendered.errorLog, '-g', 'daemon off;'],
    {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      logFile: join(rendered.prefix, 'stdout.log'),
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const watchErrorLog: ManagedProcess = {
    ...proc,
    describe: (lines?: number) =>
      `${proc.describe(lines)}\n--- nginx error log ${rendered.errorLog} ---\n${
        existsSync(rendered.errorLog)
          ? readFileSync(rendered.errorLog, 'utf8').split('\n').slice(-20).join('\n')
          : ''
      }`,
    get exited() {
      return proc.exited;
    },
  };
  await waitForHttpOk(`${url}/health`, { timeoutMs: 10_000, watch: [watchErrorLog], what: 'nginx /health' });
  return { ...rendered, url, port, process: proc, stop: () => proc.stop() };
}
