/**
 * Child process of `transform-memory.test.ts`: evaluates the expression in argv[2] over the JSON read from stdin with
 * a deadline far away, so that only the memory guard can stop it, and prints `{"code": …}` or `{"result": …}`. The
 * test starts it with a small heap: an evaluation that outgrows it kills this process, not the test runner.
 */
import { junctionEngine } from '../../../engine/transform/junction-engine.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
try {
  const result = junctionEngine.compile(process.argv[2]).evaluate(input, {}, { timeoutMs: 600_000 });
  console.log(JSON.stringify({ result }));
} catch (error) {
  console.log(JSON.stringify({ code: (error as { code?: string }).code, message: (error as Error).message }));
}
