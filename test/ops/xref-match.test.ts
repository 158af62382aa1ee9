/**
 * `junction xref match customer` on the seed specs against the Magento and FinancialForce emulators and a real
 * nats-server: existing customers and accounts with the same e-mail are linked; keys shared on either side, records
 * without a partner or a key, a different stored link and a target already linked elsewhere are reported and left
 * alone; --dry-run writes nothing; JSON has the whole report; the change is audited; and the customer sync then
 * updates the matched account instead of creating a second one.
 */
import { afterEach, expect, it } from 'vitest';
import { canonicalId } from '../../connectors/salesforce/emulator/record-ids.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { auditTrail, junction } from './cli-in-process.js';
import { startSeedEngine } from './seed-engine.js';
import type { SeedEngine } from './seed-engine.js';

let world: SeedEngine | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const CUSTOMERS = 'magento-customers-to-ff-accounts';

/** Existing Magento customers (id -> e-mail) and FF accounts (15-character id -> e-mail, no Magento id). */
function seed(w: SeedEngine, customers: Record<number, string | undefined>, accounts: Record<string, string | null>) {
  w.stubEnv();
  let second = 0;
  for (const [id, email] of Object.entries(customers))
    w.systems.magento.state.customers.set(Number(id), {
      id: Number(id),
      ...(email === undefined ? {} : { email }),
      firstname: 'C',
      lastname: id,
      group_id: 1,
      website_id: 1,
      addresses: [],
      updated_at: `2026-10-01 00:00:${String(second++).padStart(2, '0')}`,
    });
  for (const [id, email] of Object.entries(accounts))
    w.systems.ff.store.insert('Account', { Id: id, Name: `Account ${id}`, Email__c: email }, { seed: true });
}

const ID = (n: number) => `001000000000${n}`;
const LONG = (n: number) => canonicalId(ID(n))!;

