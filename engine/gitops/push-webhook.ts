/**
 * `POST /hooks/git`: a GitHub push webhook makes this process fetch at once. As at `/hooks/<integration>`, the
 * `X-Hub-Signature-256` header (HMAC-SHA256 with the webhook secret) is checked before any byte of the body is read,
 * and the body is read against the engine's cap on webhook bytes in flight, digested as it streams in and compared in
 * constant time; an unsigned or badly signed request gets 401 and triggers nothing. The payload is only a hint: the
 * process fetches the tracked branch itself and never uses a value from the body.
 */
import type { IncomingMessage } from 'node:http';
import { discard, readWebhookBody } from '../runtime/ingest/read-webhook-body.js';
import type { IngestBudget } from '../runtime/ingest/read-webhook-body.js';
import { claimedSignature, digestMatches, startDigest } from '../runtime/ingest/verify-signature.js';
import { PUSH_SIGNATURE } from './verify-push-signature.js';

/** GitHub caps deliveries at 25 MB; a push payload is far smaller. Larger bodies are refused unread. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The reply the HTTP server sends; `close`: the rest of the body is not read, the connection is closed. */
export interface HookReply {
  status: number;
  body: Record<string, unknown>;
  close?: boolean;
}

/** What the handler needs from Git sync and the engine. */
interface PushWebhookOptions {
  /** From `JUNCTION_GIT_WEBHOOK_SECRET`; without it the endpoint answers 404. */
  secret?: string;
  branch: string;
  /** Starts a fetch (not awaited). */
  fetchNow(): void;
  /** The engine's webhook bytes in flight, shared with integrations' webhooks. */
  budget: IngestBudget;
}

/** A push to another branch does not concern this engine (the payload is signed, so its `ref` can be trusted). */
function pushedRef(body: Buffer): string | undefined {
  try {
    const ref = (JSON.parse(body.toString('utf8')) as { ref?: unknown }).ref;
    return typeof ref === 'string' ? ref : undefined;
  } catch {
    return undefined; // form-encoded or unexpected: fetch anyway, the fetch decides
  }
}

/** Verifies and handles one push webhook delivery. */
export async function handlePushWebhook(req: IncomingMessage, options: PushWebhookOptions): Promise<HookReply> {
  if (!options.secret) {
    discard(req, undefined);
    return {
      status: 404,
      body: { error: 'not-configured', message: 'set JUNCTION_GIT_WEBHOOK_SECRET to enable the push webhook' },
      close: true,
    };
  }
  const claim = claimedSignature(PUSH_SIGNATURE, req.headers);
  if ('refused' in claim) {
    discard(req, undefined);
    return { status: 401, body: { error: 'bad-signature', message: claim.refused }, close: true };
  }
  const digest = startDigest(options.secret, claim);
  const read = await readWebhookBody(req, MAX_BODY_BYTES, options.budget, digest);
  if ('refused' in read)
    return read.refused === 'too-large'
      ? { status: 413, body: { error: 'too-large', message: `body over ${MAX_BODY_BYTES} bytes` }, close: true }
      : {
          status: 503,
          body: { error: 'busy', message: 'too many webhook bytes in flight on this engine, retry later' },
          close: true,
        };
  try {
    if (!digestMatches(claim, digest.digest()))
      return { status: 401, body: { error: 'bad-signature', message: 'X-Hub-Signature-256 does not match the body' } };
    if (req.headers['x-github-event'] === 'ping') return { status: 200, body: { pong: true } };
    const ref = pushedRef(read.body);
    if (ref !== undefined && ref !== `refs/heads/${options.branch}`)
      return { status: 202, body: { fetching: false, reason: `not the tracked branch ${options.branch}` } };
    options.fetchNow();
    return { status: 202, body: { fetching: true } };
  } finally {
    options.budget.give(read.taken);
  }
}
