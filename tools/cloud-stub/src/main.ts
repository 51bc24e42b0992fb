#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEFAULT_STUB_CONFIG, startCloudStub } from './stub.server.js';

const USAGE = `Usage: cloud-stub [options]

  --port <n>            port (env CLOUD_STUB_PORT, default 4010; 0 = free port)
  --host <addr>         host (env CLOUD_STUB_HOST, default 127.0.0.1)
  --openai-key <key>    key /v1/chat/completions accepts (env CLOUD_STUB_OPENAI_KEY, default sk-stub-openai)
  --anthropic-key <key> key /v1/messages accepts (env CLOUD_STUB_ANTHROPIC_KEY, default sk-ant-stub)
  --reply-tokens <n>    words per reply (env CLOUD_STUB_REPLY_TOKENS, default 8)
  --ttft-ms <n>         wait before the first token (env CLOUD_STUB_TTFT_MS, default 0)
  --chunk-delay-ms <n>  wait between stream chunks (env CLOUD_STUB_CHUNK_DELAY_MS, default 0)
  -h, --help            this text
`;

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'openai-key': { type: 'string' },
      'anthropic-key': { type: 'string' },
      'reply-tokens': { type: 'string' },
      'ttft-ms': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const env = process.env;
  const stub = await startCloudStub({
    port: number('--port', values.port ?? env.CLOUD_STUB_PORT, 4010),
    host: values.host ?? env.CLOUD_STUB_HOST ?? DEFAULT_STUB_CONFIG.host,
    openaiKey: values['openai-key'] ?? env.CLOUD_STUB_OPENAI_KEY ?? DEFAULT_STUB_CONFIG.openaiKey,
    anthropicKey: values['anthropic-key'] ?? env.CLOUD_STUB_ANTHROPIC_KEY ?? DEFAULT_STUB_CONFIG.anthropicKey,
    replyTokens: number('--reply-tokens', values['reply-tokens'] ?? env.CLOUD_STUB_REPLY_TOKENS, 8),
    ttftMs: number('--ttft-ms', values['ttft-ms'] ?? env.CLOUD_STUB_TTFT_MS, 0),
    chunkDelayMs: number('--chunk-delay-ms', values['chunk-delay-ms'] ?? env.CLOUD_STUB_CHUNK_DELAY_MS, 0),
  });
  process.stdout.write(
    `cloud-stub listening on ${stub.url} (OpenAI: ${stub.url}/v1, Anthropic: ${stub.url})\n`,
  );
  const shutdown = () => {
    stub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`cloud-stub: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
});
