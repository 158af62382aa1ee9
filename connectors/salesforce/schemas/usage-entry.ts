/** The service app's usage entry: units of an ad product used under a contract, billed by Salesforce. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { date, externalId, field, reference, sobject } from './sobject-schema.js';

/** Usage_Entry__c: usage under a contract. */
export const usageEntry: JsonSchema = sobject(
  'Usage_Entry__c',
  'Ad usage reported by the service app; locked once its contract is fulfilled.',
  'a0U',
  ['Contract__c', 'Product_Type__c', 'Units__c'],
  {
    External_Id__c: externalId("The service app's usage id (external id, unique)"),
    Contract__c: reference('Contract'),
    Product_Type__c: field('string', 'Ad product type, e.g. Display Banner'),
    Units__c: field('number', 'Units used'),
    Usage_Date__c: date('Day the usage happened'),
  },
);
