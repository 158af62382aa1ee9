/** Bad usage (a missing directory, an unknown format): exit code 2 with a message, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
