/**
 * A product as Magento answers it, on a read (ProductRepository::get) and after a save (which answers the product
 * loaded again): the stored product with the lists ProductInterface always answers (docs/connectors.md, the Magento
 * row "A product's lists").
 */
import type { MagentoState, Row } from './state.js';

/** The customer group id of a price for all groups (Customer GroupInterface::CUST_GROUP_ALL). */
const ALL_GROUPS_ID = 32000;

/**
 * The product answered: `product_links`, `options` and `media_gallery_entries` as stored, `[]` when it has none (their
 * getters answer a list, never null), and `tier_prices` from the rows the tier-price API stored for its SKU.
 */
export function productAnswer(state: MagentoState, product: Row): Row {
  return {
    ...product,
    product_links: product.product_links ?? [],
    options: product.options ?? [],
    media_gallery_entries: product.media_gallery_entries ?? [],
    tier_prices: (state.tierPrices.get(String(product.sku)) ?? []).map((row) => tierPriceOf(state, product, row)),
  };
}

/**
 * A stored tier price as the product answers it (Price::getTierPrices over the Tierprice backend's loaded rows): the
 * group's id (32000 for all groups), the quantity, the value (a discount's is the product's price less that percent,
 * Tierprice::modifyPriceData) and the website and percentage as extension attributes.
 */
function tierPriceOf(state: MagentoState, product: Row, row: Row): Row {
  const code = String(row.customer_group).toLowerCase();
  const group = [...state.customerGroups].find(([, g]) => g.code.toLowerCase() === code)?.[0];
  const discount = row.price_type === 'discount';
  // The tier-price API's price: the amount of a fixed price, the percent of a discount.
  const price = Number(row.price);
  return {
    customer_group_id: code === 'all groups' ? ALL_GROUPS_ID : group,
    qty: Number(row.quantity),
    value: discount ? Number(product.price) * (1 - price / 100) : price,
    extension_attributes: {
      website_id: Number(row.website_id),
      ...(discount ? { percentage_value: price } : {}),
    },
  };
}
