/** M3 REST v2 response envelope: `results` (one per transaction) and the success/failure counters. */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import type { Row } from './state.js';

/** One transaction's result: its records, or M3's NOK error (message padded to M3's fixed width). */
export interface M3ResultBody {
  transaction: string;
  records: Row[];
  errorMessage?: string;
  errorType?: string;
  errorField?: string;
  errorCode?: string;
}

/** A NOK error. */
export interface NokFields {
  message: string;
  field?: string;
  code: string;
}

/** M3 message width: messages come back right-padded with spaces. */
const MESSAGE_WIDTH = 60;

/** A result entry for one transaction. */
export function result(transaction: string, records: Row[], error?: NokFields): M3ResultBody {
  if (!error) return { transaction, records };
  return {
    transaction,
    records: [],
    errorMessage: error.message.padEnd(MESSAGE_WIDTH),
    errorType: 'ServerReturnedNOK',
    ...(error.field ? { errorField: error.field } : {}),
    ...(error.code ? { errorCode: error.code } : {}),
  };
}

/** The HTTP 200 envelope around results; NOK results count as failed, as M3 counts them. */
export function envelope(results: M3ResultBody[], wasTerminated = false): EmulatorReply {
  const failed = results.filter((r) => r.errorMessage !== undefined).length;
  return {
    status: 200,
    body: {
      results,
      wasTerminated,
      nrOfSuccessfullTransactions: results.length - failed,
      nrOfFailedTransactions: failed,
    },
  };
}
