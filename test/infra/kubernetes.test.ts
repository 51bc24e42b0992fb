// Structural checks of deploy/kubernetes (no cluster in CI): every manifest parses; Deployments probe ports they
// declare, run as non-root and use the Dockerfile's images and ports; every ConfigMap/Secret key they reference
// exists; every variable they set is documented; the nginx init container renders the template like `make up` does.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderTemplate, TEMPLATE_PATH, templateVariables } from '../../scripts/render-nginx.mjs';
import { nginxBinary, testNginxConfig } from '../support/nginx.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'deploy/kubernetes');
const read = (path: string) => readFileSync(join(DIR, path), 'utf8');

interface KeyRef {
  name: string;
  key: string;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }>;
}
interface Resource {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own spec; the tests read what they need
  spec?: any;
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

const kustomization = parse(read('kustomization.yaml')) as {
  namespace: string;
  resources: string[];
  configMapGenerator: Array<{ name: string; envs?: string[]; files?: string[] }>;
};
const manifestFiles = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
const documents = manifestFiles.flatMap((file) =>
  parseAllDocuments(read(file)).map((doc) => ({ file, doc })),
);
const resources = documents.map(({ doc }) => doc.toJS() as Resource).filter(Boolean);
const ofKind = (kind: string) => resources.filter((r) => r.kind === kind);

/** KEY=VALUE lines (comments and blank lines skipped), as kustomize reads an `envs` file. */
const envFile = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

/** ConfigMap name → its keys and values: kustomize generators and plain ConfigMap manifests. */
const configMaps = new Map<string, Record<string, string>>();
for (const generator of kustomization.configMapGenerator) {
  const data: Record<string, string> = {};
  for (const file of generator.envs ?? []) Object.assign(data, envFile(read(file)));
  for (const entry of generator.files ?? []) {
    const [key, path] = entry.includes('=') ? entry.split('=') : [entry.split('/').pop()!, entry];
    data[key!] = read(path!);
  }
  configMaps.set(generator.name, data);
}
for (const map of ofKind('ConfigMap')) configMaps.set(map.metadata.name, map.data ?? {});
const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name, { ...s.data, ...s.stringData }]));

const workloads = [...ofKind('Deployment'), ...ofKind('Job')].map((r) => ({
  kind: r.kind,
  name: r.metadata.name,
  labels: r.spec.template.metadata.labels as Record<string, string>,
  pod: r.spec.template.spec as PodSpec,
}));
const deployments = workloads.filter((w) => w.kind === 'Deployment');
const allContainers = (pod: PodSpec) => [...(pod.initContainers ?? []), ...pod.containers];

/** What runs where: workload → Dockerfile target (our images) and its `*_PORT` variable. */
const TARGETS: Record<string, string> = {
  gateway: 'gateway',
  'billing-worker': 'billing-worker',
  logger: 'logger',
  dashboard: 'dashboard',
  'ogw-migrate': 'migrate',
};
const PORT_VARIABLES: Record<string, string> = {
  gateway: 'GATEWAY_PORT',
  'billing-worker': 'BILLING_WORKER_PORT',
  logger: 'LOGGER_PORT',
  dashboard: 'DASHBOARD_PORT',
  nginx: 'API_PORT',
};

/** Dockerfile stages with the ports they EXPOSE. */
const dockerStages = new Map<string, number[]>();
let stage = '';
for (const line of readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n')) {
  const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
  if (from) {
    stage = from[1]!.toLowerCase();
    dockerStages.set(stage, []);
  }
  const expose = /^EXPOSE\s+(.+)/i.exec(line);
  if (expose) dockerStages.get(stage)!.push(...expose[1]!.split(/\s+/).map(Number));
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string }>;
};

function portOf(container: Container, port: number | string): number | undefined {
  const found = container.ports?.find((p) => p.containerPort === port || p.name === port);
  return found?.containerPort;
}

