/**
 * Adobe Commerce B2B company credit (`Magento_CompanyCredit`): read a company's credit record and set its limit. Only
 * Adobe Commerce with B2B has these routes; Magento Open Source answers 404 (no such route).
 */
import type { OperationDef } from '../../engine/sdk/index.js';
import { permanentError } from '../../engine/sdk/index.js';
import { companyCreditSchema } from './schemas/index.js';

type Row = Record<string, unknown>;
const V1 = (options: Row) => `/rest/${String(options.store_code ?? 'default')}/V1`;
const id = (value: unknown, field: string): string => {
  if (value === undefined || value === null || value === '')
    throw permanentError('validation', `the record has no ${field}; the step body must set it`, { field });
  return encodeURIComponent(String(value));
};

/** The company credit operations by name. */
export const magentoCompanyCreditOperations: Record<string, OperationDef> = {
  'companyCredits.getByCompany': {
    description: "Read a B2B company's credit record by the company's id (Adobe Commerce B2B).",
    vendorName: 'GET /V1/companyCredits/company/{companyId}',
    kind: 'read',
    object: 'company_credit',
    identity: ['company_id'],
    input: {
      type: 'object',
      required: ['company_id'],
      properties: { company_id: { type: ['integer', 'string'], description: 'Company id' } },
    },
    output: companyCreditSchema,
    request: (c) => ({
      method: 'GET',
      path: `${V1(c.options)}/companyCredits/company/${id((c.body as Row | undefined)?.company_id, 'company_id')}`,
    }),
  },
  'companyCredits.update': {
    description:
      "Set a B2B company's credit limit, currency and exceed flag (Adobe Commerce B2B); balance and available credit " +
      'are computed by Magento.',
    vendorName: 'PUT /V1/companyCredits/{id}',
    kind: 'update',
    object: 'company_credit',
    identity: ['id', 'company_id'],
    input: companyCreditSchema,
    output: companyCreditSchema,
    request: (c) => ({
      method: 'PUT',
      path: `${V1(c.options)}/companyCredits/${id((c.body as Row | undefined)?.id, 'id')}`,
      body: { creditLimit: c.body ?? {} },
    }),
    readBack: {
      request: (c) => ({
        method: 'GET',
        path: `${V1(c.options)}/companyCredits/${id((c.body as Row | undefined)?.id, 'id')}`,
      }),
      result: (r) => ({ record: (r.body ?? {}) as Row, result: r.body }),
    },
  },
};
