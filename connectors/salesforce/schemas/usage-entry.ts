/** The service app's usage entry: units of an ad product used under a contract, billed by Salesforce. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { date, externalId, field, picklist, reference, sobject } from './sobject-schema.js';

/** Usage_Entry__c: usage under a contract (a custom object of the service app's org). */
export const usageEntry: JsonSchema = sobject(
  'Usage_Entry__c',
  'Ad usage reported by the service app; locked once its contract is fulfilled.',
  'a0U',
  ['Contract__c', 'Product_Type__c', 'Units__c'],
  {
    External_Id__c: externalId('External Id', "The service app's usage id (external id, unique)"),
    Contract__c: reference('Contract', 'Contract'),
    Product_Type__c: picklist(
      ['Display Banner', 'Video Pre-roll', 'Featured Listing'],
      'Product Type',
      'Ad product type (a restricted picklist of this org)',
    ),
    Units__c: field('number', 'Units', 'Units used'),
    Usage_Date__c: date('Usage Date', 'Day the usage happened'),
  },
);
