/**
 * Adobe Commerce B2B company credit (`Magento_CompanyCredit`, Adobe's REST guide "Manage company credit"): one credit
 * record per company, read by its id or by the company's, and its limit, currency and exceed flag set by a PUT. Magento
 * Open Source has none of these routes. `addCompany` is the admin creating a company for a customer (its admin).
 */
import type { EmulatorReply, Route } from '../../../engine/sdk/index.js';
import { magentoError, requiredField } from './magento-error.js';
import type { MagentoState, Row } from './state.js';

/** Company credit routes under `/rest/:store/V1`. */
export function companyCreditRoutes(V1: string, state: () => MagentoState): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/companyCredits/company/:companyId`,
      handle: (r) => {
        const credit = [...state().companyCredits.values()].find((c) => c.company_id === Number(r.params.companyId));
        return credit ? { status: 200, body: credit } : noCompany(r.params.companyId);
      },
    },
    {
      method: 'GET',
      path: `${V1}/companyCredits/:id`,
      handle: (r) => found(state().companyCredits.get(Number(r.params.id)), r.params.id),
    },
    {
      method: 'PUT',
      path: `${V1}/companyCredits/:id`,
      handle: (r) => {
        const existing = state().companyCredits.get(Number(r.params.id));
        if (!existing) return noCredit(r.params.id);
        const sent = (r.body as { creditLimit?: Row } | undefined)?.creditLimit;
        if (!sent) return requiredField('creditLimit');
        // credit_limit and currency_code are the guide's required parameters (the refusal's text is Magento's
        // required-field form [U]); available_limit is computed, never taken from the request.
        for (const field of ['credit_limit', 'currency_code'])
          if (sent[field] === undefined || sent[field] === null) return requiredField(field);
        // credit_comment is not kept: CreditLimitInterface has it as the comment "for company credit history", and
        // Adobe's credit reads never show it (whether the PUT's own answer echoes it is [U]).
        const updated: Row = {
          ...existing,
          credit_limit: sent.credit_limit,
          currency_code: sent.currency_code,
          ...(sent.exceed_limit === undefined ? {} : { exceed_limit: Boolean(sent.exceed_limit) }),
        };
        updated.available_limit = Number(updated.credit_limit) - Number(updated.balance);
        state().companyCredits.set(Number(existing.id), updated);
        return { status: 200, body: updated };
      },
    },
  ];
}

/**
 * The admin creates a company whose admin (super user) is `customerId`: the customer joins it
 * (`extension_attributes.company_attributes`) and the company gets its credit record, limit 0 ("When you create a
 * company, the credit limit is set to 0"). Returns the company id.
 */
export function addCompany(state: MagentoState, customerId: number, name: string, currency = 'USD'): number {
  const customer = state.customers.get(customerId);
  if (!customer) throw new Error(`no customer ${customerId}`);
  const id = state.nextId.company++;
  const creditId = state.nextId.companyCredit++;
  state.companies.set(id, { id, company_name: name, super_user_id: customerId, status: 1 });
  state.companyCredits.set(creditId, {
    id: creditId,
    company_id: id,
    credit_limit: 0,
    balance: 0,
    currency_code: currency,
    exceed_limit: false,
    available_limit: 0,
  });
  customer.extension_attributes = {
    ...(customer.extension_attributes as Row | undefined),
    company_attributes: { customer_id: customerId, company_id: id, status: 1 },
  };
  return id;
}

function found(credit: Row | undefined, id: string): EmulatorReply {
  return credit ? { status: 200, body: credit } : noCredit(id);
}

// The B2B modules' sources are not public: these 404 texts follow Magento's NoSuchEntityException form [U].
const noCredit = (id: string) => noEntityWith('id', id);
const noCompany = (id: string) => noEntityWith('companyId', id);
const noEntityWith = (field: string, value: string): EmulatorReply =>
  magentoError(404, 'No such entity with %fieldName = %fieldValue', { fieldName: field, fieldValue: value });
