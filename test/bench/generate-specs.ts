/** Generates a realistic spec tree of N integrations (with their connections and a lookup) for benchmarks. */
import type { SpecTree } from '../../engine/compiler/spec-tree.js';

export function generateSpecTree(count: number): SpecTree {
  const files = [
    {
      path: 'connections/shop.yaml',
      bytes: Buffer.from(
        'apiVersion: junction/v1\nkind: Connection\nname: shop\ntype: shop\nbase_url: ${env:SHOP_URL}\nauth: { type: bearer, token: "${env:SHOP_TOKEN}" }\nrate_limit: { requests_per_second: 20 }\ntimeout: 10s\n',
      ),
    },
    {
      path: 'connections/crm.yaml',
      bytes: Buffer.from(
        'apiVersion: junction/v1\nkind: Connection\nname: crm\ntype: crm\nbase_url: https://crm.example.com\nauth:\n  type: oauth2_client_credentials\n  token_url: /services/oauth2/token\n  client_id: ${env:CRM_ID}\n  client_secret: ${env:CRM_SECRET}\n',
      ),
    },
    {
      path: 'lookups/warehouses.yaml',
      bytes: Buffer.from(
        'apiVersion: junction/v1\nkind: Lookup\nname: warehouses\nentries: { "1": W01, "2": W02, "3": W03 }\ndefault: W01\n',
      ),
    },
  ];
  for (let i = 0; i < count; i++)
    files.push({ path: `integrations/orders-${i}.yaml`, bytes: Buffer.from(integration(i)) });
  return { displayRoot: 'bench', files };
}

function integration(i: number): string {
  return `# yaml-language-server: $schema=../../schemas/integration.schema.json
apiVersion: junction/v1
kind: Integration
name: orders-${i}
description: Completed shop orders to CRM invoices (generated ${i})
source:
  webhook:
    verify:
      hmac_sha256: { header: X-Signature, secret: "\${env:SHOP_HOOK_SECRET}", prefix: "sha256=" }
key: $string(entity_id) & "/${i % 3}" /* ${i} */
dedup_id: $string(entity_id) & "-" & updated_at & "-${i}"
when: status = "complete" and grand_total > ${i % 7}
steps:
  - id: invoice
    connection: crm
    operation: sobjects.upsert
    params: { sobject: Invoice_${i}__c, external_id_field: Order_Id__c }
    body: |
      {
        "Order_Id__c": $string(entity_id) /* ${i} */,
        "Customer__c": $xref("customer", $string(customer_id)),
        "Date__c": $substring(created_at, 0, 10),
        "Name__c": customer_firstname & " " & customer_lastname,
        "Total__c": $round(grand_total * ${1 + (i % 5) / 100}, 2),
        "Warehouse__c": $lookup("warehouses", $string(store_id))
      }
  - id: lines
    for_each: items[product_type = "simple"]
    connection: crm
    operation: sobjects.create
    params: { sobject: Invoice_Line_${i}__c }
    body: |
      { "Invoice__c": $steps.invoice.id, "Sku__c": sku, "Qty__c": qty_ordered,
        "Price__c": $round(price * (1 - discount_percent / 100), 2), "Line__c": $index + ${i} }
  - id: stock
    connection: shop
    operation: ${i === 0 ? 'products.update' : 'orders.get'}
    when: $count(items) > ${i % 4}
    body: '{ "sku": items[0].sku, "price": items[0].price * ${i + 1} }'
owns:
  - connection: crm
    object: Invoice_${i}__c
    fields: [Customer__c, Date__c, Name__c, Total__c, Warehouse__c]
  - connection: crm
    object: Invoice_Line_${i}__c
    fields: ["*"]
${i === 0 ? '  - connection: shop\n    object: product\n    fields: [price]\n' : ''}retry: { max_attempts: 12, initial: 1s, max: 15m }
on_error:
  - match: status = 404 and step = "invoice" /* ${i} */
    action: skip
`;
}
