import { type CliContext, createCliContext } from './context.js';
import { loadCliEnv } from './env.js';
import { describeError, exitCodeOf } from './errors.js';
import { createOutput, type Output } from './output.js';

export interface CommonOptions {
  json?: boolean;
}

export const JSON_OPTION_HELP = 'print exactly one JSON object (errors: {"error":…} on stderr)';

/** Runs one command's body: loads env, opens the context, reports errors, sets the exit code, closes the pool. */
export async function runCommand(
  options: CommonOptions,
  body: (ctx: CliContext, out: Output) => Promise<void>,
): Promise<void> {
  const out = createOutput(options.json === true);
  let ctx: CliContext | undefined;
  try {
    ctx = createCliContext(loadCliEnv());
    await body(ctx, out);
  } catch (error) {
    out.error(describeError(error, ctx?.env.DATABASE_URL ?? process.env.DATABASE_URL));
    process.exitCode = exitCodeOf(error);
  } finally {
    await ctx?.close().catch(() => {});
  }
}
