/**
 * The data limit of a deployment (`JUNCTION_MAX_DATA_BYTES`): how large a lookup's CSV, an event file or a record
 * schema may be. It is the operator's, as the secret allowlist is, never a spec's: the limit keeps a huge file in a
 * pull request out of the memory of CI and of every engine, so the pull request cannot raise it. CI and every engine
 * must be given the same value, or a commit CI passed is rejected by GitOps.
 */
import { MAX_DATA_BYTES, MAX_DATA_BYTES_CEILING } from '../compiler/spec-tree.js';
import { UsageError } from './usage-error.js';

/** The limit from the environment; unset or blank is the default, anything else a whole number up to the ceiling. */
export function maxDataBytes(env: NodeJS.ProcessEnv): number {
  const raw = env.JUNCTION_MAX_DATA_BYTES?.trim();
  if (!raw) return MAX_DATA_BYTES;
  const bytes = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (bytes >= 1 && bytes <= MAX_DATA_BYTES_CEILING) return bytes;
  throw new UsageError(
    `JUNCTION_MAX_DATA_BYTES is ${JSON.stringify(env.JUNCTION_MAX_DATA_BYTES)}: it takes a number of bytes from 1 to ` +
      `${MAX_DATA_BYTES_CEILING} (48 MiB, whose base64 is the largest message a NATS server takes), e.g. 8388608 for 8 MiB`,
  );
}
