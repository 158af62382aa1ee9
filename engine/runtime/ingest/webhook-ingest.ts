/**
 * `POST /hooks/<integration>`: read the raw body (bounded), verify its signature, parse it, identify it, store it
 * in JetStream, and only then answer 2xx. Every refusal stores nothing and says why.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { MissingSecretError, SecretNotAllowedError, resolveRefs } from '../../compiler/secret-ref.js';
import type { SecretPolicy } from '../../compiler/secret-ref.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { EventIdentityError, identifyEvent } from './event-publisher.js';
import type { EventPublisher } from './event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { verifyAdobe } from './adobe-signatures.js';
import { verifySignature } from './verify-signature.js';
import { MAX_EVENT_DEPTH, jsonTextDepth } from './json-depth.js';

export interface IngestReply {
  status: number;
  body: Record<string, unknown>;
  /** Close the connection after answering (the rest of an oversized body is not read). */
  close?: boolean;
}

export interface WebhookIngestDeps {
  specs: SpecRegistry;
  publisher: EventPublisher;
  /** False while the NATS connection is down: answer 503 at once so the sender retries. */
  connected: () => boolean;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
  env?: NodeJS.ProcessEnv;
  /** The engine's secret allowlist: a webhook secret outside it is refused like an unset one. */
  secretPolicy?: SecretPolicy;
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
      : { status: 405, body: { error: 'method-not-allowed', message: 'webhooks are POSTed' } };
  }
  const raw = await readBody(req, source.maxBodyBytes);
  if (raw === 'too-large')
    return {
      status: 413,
      body: { error: 'body-too-large', message: `body exceeds ${source.maxBodyBytes} bytes` },
      close: true,
    };
  if (source.verify) {
    let secret: string;
    try {
      secret = resolveRefs(source.verify.secret, deps.env, deps.secretPolicy, name);
    } catch (error) {
      if (!(error instanceof MissingSecretError || error instanceof SecretNotAllowedError)) throw error;
      deps.log.error({ integration: name, variable: error.variable }, `webhook secret unusable: ${error.message}`);
      return {
        status: 500,
        body: { error: 'secret-not-configured', message: 'the webhook secret is not configured on this engine' },
      };
    }
    const header = req.headers[source.verify.header.toLowerCase()];
    if (!verifySignature(source.verify, secret, raw, Array.isArray(header) ? header[0] : header)) {
      return {
        status: 401,
        body: { error: 'bad-signature', message: `missing or invalid ${source.verify.header} signature` },
      };
    }
  }
  if (source.adobe) {
    const refused = await verifyAdobe(source.adobe, req.headers, raw, deps.env);
    if (refused) return { status: 401, body: { error: 'bad-signature', message: refused } };
  }
  // Counted on the bytes before parsing, without recursion: a poison event never gets into the stream from here.
  if (jsonTextDepth(raw, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH)
    return {
      status: 400,
      body: { error: 'too-deep', message: `body is nested deeper than ${MAX_EVENT_DEPTH} levels` },
    };
  let event: unknown;
  try {
    event = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return {
      status: 400,
      body: { error: 'malformed-json', message: `body is not valid JSON: ${(error as Error).message}` },
    };
  }
  if (event === null || typeof event !== 'object')
    return { status: 400, body: { error: 'not-an-object', message: 'body must be a JSON object or array' } };
  let identity;
  try {
    identity = await identifyEvent(integration, event, deps.guards);
  } catch (error) {
    if (error instanceof EventIdentityError)
      return { status: 400, body: { error: 'unidentifiable-event', message: error.message } };
    throw error;
  }
  if (!deps.connected()) return unavailable('NATS is not connected');
  try {
    const stored = await deps.publisher.publish({ integration: name, identity, data: raw, commit: specSet.commit });
    if (stored.duplicate) deps.metrics.duplicates.inc({ integration: name });
    else deps.metrics.eventsIn.inc({ integration: name, source: 'webhook' });
    return {
      status: 202,
      body: { id: identity.eventId, key: identity.key, seq: stored.seq, duplicate: stored.duplicate },
    };
  } catch (error) {
    deps.log.warn({ integration: name, err: error }, 'publish failed: answered 503');
    return unavailable((error as Error).message);
  }
}

function unavailable(reason: string): IngestReply {
  return { status: 503, body: { error: 'unavailable', message: `event not stored, retry later: ${reason}` } };
}

/**
 * The raw body, or 'too-large' as soon as it passes `limit` (the rest is not read: the request is destroyed). Plain
 * 'data' events rather than an async iterator, and anonymous listeners (tsx keeps function names, which costs a
 * defineProperty per named closure): this runs for every webhook. Events after the promise settled are no-ops.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        resolve('too-large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
    req.on('close', () =>
      reject(
        Object.assign(new Error('the request closed before its body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      ),
    );
  });
}
