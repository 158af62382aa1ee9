/**
 * Stage 3 for Integration specs: compile every JSONata expression once, resolve each step's connection and
 * operation, work out what each write step may send (`owns`), and check what the expressions refer to.
 */
import { createHash } from 'node:crypto';
import type { OperationDef } from '../sdk/connector.js';
import type { CompiledExpression } from '../transform/transform-engine.js';
import type { CompiledIntegration, CompiledSource, CompiledStep, OwnedFields } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { compileExpression, positionInExpression } from './compile-expression.js';
import { compileFunctions } from './compile-functions.js';
import { parseDuration } from './duration.js';
import { expressionReferences } from './expression-references.js';
import { compileAbandon, compileFind, compileRestart, warnUnguardedCreate } from './compile-find.js';
import type { ValidatedSpec } from './parse-specs.js';
import { checkConnection, resolveOperation, resolveStream } from './resolve-operation.js';
import type { ConnectionScope } from './resolve-operation.js';
import { nodeAt, valuePosition } from './source-position.js';
import type { SpecFile } from './spec-file.js';
import type { JsonPath } from './source-position.js';
import { closestMatch } from './suggest.js';
import { compileRead, compileReconcile, compileRequirements, compileXrefMatch } from './compile-reads.js';
import type { Integration } from './generated/spec-types.js';

type Params = Record<string, unknown>;
const WRITE_KINDS = new Set(['create', 'update', 'upsert']);

interface IntegrationScope extends ConnectionScope {
  lookupNames: ReadonlySet<string>;
}

export function compileIntegration(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  scope: IntegrationScope,
): CompiledIntegration | undefined {
  const { spec, value } = validated;
  const before = ctx.diagnostics.length;
  const bindFunctions = compileFunctions(ctx, validated, (path) => compileChecked(ctx, validated, path, scope));
  const expr = (path: JsonPath, stepIndex?: number) => {
    const compiled = compileChecked(ctx, validated, path, scope, stepIndex);
    return compiled && bindFunctions(compiled);
  };

  const owns = (value.owns ?? []).map((o, i): OwnedFields => {
    checkConnection(ctx, validated, ['owns', i, 'connection'], scope);
    return { connection: o.connection, object: o.object, fields: o.fields, records: o.records };
  });
  const steps = compileSteps(ctx, validated, scope, owns, expr);
  const source = compileSource(ctx, validated, scope, expr);
  const retry = value.retry;
  checkBackoff(ctx, validated);
  const onError = (value.on_error ?? []).map((rule, i) => ({
    match: expr(['on_error', i, 'match']),
    action: rule.action,
    readsSentBefore: /\bsent_before\b/.test(rule.match),
  }));
  const compiled = {
    name: value.name,
    description: value.description,
    source,
    key: expr(['key']),
    dedupId: value.dedup_id === undefined ? undefined : expr(['dedup_id']),
    when: value.when === undefined ? undefined : expr(['when']),
    requires: compileRequirements(value.requires, ['requires'], expr),
    steps,
    owns,
    retry: {
      maxAttempts: retry.max_attempts,
      initialMs: parseDuration(retry.initial),
      maxMs: parseDuration(retry.max),
      multiplier: retry.multiplier,
      dependencyDeadlineMs: parseDuration(retry.dependency_deadline),
      throttleDeadlineMs: parseDuration(retry.throttle_deadline),
    },
    onError,
    redact: (value.redact ?? []).map((path) => path.split('.')),
    read: compileRead(ctx, validated, scope, source, expr),
    reconcile: compileReconcile(value.reconcile),
    hash: integrationHash(value, steps, scope),
    file: spec.file,
    sourceParamSites: source.kind === 'stream' ? paramSites(spec, source.params) : undefined,
  };
  if (compiled.reconcile && !compiled.read?.list)
    ctx.error(
      spec,
      ['reconcile'],
      'missing-property',
      'reconcile needs read.list (or a schedule source) to list the records it compares',
    );
  // Warnings (an unverified webhook) do not stop an integration from compiling; errors do.
  if (ctx.diagnostics.slice(before).some((d) => d.severity === 'error')) return undefined;
  return compiled as CompiledIntegration;
}

/**
 * The backoff caps each delay at `retry.max` (error-fate.ts retryDelay), so an `initial` above it is never used: every
 * retry waits about `max`, which is rarely what the author meant. Reported at whichever of the two the spec writes.
 */
