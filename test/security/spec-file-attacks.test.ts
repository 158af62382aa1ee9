/**
 * Attack: spec files as hostile input. A billion-laughs alias chain (also through merge keys), nesting thousands of
 * levels deep, a file over the size limit, duplicate keys, `!!js/function` and other tags, Latin-1 bytes and UTF-16
 * text each end in one diagnostic at file:line:col in `junction validate`, within bounded time and memory; in GitOps
 * such a commit is rejected as a whole and the running set stays.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { goodCommitLive, ordersSpec, startGitopsWorld, statusOf } from '../gitops/gitops-harness.js';
import type { GitopsWorld } from '../gitops/gitops-harness.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';

let repo: SpecRepo | undefined;
let world: GitopsWorld | undefined;
afterEach(async () => {
  repo?.remove();
  repo = undefined;
  await world?.dispose();
  world = undefined;
});

const lookup = (name: string, rest: string) => `apiVersion: junction/v1\nkind: Lookup\nname: ${name}\n${rest}`;

/** Ten levels of ten aliases each: 10^10 values once expanded. */
function aliasBomb(name: string): string {
  const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return lookup(name, `${lines.join('\n')}\nentries: { <<: *l9 }\n`);
}

/** The hostile files, by path under specs/, with their one expected diagnostic (line:col, code, message start). */
const HOSTILE: Record<string, { text: string | Buffer; expected: string }> = {
  'lookups/bomb.yaml': {
    text: aliasBomb('bomb'),
    expected: '14:16  error  yaml-alias-limit  the alias `*l9` repeats 11,111,111,111 values',
  },
  'lookups/deep.yaml': {
    text: lookup('deep', `entries: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`),
    // The column is where the parser's stack ran out, which depends on the machine.
    expected: '4:<col>  error  yaml-syntax  the YAML is nested too deeply to read',
  },
  'lookups/big.yaml': {
    text: lookup('big', `entries:\n${'  k: "x"\n'.repeat(150_000)}`),
    expected: '1:1  error  file-too-large  the file has 1350056 bytes; specs are limited to 1048576 bytes',
  },
  'lookups/dup.yaml': {
    text: lookup('dup', 'entries: { a: 1, a: 2 }\n'),
    expected: '4:18  error  yaml-duplicate-key  `a` is already a key of this mapping (line 4)',
  },
  'lookups/js.yaml': {
    text: lookup('js', 'entries: { a: !!js/function "function () { return process.env }" }\n'),
    expected: '4:15  error  yaml-tag  the YAML tag `!!js/function` has no JSON equivalent',
  },
  'lookups/latin.yaml': {
    text: Buffer.concat([Buffer.from(lookup('latin', 'entries: { a: "caf')), Buffer.from([0xe9, 0x22, 0x7d, 0x0a])]),
    expected: '4:19  error  file-not-text  the byte 0xE9 here is not UTF-8',
  },
  'lookups/utf16.yaml': {
    text: Buffer.from('\ufeff' + lookup('utf16', 'entries: { a: 1 }\n'), 'utf16le'),
    expected: '1:1  error  file-not-text  the file is UTF-16 text (it starts with a UTF-16 byte order mark',
  },
};

describe('hostile spec files', () => {
  it('each give one diagnostic at file:line:col in validate', async () => {
    repo = createSpecRepo();
    for (const [path, { text }] of Object.entries(HOSTILE)) writeFileSync(join(repo.dir, 'specs', path), text);
    const validate = await runCli(['validate', 'specs'], { cwd: repo.dir });
    expect(validate.code).toBe(1);
    const lines = validate.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(Object.keys(HOSTILE).length);
    for (const [path, { expected }] of Object.entries(HOSTILE))
      expect(lines.find((l) => l.startsWith(`specs/${path}:`))).toMatch(
        new RegExp(`^specs/${path}:${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('<col>', '\\d+')}`),
      );
    expect(validate.stderr).not.toMatch(/TypeError|RangeError|at .*\.ts:/);
  });

  it('in GitOps, make the commit rejected with those diagnostics while the running set stays', async () => {
    world = await startGitopsWorld();
    const { good, a } = await goodCommitLive(world);
    const orders = a.engine.specSet.integrations.get('orders');
    const hostile = Object.fromEntries(
      ['lookups/bomb.yaml', 'lookups/dup.yaml', 'lookups/js.yaml'].map((p) => [p, HOSTILE[p].text as string]),
    );
    const bad = await world.commit({ ...hostile, 'orders.yaml': ordersSpec('{ "key": $string(id), "v": 2 }') }, 'bad');
    expect(await a.sync.poll()).toBe('rejected');
    expect(await statusOf(a)).toMatchObject({
      active_commit: good,
      rejected: [
        {
          commit: bad,
          diagnostics: [
            expect.objectContaining({ file: 'specs/lookups/bomb.yaml', line: 14, col: 16, code: 'yaml-alias-limit' }),
            expect.objectContaining({ file: 'specs/lookups/dup.yaml', line: 4, col: 18, code: 'yaml-duplicate-key' }),
            expect.objectContaining({ file: 'specs/lookups/js.yaml', line: 4, col: 15, code: 'yaml-tag' }),
          ],
        },
      ],
    });
    // Nothing of the commit is live: not even its valid change to orders.
    expect(a.engine.specSet.commit).toBe(good);
    expect(a.engine.specSet.integrations.get('orders')).toBe(orders);
  });
});
