import { jsonDepthExceeds, TOO_DEEP_MESSAGE } from '../json-depth.js';
import type { NativeEndpoint, NativeRequestInfo } from './types.js';

/** The body fields that name a model, per endpoint (`/api/show` still accepts the deprecated `name`). */
const MODEL_FIELDS: Partial<Record<NativeEndpoint, readonly string[]>> = {
  chat: ['model'],
  generate: ['model'],
  embed: ['model'],
  embeddings: ['model'],
  show: ['model', 'name'],
};

export type InspectResult = { ok: true; info: NativeRequestInfo } | { ok: false; message: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads what the gateway must check in a native request body, which is then forwarded byte for byte. Ollama (Go)
 * decodes the same bytes, so anything the two parsers could read differently is refused rather than forwarded:
 * a body JSON.parse rejects (Go would decode a first value and ignore trailing bytes), and a key that differs from
 * `model` only by case (Go matches field names case-insensitively, so `{"model":"a","MODEL":"b"}` runs `b`).
 * An empty body or a body without a model is forwarded: Ollama answers `missing request body` / `model is required`.
 */
export function inspectNativeRequest(endpoint: NativeEndpoint, body: Uint8Array | undefined): InspectResult {
  const defaultStream = endpoint === 'chat' || endpoint === 'generate';
  const text =
    body && body.length > 0 ? Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8') : '';
  if (!text.trim()) return { ok: true, info: { models: [], model: '', stream: defaultStream, json: null } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `invalid JSON in the request body: ${(error as Error).message}` };
  }
  if (jsonDepthExceeds(json)) return { ok: false, message: TOO_DEEP_MESSAGE };
  if (!isRecord(json)) return { ok: true, info: { models: [], model: '', stream: defaultStream, json } };

  const fields = MODEL_FIELDS[endpoint] ?? [];
  for (const key of Object.keys(json)) {
    const folded = key.toLowerCase();
    if (key !== folded && fields.includes(folded))
      return { ok: false, message: `invalid field "${key}" in the request body: use "${folded}"` };
  }
  const models: string[] = [];
  for (const field of fields) {
    const value = json[field];
    if (typeof value === 'string' && value !== '') models.push(value);
  }
  const stream = defaultStream && json.stream !== false;
  return { ok: true, info: { models, model: models[0] ?? '', stream, json } };
}

/** Ollama's wording for a missing model (show says it its own way, reference §1.5); also used for a forbidden one. */
export function modelNotFoundMessage(endpoint: NativeEndpoint, model: string): string {
  return endpoint === 'show'
    ? `model '${model}' not found`
    : `model "${model}" not found, try pulling it first`;
}
