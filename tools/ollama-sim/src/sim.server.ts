import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelSignal } from './cancel.signal.js';
import { handleChat } from './chat.handler.js';
import { monoNs } from './clock.util.js';
import { handleControl, resetSim } from './control.handler.js';
import { handleEmbed, handleEmbeddings } from './embed.handler.js';
import { FaultController } from './faults.controller.js';
import { handleGenerate } from './generate.handler.js';
import { OllamaError, sendError, sendText } from './http.util.js';
import { ModelScheduler } from './model.scheduler.js';
import { ModelCatalog } from './models.catalog.js';
import { handlePs, handleRoot, handleShow, handleTags, handleVersion } from './models.handler.js';
import { resolveConfig } from './sim.config.js';
import type { Handler, RequestInfo, SimContext } from './sim.context.js';
import type { FaultSetting, SimConfig, SimStats } from './sim.types.js';
import { StatsRecorder } from './stats.recorder.js';

/** Method → handler per path. HEAD falls back to GET (Node drops the body). */
const ROUTES: ReadonlyMap<string, Readonly<Record<string, Handler>>> = new Map<
  string,
  Record<string, Handler>
>([
  ['/', { GET: handleRoot }],
  ['/api/version', { GET: handleVersion }],
  ['/api/tags', { GET: handleTags }],
  ['/api/ps', { GET: handlePs }],
  ['/api/show', { POST: handleShow }],
  ['/api/chat', { POST: handleChat }],
  ['/api/generate', { POST: handleGenerate }],
  ['/api/embed', { POST: handleEmbed }],
  ['/api/embeddings', { POST: handleEmbeddings }],
]);

export interface OllamaSim {
  url: string;
  port: number;
  config: SimConfig;
  close(): Promise<void>;
  stats(): SimStats;
  setFaults(faults: FaultSetting | null): void;
  reset(): void;
}

function createContext(config: SimConfig): SimContext {
  return {
    config,
    catalog: new ModelCatalog(config.models),
    scheduler: new ModelScheduler(config),
    faults: new FaultController(),
    stats: new StatsRecorder(),
  };
}

/** The request listener: routing, accounting and cancellation tracking. */
export function createRequestListener(ctx: SimContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    if (path.startsWith('/_sim/')) {
      void handleControl(ctx, req, res, path);
      return;
    }
    const methods = ROUTES.get(path);
    if (!methods) return sendText(res, 404, '404 page not found', 'text/plain');
    const method = req.method ?? 'GET';
    const handler = methods[method] ?? (method === 'HEAD' ? methods.GET : undefined);
    if (!handler) return sendText(res, 405, '405 method not allowed', 'text/plain');

    const abort = new CancelSignal();
    const info: RequestInfo = {
      path,
      model: '',
      startNs: monoNs(),
      startMs: performance.timeOrigin + performance.now(),
      state: { signal: abort, tokensSent: 0, serverClosed: false },
    };
    ctx.stats.begin(info);
    res.on('close', () => {
      ctx.stats.end(info);
      if (res.writableFinished) return;
      abort.abort();
      if (!info.state.serverClosed)
        ctx.stats.cancelled(path, info.model, info.startMs, info.state.tokensSent);
    });
    req.on('error', () => abort.abort());
    let result: Promise<void> | void;
    try {
      result = handler(ctx, req, res, info);
    } catch (err) {
      return fail(res, err);
    }
    if (result) result.catch((err: unknown) => fail(res, err));
  };
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof OllamaError) sendError(res, err.status, err.message);
  else sendError(res, 500, err instanceof Error ? err.message : String(err));
}

/** Starts a simulator. The port defaults to 0 here (a free port; the CLI defaults to 11434); host to 127.0.0.1. */
export async function startOllamaSim(options: Partial<SimConfig> = {}): Promise<OllamaSim> {
  const config = resolveConfig({ port: 0, ...options });
  const ctx = createContext(config);
  const server = createServer(
    // Ollama (Go net/http) reads up to 1 MB of headers; Node's default (16 KB) would refuse what Ollama accepts.
    { keepAlive: true, requestTimeout: 0, headersTimeout: 70_000, maxHeaderSize: 1024 * 1024 },
    createRequestListener(ctx),
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    stats: () => ctx.stats.snapshot(ctx.scheduler.loads),
    setFaults: (faults) => ctx.faults.set(faults),
    reset: () => resetSim(ctx),
  };
}