function checkBackoff(ctx: CompileContext, validated: ValidatedSpec<'Integration'>): void {
  const { initial, max } = validated.value.retry;
  if (parseDuration(initial) <= parseDuration(max)) return;
  const written = nodeAt(validated.spec, ['retry', 'initial']) !== undefined;
  const initialText = written ? initial : `${initial}, the default`;
  const maxText = nodeAt(validated.spec, ['retry', 'max']) !== undefined ? max : `${max}, the default`;
  ctx.error(
    validated.spec,
    ['retry', written ? 'initial' : 'max'],
    'invalid-value',
    `retry.initial (${initialText}) is longer than retry.max (${maxText}): the backoff never waits longer than max, ` +
      `so initial would do nothing and every retry would wait about ${max}; set initial to ${max} or less, ` +
      `or max to ${initial} or more`,
  );
}

function compileSteps(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  scope: IntegrationScope,
  owns: OwnedFields[],
  expr: (path: JsonPath, stepIndex?: number) => CompiledExpression | undefined,
): CompiledStep[] {
  const { spec, value } = validated;
  const seen = new Map<string, number>();
  return value.steps.map((step, i): CompiledStep => {
    const id = step.id;
    if (seen.has(id))
      ctx.error(
        spec,
        ['steps', i, 'id'],
        'duplicate-step-id',
        `step id \`${id}\` is already used by step ${seen.get(id)! + 1}; step ids must be unique`,
      );
    seen.set(id, i);
    const params: Params = step.params ?? {};
    const operation = resolveOperation(ctx, validated, ['steps', i], scope);
    const object = operation ? objectOf(operation, params) : undefined;
    const entries = owns.filter((o) => o.connection === step.connection && o.object === object);
    let ownedFields: string[] | undefined;
    if (operation && object && WRITE_KINDS.has(operation.kind)) {
      if (entries.length === 0) {
        ctx.error(
          spec,
          ['steps', i, 'operation'],
          'missing-owns',
          `step \`${id}\` writes ${object} on ${step.connection}, but \`owns\` does not list any of its fields; add an owns entry { connection: ${step.connection}, object: ${object}, fields: [...] }`,
        );
      }
      ownedFields = entries.flatMap((o) => [...o.fields]);
    }
    // Actions and deletes change records too: an owner of only its own records may touch no other.
    const ownsCreatedOnly =
      operation?.kind !== 'read' &&
      operation?.kind !== 'query' &&
      entries.length > 0 &&
      entries.every((o) => o.records === 'created');
    const xref = step.xref;
    warnUnguardedCreate(ctx, validated, i, operation);
    const compiled: CompiledStep = {
      id,
      connection: step.connection,
      operation: step.operation,
      kind: operation?.kind,
      params,
      when: step.when === undefined ? undefined : expr(['steps', i, 'when'], i),
      forEach: step.for_each === undefined ? undefined : expr(['steps', i, 'for_each'], i),
      body: step.body === undefined ? undefined : expr(['steps', i, 'body'], i),
      object,
      ownedFields,
      ...(ownsCreatedOnly ? { ownsCreatedOnly } : {}),
      identityFields: operation ? identityOf(operation, params) : [],
      requires: compileRequirements(step.requires, ['steps', i, 'requires'], (path) => expr(path, i)),
      saveXref: xref
        ? {
            map: xref.map,
            sourceId: expr(['steps', i, 'xref', 'source_id'], i)!,
            targetId: expr(['steps', i, 'xref', 'target_id'], i + 1)!,
            match: compileXrefMatch(ctx, validated, i, scope, expr),
          }
        : undefined,
      find: compileFind(ctx, validated, i, { connection: scope.connections.get(step.connection), operation }, expr),
      restartFrom: compileRestart(ctx, validated, i),
      abandon: compileAbandon(ctx, validated, i, scope.connections.get(step.connection), expr),
      reads: stepReads(validated, i),
    };
    return compiled;
  });
}

