/**
 * EAV attribute metadata: `GET /V1/products/attributes` (a searchCriteria search of catalog product attributes, items
 * shaped as Magento\Eav\Api\Data\AttributeInterface + Catalog EavAttributeInterface: `is_required`,
 * `is_user_defined`...) and `GET /V1/attributeMetadata/customer` (a list of Magento\Customer
 * AttributeMetadataInterface: `required`, `user_defined`, `system`...), module-catalog and module-customer
 * `etc/webapi.xml` (Magento 2.4.6-p1).
 * The store's attributes are metadata, kept across a reset of its data; the admin adds one with the `attribute`
 * control.
 */
import type { Route } from '../../../engine/sdk/index.js';
import { searchReply } from './search-criteria.js';
import type { InputLimits } from './search-criteria.js';
import type { Row } from './state.js';

/** The store's attributes per entity type. */
export interface StoreAttributes {
  product: Row[];
  customer: Row[];
}

/** An attribute the admin adds (Stores > Attributes), for the `attribute` control. */
export interface NewAttribute {
  entity_type: 'catalog_product' | 'customer';
  attribute_code: string;
  label: string;
  frontend_input?: string;
  required?: boolean;
  options?: { label: string; value: string }[];
}

const productAttribute = (id: number, code: string, label: string, input: string, backend: string, more: Row = {}) => ({
  attribute_id: id,
  attribute_code: code,
  frontend_input: input,
  entity_type_id: '4',
  is_required: false,
  options: [],
  is_user_defined: false,
  default_frontend_label: label,
  frontend_labels: [],
  backend_type: backend,
  is_unique: '0',
  validation_rules: [],
  scope: 'store',
  ...more,
});

const customerAttribute = (code: string, label: string, input: string, backend: string, more: Row = {}) => ({
  attribute_code: code,
  frontend_input: input,
  input_filter: '',
  store_label: label,
  validation_rules: [],
  multiline_count: 0,
  visible: true,
  required: false,
  data_model: '',
  options: [],
  frontend_class: '',
  user_defined: false,
  sort_order: 0,
  frontend_label: label,
  note: '',
  system: true,
  backend_type: backend,
  ...more,
});

/** A default install's attributes (a subset: those the seed catalogue and customers use). */
export function seedAttributes(): StoreAttributes {
  return {
    product: [
      productAttribute(73, 'name', 'Product Name', 'text', 'varchar', { is_required: true }),
      productAttribute(74, 'sku', 'SKU', 'text', 'static', { is_required: true, is_unique: '1' }),
      productAttribute(75, 'description', 'Description', 'textarea', 'text'),
      productAttribute(76, 'short_description', 'Short Description', 'textarea', 'text'),
      productAttribute(77, 'price', 'Price', 'price', 'decimal', { is_required: true }),
      productAttribute(82, 'weight', 'Weight', 'weight', 'decimal'),
      productAttribute(84, 'meta_title', 'Meta Title', 'text', 'varchar'),
      productAttribute(85, 'meta_keyword', 'Meta Keywords', 'textarea', 'text'),
      productAttribute(86, 'meta_description', 'Meta Description', 'textarea', 'varchar'),
      productAttribute(97, 'status', 'Enable Product', 'boolean', 'int'),
      productAttribute(99, 'visibility', 'Visibility', 'select', 'int'),
      productAttribute(121, 'url_key', 'URL Key', 'text', 'varchar'),
      // The seed store's own: the configurable attribute of its apparel (a select, global, with its option ids).
      productAttribute(144, 'size', 'Size', 'select', 'int', {
        is_user_defined: true,
        scope: 'global',
        options: [
          { label: ' ', value: '' },
          ...['S', 'M', 'L', 'XL'].map((label, i) => ({ label, value: String(201 + i) })),
        ],
      }),
    ],
    customer: [
      customerAttribute('website_id', 'Associate to Website', 'select', 'static', { required: true }),
      customerAttribute('group_id', 'Group', 'select', 'static', { required: true }),
      customerAttribute('prefix', 'Name Prefix', 'text', 'static'),
      customerAttribute('firstname', 'First Name', 'text', 'static', { required: true }),
      customerAttribute('middlename', 'Middle Name/Initial', 'text', 'static'),
      customerAttribute('lastname', 'Last Name', 'text', 'static', { required: true }),
      customerAttribute('suffix', 'Name Suffix', 'text', 'static'),
      customerAttribute('email', 'Email', 'text', 'static', { required: true }),
      customerAttribute('dob', 'Date of Birth', 'date', 'static'),
      customerAttribute('taxvat', 'Tax/VAT Number', 'text', 'static'),
      customerAttribute('gender', 'Gender', 'select', 'static', {
        options: [
          { label: ' ', value: '' },
          { label: 'Male', value: '1' },
          { label: 'Female', value: '2' },
          { label: 'Not Specified', value: '3' },
        ],
      }),
    ],
  };
}

/** Adds (or replaces) an attribute the admin created. */
export function addAttribute(attributes: StoreAttributes, a: NewAttribute): void {
  const options = a.options ?? [];
  if (a.entity_type === 'catalog_product') {
    const id = 1000 + attributes.product.length;
    const row = productAttribute(id, a.attribute_code, a.label, a.frontend_input ?? 'text', 'varchar', {
      is_required: a.required ?? false,
      is_user_defined: true,
      options,
    });
    attributes.product = [...attributes.product.filter((p) => p.attribute_code !== a.attribute_code), row];
  } else {
    const row = customerAttribute(a.attribute_code, a.label, a.frontend_input ?? 'text', 'varchar', {
      required: a.required ?? false,
      user_defined: true,
      system: false,
      options,
    });
    attributes.customer = [...attributes.customer.filter((c) => c.attribute_code !== a.attribute_code), row];
  }
}

/** The metadata routes under `/rest/:store/V1`. */
export function attributeRoutes(V1: string, attributes: StoreAttributes, limits?: InputLimits): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/products/attributes`,
      handle: (r) => searchReply(attributes.product, r.query, limits),
    },
    {
      method: 'GET',
      path: `${V1}/attributeMetadata/customer`,
      handle: () => ({ status: 200, body: attributes.customer }),
    },
  ];
}
