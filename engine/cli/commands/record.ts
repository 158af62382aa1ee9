/**
 * `junction record <integration> --event <file>`: runs one event against the real or emulated connections
 * (configured by the environment) and appends a test case with the responses received and the resulting plan.
 */
import { existsSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';
import { addSecurityOptions, engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';

interface Options extends SecurityFlags {
  event: string;
  dir: string;
  case?: string;
  xref?: string;
}

/** Registers `junction record`. */
export function registerRecordCommand(program: Command): void {
  const command = program
    .command('record')
    .description('run one event against the real connections and append it as a test case with the recorded responses')
    .argument('<integration>', 'integration name')
    .requiredOption('--event <file>', 'JSON file holding the input event')
    .option('--dir <dir>', 'spec directory', 'specs')
    .option('--case <name>', 'name of the new test case (default: "recorded from <event file>")')
    .option(
      '--xref <json>',
      'cross-references before the event, as a case\'s xref: {"map": {"source id": "target id"}}',
    );
  addSecurityOptions(command).action(async (name: string, opts: Options) => {
    // Loaded when the command runs, so `junction --help` does not pay for the compiler and the connectors.
    const { Document, parseDocument } = await import('yaml');
    const { caseOutcome, expectationFrom } = await import('../../plan/spec-tests/check-expectations.js');
    const { recordCase } = await import('../../plan/record-case.js');
    const { dryRun } = await import('../../plan/dry-run.js');
    const { runtimeRefusal } = await import('../../plan/runtime-refusal.js');
    const { redactBody } = await import('../../http/redact.js');
    const { compileDirectory, compileFailure, createWiring } = await import('../wiring.js');
    const { unknownIntegration } = await import('../listable-integration.js');
    // Record calls the real systems with resolved secrets, as `junction run` does, so it takes run's allowlist: a
    // reference run would refuse stops here at line:col (secret-not-allowed), before anything is resolved or sent.
    const wiring = createWiring({ security: engineSecurity(process.env, opts, true) });
    const { result: compiled, tree } = await compileDirectory(wiring, opts.dir);
    if (!compiled.specSet) throw compileFailure(compiled, opts.dir);
    const integration = compiled.specSet.integrations.get(name);
    if (!integration) throw new UsageError(unknownIntegration(compiled.specSet, name, opts.dir));
    const event = await readEvent(opts.event, wiring.maxDataBytes);
    const xref = opts.xref === undefined ? undefined : parseXref(opts.xref);
    const existing = compiled.tests.find((t) => t.integration === name);
    const testPath = resolve(existing?.file ?? integration.file.replace(/\.ya?ml$/i, '.test.yaml'));
    const caseName = opts.case ?? `recorded from ${basename(opts.event)}`;
    if (existing && (existing.value.cases as { name: string }[]).some((c) => c.name === caseName)) {
      throw new UsageError(`${existing.file} already has a case named ${JSON.stringify(caseName)}; pass --case <name>`);
    }
    const run = await recordCase({
      specSet: compiled.specSet,
      connectors: wiring.connectors,
      integration: name,
      event,
      env: process.env,
      security: wiring.security,
      xref,
    });
    const refusal = runtimeRefusal(run.result, integration, tree);
    if (refusal) {
      // What the runtime refuses or stops is no test case to keep: say where in the spec, and record nothing.
      process.stderr.write(`junction: nothing recorded: ${refusal}\n`);
      process.exitCode = 1;
      return;
    }
    const eventFile = relative(dirname(testPath), resolve(opts.event)).split(sep).join('/');
    const insideSpecs = !relative(resolve(opts.dir), resolve(opts.event)).startsWith('..');
    // An event copied into the case gets the integration's `redact` paths masked, like the responses; the plan
    // is that of the case replayed offline, so the case passes as written.
    const caseEvent = insideSpecs ? event : run.redaction.document(event);
    const planned = await dryRun(compiled.specSet, wiring.connectors, {
      integration: name,
      event: caseEvent,
      responses: run.responses,
      xref,
    });
    const live = `${caseOutcome(run.result)}${run.result.failure ? ` (${run.result.failure.code})` : ''}`;
    const offline = `${caseOutcome(planned)}${planned.failure ? ` (${planned.failure.code})` : ''}`;
    if (live !== offline) {
      // A run stopped before a system answered (a blocked host, a missing secret, a timeout) has no response to
      // keep: its case would fail `junction test` at once.
      const why = run.result.failure ? `: ${run.result.failure.message}` : '';
      process.stderr.write(
        `junction: nothing recorded: the event ended ${live}${why}; replayed from the responses received it ends ${offline}, so the case would not pass. Fix the cause and record again\n`,
      );
      process.exitCode = 1;
      return;
    }
    const testCase = {
      name: caseName,
      ...(insideSpecs ? { event_file: eventFile } : { event: caseEvent }),
      ...(xref ? { xref } : {}),
      ...(Object.keys(run.responses).length ? { responses: run.responses } : {}),
      expect: redactBody(expectationFrom(planned), run.secrets),
    };
    // A new file is written in block style (a `cases: []` flow list would put every case on one line).
    const doc = existsSync(testPath)
      ? parseDocument(await readFile(testPath, 'utf8'), { merge: true })
      : new Document({ apiVersion: 'junction/v1', kind: 'Test', integration: name, cases: [] });
    doc.addIn(['cases'], doc.createNode(testCase));
    // lineWidth 0: flow collections the author wrote stay on one line
    await writeFile(testPath, doc.toString({ lineWidth: 0 }));
    const outcome = caseOutcome(run.result);
    process.stdout.write(
      `recorded ${JSON.stringify(caseName)} in ${relative(process.cwd(), testPath)}: ${outcome}${run.result.failure ? ` (${run.result.failure.code})` : ''}, ${run.result.requests.length} request${run.result.requests.length === 1 ? '' : 's'}\n`,
    );
  });
}

function parseXref(text: string): Record<string, Record<string, string>> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, Record<string, string>>;
  } catch {
    // reported below
  }
  throw new UsageError(`--xref must be a JSON object of maps, e.g. '{"customer": {"501": "B00000501"}}'`);
}

/**
 * The event, refused from its size over the data limit before a byte is read: the case recorded would name it as its
 * event_file, which validate refuses from the same size.
 */
async function readEvent(file: string, maxDataBytes: number): Promise<unknown> {
  const { tooLargeData } = await import('../../compiler/spec-tree.js');
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxDataBytes)
        throw new UsageError(
          tooLargeData(`the event file ${file}`, size, 'keep only the fields the integration reads', maxDataBytes),
        );
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read the event file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the event file ${file} is not JSON: ${(error as Error).message}`);
  }
}