function compileSource(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  scope: IntegrationScope,
  expr: (path: JsonPath) => CompiledExpression | undefined,
): CompiledSource {
  const source = validated.value.source;
  if (source.schedule) {
    const s = source.schedule;
    const operation = resolveOperation(ctx, validated, ['source', 'schedule'], scope);
    warnCappedList(ctx, validated, operation);
    // A snapshot keeps no position, so a position's settings would silently do nothing.
    const positional = {
      overlap: s.overlap !== undefined && parseDuration(s.overlap) > 0,
      initial_cursor: s.initial_cursor !== undefined,
    };
    for (const [field, given] of Object.entries(positional))
      if (s.snapshot && given)
        ctx.error(
          validated.spec,
          ['source', 'schedule', field],
          'invalid-value',
          `a snapshot reads the whole list on every poll and keeps no position, so \`${field}\` does nothing: remove it`,
        );
    const pagesInCursorOrder = !s.snapshot && operation?.paginate?.orderedBy === s.cursor.trim();
    // Unless the spec says otherwise, a poll by the vendor's change stamp re-reads the window of late commits.
    const lateCommitMs = pagesInCursorOrder ? (operation?.paginate?.lateCommitMs ?? 0) : 0;
    return {
      kind: 'schedule',
      connection: s.connection,
      operation: s.operation,
      params: s.params ?? {},
      everyMs: parseDuration(s.every),
      cursor: expr(['source', 'schedule', 'cursor'])!,
      records: s.records === undefined ? undefined : expr(['source', 'schedule', 'records']),
      body: s.body === undefined ? undefined : expr(['source', 'schedule', 'body']),
      overlapMs: s.overlap === undefined ? lateCommitMs : parseDuration(s.overlap),
      initialCursor: s.initial_cursor,
      snapshot: s.snapshot === true,
      pagesInCursorOrder,
      positionParams: operation?.positionParams && [...operation.positionParams],
    };
  }
  if (source.stream) {
    const s = source.stream;
    const def = resolveStream(ctx, validated, scope);
    return {
      kind: 'stream',
      connection: s.connection,
      stream: s.stream,
      params: s.params ?? {},
      start: s.start,
      batchSize: s.batch_size,
      positionParams: def?.positionParams && [...def.positionParams],
    };
  }
  if (source.nats) return { kind: 'nats', subject: source.nats.subject };
  // The schema admits exactly one source kind, so what is left is a webhook.
  const webhook = source.webhook!;
  if (webhook.verify === 'none')
    ctx.warn(
      validated.spec,
      ['source', 'webhook', 'verify'],
      'unverified-webhook',
      'this webhook accepts unsigned events: anyone who can reach the engine can post events to it; ' +
        'have the sender sign its requests and use `verify: { hmac_sha256: … }`',
    );
  // The schema admits only `none` as a string.
  const verify = typeof webhook.verify === 'string' ? {} : webhook.verify;
  const { hmac_sha256: hmac, adobe_io_events: ioEvents, adobe_commerce_webhook: commerce } = verify;
  return {
    kind: 'webhook',
    verify: hmac
      ? {
          header: hmac.header,
          secret: hmac.secret,
          encoding: hmac.encoding,
          prefix: hmac.prefix,
          ...(hmac.timestamp && {
            timestamp: { header: hmac.timestamp.header, toleranceMs: parseDuration(hmac.timestamp.tolerance) },
          }),
        }
      : undefined,
    adobe: ioEvents
      ? { scheme: 'io_events', clientId: ioEvents.client_id, keyBaseUrl: ioEvents.public_key_base_url }
      : commerce
        ? { scheme: 'commerce_webhook', publicKey: commerce.public_key }
        : undefined,
    maxBodyBytes: webhook.max_body_bytes,
  };
}

