/**
 * `junction run [dir]`: runs the engine (HTTP ingest, workers, pollers) on a spec directory until SIGTERM/SIGINT,
 * then drains. With no NATS URL it embeds a private nats-server storing in `.junction/nats`.
 */
import type { Command } from 'commander';
import { startEngine } from '../../runtime/engine.js';
import { NatsServerNotFoundError } from '../../runtime/nats-server-process.js';
import { createRuntimeLogger } from '../../runtime/runtime-logger.js';
import { parseDuration } from '../../spec/duration.js';
import { UsageError } from '../usage-error.js';

interface RunOptions {
  port: string;
  host: string;
  nats?: string;
  partitions?: string;
  ackWait?: string;
  drainTimeout?: string;
  replicas?: string;
  logLevel: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the engine: webhook ingest, workers and pollers over NATS JetStream')
    .argument('[dir]', 'spec directory', 'specs')
    .option('--port <port>', 'HTTP port for webhooks, /metrics and the API', '8080')
    .option('--host <host>', 'HTTP listen address', '0.0.0.0')
    .option('--nats <url>', 'NATS server URL(s), comma-separated (default: $JUNCTION_NATS_URL, else an embedded nats-server)')
    .option('--partitions <n>', 'partitions per integration (ordered consumers; the first engine on a cluster decides)')
    .option('--ack-wait <duration>', 'consumer ack wait, e.g. 30s')
    .option('--drain-timeout <duration>', 'how long a stop waits for in-flight events, e.g. 10s')
    .option('--replicas <n>', 'stream and KV replicas (3 on a cluster)')
    .option('--log-level <level>', 'pino log level', process.env.JUNCTION_LOG_LEVEL ?? 'info')
    .action(async (dir: string, opts: RunOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(opts.port)}`);
      const logger = createRuntimeLogger(opts.logLevel);
      const tuning = {
        ...(opts.partitions ? { partitions: Number(opts.partitions) } : {}),
        ...(opts.ackWait ? { ackWaitMs: durationOption('--ack-wait', opts.ackWait) } : {}),
        ...(opts.drainTimeout ? { drainTimeoutMs: durationOption('--drain-timeout', opts.drainTimeout) } : {}),
        ...(opts.replicas ? { replicas: Number(opts.replicas) } : {}),
      };
      let engine;
      try {
        engine = await startEngine({ specDir: dir, natsUrl: opts.nats ?? process.env.JUNCTION_NATS_URL, port, host: opts.host, tuning, logger });
      } catch (error) {
        if (error instanceof NatsServerNotFoundError) {
          process.stderr.write(`junction: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      process.stderr.write(`junction: engine running at ${engine.url} (NATS ${engine.natsUrl}, commit ${engine.specSet.commit}); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: draining in-flight events');
          // A second signal, or a drain that hangs, ends the process anyway: the broker redelivers what was in flight.
          const hard = setTimeout(() => process.exit(1), (tuning.drainTimeoutMs ?? 10_000) + 5_000);
          hard.unref();
          void engine.stop().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      process.exitCode = 0;
    });
}

function durationOption(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new UsageError(`${flag} must be a duration like 500ms, 30s or 2m, got ${JSON.stringify(value)}`);
  }
}
