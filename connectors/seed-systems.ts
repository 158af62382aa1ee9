/**
 * The seed specs' systems (specs/), as local emulators: the Magento store, the FinancialForce org, the sales
 * Salesforce org, Infor M3 and the BNG web shop (the generic JSON emulator). Their URLs and credentials go into the
 * environment the seed connections reference (`${env:…}`), with the engine settings that allow exactly those
 * variables and those hosts.
 * The demo and the end-to-end tests run the seed specs against these.
 */
import { startHttpEmulator } from './http/emulator/index.js';
import type { HttpEmulator } from './http/emulator/index.js';
import { M3_EMULATOR_USER, startM3Emulator } from './infor_m3/emulator/index.js';
import type { M3Emulator } from './infor_m3/emulator/index.js';
import { MAGENTO_EMULATOR_INTEGRATION, startMagentoEmulator } from './magento/emulator/index.js';
import type { MagentoEmulator } from './magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from './salesforce/emulator/index.js';
import type { SalesforceEmulator } from './salesforce/emulator/index.js';

export const HOOK_SECRETS = {
  magento: 'demo-magento-hook-secret',
  ff: 'demo-ff-hook-secret',
  app: 'demo-app-hook-secret',
  bng: 'demo-bng-hook-secret',
};

/** The bearer token the BNG shop emulator accepts. */
export const BNG_TOKEN = 'demo-bng-token';

export interface SeedSystems {
  magento: MagentoEmulator;
  ff: SalesforceEmulator;
  salesforce: SalesforceEmulator;
  m3: M3Emulator;
  bng: HttpEmulator;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startSeedSystems(): Promise<SeedSystems> {
  const [magento, ff, salesforce, m3, bng] = await Promise.all([
    // As Adobe Commerce 2.4.4+ ships: the integration's access token is no bearer token, requests are signed.
    startMagentoEmulator({ bearerIntegrationTokens: false }),
    // The FF org publishes its changes over the Pub/Sub API (Change Data Capture), as Salesforce does.
    // Its admin composed a custom channel of the catalogue's objects (PlatformEventChannel and its members).
    startSalesforceEmulator({ pubsub: true, channels: { '/data/Catalog__chn': ['Product2', 'PricebookEntry'] } }),
    startSalesforceEmulator(),
    startM3Emulator(),
    startHttpEmulator({ token: BNG_TOKEN }),
  ]);
  const systems = [magento, ff, salesforce, m3, bng];
  const seeds: Record<string, string> = {
    MAGENTO_URL: magento.url,
    MAGENTO_CONSUMER_KEY: MAGENTO_EMULATOR_INTEGRATION.consumerKey,
    MAGENTO_CONSUMER_SECRET: MAGENTO_EMULATOR_INTEGRATION.consumerSecret,
    MAGENTO_ACCESS_TOKEN: MAGENTO_EMULATOR_INTEGRATION.accessToken,
    MAGENTO_ACCESS_TOKEN_SECRET: MAGENTO_EMULATOR_INTEGRATION.accessTokenSecret,
    MAGENTO_HOOK_SECRET: HOOK_SECRETS.magento,
    FF_URL: ff.url,
    FF_CLIENT_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
    FF_CLIENT_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
    FF_HOOK_SECRET: HOOK_SECRETS.ff,
    FF_PUBSUB_URL: ff.pubsubUrl!,
    SALESFORCE_URL: salesforce.url,
    SALESFORCE_CLIENT_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
    SALESFORCE_CLIENT_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
    SERVICE_APP_HOOK_SECRET: HOOK_SECRETS.app,
    M3_URL: m3.url,
    M3_USER: M3_EMULATOR_USER.username,
    M3_PASSWORD: M3_EMULATOR_USER.password,
    BNG_URL: bng.url,
    BNG_TOKEN,
    BNG_HOOK_SECRET: HOOK_SECRETS.bng,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...seeds,
    // What an operator configures for the engine: the variables the seed specs may read, and the emulators on
    // loopback as the only private hosts their connections may reach.
    JUNCTION_ALLOWED_SECRETS: 'MAGENTO_*,FF_*,SALESFORCE_*,SERVICE_APP_*,BNG_*,M3_*',
    JUNCTION_ALLOWED_PRIVATE_HOSTS: [...systems.map((e) => e.url), ff.pubsubUrl!].map((u) => new URL(u).host).join(','),
  };
  return {
    magento,
    ff,
    salesforce,
    m3,
    bng,
    env,
    stop: async () => void (await Promise.all(systems.map((e) => e.stop()))),
  };
}
