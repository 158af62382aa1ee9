/**
 * The engine's security settings, from the environment and `junction run` flags (never from specs): which secrets
 * specs may reference, and which private hosts connections may reach.
 *   JUNCTION_ALLOWED_SECRETS=SALESFORCE_*,shop=SHOP_TOKEN   --allow-secret NAME|PREFIX*|spec=NAME, --secrets-prefix P
 *   JUNCTION_ALLOWED_PRIVATE_HOSTS=127.0.0.1:8081           --allow-private-host host[:port]
 *   JUNCTION_ALLOW_PRIVATE_NETWORK=1                         --allow-private-network
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { secretPolicy } from '../compiler/secret-ref.js';
import type { ConnectionSecurity } from '../http/connection-client.js';
import { parseAllowedHost } from '../http/outbound-guard.js';
import { UsageError } from './usage-error.js';

/** What the flags add to the environment's settings. */
export interface SecurityFlags {
  allowSecret?: string[];
  secretsPrefix?: string[];
  allowPrivateHost?: string[];
  allowPrivateNetwork?: boolean;
}

/**
 * The settings from the environment plus `flags`. With `requireAllowlist` (the engine), no allowlist at all means
 * an empty one, so every secret reference must be allowed explicitly; otherwise (validate, test, plan) the allowlist
 * is only checked when one is configured.
 */
export function engineSecurity(
  env: NodeJS.ProcessEnv,
  flags: SecurityFlags = {},
  requireAllowlist = false,
): ConnectionSecurity {
  const entries = [
    ...list(env.JUNCTION_ALLOWED_SECRETS),
    ...(flags.allowSecret ?? []),
    ...(flags.secretsPrefix ?? []).map((p) => `${p}*`),
  ];
  const configured = env.JUNCTION_ALLOWED_SECRETS !== undefined || entries.length > 0;
  const allowedHosts = [...list(env.JUNCTION_ALLOWED_PRIVATE_HOSTS), ...(flags.allowPrivateHost ?? [])];
  try {
    allowedHosts.forEach(parseAllowedHost);
    return {
      secretPolicy: configured || requireAllowlist ? secretPolicy(entries) : undefined,
      outbound: {
        allowPrivateNetwork:
          flags.allowPrivateNetwork === true || /^(1|true|yes)$/i.test(env.JUNCTION_ALLOW_PRIVATE_NETWORK ?? ''),
        allowedHosts,
      },
    };
  } catch (error) {
    // A malformed allowlist entry or host: the operator's typo, reported before anything starts.
    throw new UsageError((error as Error).message);
  }
}

/** Adds the security flags to a command (`junction run`). */
export function addSecurityOptions(command: Command): Command {
  const repeat = (value: string, previous: string[] = []) => [...previous, ...list(value)];
  return command
    .addOption(
      new Option(
        '--allow-secret <name>',
        'an environment variable specs may reference: NAME, PREFIX* or spec=NAME (repeatable; adds to $JUNCTION_ALLOWED_SECRETS)',
      ).argParser(repeat),
    )
    .addOption(
      new Option('--secrets-prefix <prefix>', 'allow every variable starting with this prefix (repeatable)').argParser(
        repeat,
      ),
    )
    .addOption(
      new Option(
        '--allow-private-host <host:port>',
        'a loopback or private host connections may reach: an emulator, an on-premise system (repeatable)',
      ).argParser(repeat),
    )
    .option('--allow-private-network', 'let connections reach every private address (local development only)');
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
