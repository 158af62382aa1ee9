/**
 * `--reason` of the operator commands that are audited (dlq resolve, discard and purge; pause and resume; alert
 * silence and unsilence): refused before anything is sent when it is blank or longer than the audit trail keeps.
 */
import { reasonTooLong } from '../../runtime/operator/action-reason.js';
import { UsageError } from '../usage-error.js';

export function checkReason(reason: string): void {
  if (!reason.trim()) throw new UsageError('--reason must say why (it is kept in the audit trail)');
  const tooLong = reasonTooLong(reason);
  if (tooLong) throw new UsageError(`--reason: ${tooLong}`);
}
