/** Spec files written to a temp directory, removed after each test (`cleanup.run()` in `afterEach`). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Cleanup {
  readonly #steps: (() => Promise<unknown> | void)[] = [];

  push(step: () => Promise<unknown> | void): void {
    this.#steps.push(step);
  }

  /** Runs the steps last first (an engine stops before its NATS server). */
  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) await step();
    this.#steps.length = 0;
  }
}

export function specDir(cleanup: Cleanup, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-specs-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
