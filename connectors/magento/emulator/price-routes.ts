/**
 * The price APIs: `PUT /V1/products/tier-prices` (replace a SKU's tier prices; an empty list changes nothing, as
 * TierPriceStorage::replace only clears the products of the rows it is sent), `POST
 * /V1/products/tier-prices-information` (read them), `POST /V1/products/tier-prices-delete` (remove rows) and `POST
 * /V1/products/special-price` (add or update special prices). The writes answer 200 with the rows they refused
 * (`[{message, parameters}]`) and save the others, as Magento's TierPriceStorage and SpecialPriceStorage do.
 */
import type { Route } from '../../../engine/sdk/index.js';
import { requiredField } from './magento-error.js';
import type { MagentoState, Row } from './state.js';

type Refusal = { message: string; parameters: Record<string, unknown> };
const TIER_ROW = 'Row ID: SKU = %SKU, Website ID: %websiteId, Customer Group: %customerGroup, Quantity: %qty.';
const SPECIAL_ROW = 'Row ID: SKU = %SKU, Store ID: %storeId, Price From: %priceFrom, Price To: %priceTo.';
/** The store views (0 = admin, 1 = default); the price scope is global (Magento's default), so prices are set in 0. */
const STORE_VIEWS = new Set([0, 1]);

/** Price routes under `/rest/:store/V1`. */
export function priceRoutes(V1: string, state: () => MagentoState): Route[] {
  return [
    {
      method: 'PUT',
      path: `${V1}/products/tier-prices`,
      handle: (r) => {
        const prices = pricesOf(r.body);
        if (!prices) return noPrices();
        const { valid, refused } = checkTierPrices(state(), prices);
        for (const sku of new Set(valid.map((p) => String(p.sku))))
          state().tierPrices.set(
            sku,
            valid.filter((p) => p.sku === sku),
          );
        return { status: 200, body: refused };
      },
    },
    {
      // TierPriceStorage::get: the SKUs' rows; a SKU the store does not have is left out (validateSkus filters it).
      method: 'POST',
      path: `${V1}/products/tier-prices-information`,
      handle: (r) => {
        const skus = (r.body as { skus?: unknown } | undefined)?.skus;
        if (!Array.isArray(skus)) return requiredField('skus');
        return { status: 200, body: skus.flatMap((sku) => state().tierPrices.get(String(sku)) ?? []) };
      },
    },
    {
      // TierPriceStorage::delete: valid rows remove the stored row of the same group, quantity and price (the
      // website is not compared); a row that matches nothing removes nothing.
      method: 'POST',
      path: `${V1}/products/tier-prices-delete`,
      handle: (r) => {
        const prices = pricesOf(r.body);
        if (!prices) return noPrices();
        const { valid, refused } = checkTierPrices(state(), prices);
        for (const gone of valid) {
          const sku = String(gone.sku);
          const kept = (state().tierPrices.get(sku) ?? []).filter((p) => !sameTier(p, gone));
          state().tierPrices.set(sku, kept);
        }
        return { status: 200, body: refused };
      },
    },
    {
      method: 'POST',
      path: `${V1}/products/special-price`,
      handle: (r) => {
        const prices = pricesOf(r.body);
        if (!prices) return noPrices();
        const { valid, refused } = checkSpecialPrices(state(), prices);
        for (const price of valid) {
          const sku = String(price.sku);
          // One special price per store view and period: the same one sent again replaces it [emulator].
          const same = (p: Row) =>
            p.store_id === price.store_id && p.price_from === price.price_from && p.price_to === price.price_to;
          const kept = (state().specialPrices.get(sku) ?? []).filter((p) => !same(p));
          state().specialPrices.set(sku, [...kept, { ...price }]);
        }
        return { status: 200, body: refused };
      },
    },
  ];
}

/** TierPriceStorage::retrievePriceId: the same customer group, quantity and price value (fixed or percentage). */
function sameTier(stored: Row, row: Row): boolean {
  return (
    String(stored.customer_group).toLowerCase() === String(row.customer_group).toLowerCase() &&
    Number(stored.quantity) === Number(row.quantity) &&
    stored.price_type === row.price_type &&
    Number(stored.price) !== 0 &&
    Number(stored.price) === Number(row.price)
  );
}

