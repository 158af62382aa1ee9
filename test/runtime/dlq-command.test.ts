/** `junction dlq list|show|replay` against a real broker holding one dead letter. */
import { Command } from 'commander';
import { afterEach, expect, it, vi } from 'vitest';
import { registerDlqCommand } from '../../engine/cli/commands/dlq.js';
import { registerTraceCommand } from '../../engine/cli/commands/trace.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await h?.dispose();
  h = undefined;
});

async function junction(...args: string[]): Promise<string> {
  const program = new Command('junction').exitOverride();
  registerDlqCommand(program);
  registerTraceCommand(program);
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'junction', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out;
}

it('lists, shows and replays a dead letter', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'bad status' } } });
  await h.post('orders', { id: 11, seq: 1, status: 'x' });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered');
  const [entry] = await h.engine.deadLetters.list();

  const listed = await junction('dlq', 'list', '--nats', h.nats.url);
  expect(listed).toBe(`${entry.id}  open      orders  key=11  validation 422  attempts=1  ${entry.createdAt}\n`);
  const shown = JSON.parse(await junction('dlq', 'show', entry.id, '--nats', h.nats.url)) as Record<string, unknown>;
  expect(shown).toMatchObject({
    id: entry.id,
    integration: 'orders',
    key: '11',
    event: { id: 11, seq: 1, status: 'x' },
    error: { code: 'validation', status: 422 },
  });

  h.target.fault = undefined;
  const replayed = await junction('dlq', 'replay', '--integration', 'orders', '--nats', h.nats.url);
  expect(replayed).toMatch(new RegExp(`^${entry.id}  replayed \\(stream seq \\d+\\)\\n$`));
  expect(process.exitCode).toBe(0);
  await waitFor(() => h!.target.records.has('11'), 'delivered by the replay');
  await expectDrained(h.nats.url);
  expect(
    JSON.parse(await junction('dlq', 'list', '--status', 'replayed', '--json', '--nats', h.nats.url)),
  ).toMatchObject([{ id: entry.id, status: 'replayed' }]);
  expect(await junction('dlq', 'replay', entry.id, '--nats', h.nats.url)).toBe(`${entry.id}  already-replayed\n`);
  expect(process.exitCode).toBe(1);
  // Straight on NATS, the CLI acts as the local user: both attempts are in the audit trail.
  const audit = (await h.engine.actions.audit.recent({ limit: 2 })).map((e) => e.entry);
  expect(audit).toMatchObject([
    {
      actor: { kind: 'cli', id: expect.stringMatching(/.@./) },
      action: 'dlq.replay',
      target: entry.id,
      result: 'failed',
    },
    { actor: { kind: 'cli' }, action: 'dlq.replay', target: entry.id, result: 'ok' },
  ]);
});

it('a mistyped --integration is refused with the closest name, not listed as "0 dead letters"', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const refusal =
    'no integration named "ordrs" runs on this cluster or has dead letters; did you mean "orders"? ' +
    '(junction status lists them)';
  // Straight on NATS and through the operator API alike.
  for (const target of [
    ['--nats', h.nats.url],
    ['--url', h.engine.operatorUrl!],
  ]) {
    await expect(junction('dlq', 'list', '--integration', 'ordrs', ...target)).rejects.toThrow(refusal);
    await expect(junction('dlq', 'replay', '--integration', 'ordrs', ...target)).rejects.toThrow(refusal);
    await expect(junction('dlq', 'purge', '--integration', 'ordrs', '--reason', 'cleanup', ...target)).rejects.toThrow(
      refusal,
    );
    // A name that runs and has no dead letters is simply empty.
    expect(await junction('dlq', 'list', '--integration', 'orders', ...target)).toBe('');
  }
  await expect(junction('dlq', 'list', '--integration', 'zzz', '--nats', h.nats.url)).rejects.toThrow(
    'no integration named "zzz" runs on this cluster or has dead letters (junction status lists them)',
  );
});

it('a wildcard or malformed id or integration is refused on NATS, never matched against other entries', async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ owns: '  - { connection: target, object: record, fields: ["*"] }' }),
      integrationYaml({
        name: 'invoices',
        steps: CREATE_STEP,
        owns: '  - { connection: target, object: entry, fields: ["*"] }',
      }),
    ],
  });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'bad status' } } });
  await h.post('orders', { id: 21, seq: 1, status: 'x' });
  await h.post('invoices', { id: 22, seq: 1, status: 'x' });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 2, 'dead-lettered');
  const before = (await h.engine.deadLetters.list()).map((e) => e.id).sort();
  const nats = ['--nats', h.nats.url];

  // A NATS subject wildcard in an id would pick whichever entry the broker lists first; in --integration, all of them.
  for (const id of ['*', '>', 'a.b', 'x y'])
    for (const verb of [['show'], ['replay'], ['resolve', '--reason', 'r'], ['discard', '--reason', 'r']])
      await expect(junction('dlq', verb[0], id, ...verb.slice(1), ...nats)).rejects.toThrow(
        `${JSON.stringify(id)} is not a dead-letter id (letters, digits, "_" and "-", as \`junction dlq list\` shows)`,
      );
  for (const name of ['*', '>', 'orders.x', 'Orders'])
    for (const verb of [['list'], ['replay'], ['purge', '--reason', 'r']])
      await expect(junction('dlq', verb[0], '--integration', name, ...verb.slice(1), ...nats)).rejects.toThrow(
        `--integration ${JSON.stringify(name)} is not an integration name`,
      );
  await expect(junction('trace', '*', '21', ...nats)).rejects.toThrow('"*" is not an integration name');
  expect((await h.engine.deadLetters.list()).map((e) => e.id).sort()).toEqual(before);
  expect((await h.engine.deadLetters.list()).map((e) => e.status)).toEqual(['open', 'open']);
  // The store itself refuses them too (an embedding program, a script on the engine's API).
  await expect(h.engine.deadLetters.get('*')).resolves.toBeUndefined();
  await expect(h.engine.deadLetters.list({ integration: '*' })).rejects.toThrow('not an integration name');
});
