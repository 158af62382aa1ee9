/**
 * Compiles what a step does when a call's outcome is unknown. `find`: the look-up by business reference that keeps a
 * create from being sent twice; its operation must be a read or query of the step's own connection, and the step
 * must change something (a find on a read has nothing to protect). `restart_from`: start again from an earlier step
 * (or this one) instead; never both. `abandon`: on the step a restart starts from, the call that drops the entry the
 * restart leaves behind. A create with none of these (nor an `on_error` rule that continues after it) gets a warning.
 */
import type { OperationDef } from '../sdk/connector.js';
import type { CompiledExpression } from '../transform/transform-engine.js';
import type { CompiledAbandon, CompiledConnection, CompiledFind } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import type { ValidatedSpec } from './parse-specs.js';
import { operationOn } from './resolve-operation.js';
import type { JsonPath } from './source-position.js';

const LOOK_UPS = new Set(['read', 'query']);

/** The compiled `steps[i].find`, or undefined when the step has none. */
export function compileFind(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  i: number,
  step: { connection?: CompiledConnection; operation?: OperationDef },
  expr: (path: JsonPath, stepIndex?: number) => CompiledExpression | undefined,
): CompiledFind | undefined {
  const raw = validated.value.steps[i].find;
  if (!raw) return undefined;
  const at: JsonPath = ['steps', i, 'find'];
  if (step.operation && LOOK_UPS.has(step.operation.kind))
    ctx.errorAtKey(
      validated.spec,
      ['steps', i],
      'find',
      'invalid-find',
      `step \`${validated.value.steps[i].id}\` only reads (${step.operation.kind}); \`find\` guards a step that creates or changes a record: remove it`,
    );
  const operation = operationOn(ctx, validated, at, step.connection);
  if (operation && !LOOK_UPS.has(operation.kind))
    ctx.error(
      validated.spec,
      [...at, 'operation'],
      'invalid-find',
      `find operation ${raw.operation} is a ${operation.kind}; a find must look the record up with a read or query operation of connection ${step.connection?.name}`,
    );
  if (operation?.kind === 'query' && raw.match === undefined)
    ctx.error(
      validated.spec,
      [...at, 'operation'],
      'invalid-find',
      `find operation ${raw.operation} returns a list; add \`match\` to pick the record this step would create (for example \`records[REF = $body.REF]\`)`,
    );
  const optional = (key: 'body' | 'match' | 'result') => (raw[key] === undefined ? undefined : expr([...at, key], i));
  return {
    when: raw.when,
    operation: raw.operation,
    kind: operation?.kind,
    params: raw.params ?? {},
    body: optional('body'),
    match: optional('match'),
    result: optional('result'),
  };
}

/**
 * Warns about a create that nothing keeps from being sent twice: no `find`, no `restart_from`, and no `on_error` rule
 * with `action: continue` that can apply to it (one naming the step, `step = "<id>"`, or one naming no step: the
 * answer for creates keyed by the caller, whose second send the target refuses as a duplicate). A warning, not an
 * error: an integration may accept the risk, and no connector of ours can count on the target honouring the
 * Idempotency-Key the engine sends.
 */
export function warnUnguardedCreate(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  i: number,
  operation: OperationDef | undefined,
): void {
  const step = validated.value.steps[i];
  if (operation?.kind !== 'create' || step.find || step.restart_from) return;
  const continues = (validated.value.on_error ?? []).some(
    (rule) =>
      rule.action === 'continue' &&
      (!/\bstep\b/.test(rule.match) || new RegExp(`\\bstep\\s*=\\s*(["'])${step.id}\\1`).test(rule.match)),
  );
  if (continues) return;
  ctx.warn(
    validated.spec,
    ['steps', i, 'operation'],
    'unguarded-create',
    `step \`${step.id}\` creates a record (${step.operation}) with no \`find\`: a lost answer (a timeout, a dropped connection, a worker killed mid-call) or two attempts of one event at once (a broker redelivery) can create it twice, since the target is not known to honour the Idempotency-Key the engine sends; add \`find:\` with a read or query of connection ${step.connection} that finds the record by a reference the create stores (docs/runtime.md "Creates that never duplicate")`,
  );
}

/** The checked `steps[i].restart_from`: a step at or before this one, on a step without `find`. */
export function compileRestart(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  i: number,
): string | undefined {
  const steps = validated.value.steps;
  const name = steps[i].restart_from;
  if (name === undefined) return undefined;
  const index = steps.findIndex((s) => s.id === name);
  const at: JsonPath = ['steps', i, 'restart_from'];
  if (index < 0)
    ctx.error(
      validated.spec,
      at,
      'unknown-step',
      `restart_from names no step of this integration: ${JSON.stringify(name)}`,
    );
  else if (index > i)
    ctx.error(
      validated.spec,
      at,
      'step-order',
      `restart_from must name this step or an earlier one; \`${name}\` runs after \`${steps[i].id}\``,
    );
  if (steps[i].find !== undefined)
    ctx.error(
      validated.spec,
      at,
      'invalid-find',
      'a step has either find (look the record up) or restart_from (start again from an earlier step), not both',
    );
  return name;
}

/** The checked `steps[i].abandon`: a change on the step's connection, on a step some `restart_from` names. */
export function compileAbandon(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  i: number,
  connection: CompiledConnection | undefined,
  expr: (path: JsonPath, stepIndex?: number) => CompiledExpression | undefined,
): CompiledAbandon | undefined {
  const steps = validated.value.steps;
  const raw = steps[i].abandon;
  if (!raw) return undefined;
  const at: JsonPath = ['steps', i, 'abandon'];
  if (!steps.some((s) => s.restart_from === steps[i].id))
    ctx.errorAtKey(
      validated.spec,
      ['steps', i],
      'abandon',
      'invalid-abandon',
      `no step restarts from \`${steps[i].id}\` (restart_from), so nothing is ever abandoned here: remove \`abandon\` or add restart_from to the steps that may leave the entry open`,
    );
  const operation = operationOn(ctx, validated, at, connection);
  if (operation && LOOK_UPS.has(operation.kind))
    ctx.error(
      validated.spec,
      [...at, 'operation'],
      'invalid-abandon',
      `abandon operation ${raw.operation} is a ${operation.kind}; abandon drops the entry with an operation that changes it (for example PPS370MI/DeleteEntry)`,
    );
  return {
    operation: raw.operation,
    kind: operation?.kind,
    params: raw.params ?? {},
    body: raw.body === undefined ? undefined : expr([...at, 'body'], i),
  };
}