/** Compiles an expression and checks its references. `stepIndex`: steps it may read are those before it. */
function compileChecked(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  path: JsonPath,
  scope: IntegrationScope,
  stepIndex?: number,
): CompiledExpression | undefined {
  const site = { spec: validated.spec, path };
  const compiled = ctx.timed('jsonata', () => compileExpression(ctx.options.engine, site, ctx.diagnostics));
  if (compiled) ctx.recordExpression(validated.spec, path, compiled);
  const ast = compiled?.ast?.();
  if (!ast) return compiled;
  const refs = expressionReferences(ast);
  const stepIds = validated.value.steps.map((s) => s.id);
  const at = (position: number, name: string) => positionInExpression(site, Math.max(0, position - name.length));
  // A function reads no $steps: checks/check-variables.ts reports it there, with what to do instead.
  const steps = path[0] === 'functions' ? [] : refs.steps;
  for (const ref of steps) {
    const index = stepIds.indexOf(ref.name);
    const where = { file: validated.spec.file, ...at(ref.position, ref.name), severity: 'error' as const };
    if (index < 0) {
      const hint = closestMatch(ref.name, stepIds);
      ctx.diagnostics.push({
        ...where,
        code: 'unknown-step',
        message: `$steps.${ref.name} names no step of this integration${hint ? `; did you mean \`${hint}\`?` : `; steps: ${stepIds.join(', ')}`}`,
      });
    } else if (stepIndex === undefined || index >= stepIndex) {
      const reader =
        stepIndex === undefined
          ? `\`${path.join('.')}\` runs before any step`
          : index === stepIndex
            ? `step \`${stepIds[stepIndex]}\` cannot read its own result`
            : `step \`${stepIds[stepIndex]}\` runs before step \`${ref.name}\``;
      ctx.diagnostics.push({
        ...where,
        code: 'step-order',
        message: `$steps.${ref.name} is not available here: ${reader}`,
      });
    }
  }
  for (const ref of refs.lookups) {
    if (!scope.lookupNames.has(ref.name)) {
      const hint = closestMatch(ref.name, [...scope.lookupNames]);
      ctx.diagnostics.push({
        file: validated.spec.file,
        ...at(ref.position, ref.name + '"'),
        severity: 'error',
        code: 'unknown-lookup',
        message: `no lookup named ${JSON.stringify(ref.name)}${hint ? `; did you mean \`${hint}\`?` : '; define it as a Lookup spec'}`,
      });
    }
    // No lookup at all is bound where `key` and `dedup_id` are computed: checks/expression-scopes.ts says so.
  }
  return compiled;
}

function objectOf(operation: OperationDef, params: Params): string | undefined {
  return typeof operation.object === 'string'
    ? operation.object
    : (params[operation.object.param] as string | undefined);
}

function identityOf(operation: OperationDef, params: Params): string[] {
  if (!operation.identity) return [];
  if (Array.isArray(operation.identity)) return operation.identity;
  const field = params[operation.identity.param];
  return typeof field === 'string' ? [field] : [];
}

function stepReads(validated: ValidatedSpec<'Integration'>, index: number): string[] {
  const step = validated.value.steps[index];
  const { find, abandon } = step;
  const text = [step.when, step.for_each, step.body, find?.body, find?.match, find?.result, abandon?.body]
    .filter((t) => typeof t === 'string')
    .join('\n');
  return [...new Set([...text.matchAll(/\$steps\.([a-z][a-z0-9_]*)/g)].map((m) => m[1]))];
}

/** Hash of everything that decides this integration's behaviour: its own spec plus the connections it uses. */
function integrationHash(value: Integration, steps: CompiledStep[], scope: IntegrationScope): string {
  const used = [...new Set(steps.map((s) => s.connection))].sort().map((name) => scope.connections.get(name));
  return createHash('sha256')
    .update(JSON.stringify([value, used]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Warns about a poll of a list that returns only its first records unless told to return all (`recordLimit`, M3's
 * maxrecs): a snapshot never sees the rest, and a poll by change date misses what lies beyond the cut.
 */
function warnCappedList(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  operation: OperationDef | undefined,
): void {
  const limit = operation?.recordLimit;
  const schedule = validated.value.source.schedule;
  if (!limit || !schedule) return;
  const given = schedule.params?.[limit.param];
  if (given === limit.all) return;
  const at: JsonPath = ['source', 'schedule', ...(given === undefined ? ['operation'] : ['params', limit.param])];
  const returns =
    given === undefined
      ? `without \`${limit.param}: ${limit.all}\` returns only its first ${limit.byDefault} records`
      : `with \`${limit.param}: ${JSON.stringify(given)}\` returns at most that many records`;
  ctx.warn(
    validated.spec,
    at,
    'capped-list',
    `${schedule.operation} ${returns} per call, so a longer list is never read whole and the records beyond are ` +
      `missed: set \`params: { ${limit.param}: ${limit.all} }\` to read all of it`,
  );
}

/** `file:line:col` of every scalar in a stream source's params, by its dotted path (`gap_fields.Fulfilment__c.0`). */
function paramSites(spec: SpecFile, params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: (string | number)[]) => {
    if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
    else {
      const at = valuePosition(spec, ['source', 'stream', 'params', ...path]);
      out[path.join('.')] = `${spec.file}:${at.line}:${at.col}`;
    }
  };
  walk(params, []);
  return out;
}
