import type { ServerResponse } from 'node:http';

/** An AbortSignal that fires when the client goes away before the response finished, to cancel the upstream call. */
export function abortOnClientClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
