/**
 * Reads many blobs from a repository with one `git cat-file --batch` process instead of one process per file. Only
 * object ids printed by git itself (checked to be hex) are written to its stdin; nothing goes through a shell.
 */
import { spawn } from 'node:child_process';
import { gitEnvironment } from './git-environment.js';

const OBJECT_ID = /^[0-9a-f]{40,64}$/;

/** The contents of `ids` (blob object ids), in the same order. */
export async function readBlobs(gitDir: string, ids: string[]): Promise<Buffer[]> {
  if (ids.length === 0) return [];
  for (const id of ids) if (!OBJECT_ID.test(id)) throw new Error(`not an object id: ${JSON.stringify(id)}`);
  const child = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: gitEnvironment(),
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(ids.join('\n') + '\n');
  const code = await exited;
  if (code !== 0) throw new Error(`git cat-file --batch failed (${code}): ${stderr.trim()}`);
  return parseBatch(Buffer.concat(chunks), ids);
}

/** Output: for each id, `<id> <type> <size>\n<size bytes>\n` (or `<id> missing\n`). */
function parseBatch(out: Buffer, ids: string[]): Buffer[] {
  const blobs: Buffer[] = [];
  let at = 0;
  for (const id of ids) {
    const eol = out.indexOf(0x0a, at);
    const header = out.subarray(at, eol).toString('utf8').split(' ');
    if (eol < 0 || header[0] !== id || header[1] !== 'blob')
      throw new Error(`git cat-file: unexpected answer for ${id}: ${header.join(' ')}`);
    const size = Number(header[2]);
    blobs.push(out.subarray(eol + 1, eol + 1 + size));
    at = eol + 1 + size + 1;
  }
  return blobs;
}