it('links customers to accounts by e-mail, reports what it cannot link without guessing, and audits it', async () => {
  world = await startSeedEngine();
  seed(
    world,
    {
      42: 'ada@example.com', // the seed account (it already has Magento id 42) has this e-mail
      101: 'Bo@Example.com ', // case and blanks do not matter
      102: 'cy@example.com', // two accounts have it
      103: 'dup@example.com', // two customers have it
      104: 'dup@example.com',
      105: 'new@example.com', // no account yet: the backfill creates it
      106: 'ed@example.com', // already linked to another account
      107: 'fay.old@example.com', // linked to the account that now has fay@
      108: 'fay@example.com',
      109: undefined, // no e-mail
    },
    {
      [ID(901)]: 'bo@example.com',
      [ID(902)]: 'cy@example.com',
      [ID(903)]: 'CY@example.com',
      [ID(904)]: 'dup@example.com',
      [ID(905)]: 'orphan@example.com',
      [ID(906)]: 'ed@example.com',
      [ID(907)]: 'fay@example.com',
      [ID(908)]: null,
    },
  );
  const nats = ['--nats', world.nats.url];
  expect((await junction('xref', 'set', 'customer', '106', ID(999), ...nats)).code).toBe(0);
  expect((await junction('xref', 'set', 'customer', '107', LONG(907), ...nats)).code).toBe(0);
  const ada = world.systems.ff.records('Account').find((a) => a.Magento_Customer_Id__c === '42')!.Id as string;

  const expected = [
    '           source id  target id                              key',
    `linked     42         ${ada}                     ada@example.com`,
    `linked     101        ${LONG(901)}                     bo@example.com`,
    `conflict   106        ${LONG(906)}                     ed@example.com: stored ${ID(999)} (--overwrite replaces it)`,
    `taken      108        ${LONG(907)}                     fay@example.com: target already linked from 107`,
    `ambiguous  102        ${LONG(902)},${LONG(903)}  cy@example.com: 1 source and 2 target records`,
    `ambiguous  103,104    ${LONG(904)}                     dup@example.com: 2 source and 1 target records`,
    'no target  105                                               new@example.com',
    'no target  107                                               fay.old@example.com',
    `no source             ${LONG(905)}                     orphan@example.com`,
    'no key     109',
    `no key                ${LONG(908)}`,
  ];
  const dry = await junction('xref', 'match', 'customer', world.dir, '--dry-run', ...nats);
  expect(dry.stdout.split('\n')).toEqual([
    ...expected,
    `dry run, nothing written: xref match customer (${CUSTOMERS}): 10 source and 9 target records; would link 2 (0 already linked, 1 conflicts, 1 taken); not linked: 2 ambiguous keys, 2 without a target, 1 without a source, 2 without a key`,
    '',
  ]);
  expect(dry.code).toBe(1);
  expect((await junction('xref', 'list', 'customer', ...nats)).stdout).toBe(
    `customer  106  ${ID(999)}\ncustomer  107  ${LONG(907)}\n`,
  );

  const run = await junction('xref', 'match', 'customer', world.dir, '--reason', 'go-live', ...nats);
  expect(run.stdout.split('\n')).toEqual([
    ...expected,
    `xref match customer (${CUSTOMERS}): 10 source and 9 target records; linked 2 (0 already linked, 1 conflicts, 1 taken); not linked: 2 ambiguous keys, 2 without a target, 1 without a source, 2 without a key`,
    '',
  ]);
  expect(run.code).toBe(1);
  expect((await junction('xref', 'list', 'customer', ...nats)).stdout).toBe(
    [
      `customer  42   ${ada}`,
      `customer  101  ${LONG(901)}`,
      `customer  106  ${ID(999)}`,
      `customer  107  ${LONG(907)}`,
      '',
    ].join('\n'),
  );
  const json = JSON.parse(
    (await junction('xref', 'match', 'customer', world.dir, '--format', 'json', '--overwrite', ...nats)).stdout,
  );
  expect(json).toMatchObject({
    dryRun: false,
    map: 'customer',
    integration: CUSTOMERS,
    sourceListed: 10,
    targetListed: 9,
    ambiguous: [
      { key: 'cy@example.com', sourceIds: ['102'], targetIds: [LONG(902), LONG(903)] },
      { key: 'dup@example.com', sourceIds: ['103', '104'], targetIds: [LONG(904)] },
    ],
    missingTarget: [
      { key: 'new@example.com', sourceId: '105' },
      { key: 'fay.old@example.com', sourceId: '107' },
    ],
    missingSource: [{ key: 'orphan@example.com', targetId: LONG(905) }],
    noKey: [
      { side: 'source', id: '109' },
      { side: 'target', id: LONG(908) },
    ],
    targetTaken: [{ map: 'customer', sourceId: '108', targetId: LONG(907), key: 'fay@example.com', linkedFrom: '107' }],
    write: {
      created: [],
      changed: [{ map: 'customer', sourceId: '106', targetId: LONG(906), previous: ID(999) }],
      unchanged: [
        { map: 'customer', sourceId: '42', targetId: ada },
        { map: 'customer', sourceId: '101', targetId: LONG(901) },
      ],
      conflicts: [],
    },
  });

  const audit = (await auditTrail(world.nats.url)).filter((e) => e.action === 'xref.match');
  expect(audit).toEqual([
    {
      action: 'xref.match',
      actor: { kind: 'cli', id: expect.any(String) },
      target: 'customer',
      reason: 'go-live',
      result: 'ok',
      detail: {
        integration: CUSTOMERS,
        ambiguous: 2,
        missingTarget: 2,
        missingSource: 1,
        noKey: 2,
        taken: 1,
        created: 2,
        changed: 0,
        unchanged: 0,
        conflicts: 1,
        links: [
          ['42', ada],
          ['101', LONG(901)],
        ],
      },
    },
    expect.objectContaining({ detail: expect.objectContaining({ changed: 1, unchanged: 2, conflicts: 0 }) }),
  ]);

  // The matched account is the customer's from now on: the customer's next change updates it, creating none.
  const accounts = world.systems.ff.records('Account').length;
  expect(
    await world.post(CUSTOMERS, {
      ...world.systems.magento.state.customers.get(101),
      updated_at: '2026-10-02 00:00:00',
    }),
  ).toBe(202);
  await waitFor(
    () => world!.systems.ff.records('Account').find((a) => a.Id === LONG(901))?.Name === 'C 101',
    'the matched account updated',
  );
  await expectDrained(world.nats.url);
  expect(world.systems.ff.records('Account')).toHaveLength(accounts);
  expect(world.systems.ff.records('Account').find((a) => a.Id === LONG(901))).toMatchObject({
    Email__c: 'Bo@Example.com ',
  });
});

it('says why a map cannot be matched', async () => {
  world = await startSeedEngine({ workers: false });
  // The engine's secret allowlist, which match takes as run does.
  world.stubEnv();
  const nats = ['--nats', world.nats.url];
  expect(await junction('xref', 'match', 'invoice', world.dir, ...nats)).toMatchObject({
    code: 2,
    stderr: `junction: magento-orders-to-ff-invoices step invoice writes invoice but says nothing about matching: add xref.match (a source_key and a target listing with its key and id) (in ${world.dir})\n`,
  });
  expect(await junction('xref', 'match', 'nope', world.dir, ...nats)).toMatchObject({
    code: 2,
    stderr: `junction: no step writes the cross-reference map "nope" (in ${world.dir})\n`,
  });
});
