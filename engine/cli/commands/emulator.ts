/** `junction emulator <connector> --port 8081`: runs a vendor emulator that a person can curl, until Ctrl-C. */
import type { Command } from 'commander';
import { createConnectorRegistry } from '../../../connectors/index.js';
import { UsageError } from '../usage-error.js';

const CREDENTIALS: Record<string, string> = {
  magento: 'auth: Authorization: Bearer magento-emulator-token',
  salesforce: 'auth: POST /services/oauth2/token with grant_type=client_credentials, client_id=junction-emulator-client, client_secret=junction-emulator-secret',
  infor_m3: 'auth: basic M3SRVADM / m3-emulator-password',
  http: 'auth: none',
};

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('run a vendor API emulator on loopback (magento, salesforce, infor_m3, http)')
    .argument('<connector>', 'connector id')
    .option('--port <port>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (id: string, opts: { port: string; host: string }) => {
      const connector = createConnectorRegistry().get(id);
      if (!connector?.startEmulator) throw new UsageError(`no emulator for ${JSON.stringify(id)}; choose one of ${Object.keys(CREDENTIALS).join(', ')}`);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not ${JSON.stringify(opts.port)}`);
      const emulator = await connector.startEmulator({ port, host: opts.host });
      process.stdout.write(`${id} emulator listening on ${emulator.url}\n${CREDENTIALS[id]}\ncontrols: GET ${emulator.url}/__emulator/requests | /__emulator/state, POST /__emulator/faults {"status":503,"times":2}, POST /__emulator/reset\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulator.stop();
    });
}
