/**
 * `junction token create|list|revoke`: API tokens for the operator API (`Authorization: Bearer <token>`). Tokens
 * are managed straight on NATS, so whoever holds the NATS credentials is the administrator; every change is
 * audited as actor kind `cli`.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { parseDuration } from '../../compiler/duration.js';
import type { ApiTokens } from '../../runtime/operator/auth/api-tokens.js';
import { actorLabel, ROLES } from '../../runtime/operator/principal.js';
import type { Role } from '../../runtime/operator/principal.js';
import type { AuditLog } from '../../runtime/stores/audit-log.js';
import type { AuditActor } from '../../runtime/stores/audit-log.js';
import { UsageError } from '../usage-error.js';

const natsOption = () =>
  new Option('--nats <url>', 'NATS URL (default: $JUNCTION_NATS_URL, else the embedded server of `junction run` here)');

export function registerTokenCommand(program: Command): void {
  const token = program.command('token').description('create, list and revoke API tokens for the operator API');
  token
    .command('create')
    .description('create a token and print it once (stdout); only a salted hash is stored')
    .argument('<name>', 'what the token is for, e.g. ci-bot or prometheus')
    .addOption(new Option('--role <role>', 'what it may do').choices([...ROLES]).makeOptionMandatory())
    .option('--expires <duration>', 'refuse it after this long, e.g. 90d (default: until revoked)')
    .addOption(natsOption())
    .action((name: string, opts: { role: Role; expires?: string; nats?: string }) => {
      const expiresAt = opts.expires === undefined ? undefined : new Date(Date.now() + expiresIn(opts.expires));
      return withTokens(opts.nats, async (tokens, audit, actor) => {
        let created;
        try {
          created = await tokens.create(name, opts.role, { createdBy: actorLabel(actor), expiresAt });
        } catch (error) {
          if (error instanceof RangeError) throw new UsageError(error.message);
          throw error;
        }
        await audit.record({
          actor,
          action: 'token.create',
          target: name,
          result: 'ok',
          detail: { role: opts.role, ...(created.info.expiresAt ? { expiresAt: created.info.expiresAt } : {}) },
        });
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(
          `token ${name} (${opts.role}) created${created.info.expiresAt ? `, expires ${created.info.expiresAt}` : ''}; ` +
            'it is shown only this once\n',
        );
      });
    });
  token
    .command('list')
    .description('list tokens (names, roles, dates; never the secrets)')
    .option('--json', 'JSON output (one array)')
    .addOption(natsOption())
    .action((opts: { json?: boolean; nats?: string }) =>
      withTokens(opts.nats, async (tokens) => {
        const all = await tokens.list();
        if (opts.json) return void process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        for (const t of all)
          process.stdout.write(
            `${t.name.padEnd(24)} ${t.role.padEnd(8)} created ${t.createdAt} by ${t.createdBy}` +
              `${t.expiresAt ? `  expires ${t.expiresAt}` : ''}\n`,
          );
        process.stderr.write(`${all.length} token${all.length === 1 ? '' : 's'}\n`);
      }),
    );
  token
    .command('revoke')
    .description('revoke a token: refused at once by every engine')
    .argument('<name>', 'the token name')
    .addOption(natsOption())
    .action((name: string, opts: { nats?: string }) =>
      withTokens(opts.nats, async (tokens, audit, actor) => {
        const revoked = await tokens.revoke(name);
        await audit.record({
          actor,
          action: 'token.revoke',
          target: name,
          result: revoked ? 'ok' : 'failed',
          ...(revoked ? {} : { detail: { outcome: 'not-found' } }),
        });
        if (!revoked) throw new UsageError(`no token named ${name} (see junction token list)`);
        process.stdout.write(`revoked ${name}\n`);
      }),
    );
}

/** A shorter token would be expired before anyone used it (the clock starts before it is stored). */
const MIN_EXPIRY_MS = 60_000;
/** A longer one would be past any date a token can carry; "until revoked" is no --expires. */
const MAX_EXPIRY_MS = 36_500 * 86_400_000;

function expiresIn(value: string): number {
  let ms = NaN;
  try {
    ms = parseDuration(value);
  } catch {
    // reported below with the range
  }
  if (!(ms >= MIN_EXPIRY_MS && ms <= MAX_EXPIRY_MS))
    throw new UsageError(
      `--expires must be a duration from 1m to 36500d, like 12h, 30d or 90d, got ${JSON.stringify(value)}`,
    );
  return ms;
}

/** Connects to NATS (modules loaded when a token command runs, so `junction --help` stays light) and runs `work`. */
async function withTokens(
  natsFlag: string | undefined,
  work: (tokens: ApiTokens, audit: AuditLog, actor: AuditActor) => Promise<void>,
): Promise<void> {
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const { Kvm } = await import('@nats-io/kv');
  const { ApiTokens } = await import('../../runtime/operator/auth/api-tokens.js');
  const { AuditLog, provisionAuditStream } = await import('../../runtime/stores/audit-log.js');
  const { cliActor, withNats } = await import('../operator/cli-nats.js');
  return withNats(natsFlag, async (nc) => {
    const jsm = await jetstreamManager(nc);
    await provisionAuditStream(jsm);
    await work(await ApiTokens.open(new Kvm(jetstream(nc))), new AuditLog(jetstream(nc), jsm), cliActor());
  });
}
