/**
 * `GET /readyz`: whether this engine can take events now and, when it cannot, why. Load balancers and Kubernetes read
 * only the status code (200 / 503); the reasons are for the operator who asks why a pod is out of rotation.
 *
 * The events stream is checked on the broker, which a probe must not wait on (a probe's timeout is short, and the
 * public port answers anyone): a probe answers from the last check and starts a new one when that is older than
 * `recheckMs`, so a deleted stream turns the engine not ready from the next probe after that. Whether the broker
 * answers at all is the background pinger's (broker-liveness.ts), read the same way.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '../broker/subjects.js';

type ReadinessCheck = 'nats' | 'specs' | 'events-stream' | 'stopping';

interface NotReadyReason {
  check: ReadinessCheck;
  message: string;
}

export interface Readiness {
  ready: boolean;
  /** Why not, one entry per failing check; empty when ready. */
  reasons: NotReadyReason[];
}

interface ReadinessDeps {
  /** Undefined while connected; else when the connection to NATS was lost, and whether it is closed for good. */
  natsDown(): { since: Date; closed: boolean } | undefined;
  /** The active spec set's commit: `none` until an engine following Git has applied its first bundle. */
  commit(): string;
  stopping(): boolean;
  jsm: JetStreamManager;
  /** Why the connected broker counts as stalled, or undefined (BrokerLiveness.stalled). */
  brokerStalled(): string | undefined;
  /** @default 5000 */
  recheckMs?: number;
}

/** The readiness probe's answer (cheap: it reads what the background checks found); see the file comment. */
export function readinessProbe(deps: ReadinessDeps): () => Readiness {
  const recheckMs = deps.recheckMs ?? 5_000;
  // The stream was just provisioned when the engine started.
  let streamProblem: string | undefined;
  let checkedAt = Date.now();
  let checking = false;
  const checkStream = () => {
    checking = true;
    deps.jsm.streams
      .info(EVENTS_STREAM)
      .then(
        () => (streamProblem = undefined),
        (error: unknown) => {
          // Only a definite answer changes the state: a timeout says nothing about the stream.
          if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
            streamProblem =
              `the events stream ${EVENTS_STREAM} does not exist on the broker (deleted?): ` +
              'restart the engine to create it again';
        },
      )
      .finally(() => ([checking, checkedAt] = [false, Date.now()]));
  };
  return () => {
    const reasons: NotReadyReason[] = [];
    const down = deps.natsDown();
    const stalled = deps.brokerStalled();
    if (down)
      reasons.push({
        check: 'nats',
        message: down.closed
          ? `the connection to NATS is closed (since ${down.since.toISOString()})`
          : `NATS disconnected since ${down.since.toISOString()}, reconnecting`,
      });
    else if (stalled) reasons.push({ check: 'nats', message: stalled });
    else if (!checking && Date.now() - checkedAt >= recheckMs) checkStream();
    if (!down && streamProblem) reasons.push({ check: 'events-stream', message: streamProblem });
    if (deps.commit() === 'none')
      reasons.push({ check: 'specs', message: 'no spec set applied yet (waiting for the first bundle from Git)' });
    if (deps.stopping()) reasons.push({ check: 'stopping', message: 'the engine is stopping' });
    return { ready: reasons.length === 0, reasons };
  };
}

/** The plain-text body (`Accept: text/plain`): `ready`, or `not ready` and a line per reason. */
export function readinessText(r: Readiness): string {
  return r.ready ? 'ready\n' : `not ready\n${r.reasons.map((x) => `- ${x.check}: ${x.message}\n`).join('')}`;
}
