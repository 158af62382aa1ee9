/**
 * M3 owns a customer's credit limits and tax status (specs/bng-m3/README.md): no seed integration may write them to
 * M3, and the ownership filter of the one that writes M3 customers (bng-customers-to-m3) drops them if its body ever
 * carried them. Checked on the seed specs as compiled.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { filterOwnedFields } from '../../engine/execute/ownership-filter.js';

const SPECS = fileURLToPath(new URL('../../specs', import.meta.url));
/** CRS610MI's credit and tax fields: the three credit limits, days overdue, VAT code, tax applicable, VAT number. */
const M3_CREDIT_AND_TAX = ['CRLM', 'CRL2', 'CRL3', 'ODUD', 'VTCD', 'TXAP', 'VRNO'];

it("no seed integration owns or writes M3's credit and tax fields of a customer; the filter drops them", async () => {
  const specSet = await compiledSpecSet(createWiring({ env: {} }), SPECS);
  const customerWrites = [...specSet.integrations.values()].flatMap((integration) =>
    integration.steps
      .filter((s) => s.connection === 'm3' && s.object === 'customer' && s.ownedFields)
      .map((step) => ({ integration: integration.name, step })),
  );
  expect(customerWrites.map((w) => `${w.integration}/${w.step.id}`)).toEqual([
    'bng-customers-to-m3/add',
    'bng-customers-to-m3/change',
  ]);
  for (const { step } of customerWrites) {
    expect(step.ownedFields!.filter((f) => M3_CREDIT_AND_TAX.includes(f))).toEqual([]);
    // A body that carried BNG's values would reach M3 without them.
    const body = { CUNO: 'B00000601', CUNM: 'Grace Hopper', CRLM: '99999', VTCD: '0', TXAP: '1', VRNO: 'US-1' };
    expect(filterOwnedFields(body, step.ownedFields!, step.identityFields)).toEqual({
      CUNO: 'B00000601',
      CUNM: 'Grace Hopper',
    });
  }
});
