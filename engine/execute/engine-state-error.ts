/**
 * A failure of the engine's own coordination, not an answer of the target: its runtime state unavailable, another
 * attempt holding the call, this attempt's lease on a call running out before it could go out. Always retried, and
 * never matched by `on_error` rules: those speak about the target, and a `skip` or `dead_letter` rule covering a whole
 * step would otherwise end an event whose call was never sent (or is being sent by another attempt).
 */
import { ConnectorError } from '../sdk/errors.js';
import type { ConnectorErrorDetails } from '../sdk/errors.js';

export class EngineStateError extends ConnectorError {
  constructor(code: string, message: string, details?: ConnectorErrorDetails) {
    super(code, message, 'retryable', details);
  }
}
