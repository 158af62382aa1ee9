/** Waits until the operator API lists `key` of `orders` as retrying with its attempts (its first failure recorded). */
import type { RetryingKey } from '../../../engine/runtime/operator/retrying-keys.js';
import { rawRequest } from '../../security/helpers/raw-request.js';
import { waitFor } from './runtime-harness.js';

export async function retryingListed(operatorUrl: string, key: string): Promise<RetryingKey> {
  let found: RetryingKey | undefined;
  await waitFor(async () => {
    const listed = await rawRequest(`${operatorUrl}/api/retrying?integration=orders`);
    found = (listed.json?.keys as RetryingKey[]).find((k) => k.key === key && k.attempts !== undefined);
    return found !== undefined;
  }, `key ${key} listed as retrying`);
  return found!;
}
