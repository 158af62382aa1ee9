/**
 * `junction schema pull` for Magento 2.4: the store's EAV attributes, custom ones included. Products from
 * `GET /V1/products/attributes` (a searchCriteria search; module-catalog `etc/webapi.xml`, items per
 * Eav AttributeInterface + Catalog EavAttributeInterface: `attribute_code`, `default_frontend_label`, `frontend_input`,
 * `is_required`, `is_user_defined`, `options`), customers from `GET /V1/attributeMetadata/customer` (module-customer
 * `etc/webapi.xml`, AttributeMetadataInterface: `attribute_code`, `frontend_label`, `frontend_input`, `required`,
 * `user_defined`, `system`, `options`). Attributes that are not top-level fields of the entity travel in its
 * `custom_attributes` list as `{attribute_code, value}`.
 */
import type { EntityOverlay, JsonSchema, OperationDef, SchemaPullDef } from '../../engine/sdk/index.js';
import { customerSchema, productSchema } from './schemas/index.js';

type Row = Record<string, unknown>;
const V1 = (options: Row) => `/rest/${String(options.store_code ?? 'default')}/V1`;
const PAGE = 100;
const page = (n: number) => ({ 'searchCriteria[pageSize]': PAGE, 'searchCriteria[currentPage]': n });

/** The metadata operations. */
export const attributeOperations: Record<string, OperationDef> = {
  'products.attributes': {
    description: 'Every catalog product attribute with its metadata (custom attributes included), all pages.',
    vendorName: 'GET /V1/products/attributes?searchCriteria',
    kind: 'query',
    object: 'product_attribute',
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/products/attributes`, query: page(1) }),
    paginate: {
      next: (r, c) => {
        const body = (r.body ?? {}) as { search_criteria?: { current_page?: number }; total_count?: number };
        const current = body.search_criteria?.current_page ?? 1;
        return current * PAGE < (body.total_count ?? 0)
          ? { method: 'GET', path: `${V1(c.options)}/products/attributes`, query: page(current + 1) }
          : undefined;
      },
      combine: (pages) => ({ items: (pages as { items?: unknown[] }[]).flatMap((p) => p.items ?? []) }),
    },
  },
  'customers.attribute_metadata': {
    description: 'Every customer attribute with its metadata (custom attributes included).',
    vendorName: 'GET /V1/attributeMetadata/customer',
    kind: 'query',
    object: 'customer_attribute',
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/attributeMetadata/customer` }),
  },
};

/** One attribute's metadata as a field schema (informational: Magento's checks of values are not modelled). */
function attributeField(label: string, a: Row, required: boolean): JsonSchema {
  const options = ((a.options ?? []) as Row[]).filter((o) => o.value !== '' && o.value !== undefined);
  return {
    title: label,
    description: `${label} (${String(a.frontend_input)})`,
    'x-frontend-input': a.frontend_input,
    ...(required ? { 'x-required': true } : {}),
    ...(options.length ? { 'x-options': options.map((o) => ({ label: o.label, value: o.value })) } : {}),
  };
}

/** The attributes that are not top-level fields, as the entity's `custom_attributes` codes. */
function overlay(pulledFrom: string, entity: JsonSchema, attributes: [string, JsonSchema][]): EntityOverlay {
  const topLevel = new Set(Object.keys((entity.properties ?? {}) as Row));
  const codes = attributes.filter(([code]) => !topLevel.has(code)).sort(([a], [b]) => a.localeCompare(b));
  return {
    pulled_from: [pulledFrom],
    attributes: { field: 'custom_attributes', key: 'attribute_code', value: 'value', codes: Object.fromEntries(codes) },
  };
}

/** Products and customers. */
export const magentoSchemaPull: SchemaPullDef = {
  description: 'EAV attributes (GET /V1/products/attributes, GET /V1/attributeMetadata/customer)',
  entities: ['product', 'customer'],
  async pull(entity, read, options) {
    if (entity === 'product') {
      const { items } = (await read('products.attributes', {})) as { items: Row[] };
      const fields = items.map((a): [string, JsonSchema] => [
        String(a.attribute_code),
        attributeField(String(a.default_frontend_label ?? a.attribute_code), a, a.is_required === true),
      ]);
      return overlay(`GET ${V1(options)}/products/attributes?searchCriteria`, productSchema, fields);
    }
    if (entity === 'customer') {
      const items = (await read('customers.attribute_metadata', {})) as Row[];
      const fields = items.map((a): [string, JsonSchema] => [
        String(a.attribute_code),
        attributeField(String(a.frontend_label ?? a.store_label ?? a.attribute_code), a, a.required === true),
      ]);
      return overlay(`GET ${V1(options)}/attributeMetadata/customer`, customerSchema, fields);
    }
    return undefined;
  },
};
