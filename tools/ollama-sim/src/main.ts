#!/usr/bin/env node
import { parseCliArgs, USAGE } from './cli.args.js';
import { startOllamaSim } from './sim.server.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`ollama-sim: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(USAGE);
    return;
  }
  const sim = await startOllamaSim(options);
  process.stdout.write(`ollama-sim listening on ${sim.url}\n`);
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`ollama-sim: ${(err as Error).message}\n`);
  process.exit(1);
});
