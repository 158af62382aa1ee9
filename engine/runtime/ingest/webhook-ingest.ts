/**
 * `POST /hooks/<integration>`: check the signature headers, read the raw body (bounded, digested as it streams in),
 * verify the signature, parse it, identify it, store it in JetStream, and only then answer 2xx. Every refusal stores
 * nothing and says why; a refusal before the body is read closes the connection.
 */
import type { Hmac } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { Logger } from 'pino';
import { MissingSecretError, SecretNotAllowedError, resolveRefs } from '../../compiler/secret-ref.js';
import type { SecretPolicy } from '../../compiler/secret-ref.js';
import type { OutboundPolicy } from '../../http/outbound-guard.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { EventIdentityError, EventTooLargeError, EventsStreamFullError, identifyEventNow } from './event-publisher.js';
import type { EventPublisher } from './event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { resolveAdobe, verifyAdobe } from './adobe-signatures.js';
import type { ResolvedAdobe } from './adobe-signatures.js';
import { claimedSignature, digestMatches, startDigest } from './verify-signature.js';
import type { ClaimedSignature } from './verify-signature.js';
import { discard, readWebhookBody } from './read-webhook-body.js';
import type { IngestBudget } from './read-webhook-body.js';
import { MAX_EVENT_DEPTH, jsonTextDepth, valueDepth } from './json-depth.js';
import { identityEvent, identityFields } from './identity-fields.js';
import { handsOffEvents } from '../worker/parsed-handoff.js';
import { bodyCharset, utf8Body } from './body-text.js';
import type { BodyCharset } from './body-text.js';
import type { ParsedHandoff } from '../worker/parsed-handoff.js';

export interface IngestReply {
  status: number;
  body: Record<string, unknown>;
  /** Close the connection after answering (the rest of the body is not read). */
  close?: boolean;
  /** Extra response headers (`retry-after`). */
  headers?: Record<string, string>;
}

/**
 * Whether the broker can store an event now. While it cannot (the connection lost, or a broker that stopped
 * answering: observe/broker-liveness.ts), a webhook is refused at once with 503 and Retry-After, instead of holding
 * the sender's connection and its body for the publish timeout.
 */
export interface BrokerGate {
  /** Why the broker cannot store an event now, or undefined. */
  unavailable(): string | undefined;
  /** Told when an event was stored: the broker answers, so a stall it was taken for is over. */
  answered(): void;
}

export interface WebhookIngestDeps {
  specs: SpecRegistry;
  publisher: EventPublisher;
  broker: BrokerGate;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
  env?: NodeJS.ProcessEnv;
  /** The engine's secret allowlist: a webhook secret outside it is refused like an unset one. */
  secretPolicy?: SecretPolicy;
  /** Bytes of bodies being read at once, across requests: over it, 503 with Retry-After. */
  budget: IngestBudget;
  /** Set when this process also delivers: a stored event is handed to its worker as parsed here. */
  handoff?: ParsedHandoff;
  /** Which private hosts Adobe I/O Events signing keys may be fetched from. @default public only */
  outbound?: OutboundPolicy;
}

