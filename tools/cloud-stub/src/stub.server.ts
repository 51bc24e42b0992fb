import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicError, handleAnthropicMessages } from './anthropic.handler.js';
import { readBody, recordedHeaders, sendJson } from './http.util.js';
import { handleOpenAIChat, openAIError } from './openai.handler.js';
import { StubContext, type StubHandler } from './stub.context.js';
import type {
  CloudStubConfig,
  StubFaultMode,
  StubFaultSetting,
  StubRequestRecord,
  StubStats,
} from './stub.types.js';

export const DEFAULT_STUB_CONFIG: CloudStubConfig = {
  port: 0,
  host: '127.0.0.1',
  openaiKey: 'sk-stub-openai',
  anthropicKey: 'sk-ant-stub',
  replyTokens: 8,
  ttftMs: 0,
  chunkDelayMs: 0,
  models: null,
};

export interface CloudStub {
  /** Base URL, e.g. http://127.0.0.1:40123: OpenAI clients use `${url}/v1`, Anthropic clients `url` itself. */
  url: string;
  port: number;
  config: CloudStubConfig;
  stats(): StubStats;
  /** The requests seen (newest last), with the headers tests assert on (keys included: it is a test tool). */
  requests(): StubRequestRecord[];
  setFaults(faults: StubFaultSetting | null): void;
  setConfig(patch: Partial<Omit<CloudStubConfig, 'port' | 'host'>>): void;
  reset(): void;
  close(): Promise<void>;
}

const ROUTES: Record<string, StubHandler> = {
  '/v1/chat/completions': handleOpenAIChat,
  '/v1/messages': handleAnthropicMessages,
};

const FAULT_MODES: StubFaultMode[] = [
  'error-500',
  'error-503',
  'error-529',
  'error-429',
  'hang',
  'error-midstream',
  'drop',
];

/** The error body of the API a path belongs to. */
function errorFor(path: string, status: number, message: string): unknown {
  if (path === '/v1/messages')
    return anthropicError(status === 404 ? 'not_found_error' : 'invalid_request_error', message);
  return openAIError(message, 'invalid_request_error');
}

async function handleControl(ctx: StubContext, req: IncomingMessage, res: ServerResponse, path: string) {
  const json =
    req.method === 'POST' ? (JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>) : {};
  if (path === '/_stub/stats') return sendJson(res, 200, ctx.stats);
  if (path === '/_stub/requests') return sendJson(res, 200, ctx.records);
  if (path === '/_stub/reset' && req.method === 'POST') {
    ctx.reset();
    return sendJson(res, 200, { ok: true });
  }
  if (path === '/_stub/faults') {
    if (req.method === 'POST') {
      const mode = json.mode ?? null;
      if (mode !== null && !FAULT_MODES.includes(mode as StubFaultMode))
        return sendJson(res, 400, { error: `mode must be one of ${FAULT_MODES.join(', ')} or null` });
      ctx.setFaults(
        typeof json.count === 'number'
          ? { mode: mode as StubFaultMode | null, count: json.count }
          : { mode: mode as StubFaultMode | null },
      );
    }
    return sendJson(res, 200, ctx.faults);
  }
  if (path === '/_stub/config') {
    if (req.method === 'POST') applyConfig(ctx, json);
    return sendJson(res, 200, ctx.config);
  }
  return sendJson(res, 404, { error: `unknown control path ${path}` });
}

function applyConfig(ctx: StubContext, patch: Record<string, unknown>): void {
  for (const name of ['replyTokens', 'ttftMs', 'chunkDelayMs'] as const)
    if (typeof patch[name] === 'number') ctx.config[name] = patch[name];
  for (const name of ['openaiKey', 'anthropicKey'] as const)
    if (typeof patch[name] === 'string') ctx.config[name] = patch[name];
  if (patch.models === null || Array.isArray(patch.models))
    ctx.config.models = patch.models === null ? null : patch.models.map(String);
}

function listener(ctx: StubContext) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/_stub/')) {
      handleControl(ctx, req, res, path).catch((error: unknown) =>
        sendJson(res, 400, { error: (error as Error).message }),
      );
      return;
    }
    const handler = ROUTES[path];
    if (!handler || req.method !== 'POST') {
      sendJson(res, 404, errorFor(path, 404, `Invalid URL (${req.method} ${path})`));
      return;
    }
    ctx.stats.requests++;
    ctx.stats.byPath[path] = (ctx.stats.byPath[path] ?? 0) + 1;
    ctx.stats.active++;
    let finished = false;
    let closedEarly = false;
    res.on('finish', () => {
      finished = true;
    });
    res.on('close', () => {
      ctx.stats.active--;
      if (finished) return;
      closedEarly = true;
      ctx.stats.cancellations++;
    });
    const record: StubRequestRecord = {
      path,
      status: 0,
      model: null,
      stream: false,
      headers: recordedHeaders(req),
      body: null,
      fault: null,
    };
    ctx.record(record);
    readBody(req)
      .then(async (text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          record.status = 400;
          return sendJson(
            res,
            400,
            errorFor(
              path,
              400,
              'We could not parse the JSON body of your request. The API expects a JSON payload.',
            ),
          );
        }
        record.body = body;
        if (!body || typeof body !== 'object' || Array.isArray(body)) {
          record.status = 400;
          return sendJson(res, 400, errorFor(path, 400, 'The request body must be a JSON object.'));
        }
        await handler(ctx, {
          req,
          res,
          body: body as Record<string, unknown>,
          record,
          gone: () => closedEarly || res.destroyed,
        });
      })
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, errorFor(path, 500, (error as Error).message));
        else res.destroy();
      });
  };
}

/** Starts the stub (port 0 = a free port) and resolves once it listens. */
export async function startCloudStub(options: Partial<CloudStubConfig> = {}): Promise<CloudStub> {
  const config: CloudStubConfig = { ...DEFAULT_STUB_CONFIG, ...options };
  const ctx = new StubContext(config);
  const server = createServer({ keepAliveTimeout: 5000 }, listener(ctx));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${config.host}:${port}`,
    port,
    config,
    stats: () => structuredClone(ctx.stats),
    requests: () => structuredClone(ctx.records),
    setFaults: (faults) => ctx.setFaults(faults),
    setConfig: (patch) => applyConfig(ctx, patch as Record<string, unknown>),
    reset: () => ctx.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
