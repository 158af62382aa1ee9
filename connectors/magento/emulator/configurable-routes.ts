/**
 * Configurable products (Magento_ConfigurableProduct `etc/webapi.xml`): `POST /V1/configurable-products/:sku/options`
 * (OptionRepository::save) gives a product its configurable attribute and makes it configurable;
 * `POST /V1/configurable-products/:sku/child` (LinkManagement::addChild) links a simple child. The options and the
 * children's ids are kept where `GET /V1/products/:sku` shows them: `extension_attributes.configurable_product_options`
 * and `configurable_product_links`.
 */
import type { EmulatorReply, Route } from '../../../engine/sdk/index.js';
import type { StoreAttributes } from './attribute-routes.js';
import { now } from './catalog-routes.js';
import { internalErrorMessage, magentoError, noProduct } from './magento-error.js';
import type { MagentoState, Row } from './state.js';

/** The product types OptionRepository::save turns into a configurable product. */
const OPTION_TYPES = new Set(['simple', 'virtual', 'configurable']);

/** Configurable-product routes under `/rest/:store/V1`. */
export function configurableRoutes(V1: string, state: () => MagentoState, attributes: StoreAttributes): Route[] {
  return [
    {
      method: 'POST',
      path: `${V1}/configurable-products/:sku/options`,
      handle: (r) => addOption(state(), attributes, r.params.sku, (r.body as { option?: Row } | undefined)?.option),
    },
    {
      method: 'POST',
      path: `${V1}/configurable-products/:sku/child`,
      handle: (r) =>
        addChild(state(), attributes, r.params.sku, (r.body as { childSku?: unknown } | undefined)?.childSku),
    },
  ];
}

const extension = (product: Row): Row => (product.extension_attributes ??= {}) as Row;
const optionsOf = (product: Row): Row[] => (extension(product).configurable_product_options as Row[] | undefined) ?? [];

/** OptionRepository::save of a new option (no id): validated, then the product becomes configurable. */
function addOption(state: MagentoState, attributes: StoreAttributes, sku: string, option: Row | undefined) {
  const invalid = invalidOption(option ?? {});
  if (invalid) return invalid;
  const product = state.products.get(sku);
  if (!product) return noProduct();
  // An \InvalidArgumentException, which the web API layer does not pass on: an internal error.
  if (!OPTION_TYPES.has(String(product.type_id))) return magentoError(500, internalErrorMessage());
  const attribute = attributes.product.find((a) => String(a.attribute_id) === String(option!.attribute_id));
  if (!attribute)
    return magentoError(
      404,
      'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.',
      [String(option!.attribute_id)],
    );
  if (optionsOf(product).some((o) => String(o.attribute_id) === String(attribute.attribute_id)))
    return magentoError(400, 'Product already has this option');
  const id = state.nextId.configurableOption++;
  const saved: Row = {
    id,
    attribute_id: String(attribute.attribute_id),
    label: option!.label,
    position: option!.position ?? 0,
    values: (option!.values as Row[]).map((v) => ({ value_index: Number(v.value_index) })),
    product_id: product.id,
  };
  product.type_id = 'configurable';
  extension(product).configurable_product_options = [...optionsOf(product), saved];
  extension(product).configurable_product_links ??= [];
  product.updated_at = now();
  return { status: 200, body: id };
}

/** OptionRepository::validateNewOptionData: every problem, as one InputException. */
function invalidOption(option: Row): EmulatorReply | undefined {
  const errors: string[] = [];
  if (!option.attribute_id) errors.push('Option attribute ID is not specified.');
  if (!option.label) errors.push('Option label is not specified.');
  const values = option.values;
  if (!Array.isArray(values) || values.length === 0) errors.push('Option values are not specified.');
  else if ((values as Row[]).some((v) => !v.value_index)) errors.push('Value index is not specified for an option.');
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return magentoError(400, errors[0]);
  return {
    status: 400,
    body: { message: 'One or more input exceptions have occurred.', errors: errors.map((message) => ({ message })) },
  };
}

/** LinkManagement::addChild: the child must be new to the parent and carry a value for each configurable attribute. */
function addChild(state: MagentoState, attributes: StoreAttributes, sku: string, childSku: unknown) {
  const parent = state.products.get(sku);
  const child = state.products.get(String(childSku ?? ''));
  if (!parent || !child) return noProduct();
  const links = (extension(parent).configurable_product_links as number[] | undefined) ?? [];
  if (links.includes(Number(child.id))) return magentoError(400, 'The product is already attached.');
  const options = optionsOf(parent);
  if (options.length === 0) return magentoError(400, "The parent product doesn't have configurable product options.");
  for (const option of options) {
    const code = attributes.product.find((a) => String(a.attribute_id) === String(option.attribute_id))?.attribute_code;
    const value = (child.custom_attributes as Row[] | undefined)?.find((a) => a.attribute_code === code)?.value;
    if (!value)
      return magentoError(
        400,
        'The child product doesn\'t have the "%1" attribute value. Verify the value and try again.',
        [String(code)],
      );
  }
  extension(parent).configurable_product_links = [...links, Number(child.id)];
  parent.updated_at = now();
  return { status: 200, body: true };
}