export async function ingestWebhook(name: string, req: IncomingMessage, deps: WebhookIngestDeps): Promise<IngestReply> {
  const specSet = deps.specs.active;
  const integration = specSet.integrations.get(name);
  if (!integration)
    return {
      status: 404,
      body: { error: 'unknown-integration', message: `no integration named ${JSON.stringify(name)}` },
    };
  const source = integration.source;
  if (source.kind !== 'webhook')
    return {
      status: 404,
      body: { error: 'not-a-webhook', message: `integration ${name} has a ${source.kind} source, not a webhook` },
    };

  if (req.method === 'GET') {
    // Adobe I/O Events proves the URL on registration: GET ?challenge=<value>, answered with the value.
    const challenge = new URL(req.url ?? '/', 'http://hook').searchParams.get('challenge');
    return source.adobe?.scheme === 'io_events' && challenge
      ? { status: 200, body: { challenge } }
      : { status: 405, body: { error: 'method-not-allowed', message: 'webhooks are POSTed' }, headers: ALLOW_POST };
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && !isIdentity(encoding)) {
    discard(req, undefined);
    return unsupportedEncoding(encoding);
  }
  const charset = bodyCharset(req.headers['content-type']);
  if (typeof charset === 'object' && 'status' in charset) {
    discard(req, undefined);
    return charset;
  }
  // The secrets and the signature headers are checked before any byte of the body is read.
  let signed: { claim: ClaimedSignature; digest: Hmac } | undefined;
  let secret: string | undefined;
  let adobe: ResolvedAdobe | undefined;
  try {
    if (source.verify) secret = resolveRefs(source.verify.secret, deps.env, deps.secretPolicy, name);
    if (source.adobe) adobe = resolveAdobe(source.adobe, deps.env, deps.secretPolicy, name);
  } catch (error) {
    if (!(error instanceof MissingSecretError || error instanceof SecretNotAllowedError)) throw error;
    deps.log.error({ integration: name, variable: error.variable }, `webhook secret unusable: ${error.message}`);
    discard(req, undefined);
    return {
      status: 500,
      body: { error: 'secret-not-configured', message: 'the webhook secret is not configured on this engine' },
      close: true,
    };
  }
  if (source.verify && secret !== undefined) {
    const claim = claimedSignature(source.verify, req.headers);
    if ('refused' in claim) {
      discard(req, undefined);
      return { status: 401, body: { error: 'bad-signature', message: claim.refused }, close: true };
    }
    signed = { claim, digest: startDigest(secret, claim) };
  }
  // Before the body: a sender is not kept uploading what cannot be stored.
  const refused = brokerRefusal(name, deps);
  if (refused) {
    discard(req, undefined);
    return { ...refused, close: true };
  }
  const read = await readWebhookBody(req, source.maxBodyBytes, deps.budget, signed?.digest);
  if ('refused' in read) return refusedBody(read.refused, source.maxBodyBytes);
  try {
    return await accept(name, integration, specSet.commit, req.headers, read.body, charset, deps, signed, adobe);
  } finally {
    deps.budget.give(read.taken);
  }
}

