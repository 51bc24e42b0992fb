import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { safeEqual } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';
import { dialectOf } from '../dialects/dialect.js';
import type { AdmissionGate } from '../limits/admission.js';
import { noopGate } from '../limits/admit.js';
import { newRequestContext, type RequestContext } from '../services/request-context.js';
import type { UsageRecorder } from '../services/usage-recorder.service.js';

const REQUEST_ID = /^[A-Za-z0-9_.-]{8,128}$/;
const CLIENT_CLOSED_REQUEST = 499;

export const newRequestId = () => randomUUID().replaceAll('-', '');

/** Whether a request came through our nginx (it carries the shared internal secret). */
export function isFromProxy(req: Request, internalSecret: string): boolean {
  const header = req.headers['x-gateway-internal'];
  return typeof header === 'string' && safeEqual(header, internalSecret);
}

/** nginx's request id when the request came through nginx; otherwise a fresh one (a client cannot pick its id). */
export function requestIdOf(req: Request, fromProxy: boolean): string {
  const header = req.headers['x-request-id'];
  return fromProxy && typeof header === 'string' && REQUEST_ID.test(header) && !/^\d+$/.test(header)
    ? header
    : newRequestId();
}

export function clientIpOf(req: Request, fromProxy: boolean): string | null {
  const realIp = req.headers['x-real-ip'];
  if (fromProxy && typeof realIp === 'string') return realIp;
  return req.socket.remoteAddress ?? null;
}

/**
 * Gives every API request a RequestContext and a request id (echoed as `x-request-id`), and records exactly one usage
 * event when the response closes: finished, failed, or abandoned by the client (recorded as 499).
 */
export function requestContextMiddleware(options: {
  internalSecret: string;
  recorder: UsageRecorder;
  /** Rate limits, budget…: routes call it through limits/admit.ts; its ticket is settled here on close. */
  admission?: AdmissionGate;
}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const fromProxy = isFromProxy(req, options.internalSecret);
    const context: RequestContext = newRequestContext({
      requestId: requestIdOf(req, fromProxy),
      method: req.method,
      dialect: dialectOf(req.path),
      endpoint: req.path,
      clientIp: clientIpOf(req, fromProxy),
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
      startedAt: performance.now(),
      requestHeader: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      setResponseHeader: (name, value) => {
        if (!res.headersSent) res.setHeader(name, value);
      },
    });
    res.locals.context = context;
    options.recorder.begin?.(context);
    res.locals.fromProxy = fromProxy;
    res.locals.admission = options.admission ?? noopGate;
    res.setHeader('x-request-id', context.requestId);
    res.once('close', () => {
      // A streamed answer's host slot (routing/fair-queue.ts) is given back when the response is over.
      const lease = context.upstreamLease;
      if (lease) {
        context.upstreamLease = null;
        lease.release();
      }
      const status = res.writableFinished ? (context.outcomeStatus ?? res.statusCode) : CLIENT_CLOSED_REQUEST;
      if (status === CLIENT_CLOSED_REQUEST) context.errorCode ??= 'client_closed_request';
      options.recorder.record(context, status, performance.now());
      res.locals.responseClosed = true;
      // Exactly once (settleOnce), with the real usage: success, error, stream end or client disconnect alike.
      void context.admission?.settle(context.usage, status);
    });
    next();
  };
}

export const contextOf = (res: Response): RequestContext => res.locals.context as RequestContext;
