/** Customer with addresses (Magento\Customer\Api\Data\CustomerInterface). */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { bool, entity, int, str } from './fields.js';

/** A customer address. */
export const addressSchema: JsonSchema = {
  type: 'object',
  description: 'A customer or order address',
  properties: {
    id: int('Address id (assigned by Magento)'),
    customer_id: int('Id of the customer the address belongs to (set by Magento)'),
    firstname: str('First name'),
    lastname: str('Last name'),
    company: str('Company'),
    street: { type: 'array', items: { type: 'string' }, description: 'Street lines' },
    city: str('City'),
    postcode: str('Postal code'),
    country_id: str('ISO 3166 country code'),
    telephone: str('Phone'),
    region: { type: 'object', description: 'Region: region_code, region, region_id' },
    region_id: int("The region's id, as in `region` (0: none of the country's regions)"),
    default_billing: bool('The default billing address'),
    default_shipping: bool('The default shipping address'),
  },
};

/** The customer record. */
export const customerSchema: JsonSchema = entity(
  'customer',
  'A customer account with its addresses.',
  ['email', 'firstname', 'lastname'],
  {
    id: int('Customer id: identifies the customer on update'),
    email: str('E-mail (unique per website)'),
    firstname: str('First name'),
    lastname: str('Last name'),
    middlename: str('Middle name'),
    prefix: str('Prefix'),
    suffix: str('Suffix'),
    dob: str('Date of birth YYYY-MM-DD'),
    gender: int('0 not specified, 1 male, 2 female'),
    taxvat: str('VAT number'),
    group_id: int('Customer group (pricing, tax class)'),
    store_id: int('Store view'),
    website_id: int('Website'),
    created_at: str('Created, YYYY-MM-DD HH:MM:SS (UTC)'),
    updated_at: str('Last updated, YYYY-MM-DD HH:MM:SS (UTC)'),
    addresses: { type: 'array', items: addressSchema, description: 'Addresses; sent as a whole list on update' },
    default_billing: str('Id of the default billing address (set by Magento from the address saved as the default)'),
    default_shipping: str('Id of the default shipping address (set by Magento from the address saved as the default)'),
    custom_attributes: { type: 'array', description: 'EAV attributes' },
    extension_attributes: {
      type: 'object',
      description:
        "Modules' data: is_subscribed (Magento_Newsletter); on Adobe Commerce B2B, company_attributes: the customer's company (company_id, status)",
      properties: {
        is_subscribed: {
          type: 'boolean',
          description: 'Subscribed to the newsletter (answered on every read and save)',
        },
        company_attributes: {
          type: 'object',
          properties: {
            customer_id: int('The customer'),
            company_id: int('Its company (0: none)'),
            status: int('1 active'),
          },
        },
      },
    },
  },
);
