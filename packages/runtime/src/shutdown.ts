import type { Logger } from 'pino';

export type ShutdownStep = {
  name: string;
  run: () => Promise<unknown> | unknown;
  /** This step's bound instead of `stepTimeoutMs` (a drain longer than 15 s must not be cut short). */
  timeoutMs?: number;
};

/**
 * Runs `steps` in order on SIGTERM/SIGINT (stop accepting → drain → close workers → close Redis/Postgres), each step
 * bounded by `stepTimeoutMs`, then exits. A second signal exits at once.
 */
export function installShutdown(
  logger: Logger,
  steps: ShutdownStep[],
  stepTimeoutMs = 15_000,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    running ??= (async () => {
      for (const step of steps) {
        const started = Date.now();
        try {
          await Promise.race([
            Promise.resolve().then(step.run),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('timed out')), step.timeoutMs ?? stepTimeoutMs).unref(),
            ),
          ]);
          logger.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
        } catch (error) {
          logger.warn({ step: step.name, err: error }, 'shutdown step failed');
        }
      }
    })();
    return running;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    void shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return shutdown;
}
