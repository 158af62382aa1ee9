/**
 * Every integration of the example spec repository (specs/), one test case each: the case's event through the dry
 * run and through a real engine (its own nats-server, real HTTP over loopback to a server that answers with the
 * case's recorded responses, in the order the dry run used them) must put the same requests on the wire: method,
 * path with query, and body, byte for byte. The engine gets the event from the events stream as ingest or a source
 * stores it (sources themselves are off: their polls would be requests of their own).
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import type { TransportResponse } from '../../engine/http/transport.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { loadCases } from '../../engine/plan/spec-tests/load-cases.js';
import type { LoadedCase } from '../../engine/plan/spec-tests/load-cases.js';
import { EventPublisher, identifyEvent } from '../../engine/runtime/ingest/event-publisher.js';
import { startEngine } from '../../engine/runtime/engine.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { XrefStore } from '../../engine/runtime/stores/xref-store.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { TEST_TUNING, testLogger, waitFor } from '../runtime/helpers/runtime-harness.js';

const SPECS = fileURLToPath(new URL('../../specs/', import.meta.url));
const FOLDERS = readdirSync(SPECS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** A request as it went over the wire. */
interface WireRequest {
  method: string;
  path: string;
  body: string;
}

/** A loopback server answering each request with the next of `answers` (token requests with a token). */
async function startReplayServer() {
  const received: WireRequest[] = [];
  let answers: TransportResponse[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (/oauth2?\/token/.test(req.url ?? '')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'parity-token', token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      const answer = answers[received.length];
      received.push({ method: req.method!, path: req.url!, body });
      if (!answer) {
        res.writeHead(501, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'the dry run sent no such request' }));
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(next: TransportResponse[]) {
      answers = next;
      received.length = 0;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
  });
}

/**
 * A case whose world the runtime can be given: its cross-references are written to the engine's xref bucket; echo
 * state, created records, lookup overrides and unknown outcomes have no such door, so those cases are not used.
 */
function seedable(c: LoadedCase): boolean {
  const i = c.input;
  return !!i && !i.echo && !i.created && !i.lookups && !i.outcomeUnknown;
}

let replay: Awaited<ReturnType<typeof startReplayServer>>;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(() => replay?.stop());

describe.each(FOLDERS)('specs/%s', (folder) => {
  const dir = `${SPECS}${folder}`;
  const text = readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith('.yaml'))
    .map((f) => readFileSync(`${dir}/${String(f)}`, 'utf8'))
    .join('\n');
  const names = [...text.matchAll(/^kind: Integration\nname: ([\w-]+)/gm)].map((m) => m[1]);
  let specSet: CompiledSpecSet;
  let cases: LoadedCase[];
  let env: NodeJS.ProcessEnv;
  let wiring: ReturnType<typeof createWiring>;
  beforeAll(async () => {
    // Every URL the connections read points at the replay server; every other variable is a stand-in secret.
    const vars = [...new Set([...text.matchAll(/\$\{env:(\w+)\}/g)].map((m) => m[1]))];
    env = {
      ...process.env,
      ...Object.fromEntries(vars.map((v) => [v, v.endsWith('_URL') ? replay.url : 'parity'])),
      JUNCTION_ALLOWED_PRIVATE_HOSTS: new URL(replay.url).host,
    };
    wiring = createWiring({ env });
    const { result, tree } = await compileDirectory(wiring, dir);
    specSet = result.specSet!;
    cases = loadCases(result, tree);
  }, 60_000);

  it('covers every integration of the folder', () => {
    expect(names.length).toBeGreaterThan(0);
    expect([...specSet.integrations.keys()].sort()).toEqual([...names].sort());
  });

  it.each(names)(
    '%s: its first delivered case sends the same requests through the runtime',
    async (name) => {
      let planned: WireRequest[] = [];
      let answers: TransportResponse[] = [];
      let chosen: LoadedCase | undefined;
      for (const c of cases.filter((c) => c.integration === name && seedable(c))) {
        const wire: WireRequest[] = [];
        const given: TransportResponse[] = [];
        const plan = await dryRun(specSet, wiring.connectors, {
          ...c.input!,
          tap: (request, response) => {
            const url = new URL(request.url);
            if (/oauth2?\/token/.test(url.pathname)) return;
            wire.push({ method: request.method, path: url.pathname + url.search, body: request.body ?? '' });
            given.push(response);
          },
        });
        if (plan.outcome !== 'delivered' || wire.length === 0) continue;
        [planned, answers, chosen] = [wire, given, c];
        break;
      }
      expect(chosen, `${name} has a delivered test case whose state the runtime can be given`).toBeDefined();

      const nats = await startTestNatsServer();
      const engine = await startEngine({
        specSet,
        invoker: wiring.invokerFactory,
        streams: wiring.streamFactory,
        natsUrl: nats.url,
        env,
        security: wiring.security,
        port: 0,
        host: '127.0.0.1',
        tuning: TEST_TUNING,
        logger: testLogger(),
        roles: { sources: false },
      });
      const nc = await connect({ servers: nats.url, noAsyncTraces: true });
      try {
        const xref = Object.entries(chosen!.input!.xref ?? {}).flatMap(([map, ids]) =>
          Object.entries(ids).map(([sourceId, targetId]) => ({ map, sourceId, targetId })),
        );
        const bucket = await new Kvm(jetstream(nc)).open(BUCKET_NAMES.xref, { bindOnly: true });
        expect((await new XrefStore(bucket).write(xref)).created).toEqual(xref);
        replay.answer(answers);
        const integration = specSet.integrations.get(name)!;
        const event = chosen!.input!.event;
        await new EventPublisher(jetstream(nc), () => engine.partitions, 5_000).publish({
          integration: name,
          identity: await identifyEvent(integration, event),
          data: new TextEncoder().encode(JSON.stringify(event)),
          commit: specSet.commit,
        });
        const finished = async () => {
          const status = (await engine.status()) as {
            integrations: { name: string; counts: Record<string, number> }[];
          };
          const c = status.integrations.find((i) => i.name === name)!.counts;
          return c.delivered + c.skipped + c.echoSuppressed + c.deadLettered;
        };
        await waitFor(async () => (await finished()) === 1, `${name}: the event finished`, 60_000);
        expect(replay.received).toEqual(planned);
        const status = (await engine.status()) as { integrations: { name: string; counts: Record<string, number> }[] };
        expect(status.integrations.find((i) => i.name === name)!.counts.delivered).toBe(1);
      } finally {
        await nc.close();
        await engine.stop();
        await nats.dispose();
      }
    },
    120_000,
  );
});
