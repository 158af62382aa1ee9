/**
 * One HTTP exchange on undici's `dispatch`, collecting the response into a string. `Pool.request()` wraps each
 * response in a Readable stream and an AbortSignal timer; the engine only ever wants the whole body as text, so the
 * chunks are kept as they arrive and decoded once (issue #16: undici's streams were most of the HTTP client's CPU).
 * The outcome is the same as `request()` then `body.text()`: 1xx answers skipped, headers parsed by undici (lower-case
 * names, repeated ones as a list), a UTF-8 byte order mark dropped, the connection's errors passed on unchanged.
 */
import type { Dispatcher } from 'undici';

/** The final response, its headers as undici parsed them. */
interface CollectedResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: string;
}

/** Rejected with when the whole exchange outlasts its timeout (named as `AbortSignal.timeout()`'s reason is). */
class ExchangeTimeoutError extends Error {
  override name = 'TimeoutError';
}

export class ResponseCollector implements Dispatcher.DispatchHandler {
  /** Set once undici starts writing the request: a refused or failed connect leaves it unset. */
  sent = false;
  readonly done: Promise<CollectedResponse>;
  private resolve!: (response: CollectedResponse) => void;
  private reject!: (error: Error) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private timedOut: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private status = 0;
  private headers: Dispatcher.ResponseData['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private length = 0;

  /** The timeout bounds the whole exchange, from now: the wait for a pooled connection, the answer and its body. */
  constructor(timeoutMs: number) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(this.expire, timeoutMs).unref();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Timed out while waiting for a connection: undici checks `aborted` right after this and writes nothing.
    if (this.timedOut) controller.abort(this.timedOut);
    else this.sent = true;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: CollectedResponse['headers']) {
    if (status < 200) return;
    this.status = status;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  onResponseEnd(): void {
    clearTimeout(this.timer);
    this.resolve({ status: this.status, headers: this.headers, body: utf8Text(this.chunks, this.length) });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    clearTimeout(this.timer);
    this.reject(error);
  }

  /** Like a request's AbortSignal: aborts a running exchange now, a queued one as soon as undici starts it. */
  private readonly expire = (): void => {
    this.timedOut = new ExchangeTimeoutError('The operation was aborted due to timeout');
    this.controller?.abort(this.timedOut);
  };
}

/** The body as text, without a UTF-8 byte order mark (as undici's `body.text()`). */
function utf8Text(chunks: Buffer[], length: number): string {
  if (length === 0) return '';
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  const start = bytes.length > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}
