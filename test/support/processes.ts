// Child processes for end-to-end tests: spawn with output to a log file, wait for HTTP readiness, show the log tail
// when something goes wrong, and never leave a process behind when the test process exits.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill() only sends the signal, which is all we need.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** A TCP port that was free a moment ago (bind to 0, read, close). */
/**
 * Ports for the test stacks come from below the kernel's ephemeral range (32768–60999 here), so an outgoing
 * connection (a pg or Redis client's local port) can never take one between this check and the service's listen —
 * with port 0 it did, and a stack failed with EADDRINUSE. Each Vitest worker gets its own window of 1,000 ports
 * (VITEST_POOL_ID), so files running at the same time never pick the same one; a port still in use is skipped.
 */
const PORT_WINDOW = 1000;
const PORT_BASE = 10_000;
const PORT_WINDOWS = 22; // 10000–31999
const slot = (Number(process.env.VITEST_POOL_ID) || process.pid) % PORT_WINDOWS;
let nextPort = 0;

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < PORT_WINDOW; tries++) {
    const port = PORT_BASE + slot * PORT_WINDOW + (nextPort++ % PORT_WINDOW);
    if (await canListen(port, host)) return port;
  }
  throw new Error(
    `no free port in ${PORT_BASE + slot * PORT_WINDOW}–${PORT_BASE + (slot + 1) * PORT_WINDOW - 1}`,
  );
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The last `lines` lines of a file ('' when it does not exist). */
export function tailFile(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Set once the process has exited: its exit code or signal. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** The log tail, framed with the process name, for error messages. */
  describe(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
}

/** Spawns `command args` with stdout and stderr appended to `logFile`. */
export function spawnManaged(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ManagedProcess {
  installExitHook();
  const fd = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  running.add(child);
  const managed: ManagedProcess = {
    name,
    child,
    logFile: options.logFile,
    exited: null,
    describe(lines = 40) {
      const state = managed.exited
        ? `exited (code ${managed.exited.code ?? '-'}, signal ${managed.exited.signal ?? '-'})`
        : 'still running';
      const tail = tailFile(options.logFile, lines) || '(no output)';
      return `--- ${name}: ${state}; last lines of ${options.logFile} ---\n${tail}\n--- end of ${name} ---`;
    },
    async stop(graceMs = 5_000) {
      if (managed.exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
  child.once('error', (error) => {
    managed.exited = { code: null, signal: null };
    running.delete(child);
    process.stderr.write(`[${name}] failed to start: ${error.message}\n`);
  });
  child.once('exit', (code, signal) => {
    managed.exited = { code, signal };
    running.delete(child);
  });
  return managed;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Processes whose early death should end the wait at once (with their log tails). */
  watch?: readonly ManagedProcess[];
  /** What is being waited for, for the error message. */
  what?: string;
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, watch = [], what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const dead = watch.filter((p) => p.exited);
    if (dead.length > 0) {
      throw new Error(
        `While waiting for ${what}: ${dead.map((p) => p.name).join(', ')} exited.\n${dead
          .map((p) => p.describe())
          .join('\n')}`,
      );
    }
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` Last error: ${lastError.message}` : '';
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}.${detail}\n${watch.map((p) => p.describe()).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until GET `url` answers with a 2xx status. */
export async function waitForHttpOk(url: string, options: WaitOptions = {}): Promise<void> {
  await waitUntil(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
      return true;
    },
    { what: `GET ${url} to answer 2xx`, ...options },
  );
}
