/**
 * publishForAck (engine/runtime/broker/jetstream-publish.ts) against nats.js's own `js.publish(…, { headers, timeout,
 * retries: 2 })`: for every scripted answer of the broker (PubAck, duplicate, an empty stream name, API errors, a
 * reply that is not JSON, timeouts and "no responders" on either attempt, any other failure), both resolve with the
 * same PubAck or fail with the same error, after the same requests.
 */
import { jetstream } from '@nats-io/jetstream';
import { errors, headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { publishForAck } from '../../engine/runtime/broker/jetstream-publish.js';

/** One answer of the broker to one request: a reply's text, or a failure of the request. */
type Answer = { reply: string } | { fail: 'timeout' | 'no-responders' | 'other' };

const SUBJECT = 'junction.events.orders.3';

function failure(kind: 'timeout' | 'no-responders' | 'other'): Error {
  if (kind === 'timeout') return new errors.TimeoutError();
  if (kind === 'other') return new Error('connection draining');
  // As the reply inbox rejects on the server's 503 (engine/runtime/broker/reply-inbox.ts).
  const cause = new errors.NoRespondersError(SUBJECT);
  return new errors.RequestError(cause.message, { cause });
}

/** A JetStream client on a connection that answers each request with the next scripted answer. */
function scriptedClient(script: Answer[]) {
  const requests: { subject: string; data: Uint8Array; timeout?: number; headers?: MsgHdrs }[] = [];
  const nc = {
    options: {},
    request: (subject: string, data: Uint8Array, opts: { timeout?: number; headers?: MsgHdrs }) => {
      requests.push({ subject, data, timeout: opts.timeout, headers: opts.headers });
      const answer = script[requests.length - 1] ?? { fail: 'other' };
      if ('fail' in answer) return Promise.reject(failure(answer.fail));
      return Promise.resolve({ data: new TextEncoder().encode(answer.reply) });
    },
  } as unknown as NatsConnection;
  return { js: jetstream(nc), requests };
}

/** The outcome as comparable data: the PubAck, or the error's class, message and cause. */
async function outcome(run: Promise<unknown>): Promise<unknown> {
  try {
    return { ack: await run };
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return {
      error: e.constructor.name,
      message: e.message,
      cause: e.cause?.constructor.name,
      because: e.cause?.message,
    };
  }
}

const ACK = '{"stream":"JUNCTION_EVENTS","seq":42}';
const SCRIPTS: Record<string, Answer[]> = {
  stored: [{ reply: ACK }],
  duplicate: [{ reply: '{"stream":"JUNCTION_EVENTS","seq":42,"duplicate":true}' }],
  // As nats-server writes them (its template has the blanks): read from their bytes (pub-ack.ts).
  'stored, as nats-server writes it': [{ reply: '{"stream":"JUNCTION_EVENTS", "seq":42}' }],
  'duplicate, as nats-server writes it': [{ reply: '{"stream":"JUNCTION_EVENTS", "seq":42,"duplicate": true}' }],
  'with a domain': [{ reply: '{"stream":"JUNCTION_EVENTS","seq":7,"domain":"hub","duplicate":false}' }],
  'empty stream name': [{ reply: '{"stream":"","seq":0}' }],
  'stream full': [
    { reply: '{"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"},"stream":"S","seq":0}' },
  ],
  'stream not found': [{ reply: '{"error":{"code":404,"err_code":10059,"description":"stream not found"}}' }],
  'jetstream not enabled': [
    { reply: '{"error":{"code":503,"err_code":10039,"description":"jetstream not enabled for account"}}' },
  ],
  'reply not JSON': [{ reply: 'NATS/1.0 408' }],
  'timeout, then stored': [{ fail: 'timeout' }, { reply: ACK }],
  'timeout twice': [{ fail: 'timeout' }, { fail: 'timeout' }],
  'no responders, then stored': [{ fail: 'no-responders' }, { reply: ACK }],
  'no responders twice': [{ fail: 'no-responders' }, { fail: 'no-responders' }],
  'timeout, then no responders': [{ fail: 'timeout' }, { fail: 'no-responders' }],
  'timeout, then stream full': [
    { fail: 'timeout' },
    { reply: '{"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"}}' },
  ],
  'another failure': [{ fail: 'other' }],
};

describe('publishForAck', () => {
  for (const [name, script] of Object.entries(SCRIPTS))
    it(`answers as nats.js's publish does: ${name}`, async () => {
      const data = new TextEncoder().encode('{"id":1}');
      const h = natsHeaders();
      h.set('Nats-Msg-Id', 'orders:1');
      const ours = scriptedClient(script);
      const theirs = scriptedClient(script);
      const ownWay = vi.spyOn(ours.js, 'publish');
      const got = await outcome(publishForAck(ours.js, SUBJECT, data, h, 2_500));
      const expected = await outcome(theirs.js.publish(SUBJECT, data, { headers: h, timeout: 2_500, retries: 2 }));
      expect(got).toEqual(expected);
      expect(ours.requests).toEqual(theirs.requests);
      expect(ours.requests.length).toBe(Math.min(script.length, 2));
      // The first attempt is publishForAck's own; nats.js's publish makes only the second.
      const retried = 'fail' in script[0]! && script[0].fail !== 'other';
      expect(ownWay).toHaveBeenCalledTimes(retried ? 1 : 0);
    });
});
