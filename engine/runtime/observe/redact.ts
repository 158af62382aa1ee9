/**
 * Redaction for anything the runtime persists or logs (DLQ entries, log lines): values under secret-looking keys
 * are replaced. The HTTP stack redacts its own headers; this is the runtime's last line of defence.
 */

const SECRET_KEY =
  /(authorization|cookie|password|passwd|secret|token|api[-_]?key|signature|credential|private[-_]?key)/i;
export const REDACTED = '[redacted]';

/** A deep copy of `value` with secret-looking keys redacted. Depth-limited, cycle-safe. */
export function redactSecrets<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32 || seen.has(value)) return REDACTED as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined ? REDACTED : redactSecrets(v, depth + 1, seen);
  }
  return out as T;
}

/** Pino redact paths matching the same idea for structured logs. */
export const LOG_REDACT_PATHS = [
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  'headers.*',
  'req.headers.authorization',
  'req.headers.cookie',
];
