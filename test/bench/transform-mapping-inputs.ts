/** Input documents of the realistic mapping corpus (test/bench/transform-mappings.ts): deterministic, vendor-shaped. */

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];

/** A Salesforce SOQL query result: Accounts with nested Contacts and Opportunities. */
export function salesforceAccounts(): Record<string, unknown> {
  const records = Array.from({ length: 12 }, (_, i) => ({
    attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/001${i}` },
    Id: `0015g00000AbC${100 + i}`,
    Name: `${pick(['Acme', 'Globex', 'Initech', 'Umbrella'], i)} ${pick(['Ltd', 'GmbH', 'Inc', 'AB'], i + 1)} ${i}`,
    AccountNumber: i % 5 === 4 ? null : `ACC-${1000 + i}`,
    BillingCountry: pick(['United Kingdom', 'Germany', 'Sweden', 'United States'], i),
    BillingCity: pick(['London', 'Berlin', 'Malmö', 'Austin'], i),
    Industry: pick(['Manufacturing', 'Retail', 'Technology'], i),
    AnnualRevenue: 125000 * (i + 1) + 0.5,
    CreatedDate: `2026-0${1 + (i % 9)}-1${i % 10}T08:${10 + i}:00.000+0000`,
    Contacts: {
      totalSize: 2,
      records: [
        { FirstName: 'Ana', LastName: `Berg${i}`, Email: `ana.berg${i}@example.com`, Title: 'Buyer' },
        { FirstName: 'Tom', LastName: `Ek${i}`, Email: i % 3 ? `TOM.EK${i}@Example.com` : null, Title: 'CFO' },
      ],
    },
    Opportunities: {
      totalSize: 3,
      records: [0, 1, 2].map((k) => ({
        Name: `Deal ${i}-${k}`,
        StageName: pick(['Prospecting', 'Closed Won', 'Closed Lost'], i + k),
        Amount: 1000 * (k + 1) + i * 10,
        CloseDate: `2026-1${k}-0${1 + (i % 9)}`,
      })),
    },
  }));
  return { totalSize: records.length, done: true, records };
}

/** An M3 `MMS200MI/LstItmByItm` answer: items as MIRecord name/value pairs. */
export function m3Items(): Record<string, unknown> {
  const fields = (i: number) => ({
    ITNO: `ITEM-${String(i).padStart(5, '0')}`,
    ITDS: `Item ${i} description`,
    STAT: i % 7 === 0 ? '90' : '20',
    ITTY: pick(['FG', 'RM', 'SP'], i),
    UNMS: 'EA',
    GRWE: (0.25 * i).toFixed(3),
    SAPR: (9.5 + i * 1.25).toFixed(2),
    LMDT: `2026${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`,
  });
  return {
    results: [
      {
        transaction: 'LstItmByItm',
        records: Array.from({ length: 40 }, (_, i) => fields(i + 1)),
      },
    ],
    nrOfSuccessfullTransactions: 1,
  };
}

/** A batch of sales invoices with lines, taxes and payment terms (FinancialForce-like). */
export function invoices(): Record<string, unknown> {
  return {
    invoices: Array.from({ length: 8 }, (_, i) => ({
      id: `INV-2026-${String(300 + i)}`,
      account: { id: `0015g00000AbC${100 + i}`, name: `Customer ${i}`, vatNumber: i % 2 ? `GB${123456789 + i}` : null },
      issueDate: `2026-11-${String(1 + i * 3).padStart(2, '0')}`,
      paymentTermsDays: pick([14, 30, 60], i),
      currency: pick(['GBP', 'EUR', 'USD'], i),
      status: pick(['Complete', 'In Progress', 'Complete', 'Discarded'], i),
      lines: Array.from({ length: 3 + (i % 4) }, (_, k) => ({
        product: `SKU-${100 + k}`,
        description: `Line ${k} of invoice ${i}`,
        quantity: 1 + ((i + k) % 5),
        unitPrice: 12.5 + k * 7.25,
        taxRate: pick([0.2, 0.05, 0], k),
        discountPercent: k === 1 ? 10 : 0,
      })),
    })),
  };
}

/** An inventory snapshot per warehouse location. */
export function inventory(): Record<string, unknown> {
  return {
    snapshotAt: '2026-11-30T23:00:00Z',
    locations: ['100', '200', '300'].map((whlo, w) => ({
      warehouse: whlo,
      name: pick(['Main', 'West', 'North'], w),
      stock: Array.from({ length: 25 }, (_, i) => ({
        sku: `SKU-${100 + i}`,
        onHand: (i * 7 + w * 3) % 40,
        allocated: (i + w) % 6,
        reorderPoint: 10,
        lastCounted: `2026-11-${String(1 + ((i + w) % 28)).padStart(2, '0')}`,
      })),
    })),
  };
}

/** Bank statement lines (camt.053-like, flattened) to be matched against open invoices. */
export function bankStatement(): Record<string, unknown> {
  return {
    account: { iban: 'GB33BUKB20201555555555', currency: 'GBP' },
    bookingDate: '2026-12-01',
    entries: Array.from({ length: 30 }, (_, i) => ({
      ref: `E2E-${9000 + i}`,
      amount: i % 4 === 3 ? -(50 + i) : 100 + i * 12.34,
      valueDate: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`,
      remittance: i % 3 === 0 ? `Invoice INV-2026-${300 + (i % 8)} thank you` : `Payment ${i}`,
      counterparty: { name: `Payer ${i % 6}`, iban: `DE89370400440532013${String(i).padStart(3, '0')}` },
    })),
  };
}

/** A webhook from a B2B portal: new customers with addresses and contact persons. */
export function portalCustomers(): Record<string, unknown> {
  return {
    event: 'customers.created',
    sentAt: '2026-11-20T15:30:00.123Z',
    customers: Array.from({ length: 10 }, (_, i) => ({
      id: 500 + i,
      company: `  Company ${i} & Sons  `,
      vat: i % 4 ? `SE5560${i}12345601` : '',
      creditLimit: i * 2500,
      tags: i % 2 ? ['wholesale', 'priority'] : ['retail'],
      addresses: [
        { type: 'billing', line1: `${i} Main St`, line2: '', city: 'Gothenburg', zip: '41101', country: 'SE' },
        { type: 'shipping', line1: `${i} Dock Rd`, line2: 'Gate 4', city: 'Malmö', zip: '21120', country: 'SE' },
      ],
      contacts: [
        { role: 'primary', name: `Eva ${i}`, phone: '+46 31 123 45 6' + i, email: `eva${i}@example.se` },
        { role: 'billing', name: `Olle ${i}`, phone: null, email: `ap${i}@example.se` },
      ],
    })),
  };
}

/** A carrier's tracking webhook with scan events. */
export function shipmentEvents(): Record<string, unknown> {
  return {
    shipments: Array.from({ length: 6 }, (_, i) => ({
      trackingNumber: `1Z999AA1012345678${i}`,
      orderRef: `000100${230 + i}`,
      carrier: pick(['UPS', 'DHL', 'PostNord'], i),
      weightKg: 1.5 + i * 0.75,
      events: Array.from({ length: 4 }, (_, k) => ({
        code: pick(['PU', 'IT', 'OD', 'DL'], k),
        at: `2026-11-2${i % 9}T${String(8 + k * 3).padStart(2, '0')}:15:00Z`,
        location: pick(['Louisville', 'Cologne', 'Copenhagen', 'Malmö'], k + i),
      })),
    })),
  };
}
