/** `junction emulator <connector> --port 8081`: runs a vendor emulator that a person can curl, until Ctrl-C. */
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

/** How to authenticate against each emulator, and one request to try first. `{url}` is the emulator's URL. */
const GUIDE: Record<string, string[]> = {
  magento: [
    'auth: Authorization: Bearer magento-emulator-token',
    "try:  curl -s -H 'Authorization: Bearer magento-emulator-token' {url}/rest/default/V1/products/MUG-1",
  ],
  salesforce: [
    'auth: OAuth2 client credentials at POST {url}/services/oauth2/token',
    '      client_id=junction-emulator-client client_secret=junction-emulator-secret (tokens last 2 h)',
    'try:  curl -s -X POST {url}/services/oauth2/token -d grant_type=client_credentials -d client_id=junction-emulator-client -d client_secret=junction-emulator-secret',
  ],
  infor_m3: [
    'auth: basic M3SRVADM / m3-emulator-password, or OAuth2 at POST {url}/as/token.oauth2 (ION API):',
    '      client_id=m3-emulator-client client_secret=m3-emulator-secret, with grant_type=password',
    '      username=EMULATOR_TST#service-account-key password=m3-sask (the .ionapi saak/sask), or client_credentials',
    'try:  curl -s -u M3SRVADM:m3-emulator-password "{url}/m3api-rest/v2/execute/CRS610MI/GetBasicData?CONO=100&CUNO=10042"',
  ],
  http: [
    'auth: none',
    'try:  curl -s -X POST -H \'content-type: application/json\' -d \'{"id":"B-1","total":12}\' {url}/orders',
  ],
};

/** Registers `junction emulator`. */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('run a vendor API emulator on loopback (magento, salesforce, infor_m3, http)')
    .argument('<connector>', 'connector id')
    .option('--port <port>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (id: string, opts: { port: string; host: string }) => {
      const { createWiring } = await import('../wiring.js');
      const connector = createWiring().connectors.get(id);
      if (!connector?.startEmulator)
        throw new UsageError(`no emulator for ${JSON.stringify(id)}; choose one of ${Object.keys(GUIDE).join(', ')}`);
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535)
        throw new UsageError(`--port must be a port number, not ${JSON.stringify(opts.port)}`);
      const emulator = await connector.startEmulator({ port, host: opts.host });
      const url = emulator.url;
      const lines = [
        `${id} emulator listening on ${url}`,
        ...(GUIDE[id] ?? []),
        `controls: GET ${url}/__emulator/requests | ${url}/__emulator/state`,
        `          POST ${url}/__emulator/faults {"status":503,"times":2} | {"delayMs":500} | {"stall":true} | {"dropAfterCommit":true}`,
        `          POST ${url}/__emulator/rate-limit {"per_second":5} | POST ${url}/__emulator/reset`,
        'Ctrl-C stops it.',
      ];
      process.stdout.write(lines.map((l) => l.replaceAll('{url}', url)).join('\n') + '\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulator.stop();
    });
}