/** The rest of the way for a body that was read whole: signature, shape, identity, then the store. */
async function accept(
  name: string,
  integration: CompiledIntegration,
  commit: string,
  headers: IncomingHttpHeaders,
  sent: Buffer,
  charset: BodyCharset,
  deps: WebhookIngestDeps,
  signed?: { claim: ClaimedSignature; digest: Hmac },
  adobe?: ResolvedAdobe,
): Promise<IngestReply> {
  // Signatures are over the bytes as sent; what is parsed and stored is their UTF-8 text.
  if (signed && !digestMatches(signed.claim, signed.digest.digest()))
    return { status: 401, body: { error: 'bad-signature', message: 'the signature does not match the body' } };
  if (adobe) {
    const refused = await verifyAdobe(adobe, headers, sent, deps.outbound);
    if (refused) return { status: 401, body: { error: 'bad-signature', message: refused } };
  }
  const raw = utf8Body(sent, charset);
  if ('status' in raw) return raw;
  // The whole event is parsed only where it is needed: for identity expressions that read more than some top-level
  // fields, and for this process's worker while it keeps up (it takes the parsed event instead of parsing again).
  const fields = identityFields(integration);
  const handsOn = deps.handoff !== undefined && handsOffEvents(integration);
  const parseForWorker = handsOn && keepingUp(deps.budget, raw) && deps.handoff!.keepsNext(raw.length);
  const cut = fields && !parseForWorker ? identityEvent(raw, fields) : undefined;
  let event: unknown = cut;
  if (cut === undefined) {
    // Measured before anything else walks the event: a poison event never gets into the stream from here.
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (jsonTextDepth(raw, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) return tooDeep();
      return {
        status: 400,
        body: { error: 'malformed-json', message: `body is not valid JSON: ${(error as Error).message}` },
      };
    }
    if (valueDepth(event, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) return tooDeep();
    if (event === null || typeof event !== 'object')
      return { status: 400, body: { error: 'not-an-object', message: 'body must be a JSON object or array' } };
  }
  let identity;
  try {
    // The scan found the body valid and shallow enough, so the whole is parsed only if its hash is the id.
    const whole = cut && (() => JSON.parse(raw.toString('utf8')) as unknown);
    const now = identifyEventNow(integration, event, deps.guards, whole);
    identity = now instanceof Promise ? await now : now;
  } catch (error) {
    if (error instanceof EventIdentityError)
      return { status: 400, body: { error: 'unidentifiable-event', message: error.message } };
    throw error;
  }
  // Again after the body: the broker may have stopped answering while it came in.
  const refused = brokerRefusal(name, deps);
  if (refused) return refused;
  try {
    const stored = await deps.publisher.publish({ integration: name, identity, data: raw, commit });
    deps.broker.answered();
    if (stored.duplicate) deps.metrics.duplicates.inc({ integration: name });
    else {
      deps.metrics.eventsIn.inc({ integration: name, source: 'webhook' });
      if (handsOn && cut === undefined) deps.handoff!.put(stored.stream, stored.seq, event, raw);
      else if (handsOn) deps.handoff!.stored(stored.stream, stored.seq);
    }
    return {
      status: 202,
      body: { id: identity.eventId, key: identity.key, seq: stored.seq, duplicate: stored.duplicate },
    };
  } catch (error) {
    if (error instanceof EventsStreamFullError) {
      deps.log.error({ integration: name, err: error }, 'events stream full: event refused with 507');
      // 507 Insufficient Storage: a 5xx, so the sender keeps the event and retries, and distinct in its logs.
      const body = { error: 'events-stream-full', message: `event not stored, retry later: ${error.message}` };
      return { status: 507, body, headers: { 'retry-after': '60' } };
    }
    if (error instanceof EventTooLargeError)
      return { status: 413, body: { error: 'event-too-large', message: error.message } };
    deps.log.warn({ integration: name, err: error }, 'publish failed: answered 503');
    return unavailable((error as Error).message);
  }
}

/**
 * Bodies in flight (being read or stored), in multiples of this one's size, up to which the worker is taken to keep
 * up. While ingest runs ahead of delivery (many requests at once), the worker reaches an event long after the
 * handoff dropped it (docs/performance.md, "The delivery allocation cuts"), so its parse would be for nothing.
 */
const KEEPING_UP_BODIES = 4;

function keepingUp(budget: IngestBudget, raw: Buffer): boolean {
  return budget.used <= KEEPING_UP_BODIES * Math.max(raw.length, 1);
}

const ALLOW_POST = { allow: 'POST' };

/** `identity` (or an empty value) is the body as sent: the only coding ingest takes. */
function isIdentity(encoding: string): boolean {
  return encoding === '' || encoding.trim().toLowerCase() === 'identity';
}

/**
 * A compressed (or otherwise coded) body: 415 with `Accept-Encoding: identity`, RFC 9110's way to name the codings a
 * server takes in requests. No sender Junction supports compresses its webhooks (docs/connectors.md), and decoding
 * would let a small body expand past `max_body_bytes` (a zip bomb) and leave unclear which bytes were signed.
 */
function unsupportedEncoding(encoding: string): IngestReply {
  return {
    status: 415,
    body: {
      error: 'unsupported-content-encoding',
      message:
        `Content-Encoding ${JSON.stringify(encoding)} is not accepted: ` +
        'send the body uncompressed (no Content-Encoding, or identity)',
    },
    headers: { 'accept-encoding': 'identity' },
    close: true,
  };
}

function tooDeep(): IngestReply {
  return { status: 400, body: { error: 'too-deep', message: `body is nested deeper than ${MAX_EVENT_DEPTH} levels` } };
}

/**
 * Seconds a sender is asked to wait (`Retry-After`) when the broker cannot store its event: a reconnect or a stall
 * lasts seconds, and the engine takes events again as soon as the broker answers.
 */
const BROKER_RETRY_AFTER_S = '5';

/** The 503 for a broker that cannot store an event now (counted: nothing was tried), or undefined when it can. */
function brokerRefusal(name: string, deps: WebhookIngestDeps): IngestReply | undefined {
  const reason = deps.broker.unavailable();
  if (reason === undefined) return undefined;
  deps.metrics.refused.inc({ integration: name, reason: 'broker-unavailable' });
  return unavailable(reason);
}

function unavailable(reason: string): IngestReply {
  return {
    status: 503,
    body: { error: 'unavailable', message: `event not stored, retry later: ${reason}` },
    headers: { 'retry-after': BROKER_RETRY_AFTER_S },
  };
}

function refusedBody(why: 'too-large' | 'busy', limit: number): IngestReply {
  return why === 'too-large'
    ? { status: 413, body: { error: 'body-too-large', message: `body exceeds ${limit} bytes` }, close: true }
    : {
        status: 503,
        body: { error: 'busy', message: 'too many webhook bytes in flight on this engine, retry later' },
        headers: { 'retry-after': '1' },
        close: true,
      };
}
