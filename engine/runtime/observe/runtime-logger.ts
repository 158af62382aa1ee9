/**
 * The runtime's structured logger: pino JSON lines with secret-looking fields redacted, and every value of an
 * allowed secret masked wherever it appears in a line (an error message, a URL), as the last line of defence.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { LOG_REDACT_PATHS, REDACTED, jsonForms, redactCredentials, redactJsonText } from '../../http/redact.js';

export function createRuntimeLogger(
  level = process.env.JUNCTION_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
  /** Secret values to mask in every line (the engine's allowed secrets, `SecretPolicy.values`). */
  secrets: readonly string[] = [],
): Logger {
  const masked = jsonForms(secrets);
  return pino(
    {
      name: 'junction',
      level,
      redact: { paths: LOG_REDACT_PATHS, censor: REDACTED },
      // The error's own message, its cause beside it: pino's default appends the cause's message, and a wrapper
      // that repeats it (a ConnectorError around a MissingSecretError) would print it twice.
      serializers: { err: pino.stdSerializers.errWithCause },
      // As JSON: a numeric secret (a PIN) masked in a number stays a JSON line (`"pin":"[redacted]"`).
      ...(masked.length > 0
        ? { hooks: { streamWrite: (line: string) => redactCredentials(redactJsonText(line, secrets, masked)) } }
        : {}),
    },
    destination,
  );
}
