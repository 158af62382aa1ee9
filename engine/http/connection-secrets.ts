/**
 * What to mask by value for one connection: the value of every `${env:…}` in its secret auth fields, of every reference
 * embedded in a longer `base_url` or `token_url` (`https://api.example.com/${env:PATH_TOKEN}`), and the user info of
 * its base URL. Such a secret would otherwise reach error messages, response excerpts, logs, DLQ entries and recorded
 * fixtures verbatim. A `base_url` that is one whole reference (`${env:MAGENTO_URL}`) is configuration: its host and
 * path stay readable in messages, but its user info is masked.
 */
import type { CompiledConnection, CompiledSpecSet } from '../compiler/compiled-spec.js';
import { isSecretRef, referencedVariables } from '../compiler/secret-ref.js';
import { MIN_SECRET_LENGTH } from './redact.js';

/** Auth fields that hold secrets (user names and OAuth client ids are identifiers, and stay readable). */
const SECRET_AUTH_FIELDS = ['token', 'password', 'clientSecret'];

export function connectionSecretValues(connection: CompiledConnection, env: NodeJS.ProcessEnv): string[] {
  const auth = connection.auth as unknown as Record<string, unknown>;
  const urls = [connection.baseUrl, typeof auth.tokenUrl === 'string' ? auth.tokenUrl : ''];
  const names = [
    ...SECRET_AUTH_FIELDS.flatMap((k) => (typeof auth[k] === 'string' ? referencedVariables(auth[k]) : [])),
    ...urls.filter((u) => !isSecretRef(u)).flatMap(referencedVariables),
  ];
  const values = names.map((name) => env[name] ?? '');
  for (const text of urls) {
    const url = URL.parse(text.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, n: string) => env[n] ?? ''));
    for (const part of [url?.username, url?.password]) if (part) values.push(part, safeDecode(part));
  }
  return [...new Set(values.filter((v) => v.trim().length >= MIN_SECRET_LENGTH))];
}

/** Every secret value the connections of `specSet` resolve from `env` (auth, base URLs, token URLs, user info). */
export function specSetSecretValues(specSet: CompiledSpecSet, env: NodeJS.ProcessEnv): string[] {
  return [...new Set([...specSet.connections.values()].flatMap((c) => connectionSecretValues(c, env)))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
