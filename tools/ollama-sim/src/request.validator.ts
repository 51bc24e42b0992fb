import { parseGoDuration } from './clock.util.js';
import { OllamaError } from './http.util.js';

export type JsonObject = Record<string, unknown>;

/** Field kinds, named after the Go types Ollama binds them to. */
export type FieldKind = 'string' | 'bool' | 'int' | 'map' | 'array' | 'strings' | 'any';

const GO_TYPE: Record<FieldKind, string> = {
  string: 'string',
  bool: 'bool',
  int: 'int',
  map: 'map[string]interface {}',
  array: '[]interface {}',
  strings: '[]string',
  any: 'interface {}',
};

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // string | number | object
}

function bindError(value: unknown, field: string, goType: string): OllamaError {
  return new OllamaError(
    400,
    `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type ${goType}`,
  );
}

/** Go's encoding/json syntax error text for a body JSON.parse rejected (best effort). */
function syntaxError(text: string): OllamaError {
  const trimmed = text.trimStart();
  const first = trimmed[0] ?? '';
  if (!'{["-0123456789tfn'.includes(first)) {
    return new OllamaError(400, `invalid character '${first}' looking for beginning of value`);
  }
  return new OllamaError(400, 'unexpected EOF');
}

/**
 * Parses a request body as gin's ShouldBindJSON would: an empty body is `missing request body`, bad JSON gives Go's
 * syntax error, a non-object gives an unmarshal error. `null` binds to an empty request.
 */
export function parseJsonBody(text: string, goStruct: string): JsonObject {
  if (text.trim() === '') throw new OllamaError(400, 'missing request body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw syntaxError(text);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new OllamaError(
      400,
      `json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${goStruct}`,
    );
  }
  return value as JsonObject;
}

/** Checks the types of the given fields (null and absent are fine, as in Go). */
export function checkFields(body: JsonObject, goStruct: string, fields: Record<string, FieldKind>): void {
  for (const [name, kind] of Object.entries(fields)) {
    checkValue(body[name], `${goStruct}.${name}`, kind);
  }
}

function checkValue(value: unknown, field: string, kind: FieldKind): void {
  if (value === undefined || value === null || kind === 'any') return;
  const ok =
    (kind === 'string' && typeof value === 'string') ||
    (kind === 'bool' && typeof value === 'boolean') ||
    (kind === 'int' && typeof value === 'number') ||
    (kind === 'map' && typeof value === 'object' && !Array.isArray(value)) ||
    (kind === 'array' && Array.isArray(value)) ||
    (kind === 'strings' && Array.isArray(value));
  if (!ok) throw bindError(value, field, GO_TYPE[kind]);
  if (kind === 'int' && !Number.isInteger(value)) {
    throw new OllamaError(
      400,
      `json: cannot unmarshal number ${value} into Go struct field ${field} of type int`,
    );
  }
  if (kind === 'strings') {
    for (const item of value as unknown[]) checkValue(item, field, 'string');
  }
}

const MESSAGE_FIELDS: Record<string, FieldKind> = {
  role: 'string',
  content: 'string',
  thinking: 'string',
  images: 'strings',
  tool_calls: 'array',
  tool_name: 'string',
  tool_call_id: 'string',
};

/** Validates `messages` of a ChatRequest (array of Message objects with string content). */
export function checkMessages(messages: unknown): void {
  if (messages === undefined || messages === null) return;
  if (!Array.isArray(messages)) throw bindError(messages, 'ChatRequest.messages', '[]api.Message');
  for (const message of messages) {
    if (message === null) continue;
    if (typeof message !== 'object' || Array.isArray(message)) {
      throw bindError(message, 'ChatRequest.messages', 'api.Message');
    }
    for (const [name, kind] of Object.entries(MESSAGE_FIELDS)) {
      checkValue((message as JsonObject)[name], `ChatRequest.messages.${name}`, kind);
    }
  }
}

const INT_OPTIONS = new Set([
  'num_keep',
  'seed',
  'num_predict',
  'top_k',
  'repeat_last_n',
  'mirostat',
  'num_ctx',
  'num_batch',
  'num_gpu',
  'main_gpu',
  'num_thread',
]);
const FLOAT_OPTIONS = new Set([
  'top_p',
  'min_p',
  'typical_p',
  'temperature',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
  'mirostat_tau',
  'mirostat_eta',
  'tfs_z',
]);
const BOOL_OPTIONS = new Set([
  'numa',
  'low_vram',
  'penalize_newline',
  'use_mmap',
  'use_mlock',
  'vocab_only',
  'f16_kv',
  'logits_all',
]);

/** The options the simulator acts on, after Ollama's `Options.FromMap` type checks. */
export interface SimOptions {
  numPredict: number;
  stop: string[];
}

/** Applies Ollama's option type rules (unknown keys ignored, null skipped) and returns what the simulator uses. */
export function parseOptions(options: JsonObject | undefined | null): SimOptions {
  const out: SimOptions = { numPredict: -1, stop: [] };
  if (!options) return out;
  for (const [key, value] of Object.entries(options)) {
    if (value === null || value === undefined) continue;
    if (INT_OPTIONS.has(key)) {
      if (typeof value !== 'number') throw new OllamaError(400, `option "${key}" must be of type integer`);
      if (key === 'num_predict') out.numPredict = Math.trunc(value);
    } else if (FLOAT_OPTIONS.has(key)) {
      if (typeof value !== 'number') throw new OllamaError(400, `option "${key}" must be of type float32`);
    } else if (BOOL_OPTIONS.has(key)) {
      if (typeof value !== 'boolean') throw new OllamaError(400, `option "${key}" must be of type boolean`);
    } else if (key === 'stop') {
      if (!Array.isArray(value)) throw new OllamaError(400, `option "${key}" must be of type array`);
      for (const item of value) {
        if (typeof item !== 'string')
          throw new OllamaError(400, `option "${key}" must be of an array of strings`);
      }
      out.stop = value as string[];
    }
  }
  return out;
}

/**
 * `keep_alive` as Ollama's api.Duration reads it: a number of seconds or a Go duration string; negative means forever
 * (Infinity). Returns milliseconds, or undefined when absent.
 */
export function parseKeepAlive(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string') {
    try {
      ms = parseGoDuration(value);
    } catch (err) {
      throw new OllamaError(400, (err as Error).message);
    }
  } else {
    const goType = Array.isArray(value)
      ? '[]interface {}'
      : typeof value === 'boolean'
        ? 'bool'
        : 'map[string]interface {}';
    throw new OllamaError(400, `Unsupported type: '${goType}'`);
  }
  return ms < 0 ? Number.POSITIVE_INFINITY : ms;
}

const THINK_LEVELS = new Set(['high', 'medium', 'low', 'max']);

/** `think`: a bool or a level string. Returns undefined when absent. */
export function parseThink(value: unknown): boolean | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (THINK_LEVELS.has(value)) return value;
    throw new OllamaError(
      400,
      `invalid think value: "${value}" (must be "high", "medium", "low", true, or false)`,
    );
  }
  throw new OllamaError(400, 'think must be a boolean or string');
}

/** Ollama's ThinkValue.Bool(): a level string counts as on. */
export function thinkEnabled(think: boolean | string | undefined): boolean {
  return think === undefined ? false : think !== false;
}
