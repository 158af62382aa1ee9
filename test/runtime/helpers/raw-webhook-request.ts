/**
 * One HTTP/1.1 request by node:http, headers exactly as given (no fetch defaults: any method, `Expect`, a body in
 * bytes), for the sender edge cases; resolves with the status, headers and body text.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the server sent `100 Continue` before its answer. */
  continued: boolean;
}

export function rawWebhookRequest(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const expectContinue = Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === 'expect');
    // A declared length, as curl sends: without it node would send the body chunked.
    const length = options.body === undefined ? {} : { 'content-length': Buffer.byteLength(options.body) };
    const headers = { ...length, ...options.headers };
    const req = request(url, { method: options.method ?? 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, continued }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (expectContinue)
      // With `Expect: 100-continue` the body waits for the server's go-ahead, as curl and .NET senders do.
      req.on('continue', () => {
        continued = true;
        req.end(options.body);
      });
    else req.end(options.body);
  });
}
