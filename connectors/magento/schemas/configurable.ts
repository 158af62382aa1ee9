/**
 * Configurable products (Magento_ConfigurableProduct): the attribute a parent is configured by (size, colour) and the
 * link of a simple child to its parent.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { entity, int, str } from './fields.js';

/** A configurable attribute of a parent product (`POST /V1/configurable-products/{sku}/options`). */
export const configurableOptionSchema: JsonSchema = entity(
  'configurable_option',
  'The attribute a configurable product is configured by, with the values its children may take.',
  ['sku', 'option'],
  {
    sku: str('SKU of the parent product (made configurable by its first option)'),
    option: {
      type: 'object',
      description: 'ConfigurableProduct OptionInterface',
      required: ['attribute_id', 'label', 'values'],
      properties: {
        attribute_id: str('The EAV attribute (a global select, e.g. size)'),
        label: str('Label shown in the store'),
        position: int('Order among the parent’s options'),
        is_use_default: { type: 'boolean', description: 'Use the attribute’s default label' },
        values: {
          type: 'array',
          description: 'Values the children take: the attribute’s option ids',
          items: {
            type: 'object',
            required: ['value_index'],
            properties: { value_index: int('Option id of the attribute value') },
          },
        },
      },
    },
  },
);

/** A simple child linked to a configurable parent (`POST /V1/configurable-products/{sku}/child`). */
export const configurableChildSchema: JsonSchema = entity(
  'configurable_child',
  'A simple product linked to its configurable parent; it needs a value for each of the parent’s attributes.',
  ['sku', 'childSku'],
  { sku: str('SKU of the configurable parent'), childSku: str('SKU of the simple child') },
);
