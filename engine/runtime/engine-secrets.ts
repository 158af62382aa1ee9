/**
 * The secret values the engine masks by value in what it keeps for people to read: trace records (`junction trace`,
 * the dashboard), dead-letter entries and the worker's log lines. A vendor may echo a secret back in a response (an
 * API key, a token), and a step's result then carries it into the trace, into a later step's request body, and into
 * an error message. The values are those of every variable the secret allowlist allows, and those the active spec
 * set's connections resolve (auth fields, URL references, URL user info: connection-secrets.ts), so the engine masks
 * them also when it runs without an allowlist (a test harness, an embedding).
 */
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';
import type { SecretPolicy } from '../compiler/secret-ref.js';
import { specSetSecretValues } from '../http/connection-secrets.js';
import { MIN_SECRET_LENGTH, jsonForms } from '../http/redact.js';

export interface EngineSecrets {
  /** The values, as they are (for texts and documents). */
  values(): readonly string[];
  /** The values as they appear inside JSON text (for text that is JSON already: trace records). */
  jsonForms(): readonly string[];
}

/** The engine's secrets over the spec set `active()` returns; recomputed only when that set changes (a swap). */
export function engineSecrets(
  active: () => CompiledSpecSet,
  env: NodeJS.ProcessEnv,
  policy: SecretPolicy | undefined,
): EngineSecrets {
  const allowed = policy?.values(env) ?? [];
  let cached: { set: CompiledSpecSet; values: string[]; forms: string[] } | undefined;
  const current = () => {
    const set = active();
    if (cached?.set !== set) {
      const all = [...allowed, ...specSetSecretValues(set, env)].filter((v) => v.length >= MIN_SECRET_LENGTH);
      // Longest first: a secret that contains another is masked whole, not left with a piece of itself.
      const values = [...new Set(all)].sort((a, b) => b.length - a.length);
      cached = { set, values, forms: jsonForms(values) };
    }
    return cached;
  };
  return { values: () => current().values, jsonForms: () => current().forms };
}
