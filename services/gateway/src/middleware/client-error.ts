import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@ollama-gateway/runtime';
import { dialectOf, errorBodyFor } from '../dialects/dialect.js';

/**
 * Requests Node's HTTP parser refuses before Express sees them (headers over `maxHeaderSize`, a malformed request
 * line or header, a header timeout). Node's default answer is a bare status line with an empty body, which no SDK can
 * read as an API error; this writes a JSON error in the dialect of the path it managed to read, then closes.
 */
export function clientErrorResponse(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): string {
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request headers did not arrive in time.']
        : [400, 'The HTTP request is malformed.'];
  // The request line, when the chunk the parser failed on starts with it (a long request fails in a later chunk).
  const path = /^[A-Z]+ (\/\S*) /.exec(error.rawPacket?.toString('latin1', 0, 2048) ?? '')?.[1];
  const appError = new AppError(status, 'invalid_request', message);
  const body = JSON.stringify(
    path === undefined ? anyDialectError(appError) : errorBodyFor(dialectOf(path.split('?')[0]!), appError),
  );
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Unknown path: one body both the OpenAI and the Anthropic SDKs read as their error (Ollama's client shows it raw). */
function anyDialectError(error: AppError) {
  const openai = errorBodyFor('openai', error) as { error: Record<string, unknown> };
  const anthropic = errorBodyFor('anthropic', error) as { type: string; error: Record<string, unknown> };
  return { type: anthropic.type, error: { ...openai.error, ...anthropic.error } };
}

/** The `clientError` listener for the gateway's HTTP server. */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A peer that reset the connection, or a socket we already answered on, gets nothing more.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(error));
}
