/**
 * Reading a webhook body with bounded memory. Each body is capped by its integration's `max_body_bytes` (at most
 * 16 MiB), and all bodies being read at once share the engine's in-flight budget, so a flood of large requests is
 * answered 503 (the sender retries) instead of exhausting memory. The budget counts bytes as they arrive, never a
 * declared length: a sender that announces a large body and sends it slowly, or not at all, holds only what it
 * sent. The signature digest is fed as chunks arrive. A body that is not read to the end (too large, over budget,
 * refused before reading) is discarded, never buffered, and the connection is closed shortly after the answer.
 */
import type { Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The bytes of webhook bodies being read right now, across requests, against one limit. */
export class IngestBudget {
  #used = 0;
  constructor(readonly limitBytes: number) {}

  get used(): number {
    return this.#used;
  }

  /** Takes `bytes` from the budget; false (nothing taken) when that would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.#used + bytes > this.limitBytes) return false;
    this.#used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

export type BodyRead = { body: Buffer; taken: number } | { refused: 'too-large' | 'busy' };

/**
 * The raw body, or why it was not read. A declared Content-Length that could not fit is refused before any byte is
 * read; every body takes its bytes from the budget as they arrive. The caller gives `taken` back when done with it.
 * Plain 'data' events and anonymous listeners: this runs for every webhook (see the bench notes in docs/runtime.md).
 */
export function readWebhookBody(
  req: IncomingMessage,
  limit: number,
  budget: IngestBudget,
  digest?: Hmac,
): Promise<BodyRead> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > limit) return Promise.resolve(discard(req, 'too-large'));
  if (declared !== undefined && budget.used + declared > budget.limitBytes)
    return Promise.resolve(discard(req, 'busy'));
  let taken = 0;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stop = (why: 'too-large' | 'busy') => {
      done = true;
      budget.give(taken);
      resolve(discard(req, why));
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) return stop('too-large');
      if (!budget.tryTake(chunk.length)) return stop('busy');
      taken += chunk.length;
      digest?.update(chunk);
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), taken });
    });
    req.on('error', (error) => {
      if (!done) budget.give(taken);
      done = true;
      reject(error);
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      budget.give(taken);
      reject(
        Object.assign(new Error('the request closed before its body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      );
    });
  });
}

/** How long an unread body may keep streaming in (discarded) after the answer, before the connection is cut. */
const DISCARD_MS = 2_000;

/**
 * Leaves the rest of a body unread: incoming bytes are dropped as they arrive, so the answer (sent with
 * `connection: close`) reaches the sender instead of a reset, and the socket is destroyed shortly after.
 */
export function discard<T>(req: IncomingMessage, result: T): { refused: T } {
  req.removeAllListeners('data');
  req.resume();
  setTimeout(() => req.destroy(), DISCARD_MS).unref();
  return { refused: result };
}
