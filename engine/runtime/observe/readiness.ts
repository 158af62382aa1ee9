/**
 * `GET /readyz`: whether this engine can take events now and, when it cannot, why. Load balancers and Kubernetes read
 * only the status code (200 / 503); the reasons are for the operator who asks why a pod is out of rotation.
 *
 * The events stream is checked on the broker, which a probe must not wait on (a probe's timeout is short, and the
 * public port answers anyone): a probe answers from the last check and starts a new one when that is older than
 * `recheckMs`, so a deleted stream turns the engine not ready from the next probe after that.
 *
 * A broker that stops answering without closing the connection (stuck on a disk, frozen, a network that drops
 * packets) is not a lost connection until the client's own pings give up (3 unanswered, every 5 s: 15 s). So the
 * probe pings the broker in the background, once a second and one ping at a time, and is not ready while a ping has
 * gone unanswered for `stalledAfterMs`: a broker that freezes shows within about 4 s, and a single slow answer
 * within that does not flip the probe.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM } from '../broker/subjects.js';

export type ReadinessCheck = 'nats' | 'specs' | 'events-stream' | 'stopping';

export interface NotReadyReason {
  check: ReadinessCheck;
  message: string;
}

export interface Readiness {
  ready: boolean;
  /** Why not, one entry per failing check; empty when ready. */
  reasons: NotReadyReason[];
}

export interface ReadinessDeps {
  /** Undefined while connected; else when the connection to NATS was lost, and whether it is closed for good. */
  natsDown(): { since: Date; closed: boolean } | undefined;
  /** The active spec set's commit: `none` until an engine following Git has applied its first bundle. */
  commit(): string;
  stopping(): boolean;
  jsm: JetStreamManager;
  /** A round trip to the broker (the connection's PING/PONG: `nc.flush()`). */
  ping(): Promise<unknown>;
  /** @default 5000 */
  recheckMs?: number;
  /** How often the broker is pinged. @default 1000 */
  pingEveryMs?: number;
  /** How long a ping may go unanswered before the engine is not ready. @default 3000 */
  stalledAfterMs?: number;
}

/** The probe (cheap: it reads what the background checks found) and how to stop its pings. */
export interface ReadinessProbe {
  (): Readiness;
  stop(): void;
}

/** The readiness probe's answer; see the file comment for how the broker is consulted. */
export function readinessProbe(deps: ReadinessDeps): ReadinessProbe {
  const recheckMs = deps.recheckMs ?? 5_000;
  const stalledAfterMs = deps.stalledAfterMs ?? 3_000;
  // When the ping still unanswered was sent; undefined when none is.
  let pingSentAt: number | undefined;
  const pinger = setInterval(() => {
    if (pingSentAt !== undefined || deps.natsDown()) return;
    const sentAt = (pingSentAt = Date.now());
    // A ping cut short by a lost connection ends too: `natsDown` reports that case.
    const answered = () => {
      if (pingSentAt === sentAt) pingSentAt = undefined;
    };
    // Called in a promise, so a ping that throws (a connection closing) ends as an answer, never an uncaught error.
    Promise.resolve()
      .then(() => deps.ping())
      .then(answered, answered);
  }, deps.pingEveryMs ?? 1_000);
  pinger.unref();
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
  const probe = () => {
    const reasons: NotReadyReason[] = [];
    const down = deps.natsDown();
    const now = Date.now();
    if (down)
      reasons.push({
        check: 'nats',
        message: down.closed
          ? `the connection to NATS is closed (since ${down.since.toISOString()})`
          : `NATS disconnected since ${down.since.toISOString()}, reconnecting`,
      });
    else if (pingSentAt !== undefined && now - pingSentAt >= stalledAfterMs)
      reasons.push({
        check: 'nats',
        message:
          `NATS has not answered a ping for ${((now - pingSentAt) / 1000).toFixed(1)} s ` +
          `(sent at ${new Date(pingSentAt).toISOString()}): the broker is stalled or the network to it drops packets`,
      });
    else if (!checking && now - checkedAt >= recheckMs) checkStream();
    if (!down && streamProblem) reasons.push({ check: 'events-stream', message: streamProblem });
    if (deps.commit() === 'none')
      reasons.push({ check: 'specs', message: 'no spec set applied yet (waiting for the first bundle from Git)' });
    if (deps.stopping()) reasons.push({ check: 'stopping', message: 'the engine is stopping' });
    return { ready: reasons.length === 0, reasons };
  };
  return Object.assign(probe, { stop: () => clearInterval(pinger) });
}

/** The plain-text body (`Accept: text/plain`): `ready`, or `not ready` and a line per reason. */
export function readinessText(r: Readiness): string {
  return r.ready ? 'ready\n' : `not ready\n${r.reasons.map((x) => `- ${x.check}: ${x.message}\n`).join('')}`;
}
