/**
 * Salesforce's transient row-lock failures as injectable faults with the vendor's bodies: UNABLE_TO_LOCK_ROW when
 * another transaction holds the record for longer than the lock wait, and the same error raised inside a trigger's
 * DML (FinancialForce posting does DML in triggers), which the API reports wrapped in
 * CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY. Both clear when the other transaction commits.
 */
import type { Fault } from '../../../engine/sdk/index.js';

/** What the row-lock fault control takes. */
export interface RowLockOptions {
  /** How many matching calls fail. @default 1 */
  times?: number;
  /** Only calls whose path starts with this. @default every REST call */
  pathPrefix?: string;
  /** The locked record's id in the message. @default an Account id */
  id?: string;
  /** Raised inside a trigger, so wrapped in CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY. */
  wrapped?: boolean;
  /** The trigger named in a wrapped message. @default an example name */
  trigger?: string;
}

/** The fault that answers the next matching calls with a row-lock error. */
export function rowLockFault(options: RowLockOptions): Fault {
  const id = options.id ?? '001000000000001AAA';
  const lock = `unable to obtain exclusive access to this record or 1 records: ${id}`;
  const body = options.wrapped
    ? [
        {
          message: `${options.trigger ?? 'ExampleTrigger'}: execution of AfterUpdate\n\ncaused by: System.DmlException: Update failed. First exception on row 0 with id ${id}; first error: UNABLE_TO_LOCK_ROW, ${lock}: []`,
          errorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
          fields: [],
        },
      ]
    : [{ message: lock, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }];
  return { status: 400, body, times: options.times, pathPrefix: options.pathPrefix ?? '/services/data/' };
}
