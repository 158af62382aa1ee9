/** The Magento entity schemas, by the record type names operations use for `owns`. */
export { customerSchema, addressSchema } from './customer.js';
export { sourceItemSchema, stockItemSchema } from './inventory.js';
export {
  invoiceSchema,
  orderCommentRecordSchema,
  orderCommentSchema,
  orderSchema,
  shipmentRecordSchema,
  shipmentSchema,
} from './order.js';
export { productSchema } from './product.js';
export {
  cartSchema,
  negotiableQuoteSchema,
  quoteDeclineSchema,
  quoteDraftSchema,
  quoteSubmitSchema,
} from './negotiable-quote.js';
export { specialPricesSchema, tierPricesSchema } from './price.js';
export { creditmemoSchema } from './creditmemo.js';
export { invoiceRecordSchema } from './invoice.js';
export { configurableChildSchema, configurableOptionSchema } from './configurable.js';
export { categorySchema, categoryTreeSchema } from './category.js';
export { companyCreditSchema } from './company-credit.js';
