/**
 * `junction check [dir]`: is everything the specs need in place before go-live? Per connection: its secrets set,
 * its host resolving, its base URL answering and its credentials accepted (the connector's cheap authenticated
 * read); per integration: its webhook secret and its source's cursor or subscription. Exit 1 on any problem. The
 * specs' warnings (as `validate` gives them) come first, on stderr.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { checkVerdict, formatCheckRows } from '../formats/check-report.js';
import { formatDiagnostics } from '../formats/format-diagnostics.js';
import { NATS_OPTION_HELP } from '../cluster-connection.js';
import { addSecurityOptions, engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';

interface CheckOptions extends SecurityFlags {
  offline?: boolean;
  nats?: string;
  format: 'stylish' | 'json';
}

export function registerCheckCommand(program: Command): void {
  const command = program
    .command('check')
    .description('check connections and integrations before go-live: secrets, DNS, HTTP, auth, source state')
    .argument('[dir]', 'spec directory', 'specs')
    .option('--offline', 'only the checks that need no network: secrets set, URLs well-formed')
    .option('--nats <url>', `${NATS_OPTION_HELP}; without one, source cursors are not read`)
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'));
  addSecurityOptions(command).action(async (dir: string, opts: CheckOptions) => {
    // Loaded when the command runs, so `junction --help` does not pay for the compiler and NATS.
    const { connectNats } = await import('../../runtime/broker/connect.js');
    const { resolveNatsTarget } = await import('../../runtime/broker/embedded-nats.js');
    const { runChecks } = await import('../../ops/check/run-checks.js');
    const { compiledSpecSetWithWarnings, createWiring } = await import('../wiring.js');
    // The online checks resolve secrets into real requests, as `junction run` does, so they take run's allowlist: a
    // reference run would refuse is refused here too (secret-not-allowed at line:col), never resolved into a probe.
    const wiring = createWiring({ security: engineSecurity(process.env, opts, !opts.offline) });
    const { specSet, warnings } = await compiledSpecSetWithWarnings(wiring, dir);
    // What `validate` warns about (a poll that reads only part of a list, a webhook anyone may post to), at line:col.
    process.stderr.write(formatDiagnostics(warnings, 'stylish'));
    const nats = opts.offline ? undefined : await resolveNatsTarget(opts.nats);
    const nc = nats
      ? await connectNats(nats.url, 'cli', 'junction-check', nats.options).catch(() => undefined)
      : undefined;
    try {
      const rows = await runChecks(specSet, {
        env: process.env,
        security: wiring.security,
        ...(opts.offline ? {} : { connectors: wiring.connectors }),
        ...(nc ? { nc, cursors: await cursorBucket(nc) } : {}),
      });
      process.stdout.write(formatCheckRows(rows, opts.format));
      if (opts.format === 'stylish') process.stderr.write(checkVerdict(rows));
      process.exitCode = rows.some((r) => r.status === 'problem') ? 1 : 0;
    } finally {
      await nc?.close();
    }
  });
}

/** The cursor bucket, when an engine has created it. */
async function cursorBucket(nc: NatsConnection): Promise<KV | undefined> {
  const { Kvm } = await import('@nats-io/kv');
  const { BUCKET_NAMES } = await import('../../runtime/broker/provision.js');
  return new Kvm(nc).open(BUCKET_NAMES.cursors, { bindOnly: true }).catch(() => undefined);
}
