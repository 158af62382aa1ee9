/**
 * The realistic mapping corpus of `npm run bench:transform` (and of the differential test): mappings an integration
 * team writes, leaning on paths, object constructors, $map/$filter and predicates over arrays of objects, dates and
 * number formatting. Each has its input document and, for a few, the same mapping written by hand in JS.
 */
import {
  handWritten as orderByHand,
  magentoOrder,
  ORDER_BINDINGS,
  ORDER_MAPPING,
} from '../transform/order-mapping-fixtures.js';
import {
  bankStatement,
  inventory,
  invoices,
  m3Items,
  portalCustomers,
  salesforceAccounts,
  shipmentEvents,
} from './transform-mapping-inputs.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Mapping {
  name: string;
  expr: string;
  input: unknown;
  bindings?: Record<string, unknown>;
  handWritten?: (input: Any) => unknown;
}

const sf = salesforceAccounts();
const m3 = m3Items();
const inv = invoices();
const stock = inventory();
const bank = bankStatement();
const portal = portalCustomers();
const ships = shipmentEvents();
const order = magentoOrder();

export const MAPPINGS: Mapping[] = [
  {
    name: 'magento order -> ERP order',
    expr: ORDER_MAPPING,
    input: order,
    bindings: ORDER_BINDINGS,
    handWritten: (o) => orderByHand(o, ORDER_BINDINGS),
  },
  {
    name: 'salesforce accounts -> customer master',
    expr: `records.{
      "customerNo": AccountNumber ? AccountNumber : "SF-" & $substring(Id, -5),
      "name": $trim(Name),
      "country": BillingCountry,
      "city": $uppercase(BillingCity),
      "revenueBand": AnnualRevenue > 1000000 ? "A" : AnnualRevenue > 500000 ? "B" : "C",
      "since": $substring(CreatedDate, 0, 10)
    }`,
    input: sf,
    handWritten: (d) =>
      (d.records as Any[]).map((r) => ({
        customerNo: r.AccountNumber ? r.AccountNumber : 'SF-' + r.Id.slice(-5),
        name: r.Name.trim(),
        country: r.BillingCountry,
        city: r.BillingCity.toUpperCase(),
        revenueBand: r.AnnualRevenue > 1000000 ? 'A' : r.AnnualRevenue > 500000 ? 'B' : 'C',
        since: r.CreatedDate.substring(0, 10),
      })),
  },
  {
    name: 'salesforce contacts with e-mail, flattened',
    expr: `records.Contacts.records[Email].{
      "account": %.%.Name,
      "fullName": FirstName & " " & LastName,
      "email": $lowercase(Email),
      "role": Title
    }`,
    input: sf,
  },
  {
    name: 'won opportunities per account',
    expr: `records[Opportunities.records[StageName = "Closed Won"]].{
      "account": Name,
      "won": $sum(Opportunities.records[StageName = "Closed Won"].Amount),
      "deals": $count(Opportunities.records[StageName = "Closed Won"])
    }`,
    input: sf,
  },
  {
    name: 'opportunity pipeline by stage (group-by)',
    expr: `records.Opportunities.records{ StageName: { "count": $count(Name), "amount": $sum(Amount) } }`,
    input: sf,
  },
  {
    name: 'm3 items -> shop products',
    expr: `results[0].records[STAT = "20"].{
      "sku": ITNO,
      "title": ITDS,
      "type": ITTY = "FG" ? "finished" : ITTY = "RM" ? "raw" : "spare",
      "weight": $number(GRWE),
      "price": $number(SAPR),
      "modified": $fromMillis($toMillis(LMDT, "[Y0001][M01][D01]"), "[Y0001]-[M01]-[D01]")
    }`,
    input: m3,
    handWritten: (d) =>
      (d.results[0].records as Any[])
        .filter((r) => r.STAT === '20')
        .map((r) => ({
          sku: r.ITNO,
          title: r.ITDS,
          type: r.ITTY === 'FG' ? 'finished' : r.ITTY === 'RM' ? 'raw' : 'spare',
          weight: Number(r.GRWE),
          price: Number(r.SAPR),
          modified: `${r.LMDT.slice(0, 4)}-${r.LMDT.slice(4, 6)}-${r.LMDT.slice(6, 8)}`,
        })),
  },
  {
    name: 'm3 price list with formatted prices',
    expr: `$map(results[0].records, function($r) {
      { "item": $r.ITNO, "price": $formatNumber($number($r.SAPR), "#,##0.00"), "unit": $r.UNMS }
    })`,
    input: m3,
  },
  {
    name: 'invoice lines with tax and discount',
    expr: `invoices[status = "Complete"].{
      "invoice": id,
      "lines": lines.{
        "sku": product,
        "net": $round(quantity * unitPrice * (1 - discountPercent / 100), 2),
        "tax": $round(quantity * unitPrice * (1 - discountPercent / 100) * taxRate, 2)
      }
    }`,
    input: inv,
  },
  {
    name: 'invoice totals and due dates',
    expr: `invoices[status != "Discarded"].(
      $net := $sum(lines.(quantity * unitPrice * (1 - discountPercent / 100)));
      {
        "number": id,
        "customer": account.name,
        "vat": account.vatNumber ? account.vatNumber : "n/a",
        "issued": $fromMillis($toMillis(issueDate), "[D01].[M01].[Y0001]"),
        "due": $fromMillis($toMillis(issueDate) + paymentTermsDays * 86400000, "[Y0001]-[M01]-[D01]"),
        "net": $formatNumber($net, "#,##0.00"),
        "gross": $formatNumber($net + $sum(lines.(quantity * unitPrice * (1 - discountPercent / 100) * taxRate)), "#,##0.00"),
        "currency": currency
      }
    )`,
    input: inv,
  },
  {
    name: 'invoices -> GL journal (reduce over lines)',
    expr: `$map(invoices[status = "Complete"], function($i) {
      {
        "journal": "SJ-" & $substringAfter($i.id, "INV-"),
        "date": $replace($i.issueDate, "-", ""),
        "amount": $reduce($i.lines, function($acc, $l) { $acc + $l.quantity * $l.unitPrice }, 0)
      }
    })`,
    input: inv,
  },
  {
    name: 'inventory below reorder point',
    expr: `locations.stock[onHand - allocated < reorderPoint].{
      "warehouse": %.warehouse,
      "sku": sku,
      "available": onHand - allocated,
      "order": reorderPoint * 2 - (onHand - allocated)
    }`,
    input: stock,
  },
  {
    name: 'available stock per sku across warehouses',
    expr: `locations.stock{ sku: $sum(onHand) - $sum(allocated) }`,
    input: stock,
  },
  {
    name: 'inventory feed with $filter and $map',
    expr: `$map($filter(locations[warehouse = "100"].stock, function($s) { $s.onHand > 0 }), function($s, $i) {
      { "line": $i + 1, "sku": $s.sku, "qty": $s.onHand, "counted": $s.lastCounted }
    })`,
    input: stock,
  },
  {
    name: 'bank entries matched to invoice numbers',
    expr: `entries[amount > 0 and $contains(remittance, "INV-")].{
      "ref": ref,
      "invoice": $match(remittance, /INV-\\d{4}-\\d+/).match,
      "amount": $formatNumber(amount, "0.00"),
      "valueDate": valueDate
    }`,
    input: bank,
  },
  {
    name: 'bank statement summary',
    expr: `{
      "iban": account.iban,
      "date": $fromMillis($toMillis(bookingDate), "[D1] [MNn] [Y0001]"),
      "credits": $count(entries[amount > 0]),
      "debits": $count(entries[amount < 0]),
      "in": $formatNumber($sum(entries[amount > 0].amount), "#,##0.00"),
      "out": $formatNumber(-$sum(entries[amount < 0].amount), "#,##0.00"),
      "payers": $distinct(entries.counterparty.name)
    }`,
    input: bank,
  },
  {
    name: 'portal customers -> M3 customers',
    expr: `customers.{
      "CUNO": "B" & $pad($string(id), -8, "0"),
      "CUNM": $substring($trim(company), 0, 36),
      "VRNO": vat ? vat : undefined,
      "CRLT": creditLimit,
      "CUTP": "wholesale" in tags ? 1 : 0,
      "ADR1": addresses[type = "billing"].line1,
      "TOWN": addresses[type = "billing"].city,
      "PONO": addresses[type = "billing"].zip,
      "PHNO": contacts[role = "primary"].phone,
      "MAIL": contacts[role = "billing"].email
    }`,
    input: portal,
    handWritten: (d) =>
      (d.customers as Any[]).map((c) => {
        const bill = (c.addresses as Any[]).find((a) => a.type === 'billing');
        return {
          CUNO: 'B' + String(c.id).padStart(8, '0'),
          CUNM: c.company.trim().replace(/\s+/g, ' ').substring(0, 36),
          VRNO: c.vat ? c.vat : undefined,
          CRLT: c.creditLimit,
          CUTP: c.tags.includes('wholesale') ? 1 : 0,
          ADR1: bill?.line1,
          TOWN: bill?.city,
          PONO: bill?.zip,
          PHNO: (c.contacts as Any[]).find((k) => k.role === 'primary')?.phone,
          MAIL: (c.contacts as Any[]).find((k) => k.role === 'billing')?.email,
        };
      }),
  },
  {
    name: 'customer addresses, one row per address',
    expr: `customers.addresses.{
      "customer": %.id,
      "kind": $uppercase($substring(type, 0, 1)),
      "street": line2 ? line1 & ", " & line2 : line1,
      "city": city & " " & zip,
      "country": country
    }`,
    input: portal,
  },
  {
    name: 'webhook envelope with timestamps',
    expr: `{
      "type": $substringBefore(event, "."),
      "action": $substringAfter(event, "."),
      "receivedDay": $fromMillis($toMillis(sentAt), "[FNn], [D1o] [MNn] [Y]"),
      "time": $fromMillis($toMillis(sentAt), "[H01]:[m01]:[s01]"),
      "ids": customers.id,
      "count": $count(customers)
    }`,
    input: portal,
  },
  {
    name: 'shipments -> order status updates',
    expr: `shipments.{
      "order": orderRef,
      "carrier": carrier,
      "tracking": trackingNumber,
      "delivered": "DL" in events.code,
      "lastScan": events[-1].location,
      "lastAt": $fromMillis($toMillis(events[-1].at), "[Y0001]-[M01]-[D01] [H01]:[m01]"),
      "weight": $formatNumber(weightKg, "0.0") & " kg"
    }`,
    input: ships,
  },
  {
    name: 'shipment scans sorted by time',
    expr: `shipments.events^(>at).{ "code": code, "where": location, "at": at }`,
    input: ships,
  },
  {
    name: 'order lines with index and parent (focus binding)',
    expr: `items@$it#$pos[$it.qty_ordered > 1].{
      "order": increment_id,
      "pos": $pos + 1,
      "sku": $it.sku,
      "total": $formatNumber($it.row_total, "#,##0.00")
    }`,
    input: order,
  },
  {
    name: 'order summary with conditions and defaults',
    expr: `(
      $lines := items[product_type = "simple"];
      {
        "id": increment_id,
        "placed": $fromMillis($toMillis(created_at, "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01]"), "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]Z"),
        "customer": customer_firstname & " " & customer_lastname,
        "email": customer_email ? $lowercase(customer_email) : "unknown@example.com",
        "lines": $count($lines),
        "top": $lines^(>row_total)[0].sku,
        "discounted": $exists($lines[discount_amount > 0]),
        "shippingCountry": extension_attributes.shipping_assignments.shipping.address.country_id
      }
    )`,
    input: order,
  },
  {
    name: 'order tax lines grouped by rate',
    expr: `items{ $string($round(tax_amount / row_total * 100, 0)) & "%": $sum(tax_amount) ~> $round(2) }`,
    input: order,
  },
];
