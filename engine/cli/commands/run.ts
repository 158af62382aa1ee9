/**
 * `junction run [dir]`: runs the engine (HTTP ingest, workers, pollers) on a spec directory until SIGTERM/SIGINT,
 * then drains. With no NATS URL it embeds a private nats-server storing in `.junction/nats`.
 */
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Engine } from '../../runtime/engine.js';
import { OPERATOR_AUTH_MODES, OperatorConfigError } from '../../runtime/operator/operator-options.js';
import type { OperatorAuthMode } from '../../runtime/operator/operator-options.js';
import { parseDuration } from '../../compiler/duration.js';
import { DEFAULT_TUNING } from '../../runtime/runtime-options.js';
import { advancedOption } from '../help-levels.js';
import { UsageError } from '../usage-error.js';
import { countOption } from '../count-option.js';
import type { CheckRow } from '../../ops/check/run-checks.js';
import { formatCheckRows } from '../formats/check-report.js';
import type { Wiring } from '../wiring.js';
import { addSecurityOptions, engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';
import { WORKER_READY, runCluster } from './run-cluster.js';
import { useEngineV8Flags } from '../engine-v8-flags.js';
import { tokenRepoProblem } from '../../gitops/git-token.js';

interface RunOptions extends SecurityFlags {
  port: string;
  host: string;
  operatorPort: string;
  operatorHost: string;
  operatorUrl?: string;
  operatorAllowedHosts?: string;
  insecureOperator?: boolean;
  operatorAuth: OperatorAuthMode;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcOperators?: string;
  oidcViewers?: string;
  nats?: string;
  partitions: string;
  ackWait: string;
  drainTimeout: string;
  replicas: string;
  dlqRetention: string;
  sourceLease: string;
  partitionLease: string;
  eventsMaxBytes: string;
  keepAlive: string;
  headersTimeout: string;
  requestTimeout: string;
  pollPages: string;
  logLevel: string;
  repo?: string;
  branch: string;
  path: string;
  poll: string;
  pin?: string;
  workers: string;
  env?: string;
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description('run the engine: webhook ingest, workers and pollers over NATS JetStream')
    .argument('[dir]', 'spec directory (ignored with --repo, which reads --path inside the repository)', 'specs')
    .option('--env <name>', "run with this environment's values (environments/<name>.yaml, kind Environment)")
    .option('--port <port>', 'public HTTP port: webhooks (/hooks/*), /healthz and /readyz only', '8080')
    .option('--host <host>', 'public listen address', '0.0.0.0')
    .option('--operator-port <port>', 'operator HTTP port: the dashboard, /api/* and /metrics', '8081')
    .option('--operator-host <host>', 'operator listen address; beyond loopback it needs sign-in', '127.0.0.1')
    .option('--operator-url <url>', 'the URL people reach the dashboard at (a TLS proxy, say); its host is allowed')
    .option('--operator-allowed-hosts <names>', 'comma-separated Host names the operator listener answers')
    .addOption(
      new Option('--operator-auth <mode>', 'sign-in on the operator listener: API tokens, OIDC (+ tokens) or none')
        .choices([...OPERATOR_AUTH_MODES])
        .default('none'),
    )
    .option('--oidc-issuer <url>', 'OIDC issuer for --operator-auth oidc (client secret: $JUNCTION_OIDC_CLIENT_SECRET)')
    .option('--oidc-client-id <id>', 'the OIDC client id registered for Junction')
    .option(
      '--oidc-operators <rules>',
      'comma-separated: e-mails, @domains, claim=value or * that get the operator role',
    )
    .option('--oidc-viewers <rules>', 'the same, for the viewer role')
    .option('--insecure-operator', 'serve the operator surface WITHOUT sign-in beyond loopback (never in production)')
    .option(
      '--nats <url>',
      'NATS server URL(s), comma-separated (default: $JUNCTION_NATS_URL, else an embedded nats-server)',
    )
    .option('--replicas <n>', 'stream and KV replicas (3 on a cluster)', String(DEFAULT_TUNING.replicas))
    .option('--workers <n>', 'engine processes on this machine (node:cluster; one per core uses every core)', '1')
    .addOption(
      advancedOption(
        new Option(
          '--partitions <n>',
          'partitions per integration: its ordered consumers (fixed once a cluster has chosen it)',
        ).default(String(DEFAULT_TUNING.partitions)),
      ),
    )
    .addOption(
      advancedOption(
        new Option('--ack-wait <duration>', 'how long a silent worker keeps an event before redelivery').default(
          `${DEFAULT_TUNING.ackWaitMs / 1000}s`,
        ),
      ),
    )
    .addOption(
      advancedOption(
        new Option('--drain-timeout <duration>', 'how long a stop waits for in-flight events').default(
          `${DEFAULT_TUNING.drainTimeoutMs / 1000}s`,
        ),
      ),
    )
    .option(
      '--dlq-retention <duration>',
      'how long dead letters (customer data) are kept after their last change',
      `${DEFAULT_TUNING.dlqRetentionMs / 86_400_000}d`,
    )
    .option(
      '--events-max-bytes <size>',
      'size limit of the events stream (undelivered events); when full, webhooks get 507 and their senders retry',
      `${DEFAULT_TUNING.eventsMaxBytes / 1024 ** 3}GiB`,
    )
    .addOption(
      advancedOption(
        new Option(
          '--source-lease <duration>',
          'how long one engine leads a stream or poll source without renewing: a dead leader is replaced within it',
        ).default(`${DEFAULT_TUNING.sourceLeaseTtlMs / 1000}s`),
      ),
    )
    .addOption(
      advancedOption(
        new Option(
          '--partition-lease <duration>',
          "how long an engine's claim on its partitions lasts unrenewed: a dead engine's partitions move within it",
        ).default(`${DEFAULT_TUNING.partitionLeaseTtlMs / 1000}s`),
      ),
    )
    .addOption(
      advancedOption(
        new Option(
          '--keep-alive <duration>',
          "how long the HTTP listeners keep an idle connection open: above a load balancer's idle timeout (AWS ALB: 60s)",
        ).default(`${DEFAULT_TUNING.httpKeepAliveMs / 1000}s`),
      ),
    )
    .addOption(
      advancedOption(
        new Option(
          '--headers-timeout <duration>',
          'how long a webhook sender may take to send its headers; past it: 408, connection closed',
        ).default(`${DEFAULT_TUNING.httpHeadersTimeoutMs / 1000}s`),
      ),
    )
    .addOption(
      advancedOption(
        new Option(
          '--request-timeout <duration>',
          'how long a webhook sender may take to send its whole request; past it: 408, nothing stored',
        ).default(`${DEFAULT_TUNING.httpRequestTimeoutMs / 1000}s`),
      ),
    )
    .addOption(
      advancedOption(
        new Option(
          '--poll-pages <n>',
          'pages one schedule poll reads at most; a poll cut short by it goes on at once from where it stopped',
        ).default(String(DEFAULT_TUNING.pollPagesPerRound)),
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default(process.env.JUNCTION_LOG_LEVEL ?? 'info', '$JUNCTION_LOG_LEVEL, else "info"'),
    )
    .option(
      '--repo <url-or-path>',
      'follow a Git repository instead of [dir]: merged commits on --branch hot-swap on every process ' +
        '(an https token in $JUNCTION_GIT_TOKEN, never in the URL)',
    )
    .option('--branch <name>', 'the tracked branch (the approval gate)', 'main')
    .option('--path <dir>', 'spec directory inside the repository', 'specs')
    .addOption(
      advancedOption(
        new Option(
          '--poll <duration>',
          'how often to fetch (a verified push webhook at POST /hooks/git fetches at once)',
        ).default('10s'),
      ),
    )
    .option('--pin <sha>', 'emergency pin: stay on this commit, ignore new ones until restarted without it');
  addSecurityOptions(command).action(async (dir: string, opts: RunOptions) => {
    const port = portOption('--port', opts.port);
    const operatorPort = portOption('--operator-port', opts.operatorPort);
    // GitOps: a pin must be a commit id; checked before anything starts.
    if (opts.pin !== undefined && !(opts.repo && /^[0-9a-f]{7,64}$/.test(opts.pin)))
      throw new UsageError(`--pin needs --repo and a commit id (hex), got ${JSON.stringify(opts.pin)}`);
    if (opts.repo !== undefined) checkRepoCredentials(opts.repo);
    if (opts.repo !== undefined) checkLocalRepo(opts.repo, opts.branch);
    const workers = countOption('--workers', opts.workers);
    const drainTimeoutMs = durationOption('--drain-timeout', opts.drainTimeout);
    if (workers > 1 && cluster.isPrimary) {
      process.exitCode = await runCluster(workers, opts.nats ?? process.env.JUNCTION_NATS_URL, drainTimeoutMs).catch(
        startFailure,
      );
      return;
    }
    useEngineV8Flags();
    // Loaded when the command runs, so `junction --help` does not pay for the runtime.
    const { createRuntimeLogger } = await import('../../runtime/observe/runtime-logger.js');
    const { startEngine } = await import('../../runtime/engine.js');
    const { resolveNatsTarget } = await import('../../runtime/broker/embedded-nats.js');
    const { emptySpecSet } = await import('../../gitops/empty-spec-set.js');
    const { workerMetrics } = await import('../../runtime/observe/worker-metrics.js');
    const { compiledSpecSet, createWiring } = await import('../wiring.js');
    // Secrets and private hosts are the engine's to allow: with no allowlist, specs may reference no secret.
    const security = engineSecurity(process.env, opts, true);
    const logger = createRuntimeLogger(opts.logLevel, undefined, security.secretPolicy!.values(process.env));
    const tuning = {
      partitions: countOption('--partitions', opts.partitions),
      ackWaitMs: durationOption('--ack-wait', opts.ackWait),
      drainTimeoutMs,
      replicas: countOption('--replicas', opts.replicas),
      dlqRetentionMs: durationOption('--dlq-retention', opts.dlqRetention),
      sourceLeaseTtlMs: durationOption('--source-lease', opts.sourceLease),
      partitionLeaseTtlMs: durationOption('--partition-lease', opts.partitionLease),
      eventsMaxBytes: sizeOption('--events-max-bytes', opts.eventsMaxBytes),
      httpKeepAliveMs: durationOption('--keep-alive', opts.keepAlive),
      httpHeadersTimeoutMs: durationOption('--headers-timeout', opts.headersTimeout),
      httpRequestTimeoutMs: durationOption('--request-timeout', opts.requestTimeout),
      pollPagesPerRound: countOption('--poll-pages', opts.pollPages),
    };
    if (tuning.httpHeadersTimeoutMs > tuning.httpRequestTimeoutMs)
      throw new UsageError(
        `--headers-timeout (${opts.headersTimeout}) must not be longer than --request-timeout (${opts.requestTimeout}): ` +
          'the request timeout counts the headers too',
      );
    const wiring = createWiring({ security, environment: opts.env });
    // A named server, or (for a worker of --workers) the primary's embedded one: its credentials come with its URL.
    const namedUrl = opts.nats || process.env.JUNCTION_NATS_URL || undefined;
    const named = namedUrl ? await resolveNatsTarget(namedUrl) : undefined;
    let engine;
    try {
      const specSet = opts.repo ? emptySpecSet() : await compiledSpecSet(wiring, dir);
      engine = await startEngine({
        specSet,
        invoker: wiring.invokerFactory,
        streams: wiring.streamFactory,
        transforms: wiring.transform,
        natsUrl: named?.url,
        natsOptions: named?.options,
        port,
        host: opts.host,
        operator: {
          port: operatorPort,
          host: opts.operatorHost,
          publicUrl: opts.operatorUrl,
          allowedHosts: opts.operatorAllowedHosts?.split(','),
          auth: opts.operatorAuth,
          oidc: opts.oidcIssuer
            ? {
                issuer: opts.oidcIssuer,
                clientId: opts.oidcClientId ?? '',
                clientSecret: process.env.JUNCTION_OIDC_CLIENT_SECRET || undefined,
                operators: list(opts.oidcOperators),
                viewers: list(opts.oidcViewers),
              }
            : undefined,
          insecure: opts.insecureOperator,
        },
        tuning,
        logger,
        connectors: wiring.connectors,
        security,
        // The workers share the operator port: whichever takes a scrape answers with every worker's counts.
        metricsOf: cluster.isWorker ? workerMetrics : undefined,
      });
    } catch (error) {
      process.exitCode = await startFailure(error, { port, operatorPort, natsUrl: named?.url });
      return;
    }
    const started = engine;
    // A bad --branch/--path/--poll, or a pinned commit that does not compile: stop the engine, then report.
    const sync = opts.repo
      ? await followRepo(started, wiring, opts, logger).catch(async (error: unknown) => {
          await started.stop().catch(() => undefined);
          throw error;
        })
      : undefined;
    process.stderr.write(
      `junction: engine running: webhooks at ${engine.url}/hooks/, dashboard at ${engine.operatorUrl}/ ` +
        `(NATS ${engine.natsUrl}, commit ${engine.specSet.commit}); Ctrl-C to stop\n`,
    );
    void engine.checks().then((rows) => process.stderr.write(startupProblems(rows)));
    if (cluster.isWorker) process.send?.(WORKER_READY);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping: draining in-flight events');
        // A second signal, or a drain that hangs, ends the process anyway: the broker redelivers what was in flight.
        const hard = setTimeout(() => process.exit(1), tuning.drainTimeoutMs + 5_000);
        hard.unref();
        void (async () => {
          await sync?.stop();
          await engine.stop();
        })().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.exitCode = 0;
  });
}

/**
 * A start that failed for a reason the operator can fix, said without a stack trace: a usage error (exit 2) for the
 * operator options, a store another `junction run` owns, a port in use, or a NATS URL where no server lets it in;
 * anything else is thrown (main() reports a missing nats-server).
 */
async function startFailure(
  error: unknown,
  where: { port?: number; operatorPort?: number; natsUrl?: string } = {},
): Promise<number> {
  const { StoreInUseError } = await import('../../runtime/broker/store-lock.js');
  const { errors } = await import('@nats-io/transport-node');
  if (error instanceof OperatorConfigError || error instanceof StoreInUseError) throw new UsageError(error.message);
  const listen = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (listen.syscall === 'listen' && (listen.code === 'EADDRINUSE' || listen.code === 'EACCES')) {
    const flag = listen.port === where.port ? '--port' : '--operator-port';
    const why = listen.code === 'EADDRINUSE' ? 'is in use by another process' : 'needs privileges this user lacks';
    throw new UsageError(
      `${flag} ${listen.port}: ${listen.address}:${listen.port} ${why}; ` +
        `${listen.code === 'EADDRINUSE' ? 'stop it, or ' : ''}pass another ${flag}`,
    );
  }
  const nats = [errors.ConnectionError, errors.TimeoutError, errors.AuthorizationError];
  if (where.natsUrl && nats.some((type) => error instanceof type))
    throw new UsageError(
      `cannot connect to NATS at ${where.natsUrl} (${(error as Error).message}): ` +
        (error instanceof errors.AuthorizationError
          ? 'the server refused the credentials given'
          : 'start nats-server there, or pass the right --nats (or $JUNCTION_NATS_URL)'),
    );
  throw error; // a missing nats-server among them: main() says how to install it
}

/** Starts Git sync for `junction run --repo`. */
async function followRepo(engine: Engine, wiring: Wiring, opts: RunOptions, logger: Logger) {
  const { startGitSync } = await import('../../gitops/git-sync.js');
  // git fetches from inside the mirror, so a local repository named relative to here (`--repo .`) is made absolute.
  const repo = existsSync(opts.repo!) ? resolve(opts.repo!) : opts.repo!;
  const mirrorDir = resolve('.junction', 'git', createHash('sha256').update(repo).digest('hex').slice(0, 16));
  const sync = await startGitSync(engine, {
    mirror: {
      repo,
      branch: opts.branch,
      path: opts.path,
      dir: mirrorDir,
      token: process.env.JUNCTION_GIT_TOKEN || undefined,
      tokenUser: process.env.JUNCTION_GIT_USER || undefined,
      maxDataBytes: wiring.maxDataBytes,
    },
    natsUrl: engine.natsUrl,
    natsOptions: engine.natsOptions,
    compile: wiring.compileTree,
    pollMs: durationOption('--poll', opts.poll),
    pin: opts.pin,
    replicas: countOption('--replicas', opts.replicas),
    webhookSecret: process.env.JUNCTION_GIT_WEBHOOK_SECRET,
    log: logger,
  });
  engine.attachSync(sync);
  return sync;
}

/**
 * Refuses a local directory that is not a Git repository (a spec folder before `git init`): git would refuse every
 * fetch, and the engine would run on no specs with the reason only in its log.
 */
function checkLocalRepo(repo: string, branch: string): void {
  if (!existsSync(repo) || !statSync(repo).isDirectory()) return;
  const isRepo =
    existsSync(join(repo, '.git')) || (existsSync(join(repo, 'HEAD')) && existsSync(join(repo, 'objects')));
  if (!isRepo)
    throw new UsageError(
      `--repo ${repo}: ${resolve(repo)} is not a Git repository; create it (git init, then commit the specs on ` +
        `${branch}), or run without --repo to serve a spec directory as it is`,
    );
}

/**
 * Refuses a password or token in the `--repo` URL: a command line is readable by every local user (the process list)
 * and passed on to git's. A token set in the environment, for an https repository, is what git may use.
 */
function checkRepoCredentials(repo: string): void {
  if (URL.canParse(repo) && new URL(repo).password)
    throw new UsageError(
      '--repo carries a password or token, which every local user can read in the process list: remove it from ' +
        'the URL and set JUNCTION_GIT_TOKEN (and JUNCTION_GIT_USER if the host wants a user name other than ' +
        'x-access-token)',
    );
  const problem = process.env.JUNCTION_GIT_TOKEN ? tokenRepoProblem(repo) : undefined;
  if (problem) throw new UsageError(`JUNCTION_GIT_TOKEN is set, but ${problem}`);
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function portOption(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${flag} must be a port number, got ${JSON.stringify(value)}`);
  return port;
}

function durationOption(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new UsageError(`${flag} must be a duration like 500ms, 30s or 2m, got ${JSON.stringify(value)}`);
  }
}

const SIZE_UNITS: Record<string, number> = { '': 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

function sizeOption(flag: string, value: string): number {
  const match = /^(\d+)(|KiB|MiB|GiB|TiB)$/.exec(value);
  const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2]] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024)
    throw new UsageError(
      `${flag} must be a size of at least 1024 bytes, like 500MiB or 8GiB, got ${JSON.stringify(value)}`,
    );
  return bytes;
}

/** The problems `junction check` would report, printed once the engine's first probes are back. */
function startupProblems(rows: CheckRow[]): string {
  const problems = rows.filter((r) => r.status === 'problem');
  if (problems.length === 0) return 'junction: check: no problems\n';
  return `junction: check found ${problems.length} problem${problems.length === 1 ? '' : 's'} (these integrations show as misconfigured; \`junction check\` for details):\n${formatCheckRows(problems, 'stylish')}`;
}
