/** The runtime's structured logger: pino JSON lines with secret-looking fields redacted. */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { LOG_REDACT_PATHS } from '../../http/redact.js';

export function createRuntimeLogger(
  level = process.env.JUNCTION_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  return pino({ name: 'junction', level, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, destination);
}
