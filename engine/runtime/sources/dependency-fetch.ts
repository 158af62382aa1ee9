/**
 * "Sync that record first": when an event waits for a cross-reference, the integration that writes that map reads
 * the record from its source (`read.get`) and stores it as one of its own events, with its normal dedup id. So an
 * order of a customer who has not changed since go-live pulls the customer in, instead of waiting for the
 * customer's next change.
 */
import type { Logger } from 'pino';
import type { ExecutionState } from '../../execute/execution-types.js';
import { readSourceRecord } from '../../execute/read-source.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { identifyEvent } from '../ingest/event-publisher.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { SpecRegistry } from '../spec-registry.js';

interface FetchDeps {
  specs: SpecRegistry;
  /** What `$xref` reads in the `read.get` body. */
  xref: ExecutionState['xref'];
  publisher: EventPublisher;
  guards: TransformGuards;
  log: Logger;
}

/** Fetches the record behind `map`/`key`; resolves with the integration that stored it, or undefined when none can. */
export async function fetchDependency(deps: FetchDeps, map: string, key: string): Promise<string | undefined> {
  const set = deps.specs.active;
  const writer = [...set.integrations.values()].find(
    (i) => i.read?.get && i.steps.some((s) => s.saveXref?.map === map),
  );
  if (!writer) return undefined;
  const bindings = { lookups: set.lookups, xref: deps.xref };
  const record = await readSourceRecord(writer, key, deps.specs.invoker(set), bindings, deps.guards);
  if (record === undefined || record === null) return undefined;
  const identity = await identifyEvent(writer, record, deps.guards);
  const stored = await deps.publisher.publish({
    integration: writer.name,
    identity,
    data: Buffer.from(JSON.stringify(record)),
    commit: set.commit,
  });
  deps.log.info(
    { integration: writer.name, map, id: key, duplicate: stored.duplicate },
    `fetched ${map} ${key} from the source of ${writer.name} for a waiting event`,
  );
  return writer.name;
}
