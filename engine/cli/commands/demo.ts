/** `junction demo`: the whole loop on this machine (embedded nats-server, vendor emulators, a local spec repo). */
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run the demo: emulated Magento, FinancialForce, Salesforce, Infor M3 and BNG, live traffic, an outage, a hot-swapped commit and a replay',
    )
    .option('--for <seconds>', 'stop after this many seconds and print a JSON summary (default: until Ctrl-C)')
    .option(
      '--port <port>',
      'webhook port of the engine; its dashboard is on the next port (a busy port falls back to a free one)',
      '8080',
    )
    .action(async (opts: { for?: string; port: string }) => {
      const durationS = opts.for === undefined ? undefined : Number(opts.for);
      if (durationS !== undefined && !(durationS > 0))
        throw new UsageError(`--for must be a number of seconds, got ${JSON.stringify(opts.for)}`);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be a port number, got ${JSON.stringify(opts.port)}`);
      // Listening before the demo's modules load: a Ctrl-C in its first seconds stops what has started and says so.
      const interrupt = new AbortController();
      const onSignal = (name: NodeJS.Signals) => interrupt.abort(name);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const { runDemo } = await import('../demo/run-demo.js');
      const { WaitTimeout } = await import('../wait-until.js');
      const { BrokerGaveUp } = await import('../broker-patience.js');
      process.exitCode = await runDemo({ durationS, port, signal: interrupt.signal }).catch((error: unknown) => {
        if (error instanceof BrokerGaveUp) {
          process.stderr.write(`junction demo: ${error.message} Nothing of the demo is left running.\n`);
          return 1;
        }
        if (!(error instanceof WaitTimeout)) throw error;
        process.stderr.write(
          `junction demo: ${error.message}. On a busy machine (other processes using every core) the engine starts ` +
            'slowly: try again when it is quieter. Nothing of the demo is left running.\n',
        );
        return 1;
      });
    });
}
