/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Deep evaluations. Evaluation is synchronous and recursive, so non-tail recursion thousands of levels deep (jsonata-js
 * goes 10,000 and more) or data nested as deep can outgrow the JS stack of the calling thread. Such an evaluation is
 * run again, from the start and with the same clock, in a worker thread with a 256 MB stack; the caller blocks
 * until the answer or the evaluation's deadline, past which the worker is terminated (U1001). The evaluation's JS
 * binding functions ($lookup, $xref, ...) stay in the caller and are called from the worker synchronously.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Node } from './compiled/ast.js';
import type { Clock } from './compiled/evaluate.js';
import { jerr } from './compiled/errors.js';
import { DeadlineExceeded, SyncWorker, WORKER_READY } from './sync-worker.js';
import type { TransformGuards } from './transform-engine.js';
import { TransformError } from './transform-engine.js';

// Run from source (tests, `npm run junction`), the worker loads the TS entry through tsx's ESM loader API (its
// CommonJS build cannot register from an eval'd worker script); the built package (dist/) loads plain JS, and tsx,
// a dev dependency, is not installed there.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(`./deep-evaluation-entry.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url).href;
const LOADER = FROM_SOURCE
  ? `import(${JSON.stringify(
      pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs')).href,
    )}).then((tsx) => tsx.register())`
  : 'Promise.resolve()';

const SCRIPT = `
let evaluateInWorker;
${LOADER}
  .then(() => import(${JSON.stringify(ENTRY)}))
  .then(
    (m) => {
      evaluateInWorker = m.evaluateInWorker;
      ${WORKER_READY}
    },
    (e) => send({ kind: 'error', error: { message: 'deep-evaluation worker: ' + String(e && e.stack) } }),
  );
parentPort.on('message', (req) => {
  const bindings = req.bindings;
  for (const name of req.functions) {
    bindings[name] = (...args) => {
      const reply = request({ name, args });
      if (reply.error !== undefined) throw Object.assign(new Error(reply.error.message), reply.error);
      return reply.value;
    };
  }
  try {
    send({ kind: 'done', value: evaluateInWorker(req.source, req.input, bindings, req.guards, req.clock) });
  } catch (e) {
    const error = { message: String(e && e.message), code: e && e.code, position: e && e.position };
    try {
      send({ kind: 'error', error: { ...error, token: e && e.token } });
    } catch {
      send({ kind: 'error', error });
    }
  }
});
`;

const STACK_MB = 256;
/** Time the worker gets past the deadline to report its own U1001 before it is terminated. */
const GRACE_MS = 50;

const worker = new SyncWorker(SCRIPT, STACK_MB);

/** Starts the worker thread in the background (at compile time of an expression that may recurse deeply). */
export function warmDeepEvaluation(): void {
  worker.warm();
}

/** Whether an expression defines a function that calls a function the expression binds (recursion), or uses $eval. */
export function mayRecurse(ast: Node): boolean {
  const bound = new Set<string>();
  const called: string[] = [];
  const walk = (n: any, inLambda: boolean): void => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x, inLambda));
    if (n === null || typeof n !== 'object' || n instanceof RegExp) return;
    if (n.type === 'bind' && n.rhs?.type === 'lambda') bound.add(n.lhs.value);
    if (n.type === 'function' && n.procedure?.type === 'variable' && (inLambda || n.procedure.value === 'eval'))
      called.push(n.procedure.value);
    for (const k of Object.keys(n)) if (k !== 'slot' && k !== 'ancestor') walk(n[k], inLambda || n.type === 'lambda');
  };
  walk(ast, false);
  return called.some((name) => name === 'eval' || bound.has(name));
}

function serve(bindings: Record<string, unknown>) {
  return (payload: unknown): unknown => {
    const { name, args } = payload as { name: string; args: unknown[] };
    return (bindings[name] as (...a: unknown[]) => unknown)(...args);
  };
}

export function deepEvaluate(
  source: string,
  input: unknown,
  bindings: Record<string, unknown> | undefined,
  guards: TransformGuards | undefined,
  clock: Clock,
): unknown {
  const data: Record<string, unknown> = {};
  const functions: string[] = [];
  for (const [k, v] of Object.entries(bindings ?? {})) {
    if (typeof v === 'function') functions.push(k);
    else data[k] = v;
  }
  let answer;
  try {
    answer = worker.call(
      { source, input, bindings: data, functions, guards, clock },
      clock.deadline + GRACE_MS,
      serve(bindings ?? {}),
    );
  } catch (e) {
    if (e instanceof DeadlineExceeded)
      throw jerr('U1001', { message: 'Expression evaluation timeout: Check for infinite loop' });
    // a value the worker cannot receive (a function inside a binding): report the overflow itself
    if (e instanceof Error && e.name === 'DataCloneError') throw jerr('U1001', {});
    throw e;
  }
  if (answer.kind === 'done') return answer.value;
  const err = (answer.kind === 'error' ? answer.error : {}) as Record<string, any>;
  if (typeof err.code !== 'string') throw new Error(String(err.message));
  throw new TransformError(String(err.message), err.code, err.position, err.token);
}
