/** Adobe Commerce B2B company credit (CreditLimitInterface, Adobe's REST guide "Manage company credit"). */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { bool, entity, int, num, str } from './fields.js';

/** A company's credit record: the limit the seller grants, in one currency; balance and available are computed. */
export const companyCreditSchema: JsonSchema = entity(
  'company_credit',
  "A B2B company's credit (Adobe Commerce only): one record per company.",
  ['id', 'company_id', 'credit_limit', 'currency_code'],
  {
    id: int('Credit id: identifies the record on update'),
    company_id: int('The company'),
    credit_limit: num('The amount of credit granted to the company'),
    balance: num('The amount the company currently owes the seller (computed)'),
    currency_code: str("The credit's currency, such as USD"),
    exceed_limit: bool('Whether the company may exceed its credit limit'),
    available_limit: num('Credit currently available (computed)'),
    credit_comment: str(
      'Describes the change being made (sent with an update; kept in the credit history, not on the credit)',
    ),
  },
);
