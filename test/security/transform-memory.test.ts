/**
 * Transform sandbox: an evaluation that allocates without bound fails with U1004 (a `transform-guard` dead letter)
 * before the process reaches its heap limit, instead of killing the engine. Each expression is innocent-looking and
 * the event drives the size: a range per line (`[1..quantity]`), or a large field copied into every line. Each runs in
 * a child process with a 256 MB heap and no deadline in reach, so only the memory guard can stop it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./helpers/evaluate-in-child.ts', import.meta.url));

/** What the child printed, or how it died. */
function evaluateInChild(
  expression: string,
  input: unknown,
): Promise<{ code?: string; result?: unknown; died?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', CHILD, expression], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve(out.trim() ? (JSON.parse(out) as { code?: string }) : { died: `exit ${code ?? signal}` }),
    );
    child.stdin.end(JSON.stringify(input));
  });
}

const lines = (n: number, line: (i: number) => unknown) => Array.from({ length: n }, (_, i) => line(i));

describe('the memory guard', () => {
  it.each([
    [
      'a range per line, sized by the event',
      '{"units": lines.[1..quantity]}',
      { lines: lines(200, () => ({ quantity: 1_000_000 })) },
    ],
    [
      'a large field copied into every line by a string function',
      '{"lines": lines.{"note": $uppercase($$.note)}}',
      { note: 'a'.repeat(1_000_000), lines: lines(2_000, (i) => ({ i })) },
    ],
    [
      'a large array copied into every line by an array constructor',
      '{"lines": lines.[$$.numbers]}',
      { numbers: lines(100_000, (i) => i), lines: lines(2_000, (i) => ({ i })) },
    ],
    [
      'a large array copied into every line by an array function',
      '{"lines": lines.{"r": $reverse($$.numbers)}}',
      { numbers: lines(100_000, (i) => i), lines: lines(2_000, (i) => ({ i })) },
    ],
  ])('stops %s with U1004, and the process lives', async (_what, expression, input) => {
    const outcome = await evaluateInChild(expression, input);
    expect(outcome).toEqual({
      code: 'U1004',
      message: 'Out of memory: the evaluation was stopped before the process reached its heap limit',
    });
  });

  it('lets an evaluation that fits through', async () => {
    const outcome = await evaluateInChild('$count(lines.[1..quantity])', {
      lines: lines(10, () => ({ quantity: 100_000 })),
    });
    expect(outcome).toEqual({ result: 10 });
  });
});