function pricesOf(body: unknown): Row[] | undefined {
  const prices = (body as { prices?: unknown } | undefined)?.prices;
  return Array.isArray(prices) ? (prices as Row[]) : undefined;
}

/** TierPriceStorage::replace without a price list: the webapi layer cannot build the argument. */
const noPrices = () => requiredField('prices');

/**
 * TierPriceValidator (magento/magento2 `Catalog/Model/Product/Price/Validation/TierPriceValidator.php`): SKU, price,
 * price type, quantity, website, duplicates in the request, customer group.
 */
function checkTierPrices(state: MagentoState, prices: Row[]) {
  const refused: Refusal[] = [];
  const valid: Row[] = [];
  const groups = new Set([...state.customerGroups.values()].map((g) => g.code.toLowerCase()));
  prices.forEach((p, i) => {
    // Every refusal names the row; only the price and price-type checks add the value they refused.
    const parameters = { SKU: p.sku, websiteId: p.website_id, customerGroup: p.customer_group, qty: p.quantity };
    const refuse = (what: string, extra: Record<string, unknown> = {}) =>
      refused.push({ message: `${what} ${TIER_ROW}`, parameters: { ...extra, ...parameters } });
    const before = refused.length;
    if (!p.sku || !state.products.has(String(p.sku))) refuse('Invalid attribute SKU = %SKU.');
    const price = typeof p.price === 'number' ? p.price : undefined;
    if (price === undefined || price < 0 || (p.price_type === 'discount' && price > 100))
      refuse('Invalid attribute Price = %price.', { price: p.price });
    if (p.price_type !== 'fixed' && p.price_type !== 'discount')
      refuse('Invalid attribute Price Type = %priceType.', { priceType: p.price_type });
    if (!(Number(p.quantity) > 0)) refuse('Invalid attribute Quantity = %qty.');
    // With a global price scope only "all websites" (0) is accepted.
    if (Number(p.website_id) !== 0) refuse('Invalid attribute Website ID = %websiteId.');
    const group = String(p.customer_group ?? '').toLowerCase();
    const twin = prices.findIndex(
      (q) =>
        q.sku === p.sku &&
        String(q.customer_group ?? '').toLowerCase() === group &&
        Number(q.quantity) === Number(p.quantity) &&
        q.website_id === p.website_id,
    );
    if (twin !== i)
      refuse(
        'We found a duplicate website, tier price, customer group and quantity: Customer Group = %customerGroup, ' +
          'Website ID = %websiteId, Quantity = %qty.',
      );
    if (group !== 'all groups' && !groups.has(group)) refuse('No such entity with Customer Group = %customerGroup.');
    if (refused.length === before) valid.push({ ...p });
  });
  return { valid, refused };
}

/** SpecialPriceStorage: SKU, store (global price scope: only 0), price, dates as Y-m-d H:i:s. */
function checkSpecialPrices(state: MagentoState, prices: Row[]) {
  const refused: Refusal[] = [];
  const valid: Row[] = [];
  for (const p of prices) {
    const parameters = { SKU: p.sku, storeId: p.store_id, priceFrom: p.price_from ?? '', priceTo: p.price_to ?? '' };
    const before = refused.length;
    const refuse = (what: string, extra: Record<string, unknown> = {}) =>
      refused.push({ message: `${what} ${SPECIAL_ROW}`, parameters: { ...extra, ...parameters } });
    if (!p.sku || !state.products.has(String(p.sku)))
      refuse("The product that was requested doesn't exist. Verify the product and try again.");
    if (p.store_id !== 0) refuse('Could not change non global Price when price scope is global.');
    if (!STORE_VIEWS.has(Number(p.store_id))) refuse('Requested store is not found.');
    if (typeof p.price !== 'number' || p.price < 0) refuse('Invalid attribute Price = %price.', { price: p.price });
    for (const [value, label] of [
      [p.price_from, 'Price From'],
      [p.price_to, 'Price To'],
    ] as const)
      if (value && !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(String(value)))
        refuse('Invalid attribute %label = %priceTo.', { label });
    if (refused.length === before) valid.push({ ...p });
  }
  return { valid, refused };
}
