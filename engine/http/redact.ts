/**
 * Redaction for everything that leaves the engine as text: logs, errors, DLQ entries, recorded fixtures. Auth
 * headers and secret-looking fields are masked, and so is every literal value of a resolved secret.
 */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)$/i;
const SECRET_FIELD = /(password|passwd|secret|token|api_?key|authorization|client_secret|access_token|refresh_token|private_key)/i;
export const REDACTED = '[redacted]';

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  return out;
}

/** Deep copy of `value` with secret-looking fields masked. */
export function redactFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFields);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = SECRET_FIELD.test(key) && v !== null && typeof v !== 'object' ? REDACTED : redactFields(v);
  return out;
}

/** Masks every occurrence of the given secret values (longer than 3 characters) in a text. */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 3) out = out.split(secret).join(REDACTED);
  return out.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
}
