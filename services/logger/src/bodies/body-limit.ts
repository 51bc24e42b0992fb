import { redactApiKeys } from '@ollama-gateway/runtime';

/**
 * What the request log keeps of a body: the body itself when it is small enough, else a marker with its size and a
 * searchable preview. Sizes are bytes of the body's JSON text (UTF-8).
 */

export interface TruncatedBody {
  truncated: true;
  /** Size of the whole body's JSON text, in bytes. */
  bytes: number;
  /** The start of the body: the text itself for a string body, its JSON text otherwise. */
  preview: string;
}

/**
 * `body` unchanged when its JSON is at most `maxBytes` bytes, a TruncatedBody otherwise (its preview sized so that
 * the preview's own JSON fits in `maxBytes`), null when there is no body. Gateway keys in it (a user pasting theirs
 * into a prompt) are cut to their visible prefix first: the request log is searched by everyone with dashboard access.
 */
export function limitBody(input: unknown, maxBytes: number): unknown {
  if (input === undefined || input === null) return null;
  const raw = JSON.stringify(input) as string | undefined;
  if (raw === undefined) return null;
  const json = redactApiKeys(raw);
  const body = json === raw ? input : JSON.parse(json);
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return body;
  const truncated: TruncatedBody = {
    truncated: true,
    bytes,
    preview: fitJsonString(typeof body === 'string' ? body : json, maxBytes),
  };
  return truncated;
}

/** The longest prefix of `text` whose JSON string form is at most `maxBytes` bytes, never splitting a surrogate pair. */
export function fitJsonString(text: string, maxBytes: number): string {
  let end = Math.min(text.length, maxBytes);
  for (;;) {
    let prefix = text.slice(0, end);
    const last = prefix.charCodeAt(prefix.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) prefix = prefix.slice(0, -1);
    const over = Buffer.byteLength(JSON.stringify(prefix)) - maxBytes;
    if (over <= 0 || prefix.length === 0) return prefix;
    // each character takes 1 to 6 bytes in JSON (\u escapes), so dropping over/6 of them never drops too many
    end = prefix.length - Math.max(1, Math.floor(over / 6));
  }
}
