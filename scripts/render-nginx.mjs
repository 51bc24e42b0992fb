#!/usr/bin/env node
// Renders nginx/nginx.conf.template for a local (non-Docker) nginx: replaces every ${UPPER_CASE} with its value from
// the environment (then .env), leaves nginx's own $variables alone, and fails naming every variable left unset.
// Docker does the same with the official image's envsubst templates, so one template serves both.
//
//   node scripts/render-nginx.mjs [--template nginx/nginx.conf.template] [--out .run/nginx/nginx.conf]
//
// Plain Node, no dependencies (it runs before `npm ci` has finished, and in CI).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATE_PATH = resolve(ROOT, 'nginx/nginx.conf.template');

/** Defaults for the variables a local run may leave unset. Secrets and paths have none on purpose. */
export const NGINX_DEFAULTS = {
  API_HOST: '127.0.0.1',
  API_PORT: '8080',
  MAX_BODY_SIZE: '20m',
  NGINX_KEY_RATE: '50r/s',
  NGINX_KEY_BURST: '100',
  NGINX_IP_RATE: '100r/s',
  NGINX_IP_BURST: '200',
  NGINX_WORKER_PROCESSES: 'auto',
};

const VARIABLE = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/**
 * GATEWAY_UPSTREAM may list several gateways, comma-separated (`127.0.0.1:8081,127.0.0.1:8082`): the template's
 * `server ${GATEWAY_UPSTREAM};` becomes one `server` line per gateway. A single address renders as before (and is
 * all Docker's envsubst path ever passes).
 */
function expandValue(name, value) {
  if (name !== 'GATEWAY_UPSTREAM' || !value.includes(',')) return value;
  const servers = value
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  return servers.join(';\n    server ');
}

/** The ${UPPER_CASE} variable names a template uses, sorted. */
export function templateVariables(template) {
  return [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]))].sort();
}

/**
 * Substitutes ${NAME} from `vars`. Throws one error naming every missing variable.
 * Values must not contain characters that would break the config (newline, `;`, `{`, `}`, quotes).
 */
export function renderTemplate(template, vars) {
  const missing = templateVariables(template).filter((name) => vars[name] === undefined || vars[name] === '');
  if (missing.length > 0) {
    throw new Error(
      `nginx template: ${missing.length === 1 ? 'variable' : 'variables'} ${missing.join(', ')} ` +
        `not set. Set ${missing.length === 1 ? 'it' : 'them'} in .env or the environment (see .env.example).`,
    );
  }
  const unsafe = templateVariables(template).filter((name) => /[\s;{}'"\\]/.test(vars[name]));
  if (unsafe.length > 0) {
    throw new Error(
      `nginx template: ${unsafe.join(', ')} must not contain spaces, quotes, backslashes, ';', '{' or '}'.`,
    );
  }
  return template.replace(VARIABLE, (_, name) => expandValue(name, vars[name]));
}

/** Reads KEY=VALUE lines of a .env file (no expansion; quotes stripped). Missing file → {}. */
export function readDotEnv(file) {
  if (!existsSync(file)) return {};
  const out = {};
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    const key = line
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, '');
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}

function parseArgs(argv) {
  const args = { template: TEMPLATE_PATH, out: resolve(ROOT, '.run/nginx/nginx.conf') };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--template' || flag === '--out') && value) {
      args[flag.slice(2)] = resolve(value);
      i += 1;
    } else {
      throw new Error(`render-nginx: unknown argument "${flag}". Usage: --template <file> --out <file>`);
    }
  }
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const envFile = process.env.ENV_FILE ?? '.env';
  const fromFile = envFile === 'none' ? {} : readDotEnv(envFile);
  const runDir = resolve(ROOT, '.run');
  const vars = {
    ...NGINX_DEFAULTS,
    GATEWAY_UPSTREAM: `127.0.0.1:${process.env.GATEWAY_PORT || fromFile.GATEWAY_PORT || '8081'}`,
    NGINX_PID_FILE: resolve(runDir, 'pids/nginx.pid'),
    NGINX_TEMP_DIR: resolve(runDir, 'nginx/tmp'),
    NGINX_ACCESS_LOG: resolve(runDir, 'logs/nginx-access.log'),
    NGINX_ERROR_LOG: resolve(runDir, 'logs/nginx-error.log'),
    ...Object.fromEntries(Object.entries(fromFile).filter(([, v]) => v !== '')),
    ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== '')),
  };
  const rendered = renderTemplate(readFileSync(args.template, 'utf8'), vars);
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, rendered, { mode: 0o600 });
  process.stdout.write(`${args.out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
