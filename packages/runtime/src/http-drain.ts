import type { Server, ServerResponse } from 'node:http';

export interface HttpDrain {
  /** Responses not finished yet. */
  readonly inFlight: number;
  /**
   * Stops accepting connections, lets the requests in flight finish, and resolves once every connection is closed,
   * or after `graceMs` when the ones still open are cut.
   */
  drain(graceMs: number): Promise<{ cut: boolean }>;
}

/**
 * Makes an HTTP server drainable. `server.close()` alone only stops new connections: Node keeps serving requests that
 * arrive on kept-alive connections (nginx keeps its upstream connections open and reuses a connection as soon as its
 * response ended), so a busy server never finishes draining and the grace timer cuts whatever runs at that moment.
 * Once draining, each response closes its connection when it ends: `Connection: close` for those whose headers are
 * still to be sent (the client knows not to reuse it), an end of the socket right after the last byte for the
 * others (streams already under way), and idle connections are closed at once.
 * Call it before the server handles its first request (it tracks responses from then on).
 */
export function trackHttpDrain(server: Server): HttpDrain {
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const closeWhenDone = (res: ServerResponse) => {
    if (!res.headersSent) {
      res.shouldKeepAlive = false;
      return;
    }
    const socket = res.socket;
    res.once('finish', () => socket?.end());
  };

  server.prependListener('request', (_req, res) => {
    if (draining) closeWhenDone(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  return {
    get inFlight() {
      return inFlight.size;
    },
    drain(graceMs) {
      draining = true;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve({ cut: true });
        }, graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve({ cut: false });
        });
        for (const res of inFlight) closeWhenDone(res);
        server.closeIdleConnections();
      });
    },
  };
}
