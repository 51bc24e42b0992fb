import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type Registry, serveMetrics } from './metrics.js';

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port (tests); read the chosen one from `HealthServer.port`. */
  port: number;
  /** Are the process's dependencies (Redis, Postgres…) reachable? A throw or a timeout counts as "no". */
  ready: () => Promise<boolean>;
  /** How long one readiness check may take before it counts as failed. Default 2000 ms. */
  readyTimeoutMs?: number;
  logger?: Logger;
  /** When given, `GET /metrics` serves it (Prometheus text format). */
  metrics?: Registry;
}

export interface HealthServer {
  /** The port actually listened on. */
  readonly port: number;
  /** From now on `/ready` answers 503 `stopping` (call it first thing on SIGTERM so load balancers move away). */
  markStopping(): void;
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>;
}

/**
 * A tiny node:http server for workers: `GET /health` → 200 while the process is alive; `GET /ready` → 200 when
 * `ready()` says the dependencies are reachable, 503 otherwise and after `markStopping()`. Bodies are JSON.
 * With `metrics`, `GET /metrics` serves the Prometheus registry.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const timeoutMs = options.readyTimeoutMs ?? 2000;
  let stopping = false;

  const checkReady = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        options.ready(),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
    } catch (error) {
      options.logger?.warn({ err: error }, 'readiness check failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    if (path === '/health') return send(200, { status: 'ok' });
    if (path === '/ready') {
      if (stopping) return send(503, { status: 'stopping' });
      void checkReady().then((ok) => send(ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready' }));
      return;
    }
    if (path === '/metrics' && options.metrics) return void serveMetrics(options.metrics, res);
    send(404, { error: 'not found: use GET /health or GET /ready' });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger?.info({ host: options.host, port }, 'health server listening');

  return {
    port,
    markStopping() {
      stopping = true;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}