describe('deploy/kubernetes', () => {
  it('parses, and kustomization.yaml lists every manifest and file it needs', () => {
    for (const { file, doc } of documents) expect(doc.errors, file).toEqual([]);
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual([kustomization.namespace]);
    // kustomize reads no file outside its folder: the edge template is a copy, which must not drift.
    expect(read('nginx.conf.template')).toBe(readFileSync(TEMPLATE_PATH, 'utf8'));
  });

  it('has the gateway (2 replicas), billing-worker, logger, dashboard, nginx and a migrate Job', () => {
    expect(workloads.map((w) => w.name).sort()).toEqual(
      ['billing-worker', 'dashboard', 'gateway', 'logger', 'nginx', 'ogw-migrate'].sort(),
    );
    expect(ofKind('Deployment').find((d) => d.metadata.name === 'gateway')?.spec.replicas).toBe(2);
  });

  it('every Deployment has readiness and liveness probes on a port it declares (the Dockerfile ports)', () => {
    for (const { name, pod } of deployments) {
      const container = pod.containers[0]!;
      const ready = container.readinessProbe?.httpGet;
      const live = container.livenessProbe?.httpGet;
      expect(ready, `${name} readiness`).toBeDefined();
      expect(live, `${name} liveness`).toBeDefined();
      expect(live!.path, name).toBe('/health');
      // nginx's own /ready proxies to the gateway's; see the comment in nginx.yaml.
      expect(ready!.path, name).toBe(name === 'nginx' ? '/health' : '/ready');
      const port = portOf(container, ready!.port);
      expect(port, `${name}: probe port ${ready!.port} is not a container port`).toBeDefined();
      expect(portOf(container, live!.port), name).toBe(port);
      const expected = TARGETS[name] ? dockerStages.get(TARGETS[name]!) : [8080]; // nginx: compose's API port
      expect(expected, `${name}: Dockerfile EXPOSE`).toEqual([port]);
      const portVariable = allContainers(pod)
        .flatMap((c) => c.env ?? [])
        .find((e) => e.name === PORT_VARIABLES[name]);
      expect(portVariable?.value, `${name}: ${PORT_VARIABLES[name]}`).toBe(String(port));
    }
  });

  it('runs every container as non-root, without privilege escalation, on a read-only root filesystem', () => {
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
    for (const { name, pod } of workloads) {
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true);
      // Our images run as `node` (uid 1000 in the node images), nginx as the image's `nginx` user (101).
      expect(pod.securityContext?.runAsUser, name).toBe(name === 'nginx' ? 101 : 1000);
      for (const container of allContainers(pod)) {
        const context = container.securityContext;
        expect(context?.allowPrivilegeEscalation, `${name}/${container.name}`).toBe(false);
        expect(context?.readOnlyRootFilesystem, `${name}/${container.name}`).toBe(true);
        expect(context?.capabilities?.drop, `${name}/${container.name}`).toContain('ALL');
        for (const kind of ['requests', 'limits'] as const)
          expect(Object.keys(container.resources?.[kind] ?? {}).sort(), `${name} ${kind}`).toEqual([
            'cpu',
            'memory',
          ]);
      }
    }
    // The gateway's spool must be writable: a mounted volume.
    const gateway = deployments.find((d) => d.name === 'gateway')!.pod.containers[0]!;
    const spool = gateway.env?.find((e) => e.name === 'SPOOL_DIR')?.value;
    expect(gateway.volumeMounts?.map((m) => m.mountPath)).toContain(spool);
  });

  it('uses images built from the Dockerfile targets (and the nginx image of docker-compose.yml)', () => {
    const tags = new Set<string>();
    for (const { name, pod } of workloads) {
      for (const container of allContainers(pod)) {
        if (name === 'nginx') {
          expect(container.image).toBe(compose.services.nginx?.image);
          continue;
        }
        const match = /^ollama-gateway\/([a-z-]+):(\S+)$/.exec(container.image);
        expect(match, `${name}: image ${container.image}`).not.toBeNull();
        expect(dockerStages.has(match![1]!), `${name}: no Dockerfile target ${match![1]}`).toBe(true);
        expect(match![1], name).toBe(TARGETS[name]);
        tags.add(match![2]!);
      }
    }
    expect(tags.size, 'one version for every image').toBe(1);
  });

  it('references only ConfigMaps, Secrets, keys and volumes that exist', () => {
    for (const { name, pod } of workloads) {
      const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
      for (const volume of pod.volumes ?? []) {
        if (volume.configMap) expect(configMaps.has(volume.configMap.name), name).toBe(true);
        if (volume.secret) expect(secrets.has(volume.secret.secretName), name).toBe(true);
      }
      for (const container of allContainers(pod)) {
        const where = `${name}/${container.name}`;
        for (const mount of container.volumeMounts ?? []) expect(volumes.has(mount.name), where).toBe(true);
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) expect(configMaps.has(from.configMapRef.name), where).toBe(true);
          if (from.secretRef) expect(secrets.has(from.secretRef.name), where).toBe(true);
        }
        for (const { name: variable, valueFrom } of container.env ?? []) {
          const ref = valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef;
          if (!ref) continue;
          const source = valueFrom?.configMapKeyRef ? configMaps.get(ref.name) : secrets.get(ref.name);
          expect(source, `${where} ${variable}: ${ref.name}`).toBeDefined();
          expect(Object.keys(source!), `${where} ${variable}: key ${ref.key}`).toContain(ref.key);
        }
      }
    }
  });

  it('sets only variables documented in .env.example (nginx paths and upstream: docs/configuration.md)', () => {
    const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const configuration = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    // Set by the deployment itself (as docker-compose.yml and render-nginx.mjs do), never by the user.
    const deploymentOnly = [
      'GATEWAY_UPSTREAM',
      'NGINX_PID_FILE',
      'NGINX_TEMP_DIR',
      'NGINX_ACCESS_LOG',
      'NGINX_ERROR_LOG',
    ];
    const used = new Set<string>();
    for (const { pod } of workloads)
      for (const container of allContainers(pod)) {
        for (const variable of container.env ?? []) used.add(variable.name);
        for (const from of container.envFrom ?? [])
          for (const key of Object.keys(configMaps.get(from.configMapRef?.name ?? '') ?? {})) used.add(key);
      }
    const undocumented = [...used].filter((name) =>
      deploymentOnly.includes(name)
        ? !configuration.includes(`\`${name}\``)
        : !new RegExp(`^#?\\s*${name}=`, 'm').test(envExample),
    );
    expect(undocumented).toEqual([]);
  });

  it('routes Services, the HPA, the PDB and in-cluster URLs to what exists', () => {
    const services = ofKind('Service');
    for (const service of services) {
      const selector = service.spec.selector as Record<string, string>;
      const targets = deployments.filter((d) =>
        Object.entries(selector).every(([k, v]) => d.labels[k] === v),
      );
      expect(targets, `Service ${service.metadata.name}`).toHaveLength(1);
      for (const port of service.spec.ports as Array<{ targetPort: number | string }>)
        expect(portOf(targets[0]!.pod.containers[0]!, port.targetPort), service.metadata.name).toBeDefined();
    }
    const servicePorts = new Set(
      services.flatMap((s) =>
        (s.spec.ports as Array<{ port: number }>).map((p) => `${s.metadata.name}:${p.port}`),
      ),
    );
    const env = workloads.flatMap((w) => allContainers(w.pod).flatMap((c) => c.env ?? []));
    expect(servicePorts).toContain(env.find((e) => e.name === 'GATEWAY_UPSTREAM')?.value);
    expect(servicePorts).toContain(
      env.find((e) => e.name === 'GATEWAY_ADMIN_URL')?.value?.replace('http://', ''),
    );

    const [hpa] = ofKind('HorizontalPodAutoscaler');
    expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa?.spec.metrics[0].resource.name).toBe('cpu');
    for (const pdb of ofKind('PodDisruptionBudget'))
      expect(
        deployments.some(
          (d) =>
            d.labels['app.kubernetes.io/name'] === pdb.spec.selector.matchLabels['app.kubernetes.io/name'],
        ),
      ).toBe(true);
  });

  it('ships only placeholders in the Secret template; the secrets are too short to start with', () => {
    for (const [name, values] of secrets)
      for (const [key, value] of Object.entries(values))
        expect(value === '' || value.includes('REPLACE_ME'), `${name}.${key}`).toBe(true);
    for (const key of ['KEY_HASH_SECRET', 'INTERNAL_SECRET', 'ADMIN_TOKEN'])
      expect(secrets.get('ogw-secrets')?.[key]?.length).toBeLessThan(16);
  });

  describe('nginx config rendered by the init container', () => {
    const nginx = deployments.find((d) => d.name === 'nginx')!.pod;
    const init = nginx.initContainers![0]!;
    const script = init.command![2]!;
    const tmp = mkdtempSync(join(tmpdir(), 'ogw-k8s-nginx-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    /** The init container's environment (ConfigMap values, explicit env; secrets replaced by test values). */
    const initEnv = (): Record<string, string> => {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
      for (const from of init.envFrom ?? []) Object.assign(env, configMaps.get(from.configMapRef!.name));
      for (const variable of init.env ?? [])
        env[variable.name] = variable.value ?? `test-${variable.name.toLowerCase()}-0123456789`;
      return env;
    };

    it('substitutes exactly the template variables, all of them set, and nginx reads what it writes', () => {
      const listed = [...script.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1]!).sort();
      expect(listed).toEqual(templateVariables(readFileSync(TEMPLATE_PATH, 'utf8')));
      expect(listed.filter((name) => !(name in initEnv()))).toEqual([]);
      expect(script).toContain('< /etc/ogw-nginx-template/nginx.conf.template > /etc/ogw-nginx/nginx.conf');
      expect(init.volumeMounts).toContainEqual({ name: 'rendered', mountPath: '/etc/ogw-nginx' });
      expect(nginx.containers[0]!.args).toEqual(expect.arrayContaining(['-c', '/etc/ogw-nginx/nginx.conf']));
      expect(nginx.containers[0]!.volumeMounts).toContainEqual(
        expect.objectContaining({ name: 'rendered', mountPath: '/etc/ogw-nginx' }),
      );
    });

    const hasEnvsubst = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'envsubst')));
    it.skipIf(!hasEnvsubst)('renders like scripts/render-nginx.mjs, and nginx -t accepts it', () => {
      // The manifest's own command, with the two mount paths pointed at a temp dir. `gateway` does not resolve
      // here; the pid, temp and access-log paths move into the temp dir (the test's stdout is a socket, which
      // nginx cannot open as /dev/stdout; in a pod it is a pipe). Everything else keeps the manifest's values.
      const env = {
        ...initEnv(),
        GATEWAY_UPSTREAM: '127.0.0.1:8081',
        NGINX_PID_FILE: join(tmp, 'nginx.pid'),
        NGINX_TEMP_DIR: tmp,
        NGINX_ACCESS_LOG: join(tmp, 'access.log'),
      };
      writeFileSync(
        join(tmp, 'nginx.conf.template'),
        configMaps.get('ogw-nginx-template')!['nginx.conf.template']!,
      );
      const local = script
        .replaceAll('/etc/ogw-nginx-template/', `${tmp}/`)
        .replaceAll('/etc/ogw-nginx/', `${tmp}/`);
      execFileSync('/bin/sh', ['-c', local], { env });
      const rendered = readFileSync(join(tmp, 'nginx.conf'), 'utf8');
      expect(rendered).toBe(renderTemplate(readFileSync(TEMPLATE_PATH, 'utf8'), env));
      expect(rendered).toContain('"remote_addr":"$remote_addr"'); // nginx's own variables survive
      let nginxFound = true;
      try {
        nginxBinary();
      } catch {
        nginxFound = false;
      }
      if (nginxFound) {
        const confPath = join(tmp, 'nginx.conf');
        expect(testNginxConfig({ prefix: tmp, confPath, accessLog: '', errorLog: '' })).toBeDefined();
      }
    });
  });

  const hasKubectl = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'kubectl')));
  it.skipIf(!hasKubectl)('builds with kubectl kustomize, generated ConfigMap names wired in', () => {
    const output = execFileSync('kubectl', ['kustomize', DIR], { encoding: 'utf8' });
    const built = parseAllDocuments(output).map(
      (doc) => doc.toJS() as Resource & { metadata: { namespace?: string } },
    );
    const generated = built.filter((r) => r.kind === 'ConfigMap').map((r) => r.metadata.name);
    expect(generated).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ogw-config-/),
        expect.stringMatching(/^ogw-nginx-template-/),
      ]),
    );
    for (const resource of built.filter((r) => r.kind !== 'Namespace'))
      expect(resource.metadata.namespace, resource.metadata.name).toBe(kustomization.namespace);
    expect(output).not.toMatch(/name: ogw-config$/m);
  });
});
