/** A Magento emulator with a real client for it, for the tests of one Magento API each. */
import { afterEach } from 'vitest';
import { startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import { connectionTo, emulatorSecurity, registry } from './connector-fixtures.js';
import { magento } from './fixtures/index.js';

/** The emulator, a call of an operation that answers its result, and a stop for both. */
export interface MagentoUnderTest {
  m: MagentoEmulator;
  call(operation: string, body: object): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts a fresh emulator and a client of the seed's Magento connection to it. */
async function startMagentoUnderTest(): Promise<MagentoUnderTest> {
  const m = await startMagentoEmulator();
  const client = createConnectionClient({
    connection: connectionTo(magento, m.url),
    connector: registry.get('magento')!,
    env: magento.env,
    security: emulatorSecurity(m.url),
  });
  return {
    m,
    call: async (operation, body) => (await client.call(operation, { params: {}, body })).result,
    stop: async () => {
      await client.close();
      await m.stop();
    },
  };
}

/**
 * For a test file (vitest's afterEach): a start of a fresh emulator and client for the test running, stopped when
 * that test ends.
 */
export function magentoPerTest(): () => Promise<MagentoUnderTest> {
  let started: MagentoUnderTest | undefined;
  afterEach(async () => {
    await started?.stop();
    started = undefined;
  });
  return async () => (started = await startMagentoUnderTest());
}
