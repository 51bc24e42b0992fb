// Static checks of docker-compose.yml and the Dockerfile (there is no Docker engine in CI): references resolve,
// variables are documented, only nginx is published, long-running services have health checks.
// Full validation against the Compose JSON schema can come later.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  ports?: Array<string | { published?: string | number; host_ip?: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
  profiles?: string[];
  restart?: string;
  volumes?: Array<string | { source?: string; type?: string }>;
}

const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');

/** The stage names a Dockerfile defines (`FROM … AS name`). */
function dockerfileTargets(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) =>
    m[1]!.toLowerCase(),
  );
}

describe('docker-compose.yml', () => {
  it('defines the whole stack', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'redis',
        'migrate',
        'gateway',
        'billing-worker',
        'logger',
        'dashboard',
        'nginx',
      ]),
    );
    expect(compose.services.cloudflared?.profiles).toEqual(['tunnel']);
    expect(compose.services.pgadmin?.profiles).toEqual(['tools']);
    expect(compose.services.ollama?.profiles).toEqual(['ollama']);
  });

  it('builds from contexts, Dockerfiles and targets that exist', () => {
    const built = services.filter(([, s]) => s.build);
    expect(built.length).toBeGreaterThanOrEqual(4);
    for (const [name, service] of built) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build!;
      const context = resolve(ROOT, build.context ?? '.');
      expect(existsSync(context), `${name}: build context ${context}`).toBe(true);
      const dockerfile = join(context, build.dockerfile ?? 'Dockerfile');
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      if (build.target) {
        expect(dockerfileTargets(dockerfile), `${name}: target ${build.target} in ${dockerfile}`).toContain(
          build.target.toLowerCase(),
        );
      }
    }
  });

  it('depends only on services that exist, waiting for health or the one-shot migration', () => {
    for (const [name, service] of services) {
      const deps = service.depends_on ?? [];
      const entries = Array.isArray(deps) ? deps.map((d) => [d, {}] as const) : Object.entries(deps);
      for (const [target, options] of entries) {
        expect(compose.services[target], `${name} depends on unknown service ${target}`).toBeDefined();
        if ('condition' in options && options.condition === 'service_healthy') {
          expect(
            compose.services[target]?.healthcheck,
            `${name} waits for ${target} to be healthy`,
          ).toBeDefined();
        }
      }
    }
    for (const name of ['gateway', 'billing-worker', 'logger']) {
      expect(compose.services[name]?.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('documents every variable it uses in .env.example', () => {
    const used = new Set([...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(5);
    const undocumented = [...used].filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(envExample));
    expect(undocumented, 'add these to .env.example (with a comment)').toEqual([]);
  });

  it('publishes only the API port, on nginx; the dashboard and optional tools bind to localhost', () => {
    for (const [name, service] of services) {
      if (!service.ports) continue;
      if (name === 'nginx') {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Compose variable, not a JS template
        expect(service.ports).toEqual(['${API_PORT:-8080}:8080']);
      } else {
        if (name !== 'dashboard')
          expect(service.profiles, `${name} publishes a port but is not an optional profile`).toBeDefined();
        for (const port of service.ports) expect(String(port), name).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it('gives every long-running service a health check', () => {
    const longRunning = services.filter(([, s]) => s.restart !== 'no');
    for (const [name, service] of longRunning) {
      expect(service.healthcheck?.test, `${name} needs a healthcheck`).toBeDefined();
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
  });

  it('renders nginx from the one template, into /etc/nginx', () => {
    const nginx = compose.services.nginx!;
    expect(nginx.volumes).toContain(
      './nginx/nginx.conf.template:/etc/nginx/templates/nginx.conf.template:ro',
    );
    const env = (nginx as { environment?: Record<string, string> }).environment ?? {};
    expect(env.NGINX_ENVSUBST_OUTPUT_DIR).toBe('/etc/nginx');
    // Every variable of the template reaches the container (envsubst leaves unknown ones untouched).
    const template = readFileSync(join(ROOT, 'nginx/nginx.conf.template'), 'utf8');
    const needed = new Set([...template.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1]!));
    expect([...needed].filter((name) => !(name in env))).toEqual([]);
  });

  it('declares every named volume it mounts', () => {
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(resolve(ROOT, source)), `${name}: ${source}`).toBe(true);
        } else {
          expect(compose.volumes?.[source], `${name}: volume ${source} is not declared`).toBeDefined();
        }
      }
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('copies the package.json of every workspace before npm ci', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    for (const workspace of pkg.workspaces) {
      expect(dockerfile, `COPY ${workspace}/package.json`).toContain(
        `COPY ${workspace}/package.json ${workspace}/`,
      );
    }
  });

  it('runs as the node user under tini, with db/ for migrations', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).toMatch(/^COPY .*\bdb db$/m);
  });
});
