/**
 * `POST /hooks/git`: a GitHub push webhook makes this process fetch at once. The raw body is verified against
 * `X-Hub-Signature-256` (HMAC-SHA256 with the webhook secret, constant-time compare) before anything else is done
 * with it; an unsigned or badly signed request gets 401 and triggers nothing. The payload is only a hint: the process
 * fetches the tracked branch itself and never uses a value from the body.
 */
import type { IncomingMessage } from 'node:http';
import { verifyPushSignature } from './verify-push-signature.js';

/** GitHub caps deliveries at 25 MB; a push payload is far smaller. Larger bodies are refused unread. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The reply the HTTP server sends. */
export interface HookReply {
  status: number;
  body: Record<string, unknown>;
}

/** What the handler needs from Git sync. */
export interface PushWebhookOptions {
  /** From `JUNCTION_GIT_WEBHOOK_SECRET`; without it the endpoint answers 404. */
  secret?: string;
  branch: string;
  /** Starts a fetch (not awaited). */
  fetchNow(): void;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
  if (!options.secret)
    return {
      status: 404,
      body: { error: 'not-configured', message: 'set JUNCTION_GIT_WEBHOOK_SECRET to enable the push webhook' },
    };
  const body = await readBody(req);
  if (!body) return { status: 413, body: { error: 'too-large', message: `body over ${MAX_BODY_BYTES} bytes` } };
  const signature = req.headers['x-hub-signature-256'];
  if (!verifyPushSignature(options.secret, body, typeof signature === 'string' ? signature : undefined)) {
    return { status: 401, body: { error: 'bad-signature', message: 'X-Hub-Signature-256 does not match the body' } };
  }
  if (req.headers['x-github-event'] === 'ping') return { status: 200, body: { pong: true } };
  const ref = pushedRef(body);
  if (ref !== undefined && ref !== `refs/heads/${options.branch}`)
    return { status: 202, body: { fetching: false, reason: `not the tracked branch ${options.branch}` } };
  options.fetchNow();
  return { status: 202, body: { fetching: true } };
}
