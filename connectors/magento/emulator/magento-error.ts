/** Magento's error bodies: `{"message": "…%1…", "parameters": […]}` and validation failures with an `errors` list. */
import { randomBytes } from 'node:crypto';
import type { EmulatorReply } from '../../../engine/sdk/index.js';

/** An error reply; `parameters` fill the message's `%1`/`%name` placeholders. */
export const magentoError = (status: number, message: string, parameters?: unknown): EmulatorReply => ({
  status,
  body: parameters === undefined ? { message } : { message, parameters },
});

/** 400 `"%fieldName" is required. Enter and try again.` */
export const requiredField = (field: string): EmulatorReply =>
  magentoError(400, '"%fieldName" is required. Enter and try again.', { fieldName: field });

/** 400 "Validation Failed" with one entry per problem, as MSI and other validators answer. */
export const validationFailed = (errors: { message: string; parameters: Record<string, string> }[]): EmulatorReply => ({
  status: 400,
  body: { message: 'Validation Failed', errors },
});

/** 404 for a missing order (and other sales entities). */
export const noEntity = (): EmulatorReply =>
  magentoError(404, "The entity that was requested doesn't exist. Verify the entity and try again.");

/** 404 for a missing product. */
export const noProduct = (): EmulatorReply =>
  magentoError(404, "The product that was requested doesn't exist. Verify the product and try again.");

/** 404 for a missing customer. */
export const noCustomer = (id: string): EmulatorReply =>
  magentoError(404, 'No such entity with %fieldName = %fieldValue', { fieldName: 'customerId', fieldValue: id });

/** The message of an exception the web API layer does not pass on (not a LocalizedException), in production mode. */
export const internalErrorMessage = (): string =>
  `Internal Error. Details are available in Magento log file. Report ID: webapi-${randomBytes(6).toString('hex')}`;
