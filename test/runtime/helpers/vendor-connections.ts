/**
 * The vendor connections the vendor-engine tests write (as `connections/<name>.yaml`), and the environment that
 * points each at its emulator.
 */
import { MAGENTO_EMULATOR_TOKEN } from '../../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT } from '../../../connectors/salesforce/emulator/index.js';

/** Connection `magento`, to MAGENTO_URL with the integration token MAGENTO_TOKEN. */
export const MAGENTO_CONNECTION = `apiVersion: junction/v1
kind: Connection
name: magento
type: magento
base_url: \${env:MAGENTO_URL}
auth:
  type: magento_token
  token: \${env:MAGENTO_TOKEN}
`;

/** The environment of MAGENTO_CONNECTION for the Magento emulator at `url`. */
export const magentoEnv = (magento: { url: string }) => ({
  MAGENTO_URL: magento.url,
  MAGENTO_TOKEN: MAGENTO_EMULATOR_TOKEN,
});

/**
 * Connection `sf`, to SF_URL with the client credentials SF_ID and SF_SECRET; with `pubsub`, the Pub/Sub API at
 * SF_PUBSUB_URL too (Change Data Capture), and `silence`, its `pubsub_keepalive_timeout` (seconds).
 */
export const salesforceConnection = (options: { pubsub?: boolean; silence?: number } = {}) => `apiVersion: junction/v1
kind: Connection
name: sf
type: salesforce
base_url: \${env:SF_URL}
auth:
  type: oauth2_client_credentials
  token_url: /services/oauth2/token
  client_id: \${env:SF_ID}
  client_secret: \${env:SF_SECRET}
${options.pubsub ? 'options:\n  pubsub_url: ${env:SF_PUBSUB_URL}\n' : ''}${
  options.silence ? `  pubsub_keepalive_timeout: ${options.silence}\n` : ''
}`;

/** The environment of salesforceConnection for the Salesforce emulator at `url` (and its Pub/Sub API, if started). */
export const salesforceEnv = (sf: { url: string; pubsubUrl?: string }) => ({
  SF_URL: sf.url,
  SF_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
  SF_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
  ...(sf.pubsubUrl ? { SF_PUBSUB_URL: sf.pubsubUrl } : {}),
});
