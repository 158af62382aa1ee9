/**
 * MySQL deadlocks (1213) and lock wait timeouts (1205) as Magento's REST API surfaces them: the framework does not
 * retry them and they are not LocalizedExceptions, so most endpoints answer 500 "Internal Error… Report ID" (in
 * production mode); the product repository wraps them as a temporary save failure, 400 "Database deadlock found when
 * trying to get lock" / "Database lock wait timeout exceeded". Both clear when the other transaction ends.
 */
import type { Fault } from '../../../engine/sdk/index.js';
import { internalErrorMessage } from './magento-error.js';

/** What the deadlock fault control takes. */
export interface DeadlockOptions {
  /** How many matching calls fail. @default 1 */
  times?: number;
  /** Only calls whose path starts with this. @default every REST call */
  pathPrefix?: string;
  /** A lock wait timeout instead of a deadlock. */
  lockWait?: boolean;
  /** Answer as the product repository's save does (400), for `PUT /V1/products/:sku`. */
  productSave?: boolean;
}

/** The fault that answers the next matching calls as a deadlock or lock wait. */
export function deadlockFault(options: DeadlockOptions): Fault {
  const body = options.productSave
    ? {
        message: options.lockWait
          ? 'Database lock wait timeout exceeded'
          : 'Database deadlock found when trying to get lock',
      }
    : { message: internalErrorMessage() };
  return {
    status: options.productSave ? 400 : 500,
    body,
    times: options.times,
    pathPrefix: options.pathPrefix ?? '/rest/',
  };
}
