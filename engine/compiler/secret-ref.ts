/**
 * Secrets are references, never literals: `${env:NAME}`. Specs keep the reference; the runtime resolves it from
 * the environment at the moment a connection is used, so a secret never enters a compiled spec, a log or a DLQ entry.
 */

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

export class MissingSecretError extends Error {
  override name = 'MissingSecretError';
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set (referenced as \${env:${variable}})`);
  }
}

/** True when the whole value is one `${env:NAME}` reference. */
export function isSecretRef(value: string): boolean {
  return WHOLE_REF.test(value);
}

/** Names of the environment variables a value references. */
export function referencedVariables(value: string): string[] {
  return [...value.matchAll(REF)].map((m) => m[1]);
}

/** Replaces every `${env:NAME}` in `value` with the variable's value; throws MissingSecretError when one is unset. */
export function resolveRefs(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(REF, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) throw new MissingSecretError(name);
    return resolved;
  });
}
