/**
 * simple-git's debug output (`DEBUG=simple-git*`, or `DEBUG=*`) prints each git process's spawn options, and with
 * them its whole environment: with a Git token that is the `Authorization` header git reads (git-token.ts), and any
 * other secret the engine's environment holds. While a token is in use that output is turned off, and Node's warning
 * says so; the rest of `DEBUG` stays as set. simple-git's own `debug` instance is the one changed (resolved from
 * simple-git), so no other package's switch moves.
 */
import { createRequire } from 'node:module';

interface DebugSwitch {
  enabled(namespace: string): boolean;
  enable(namespaces: string): void;
  disable(): string;
}

/** Turns simple-git's debug output off when it is on; returns whether it was. */
export function quietSimpleGitDebug(): boolean {
  const debug = createRequire(import.meta.resolve('simple-git'))('debug') as DebugSwitch;
  if (!debug.enabled('simple-git') && !debug.enabled('simple-git:task:x')) return false;
  const namespaces = debug.disable();
  debug.enable(`${namespaces},-simple-git,-simple-git:*`);
  process.emitWarning(
    "simple-git's debug output is off while a Git token is in use: it prints git's environment, which holds the " +
      'token (the rest of DEBUG stays on)',
  );
  return true;
}
