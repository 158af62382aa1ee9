/**
 * The deployment files agree with the code: the Dockerfile builds the npm package's files and runs its `bin` as a
 * non-root user; the Kubernetes manifests probe the paths the engine serves, pass `junction run` only options it
 * has (the same ones as the compose file), take their secrets from the Secret, and keep one engine through
 * disruptions. Docker and a cluster are not available to tests: the package test (test/package) runs the same
 * package the image unpacks, and test/deploy/compose-topology.test.ts runs the compose topology.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../cli/run-cli.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; files: string[] };
/** `--flag` names in an argument list. */
const flags = (args: string[]) => args.filter((a) => a.startsWith('--'));

it('builds the image from the package: its files, its bin as the entry point, a non-root user', () => {
  const dockerfile = read('Dockerfile');
  const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
  expect(stages).toEqual(['build', 'deps', 'nats', 'runtime-base', 'with-nats-server', 'runtime']);
  // The runtime holds what `npm pack` packs (package.json `files`), unpacked from the package the build stage makes.
  expect(dockerfile).toMatch(/npm run build \\\n\s+&& npm pack --ignore-scripts/);
  expect(dockerfile).toContain('COPY --from=build /package ./');
  expect(dockerfile).toContain(`ln -s /app/${pkg.bin.junction} /usr/local/bin/junction`);
  expect(dockerfile).toContain('ENTRYPOINT ["junction"]');
  expect(dockerfile).toMatch(/^USER node$/m);
  // Production dependencies from the lockfile, without install scripts (`prepare` would rebuild).
  expect(dockerfile).toContain('npm ci --omit=dev --ignore-scripts');
  for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
    for (const source of sources.split(' ')) expect(() => read(source === '.' ? 'package.json' : source)).not.toThrow();
  // The build context keeps everything the package is built from.
  const ignored = read('.dockerignore')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist']));
  // (dist/ is what the build stage makes, so it is ignored on purpose.)
  const needed = [
    'engine',
    'connectors',
    'scripts',
    'tsconfig.json',
    'tsconfig.build.json',
    ...pkg.files.filter((f) => f !== 'dist/'),
  ];
  expect(needed.filter((path) => ignored.some((i) => path.replace(/\/$/, '') === i))).toEqual([]);
});

it('runs the engines on Kubernetes as compose does, probed, bounded, with secrets from the Secret', async () => {
  const dir = join(REPO_ROOT, 'docs/deploy/kubernetes');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => ({ file, ...d.toJS() })));
  const find = (kind: string, name?: string) =>
    docs.find((d) => d.kind === kind && (!name || d.metadata.name === name));

  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  expect(kustomization.resources.sort()).toEqual(
    [
      ...new Set(
        docs.filter((d) => d.apiVersion && d.kind !== 'Kustomization' && d.kind !== 'Secret').map((d) => d.file),
      ),
    ].sort(),
  );

  const deployment = find('Deployment', 'junction');
  const podLabels = deployment.spec.template.metadata.labels;
  expect(deployment.spec.selector.matchLabels).toEqual(podLabels);
  const [engine] = deployment.spec.template.spec.containers;
  const portNames = engine.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]);
  expect(portNames).toEqual([
    ['http', 8080],
    ['operator', 8081],
  ]);
  expect(engine.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(engine.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  expect(engine.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  expect(engine.resources.limits.memory).toEqual(expect.any(String));
  expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });

  // The same `junction run` options as the compose file (plus the Host name of the operator Service).
  const compose = parse(read('docs/deploy/compose.yaml'), { merge: true }) as {
    services: Record<string, { command: string[] }>;
  };
  expect(flags(engine.args)).toEqual([...flags(compose.services['engine-1'].command), '--operator-allowed-hosts']);
  expect(engine.args[engine.args.indexOf('--operator-allowed-hosts') + 1]).toBe('junction-operator');
  const runHelp = read('test/cli/golden/help-all-run.txt');
  for (const flag of flags(engine.args)) expect(runHelp).toContain(`  ${flag} `);
  // $(VAR) in args is Kubernetes' expansion of the container's env.
  for (const [, name] of engine.args.join(' ').matchAll(/\$\((\w+)\)/g))
    expect(engine.env.map((e: { name: string }) => e.name)).toContain(name);

  // Secrets come from the Secret, which holds the push webhook's secret.
  expect(engine.envFrom).toEqual([{ secretRef: { name: 'junction-engine' } }]);
  expect(Object.keys(find('Secret', 'junction-engine').stringData)).toContain('JUNCTION_GIT_WEBHOOK_SECRET');

  const pdb = find('PodDisruptionBudget');
  expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: podLabels } });
  expect(deployment.spec.replicas).toBeGreaterThan(pdb.spec.minAvailable);
  for (const service of docs.filter((d) => d.kind === 'Service')) {
    expect(service.spec.selector).toEqual(podLabels);
    for (const port of service.spec.ports) expect(portNames.map(([name]: [string]) => name)).toContain(port.targetPort);
  }
  expect(find('Service', 'junction-operator')).toBeDefined();

  // NATS: three JetStream servers on disk, the `nats` Service the engines connect to.
  const nats = parse(readFileSync(join(dir, 'nats-values.yaml'), 'utf8')) as {
    config: { cluster: { enabled: boolean; replicas: number }; jetstream: { enabled: boolean; fileStore: unknown } };
  };
  expect(nats.config.cluster).toEqual({ enabled: true, replicas: 3 });
  expect(nats.config.jetstream).toMatchObject({ enabled: true, fileStore: { pvc: { size: expect.any(String) } } });
  expect(engine.args[engine.args.indexOf('--nats') + 1]).toBe('nats://nats:4222');
  expect(engine.args[engine.args.indexOf('--replicas') + 1]).toBe(String(nats.config.cluster.replicas));
});
