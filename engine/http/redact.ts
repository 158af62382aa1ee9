/**
 * Redaction for everything that leaves the engine as text: logs, errors, DLQ entries, recorded requests and
 * fixtures. Auth headers and secret-looking fields are masked, and so is every literal value of a resolved secret.
 */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)$/i;
const SECRET_FIELD =
  /(password|passwd|secret|token|api_?key|authorization|client_secret|access_token|refresh_token|private_key)/i;
/** What a masked value reads as. */
export const REDACTED = '[redacted]';

/** Copy of `headers` with auth and cookie headers masked. */
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
  for (const [key, v] of Object.entries(value as Record<string, unknown>))
    out[key] = SECRET_FIELD.test(key) && v !== null && typeof v !== 'object' ? REDACTED : redactFields(v);
  return out;
}

/**
 * Masks every occurrence of the given secret values (longer than 3 characters) in a text, and bearer/basic credentials.
 */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 3) out = out.split(secret).join(REDACTED);
  return out.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
}

/**
 * A request or response body as it may be recorded: secret-looking fields and literal secret values masked. Returns
 * `value` itself when there is nothing to mask, so plans and fixtures keep their exact shape.
 */
export function redactBody(value: unknown, secrets: readonly string[]): unknown {
  if (value === undefined || value === null) return value;
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const literal = secrets.some((s) => s.length > 3 && text.includes(s));
  if (!literal && !hasSecretField(value)) return value;
  const masked = redactFields(value);
  return literal ? (JSON.parse(redactText(JSON.stringify(masked), secrets)) as unknown) : masked;
}

/** A URL with secret-looking query parameters and literal secrets masked. */
export function redactUrl(url: string, secrets: readonly string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return redactText(url, secrets);
  const params = new URLSearchParams(url.slice(q + 1));
  const keys = [...params.keys()].filter((key) => SECRET_FIELD.test(key));
  if (keys.length === 0) return redactText(url, secrets);
  for (const key of keys) params.set(key, REDACTED);
  return redactText(`${url.slice(0, q)}?${params.toString()}`, secrets);
}

function hasSecretField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSecretField);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value as Record<string, unknown>).some(
    ([k, v]) => (SECRET_FIELD.test(k) && v !== null && typeof v !== 'object') || hasSecretField(v),
  );
}
