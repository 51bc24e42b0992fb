import { randomBytes } from 'node:crypto';
import { createDb, findDbDir, INIT_VERSION, listMigrations, sql } from '@ollama-gateway/db';
import { TEST_SERVER_URL } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

const name = `ogw_climigrate_${randomBytes(5).toString('hex')}`;
const url = new URL(TEST_SERVER_URL);
url.pathname = `/${name}`;
const DATABASE_URL = url.toString();

beforeAll(() => {
  assertCliBuilt();
});
afterAll(async () => {
  const admin = createDb(TEST_SERVER_URL, { max: 1 });
  try {
    await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(admin);
  } finally {
    await admin.destroy();
  }
});

describe('gatewayctl migrate', () => {
  it('creates the database and applies the schema, then has nothing left to do', async () => {
    const versions = [INIT_VERSION, ...listMigrations(findDbDir()).map((migration) => migration.version)];
    const first = await runGatewayctl(['migrate', '--json'], { DATABASE_URL });
    expect(first.code).toBe(0);
    expect(onlyJson(first.stdout)).toEqual({
      database: name,
      databaseCreated: true,
      applied: versions,
      current: versions,
    });

    const again = await runGatewayctl(['migrate'], { DATABASE_URL });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `Database ${name} is already current (${versions.join(', ')}); nothing to apply.`,
    );

    const list = await runGatewayctl(['list-customers', '--json'], { DATABASE_URL });
    expect(onlyJson(list.stdout)).toEqual({ customers: [] });
  });
});

describe('gatewayctl errors', () => {
  it('says Postgres is unreachable, with host and port, exit 1 (and as JSON with --json)', async () => {
    const env = { DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/ollama_gateway' };
    const human = await runGatewayctl(['list-customers'], env);
    expect(human.code).toBe(1);
    expect(human.stderr.trim()).toBe(
      'Error: Cannot reach Postgres at 127.0.0.1:1 — is it running? (make up starts it)',
    );
    expect(human.stderr).not.toContain('hunter2');

    const json = await runGatewayctl(['migrate', '--json'], env);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(onlyJson(json.stderr)).toEqual({
      error: 'Cannot reach Postgres at 127.0.0.1:1 — is it running? (make up starts it)',
    });
  });

  it('tells you to migrate when the database does not exist', async () => {
    const missing = new URL(TEST_SERVER_URL);
    missing.pathname = `/ogw_missing_${randomBytes(5).toString('hex')}`;
    const run = await runGatewayctl(['list-customers'], { DATABASE_URL: missing.toString() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does not exist');
    expect(run.stderr).toContain('run "npx gatewayctl migrate" first');
  });

  it('names a malformed DATABASE_URL', async () => {
    const run = await runGatewayctl(['list-customers', '--json'], { DATABASE_URL: 'not a url' });
    expect(run.code).toBe(1);
    expect(onlyJson(run.stderr).error).toContain('DATABASE_URL');
  });

  it('exits 2 on an unknown command or no command, 0 on --help', async () => {
    const unknown = await runGatewayctl(['make-coffee'], { DATABASE_URL });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'make-coffee'");
    expect((await runGatewayctl([], { DATABASE_URL })).code).toBe(2);
    const help = await runGatewayctl(['generate-key', '--help'], { DATABASE_URL });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--models <patterns>');
  });
});
