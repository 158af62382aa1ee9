/**
 * `junction record <integration> --event <file>`: runs one event against the real or emulated connections
 * (configured by the environment) and appends a test case with the responses received and the resulting plan.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

interface Options {
  event: string;
  dir: string;
  case?: string;
}

/** Registers `junction record`. */
export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('run one event against the real connections and append it as a test case with the recorded responses')
    .argument('<integration>', 'integration name')
    .requiredOption('--event <file>', 'JSON file holding the input event')
    .option('--dir <dir>', 'spec directory', 'specs')
    .option('--case <name>', 'name of the new test case (default: "recorded from <event file>")')
    .action(async (name: string, opts: Options) => {
      // Loaded when the command runs, so `junction --help` does not pay for the compiler and the connectors.
      const { parseDocument } = await import('yaml');
      const { caseOutcome, expectationFrom } = await import('../../plan/spec-tests/check-expectations.js');
      const { recordCase } = await import('../../plan/record-case.js');
      const { compileDirectory, createWiring } = await import('../wiring.js');
      const wiring = createWiring();
      const { result: compiled } = await compileDirectory(wiring, opts.dir);
      if (!compiled.specSet)
        throw new UsageError(`${opts.dir} does not validate; run \`junction validate ${opts.dir}\` and fix it first`);
      const integration = compiled.specSet.integrations.get(name);
      if (!integration) throw new UsageError(`no integration named ${JSON.stringify(name)} in ${opts.dir}`);
      const event = await readEvent(opts.event);
      const existing = compiled.tests.find((t) => t.integration === name);
      const testPath = resolve(existing?.file ?? integration.file.replace(/\.ya?ml$/i, '.test.yaml'));
      const caseName = opts.case ?? `recorded from ${basename(opts.event)}`;
      if (existing && (existing.value.cases as { name: string }[]).some((c) => c.name === caseName)) {
        throw new UsageError(
          `${existing.file} already has a case named ${JSON.stringify(caseName)}; pass --case <name>`,
        );
      }
      const run = await recordCase({
        specSet: compiled.specSet,
        connectors: wiring.connectors,
        integration: name,
        event,
        env: process.env,
        security: wiring.security,
      });
      const eventFile = relative(dirname(testPath), resolve(opts.event)).split(sep).join('/');
      const insideSpecs = !relative(resolve(opts.dir), resolve(opts.event)).startsWith('..');
      const testCase = {
        name: caseName,
        ...(insideSpecs ? { event_file: eventFile } : { event }),
        ...(Object.keys(run.responses).length ? { responses: run.responses } : {}),
        expect: expectationFrom(run.result),
      };
      const doc = parseDocument(
        existsSync(testPath)
          ? await readFile(testPath, 'utf8')
          : `apiVersion: junction/v1\nkind: Test\nintegration: ${name}\ncases: []\n`,
        { merge: true },
      );
      doc.addIn(['cases'], doc.createNode(testCase));
      // lineWidth 0: flow collections the author wrote stay on one line
      await writeFile(testPath, doc.toString({ lineWidth: 0 }));
      const outcome = caseOutcome(run.result);
      process.stdout.write(
        `recorded ${JSON.stringify(caseName)} in ${relative(process.cwd(), testPath)}: ${outcome}${run.result.failure ? ` (${run.result.failure.code})` : ''}, ${run.result.requests.length} request${run.result.requests.length === 1 ? '' : 's'}\n`,
      );
    });
}

async function readEvent(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
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
