/**
 * Magento's configurable-product API (Magento_ConfigurableProduct `etc/webapi.xml`): a parent's configurable
 * attribute and its children. Neither call is idempotent: a second option for the same attribute answers 400
 * "Product already has this option", a second link 400 "The product is already attached.", so a step gives each a
 * `find` on the parent (`products.get` shows `extension_attributes.configurable_product_options` and
 * `configurable_product_links`).
 */
import { permanentError } from '../../engine/sdk/index.js';
import type { OperationCall, OperationDef } from '../../engine/sdk/index.js';
import { configurableChildSchema, configurableOptionSchema } from './schemas/index.js';

type Row = Record<string, unknown>;
const V1 = (options: Row) => `/rest/${String(options.store_code ?? 'default')}/V1`;
const record = (call: OperationCall): Row => (call.body ?? {}) as Row;
const parentPath = (call: OperationCall, tail: string): string => {
  const sku = record(call).sku;
  if (!sku) throw permanentError('validation', 'the record has no sku (the parent); the step body must set it');
  return `${V1(call.options)}/configurable-products/${encodeURIComponent(String(sku))}/${tail}`;
};

/** The configurable-product operations by name. */
export const magentoConfigurableOperations: Record<string, OperationDef> = {
  'configurable_options.create': {
    description:
      'Give a product its configurable attribute (size, colour) with the values its children take; a simple ' +
      'product becomes configurable. Answers the option id. Not idempotent: find the option on the parent first.',
    vendorName: 'POST /V1/configurable-products/{sku}/options',
    kind: 'create',
    object: 'configurable_option',
    identity: ['sku'],
    input: configurableOptionSchema,
    request: (c) => ({ method: 'POST', path: parentPath(c, 'options'), body: { option: record(c).option } }),
    result: (r, c) => ({ sku: record(c).sku, id: Number(r.body) }),
  },
  'configurable_children.link': {
    description:
      'Link a simple child to its configurable parent; the child needs a value for each configurable attribute. ' +
      'Not idempotent: find the link on the parent first.',
    vendorName: 'POST /V1/configurable-products/{sku}/child',
    kind: 'create',
    object: 'configurable_child',
    identity: ['sku', 'childSku'],
    input: configurableChildSchema,
    request: (c) => ({ method: 'POST', path: parentPath(c, 'child'), body: { childSku: record(c).childSku } }),
    result: (_r, c) => ({ sku: record(c).sku, childSku: record(c).childSku, linked: true }),
  },
};
