// The plain scripts behind `make up`: the nginx renderer's CLI and .env loading (environment wins over .env).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'ogw-scripts-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };

describe('scripts/render-nginx.mjs', () => {
  it('fails naming the unset variable and where to set it', () => {
    const result = spawnSync(process.execPath, ['scripts/render-nginx.mjs', '--out', join(dir, 'a.conf')], {
      cwd: ROOT,
      env: { ...baseEnv, ENV_FILE: 'none' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/variable INTERNAL_SECRET not set/);
    expect(result.stderr).toContain('.env.example');
  });

  it('renders from .env, with the environment winning over the file', () => {
    const envFile = join(dir, 'render.env');
    writeFileSync(envFile, 'INTERNAL_SECRET=from-file-secret-123456\nAPI_PORT=9999\nMAX_BODY_SIZE=5m\n');
    const out = join(dir, 'b.conf');
    execFileSync(process.execPath, ['scripts/render-nginx.mjs', '--out', out], {
      cwd: ROOT,
      env: { ...baseEnv, ENV_FILE: envFile, API_PORT: '7777', GATEWAY_PORT: '7778' },
    });
    const conf = readFileSync(out, 'utf8');
    expect(conf).toContain('listen 127.0.0.1:7777;');
    expect(conf).toContain('client_max_body_size 5m;');
    expect(conf).toContain('server 127.0.0.1:7778;');
    expect(conf).toContain("proxy_set_header X-Gateway-Internal 'from-file-secret-123456';");
    expect(conf).toContain('$request_id');
  });
});

describe('scripts/lib.sh', () => {
  it('loads .env without overriding the caller environment, then applies defaults', () => {
    const envFile = join(dir, 'lib.env');
    writeFileSync(envFile, '# comment\nAPI_PORT=9999\nGATEWAY_PORT="9998"\nexport QUEUE_PREFIX=fromfile\n');
    const output = execFileSync(
      'bash',
      ['-c', 'source scripts/lib.sh; load_env; echo "$API_PORT $GATEWAY_PORT $QUEUE_PREFIX $LOGGER_PORT"'],
      { cwd: ROOT, env: { ...baseEnv, ENV_FILE: envFile, GATEWAY_PORT: '1234' }, encoding: 'utf8' },
    );
    expect(output.trim()).toBe('9999 1234 fromfile 8083');
  });

  it('every script parses', () => {
    const scripts = readdirSync(join(ROOT, 'scripts'))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(ROOT, 'scripts', f));
    for (const file of [...scripts, join(ROOT, '.ci/run')]) {
      const result = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      expect(result.stderr, file).toBe('');
      expect(result.status, file).toBe(0);
    }
  });
});
