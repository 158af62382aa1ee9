/**
 * The cluster could not be reached (NATS down, nothing listening at its URL): exit code 1 with the message, as a
 * problem found, not 2, which the CLI keeps for bad usage. A wrong kind of URL (an HTTP URL given as --nats) stays
 * a usage error.
 */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}
