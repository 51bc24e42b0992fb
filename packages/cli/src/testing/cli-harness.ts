import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI the tests spawn, exactly as `npx gatewayctl` runs it. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH))
    throw new Error(
      `${CLI_PATH} is missing: build the CLI first with "npx tsc -b packages/cli" (from the repo root)`,
    );
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/main.js ...args` with only the given variables (no .env, nothing from the caller's shell). */
export function runGatewayctl(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', ENV_FILE: 'none' };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { env: childEnv, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The single JSON object a --json run printed on the given stream. */
export function onlyJson(text: string): Record<string, unknown> {
  const lines = text.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected exactly one line of JSON, got:\n${text}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}
