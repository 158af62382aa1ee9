/**
 * Magento's price APIs (`Magento\Catalog\Api\TierPriceStorageInterface`, `SpecialPriceStorageInterface`): bulk
 * price writes that skip the full product save. They answer 200 even when rows fail validation: the failed rows come
 * back as `[{message, parameters}]` and the others are saved, so a non-empty answer is a permanent error here (sending
 * the whole set again is harmless once the cause is fixed).
 */
import { permanentError } from '../../engine/sdk/index.js';
import type { InboundResponse, OperationCall, OperationDef } from '../../engine/sdk/index.js';
import { fillTemplate } from './errors.js';
import { specialPricesSchema, tierPricesSchema } from './schemas/index.js';

type Row = Record<string, unknown>;
const V1 = (options: Row) => `/rest/${String(options.store_code ?? 'default')}/V1`;

/** The record's SKU, which every price call needs. */
function skuOf(call: OperationCall): unknown {
  const sku = (call.body as Row | undefined)?.sku;
  if (!sku) throw permanentError('validation', 'the record has no sku; the step body must set it');
  return sku;
}

/** `{sku, prices}` -> Magento's `{"prices": [...]}` with the SKU on every row. */
function pricesBody(call: OperationCall): { prices: Row[] } {
  const sku = skuOf(call);
  return { prices: (((call.body as Row).prices as Row[] | undefined) ?? []).map((p) => ({ ...p, sku })) };
}

/** The answer lists the rows Magento refused; none refused is success. */
function refusedRows(response: InboundResponse, call: OperationCall): Row {
  const failed = Array.isArray(response.body) ? (response.body as { message?: string; parameters?: unknown }[]) : [];
  if (failed.length > 0)
    throw permanentError(
      'validation',
      failed.map((f) => fillTemplate(String(f.message ?? ''), f.parameters)).join('; '),
    );
  return { sku: (call.body as Row | undefined)?.sku, saved: true };
}

/** The price operations by name. */
export const magentoPriceOperations: Record<string, OperationDef> = {
  'tier_prices.replace': {
    description: "Replace a SKU's tier and customer-group prices with the ones sent (the others are removed).",
    vendorName: 'PUT /V1/products/tier-prices',
    kind: 'upsert',
    object: 'tier_price',
    identity: ['sku'],
    input: tierPricesSchema,
    request: (c) => ({ method: 'PUT', path: `${V1(c.options)}/products/tier-prices`, body: pricesBody(c) }),
    result: refusedRows,
  },
  'tier_prices.get': {
    description: "A SKU's tier and customer-group prices as Magento has them (none for a SKU it does not have).",
    vendorName: 'POST /V1/products/tier-prices-information',
    kind: 'query',
    object: 'tier_price',
    input: {
      type: 'object',
      required: ['sku'],
      properties: { sku: { type: 'string', description: 'Product SKU' } },
    },
    output: tierPricesSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/products/tier-prices-information`,
      body: { skus: [skuOf(c)] },
    }),
    result: (r, c) => ({ sku: skuOf(c), prices: Array.isArray(r.body) ? r.body : [] }),
  },
  'tier_prices.delete': {
    description:
      'Remove tier prices of a SKU: each row sent (group, quantity and price as Magento has it) is deleted. A replace ' +
      'with no rows removes nothing, so prices the source dropped are deleted with this; one already gone is no error.',
    vendorName: 'POST /V1/products/tier-prices-delete',
    kind: 'delete',
    object: 'tier_price',
    identity: ['sku'],
    input: tierPricesSchema,
    request: (c) => ({ method: 'POST', path: `${V1(c.options)}/products/tier-prices-delete`, body: pricesBody(c) }),
    result: refusedRows,
  },
  'special_prices.update': {
    description: "Add or update a SKU's special prices (per store view, with a from and to date).",
    vendorName: 'POST /V1/products/special-price',
    kind: 'upsert',
    object: 'special_price',
    identity: ['sku'],
    input: specialPricesSchema,
    request: (c) => ({ method: 'POST', path: `${V1(c.options)}/products/special-price`, body: pricesBody(c) }),
    result: refusedRows,
  },
};
