/** `readBlobs`: many blobs through one `git cat-file --batch`, byte-exact, in the order asked; bad ids refused. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { readBlobs } from '../../engine/gitops/read-blobs.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function store(gitDir: string, content: Buffer): Promise<string> {
  const file = join(gitDir, 'blob.tmp');
  writeFileSync(file, content);
  return (await simpleGit(gitDir).raw(['hash-object', '-w', '--', file])).trim();
}

describe('readBlobs', () => {
  it('returns each blob byte for byte, in the order asked, including empty and binary ones', async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-blobs-'));
    await simpleGit().raw(['init', '--bare', '--quiet', dir]);
    const contents = [
      Buffer.from('kind: Integration\nname: a\n'),
      Buffer.alloc(0),
      Buffer.from([0, 10, 255, 10, 10, 1]),
      Buffer.from('x'.repeat(200_000)),
    ];
    const ids: string[] = [];
    for (const c of contents) ids.push(await store(dir, c));
    const order = [3, 0, 2, 1, 0];
    const blobs = await readBlobs(
      dir,
      order.map((i) => ids[i]),
    );
    expect(blobs.map((b) => b.toString('hex'))).toEqual(order.map((i) => contents[i].toString('hex')));
  });

  it('refuses anything that is not an object id and reports missing objects', async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-blobs-'));
    await simpleGit().raw(['init', '--bare', '--quiet', dir]);
    await expect(readBlobs(dir, ['HEAD:specs/a.yaml'])).rejects.toThrow('not an object id');
    await expect(readBlobs(dir, ['0'.repeat(40)])).rejects.toThrow('unexpected answer');
  });
});
