/**
 * The offline half of `junction check`: what a spec set needs from the environment and its own settings, checked
 * without any network. Shared by `junction check --offline`, the start of `junction run`, and the engine's status
 * (an integration with a problem here shows as `misconfigured`, not `ok`).
 */
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import { referencedVariables } from '../../compiler/secret-ref.js';

/** One thing that is wrong, said so that an operator can fix it. */
export interface ConfigProblem {
  /** `secret` (an unset environment variable), `url` (a base URL that is not one), `connection` (a used one's). */
  check: 'secret' | 'url' | 'connection';
  message: string;
}

export interface ConfigProblems {
  connections: Map<string, ConfigProblem[]>;
  /** An integration's own problems, plus one `connection` problem per used connection that has problems. */
  integrations: Map<string, ConfigProblem[]>;
}

/** Every problem of a spec set in an environment. An empty value counts as unset: no secret is ever empty. */
export function configProblems(specSet: CompiledSpecSet, env: NodeJS.ProcessEnv = process.env): ConfigProblems {
  const unset = (name: string) => (env[name] ?? '').trim() === '';
  const connections = new Map<string, ConfigProblem[]>();
  for (const connection of specSet.connections.values()) {
    const problems: ConfigProblem[] = [];
    for (const { path, variable } of secretRefs(connection))
      if (unset(variable))
        problems.push({
          check: 'secret',
          message: `${variable} is not set (${path} of connection ${connection.name})`,
        });
    const url = referencedVariables(connection.baseUrl).some(unset)
      ? undefined
      : connection.baseUrl.replace(/\$\{env:(\w+)\}/g, (_, name: string) => env[name] ?? '');
    if (url !== undefined && !isHttpUrl(url))
      problems.push({ check: 'url', message: `base_url ${JSON.stringify(url)} is not an http(s) URL` });
    connections.set(connection.name, problems);
  }
  const integrations = new Map<string, ConfigProblem[]>();
  for (const integration of specSet.integrations.values()) {
    const problems: ConfigProblem[] = [];
    const verify = integration.source.kind === 'webhook' ? integration.source.verify : undefined;
    for (const variable of verify ? referencedVariables(verify.secret) : [])
      if (unset(variable))
        problems.push({
          check: 'secret',
          message: `${variable} is not set (webhook signature secret): every webhook would be refused with 500`,
        });
    for (const name of connectionsUsed(integration)) {
      const count = connections.get(name)?.length ?? 0;
      if (count > 0)
        problems.push({
          check: 'connection',
          message: `connection ${name} has ${count} problem${count === 1 ? '' : 's'}`,
        });
    }
    integrations.set(integration.name, problems);
  }
  return { connections, integrations };
}

/** Every connection an integration calls: its schedule source, its steps. */
export function connectionsUsed(integration: CompiledIntegration): string[] {
  const names = integration.steps.map((s) => s.connection);
  if (integration.source.kind === 'schedule') names.unshift(integration.source.connection);
  return [...new Set(names)];
}

/** `${env:NAME}` references anywhere in a connection, with the field that holds them. */
function secretRefs(value: unknown, path = ''): { path: string; variable: string }[] {
  if (typeof value === 'string') return referencedVariables(value).map((variable) => ({ path, variable }));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'file' || key === 'name' ? [] : secretRefs(v, path ? `${path}.${snake(key)}` : snake(key)),
  );
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
