/**
 * Secrets are references, never literals: `${env:NAME}`. Specs keep the reference; the runtime resolves it from
 * the environment at the moment a connection is used, so a secret never enters a compiled spec, a log or a DLQ entry.
 * Which variables a spec may reference is the engine's decision, never a spec's: a SecretPolicy (the allowlist set by
 * `JUNCTION_ALLOWED_SECRETS` or `--allow-secret`) is checked when specs compile and again when a value resolves.
 */

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** A referenced variable is unset, or empty (an empty secret would let anyone sign or authenticate). */
export class MissingSecretError extends Error {
  override name = 'MissingSecretError';
  constructor(
    readonly variable: string,
    readonly empty = false,
  ) {
    super(
      `environment variable ${variable} is ${empty ? 'empty' : 'not set'} (referenced as \${env:${variable}})` +
        (empty ? '; an empty secret counts as unset' : ''),
    );
  }
}

/** A spec references a variable the engine's secret policy does not allow it. */
export class SecretNotAllowedError extends Error {
  override name = 'SecretNotAllowedError';
  constructor(
    readonly variable: string,
    readonly spec: string,
  ) {
    super(`${spec} may not read environment variable ${variable}: ${notAllowedHint(variable)}`);
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

/**
 * Replaces every `${env:NAME}` in `value` with the variable's value. Throws MissingSecretError when one is unset or
 * empty, and SecretNotAllowedError when `policy` does not allow `spec` (the referencing connection or integration)
 * to read it.
 */
export function resolveRefs(
  value: string,
  env: NodeJS.ProcessEnv = process.env,
  policy?: SecretPolicy,
  spec = '',
): string {
  return value.replace(REF, (_, name: string) => {
    if (policy && !policy.allows(name, spec)) throw new SecretNotAllowedError(name, spec);
    const resolved = env[name];
    if (resolved === undefined || resolved.trim() === '') throw new MissingSecretError(name, resolved !== undefined);
    return resolved;
  });
}

/**
 * The engine's allowlist of secrets. Entries: `NAME` (one variable), `PREFIX*` (every variable starting with
 * PREFIX), and either form scoped to one spec, `spec=NAME` or `spec=PREFIX*` (only the connection or integration
 * named `spec` may read it).
 */
export interface SecretPolicy {
  readonly entries: readonly string[];
  /** Whether the spec named `spec` may reference `variable`. */
  allows(variable: string, spec: string): boolean;
  /** The values of every variable of `env` the policy allows to any spec: what redaction masks in every log line. */
  values(env: NodeJS.ProcessEnv): string[];
}

const ENTRY = /^(?:([a-z][a-z0-9-]{0,62})=)?([A-Za-z_][A-Za-z0-9_]*)(\*)?$/;

/** Raised for an allowlist entry that is not `NAME`, `PREFIX*`, `spec=NAME` or `spec=PREFIX*`. */
class SecretPolicyError extends Error {
  override name = 'SecretPolicyError';
}

/** Parses allowlist entries (blank ones are ignored). */
export function secretPolicy(entries: readonly string[]): SecretPolicy {
  const rules = entries
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = ENTRY.exec(entry);
      if (!m)
        throw new SecretPolicyError(
          `secret allowlist entry ${JSON.stringify(entry)} is not NAME, PREFIX*, spec=NAME or spec=PREFIX*`,
        );
      return { entry, spec: m[1], name: m[2], prefix: m[3] === '*' };
    });
  const matches = (rule: (typeof rules)[number], variable: string) =>
    rule.prefix ? variable.startsWith(rule.name) : variable === rule.name;
  return {
    entries: rules.map((r) => r.entry),
    allows: (variable, spec) => rules.some((r) => (r.spec === undefined || r.spec === spec) && matches(r, variable)),
    values: (env) =>
      Object.entries(env)
        .filter(([name, value]) => value && rules.some((r) => matches(r, name)))
        .map(([, value]) => value!),
  };
}

/** What to tell someone whose spec references a variable the engine does not allow. */
export function notAllowedHint(variable: string): string {
  return (
    `the engine does not allow it; an operator allows it with JUNCTION_ALLOWED_SECRETS=${variable} ` +
    `(comma-separated; PREFIX* for a prefix, spec=NAME for one spec) or junction run --allow-secret ${variable}`
  );
}
