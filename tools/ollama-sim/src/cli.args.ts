import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { completeModel } from './models.catalog.js';
import type { SimConfig, SimModel } from './sim.types.js';

export const USAGE = `Usage: ollama-sim [options]

  --port <n>               port (env OLLAMA_SIM_PORT, default 11434; 0 = free port)
  --host <addr>            host (env OLLAMA_SIM_HOST, default 127.0.0.1)
  --ttft-ms <n>            time to first token in ms (env OLLAMA_SIM_TTFT_MS, default 0)
  --tokens-per-second <n>  token pacing, 0 = unpaced (env OLLAMA_SIM_TOKENS_PER_SECOND, default 0)
  --load-ms <n>            model load time in ms (env OLLAMA_SIM_LOAD_MS, default 0)
  --reply-tokens <n>       tokens per reply (env OLLAMA_SIM_REPLY_TOKENS, default 12)
  --thinking-tokens <n>    thinking tokens before a reply (env OLLAMA_SIM_THINKING_TOKENS, default 8)
  --models <file.json>     model list replacing the defaults (env OLLAMA_SIM_MODELS)
  -h, --help               this text
`;

/** Reads a --models file: an array (or {models: [...]}) of model names or partial SimModel objects. */
export function loadModelsFile(path: string): SimModel[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { models?: unknown }).models;
  if (!Array.isArray(list) || list.length === 0)
    throw new Error(`${path}: expected a non-empty array of models`);
  return list.map((item, i) => {
    if (typeof item === 'string') return completeModel({ name: item });
    if (item && typeof item === 'object' && typeof (item as SimModel).name === 'string') {
      return completeModel(item as Partial<SimModel> & { name: string });
    }
    throw new Error(`${path}: model #${i} needs a "name"`);
  });
}

function toNumber(name: string, value: string): number {
  const n = value === 'Infinity' ? Number.POSITIVE_INFINITY : Number(value);
  if (value.trim() === '' || Number.isNaN(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return n;
}

const NUMERIC: ReadonlyArray<[flag: string, env: string, key: keyof SimConfig]> = [
  ['port', 'OLLAMA_SIM_PORT', 'port'],
  ['ttft-ms', 'OLLAMA_SIM_TTFT_MS', 'ttftMs'],
  ['tokens-per-second', 'OLLAMA_SIM_TOKENS_PER_SECOND', 'tokensPerSecond'],
  ['load-ms', 'OLLAMA_SIM_LOAD_MS', 'loadMs'],
  ['reply-tokens', 'OLLAMA_SIM_REPLY_TOKENS', 'replyTokens'],
  ['thinking-tokens', 'OLLAMA_SIM_THINKING_TOKENS', 'thinkingTokens'],
];

/** Flags win over environment variables. Returns null when --help was asked for. Throws on a bad value. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): Partial<SimConfig> | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'ttft-ms': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'load-ms': { type: 'string' },
      'reply-tokens': { type: 'string' },
      'thinking-tokens': { type: 'string' },
      models: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const config: Partial<SimConfig> = { port: 11434 };
  for (const [flag, envName, key] of NUMERIC) {
    const raw = (values as Record<string, string | undefined>)[flag] ?? env[envName];
    if (raw !== undefined) (config as Record<string, unknown>)[key] = toNumber(`--${flag} / ${envName}`, raw);
  }
  if (config.port !== undefined && (!Number.isInteger(config.port) || config.port > 65535)) {
    throw new Error(`--port / OLLAMA_SIM_PORT must be an integer port, got "${config.port}"`);
  }
  const host = values.host ?? env.OLLAMA_SIM_HOST;
  if (host) config.host = host;
  const modelsFile = values.models ?? env.OLLAMA_SIM_MODELS;
  if (modelsFile) config.models = loadModelsFile(modelsFile);
  return config;
}
