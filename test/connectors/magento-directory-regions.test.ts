/**
 * The region lists of Magento_Directory's InitializeDirectoryData patch beyond North America and the DACH countries
 * (ES, FR, RO, FI, EE, LV, LT, BR), with the ids a 2.4 store gives them (130-511, in the patch's order), against the
 * emulator through the real client: the directory answers them, a customer address takes one of its country's region
 * ids (saved with the directory's code and name) and is refused another country's, and the countries whose state
 * Magento's installer requires are those with regions except FR, DE, AT, FI, BE. Sources: docs/connectors.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { stateRequired } from '../../connectors/magento/emulator/directory.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import { connectionTo, emulatorSecurity, registry } from './connector-fixtures.js';
import { magento } from './fixtures/index.js';

let emulator: MagentoEmulator | undefined;
let client: ConnectionClient | undefined;
afterEach(async () => {
  await client?.close();
  await emulator?.stop();
  emulator = client = undefined;
});

async function start(): Promise<ConnectionClient> {
  emulator = await startMagentoEmulator();
  client = createConnectionClient({
    connection: connectionTo(magento, emulator.url),
    connector: registry.get('magento')!,
    env: magento.env,
    security: emulatorSecurity(emulator.url),
  });
  return client;
}

interface Region {
  id: string;
  code: string;
  name: string;
}
const regionsOf = async (c: ConnectionClient, countryId: string): Promise<Region[]> =>
  ((await c.call('directory.country', { params: {}, body: { countryId } })).result as { available_regions?: Region[] })
    .available_regions ?? [];

const madrid = {
  firstname: 'Ada',
  lastname: 'Lovelace',
  street: ['Calle de Alcalá 1'],
  city: 'Madrid',
  postcode: '28014',
  country_id: 'ES',
  telephone: '+34 910 000 000',
};
const customer = { email: 'ada@example.es', firstname: 'Ada', lastname: 'Lovelace', website_id: 1 };

describe('magento directory: the region lists of InitializeDirectoryData', () => {
  it('answers each country with its regions and their ids, in the patch order that gives them', async () => {
    const c = await start();
    const lists = Object.fromEntries(
      await Promise.all(
        ['ES', 'FR', 'RO', 'FI', 'EE', 'LV', 'LT', 'BR'].map(async (country) => [country, await regionsOf(c, country)]),
      ),
    ) as Record<string, Region[]>;
    const span = (country: string) => [lists[country][0].id, lists[country].at(-1)!.id, lists[country].length];
    expect(Object.keys(lists).map(span)).toEqual([
      ['130', '181', 52],
      ['182', '277', 96],
      ['278', '319', 42],
      ['320', '339', 20],
      ['340', '354', 15],
      ['355', '474', 120],
      ['475', '484', 10],
      ['485', '511', 27],
    ]);
    // Codes as the patch inserts them: Spain's are the province names (A Coruña's with a Cyrillic "с"), France's the
    // department numbers without a leading zero (Corsica 2A and 2B), Estonia's and Lithuania's ISO 3166-2.
    expect(lists.ES[0]).toEqual({ id: '130', code: 'A Coru\u0441a', name: 'A Coruña' });
    expect(lists.ES[31]).toEqual({ id: '161', code: 'Madrid', name: 'Madrid' });
    expect(lists.FR.slice(18, 21)).toEqual([
      { id: '200', code: '19', name: 'Corrèze' },
      { id: '201', code: '2A', name: 'Corse-du-Sud' },
      { id: '202', code: '2B', name: 'Haute-Corse' },
    ]);
    expect(lists.FR.find((r) => r.name === 'Paris')).toEqual({ id: '257', code: '75', name: 'Paris' });
    expect(lists.RO.find((r) => r.code === 'B')).toEqual({ id: '287', code: 'B', name: 'Bucureşti' });
    expect(lists.EE[0]).toEqual({ id: '340', code: 'EE-37', name: 'Harjumaa' });
    expect(lists.LV.find((r) => r.name === 'Rīga')).toEqual({ id: '362', code: 'LV-RIX', name: 'Rīga' });
    expect(lists.LT.at(-1)).toEqual({ id: '484', code: 'LT-VL', name: 'Vilniaus Apskritis' });
    expect(lists.BR.find((r) => r.code === 'SP')).toEqual({ id: '508', code: 'SP', name: 'São Paulo' });
  });

  it("saves a Spanish address with one of Spain's region ids as the directory's region, and refuses Brazil's", async () => {
    const c = await start();
    // São Paulo (508) is Brazil's: a Spanish address cannot take it, and the whole save is refused.
    await expect(
      c.call('customers.create', {
        params: {},
        body: { ...customer, addresses: [{ ...madrid, region: { region: 'São Paulo', region_id: 508 } }] },
      }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message: 'Invalid value of "508" provided for the regionId field.',
    });
    expect([...emulator!.state.customers.values()].filter((x) => x.email === customer.email)).toEqual([]);
    const created = (
      await c.call('customers.create', {
        params: {},
        body: { ...customer, addresses: [{ ...madrid, region: { region: 'madrid', region_id: 161 } }] },
      })
    ).result as { id: number };
    const read = (await c.call('customers.get', { params: {}, body: { id: created.id } })).result as {
      addresses: { region: unknown }[];
    };
    expect(read.addresses.map((a) => a.region)).toEqual([{ region: 'Madrid', region_code: 'Madrid', region_id: 161 }]);
  });

  it('requires a state for ES, RO, EE, LV, LT and BR, not for FR and FI (countriesWithNotRequiredStates)', () => {
    expect(['ES', 'RO', 'EE', 'LV', 'LT', 'BR', 'FR', 'FI', 'GB'].filter(stateRequired)).toEqual([
      'ES',
      'RO',
      'EE',
      'LV',
      'LT',
      'BR',
    ]);
  });
});
