/**
 * HTTP/1.1 message framing shared by the bench's lean client and server (bench-http-client.ts,
 * bench-http-server.ts): the header lines of a head read straight from its bytes (RFC 9112 section 5), and a decoder
 * of the chunked transfer coding (RFC 9112 section 7.1) that takes its input in whatever pieces TCP delivers. Heads
 * are read from bytes, not from a string split by a regular expression, because the rig's processes share a core
 * with nats-server in the engine bench and every µs they spend is one the processes under test do not get.
 */

/** RFC 9110 5.6.2: tchar, the bytes of a token (a header field name, a method, a transfer coding). */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
  TCHAR[c.charCodeAt(0)] = 1;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** Whether bytes `start`..`end` of `buf` are a token. */
export function isToken(buf: Buffer, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (TCHAR[buf[i]] === 0) return false;
  return true;
}

/** Whether bytes `start`..`end` of `buf` are `lower` (a lower-case ASCII name) in any case. */
function equalsLower(buf: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const b = buf[start + i];
    // Upper-case ASCII letters to lower case; every other byte as it is.
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether `HTTP/1.` starts at `at` in `buf` (a status line, or a request line's version). */
export function isHttp1(buf: Buffer, at: number): boolean {
  return (
    buf[at] === 72 &&
    buf[at + 1] === 84 &&
    buf[at + 2] === 84 &&
    buf[at + 3] === 80 &&
    buf[at + 4] === 47 &&
    buf[at + 5] === 49 &&
    buf[at + 6] === 46
  );
}

/** What a head says about the framing of the body that follows it. */
interface Framing {
  /** The transfer codings of every Transfer-Encoding line in order, lower case; undefined when none was sent. */
  codings: string[] | undefined;
  /** The Content-Length value, if one was sent (every one the same). */
  contentLength: number | undefined;
  /** Connection's tokens include close / keep-alive. */
  close: boolean;
  keepAlive: boolean;
  hasHost: boolean;
}

/** A head line that cannot be read; `message` says which and why. */
export class HeadError extends Error {
  override name = 'HeadError';
}

/** A chunked body longer than its reader takes. */
export class BodyTooLarge extends HeadError {
  override name = 'BodyTooLarge';
}

const text = (buf: Buffer, start: number, end: number) =>
  JSON.stringify(buf.toString('latin1', start, end).slice(0, 80));

/**
 * Reads the header lines of a head, bytes `start` (after the start line's CRLF) to `end` (the CRLF CRLF's start),
 * for framing: Content-Length (every one must be the same digits), Transfer-Encoding, Connection, and whether Host was
 * sent. Throws HeadError for a line that is not `token ":" OWS value OWS`, a field name followed by whitespace before
 * its colon (RFC 9112 5.1), a bare CR or LF, an obsolete folded line (RFC 9112 5.2), or a bad Content-Length.
 */
export function readFraming(buf: Buffer, start: number, end: number): Framing {
  const framing: Framing = {
    codings: undefined,
    contentLength: undefined,
    close: false,
    keepAlive: false,
    hasHost: false,
  };
  let line = start;
  while (line < end) {
    // One pass over the line (a JS loop: lines are short, and each Buffer.indexOf is a call into C++).
    // The name: tchar up to the colon.
    let colon = line;
    while (colon < end && TCHAR[buf[colon]] === 1) colon++;
    let eol = colon;
    for (; eol < end; eol++) {
      const b = buf[eol];
      if (b === CR) break;
      if (b === LF) throw new HeadError(`bare LF in ${text(buf, line, eol)}`);
    }
    if (eol < end && buf[eol + 1] !== LF) throw new HeadError(`bare CR in ${text(buf, line, eol)}`);
    if (colon === line || colon >= eol || buf[colon] !== 58) {
      const b = buf[line];
      if (b === SP || b === HTAB) throw new HeadError(`obsolete line folding: ${text(buf, line, eol)}`);
      throw new HeadError(`malformed header line: ${text(buf, line, eol)}`);
    }
    let vs = colon + 1;
    let ve = eol;
    while (vs < ve && (buf[vs] === SP || buf[vs] === HTAB)) vs++;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
    switch (colon - line) {
      case 4:
        if (equalsLower(buf, line, colon, 'host')) framing.hasHost = true;
        break;
      case 10:
        if (!equalsLower(buf, line, colon, 'connection')) break;
        // The values a client or server nearly always sends, without making a string.
        if (equalsLower(buf, vs, ve, 'keep-alive')) framing.keepAlive = true;
        else if (equalsLower(buf, vs, ve, 'close')) framing.close = true;
        else {
          const tokens = buf.toString('latin1', vs, ve).toLowerCase().split(',');
          for (const t of tokens) {
            const token = t.trim();
            if (token === 'close') framing.close = true;
            else if (token === 'keep-alive') framing.keepAlive = true;
          }
        }
        break;
      case 14:
        if (equalsLower(buf, line, colon, 'content-length')) {
          if (ve === vs) throw new HeadError('empty Content-Length');
          let n = 0;
          for (let i = vs; i < ve; i++) {
            const d = buf[i] - 48;
            if (d < 0 || d > 9) throw new HeadError(`bad Content-Length ${text(buf, vs, ve)}`);
            n = n * 10 + d;
          }
          if (!Number.isSafeInteger(n)) throw new HeadError(`bad Content-Length ${text(buf, vs, ve)}`);
          if (framing.contentLength !== undefined && framing.contentLength !== n)
            throw new HeadError('two different Content-Length headers');
          framing.contentLength = n;
        }
        break;
      case 17:
        if (equalsLower(buf, line, colon, 'transfer-encoding')) {
          // The codings of every Transfer-Encoding line, in order: the last one says how the body is framed.
          const codings = buf.toString('latin1', vs, ve).toLowerCase().split(',');
          for (const c of codings) if (c.trim() !== '') (framing.codings ??= []).push(c.trim());
          framing.codings ??= [];
        }
        break;
    }
    line = eol + 2;
  }
  return framing;
}

/**
 * How a message with these framing headers is framed, for what the bench's pieces read: chunked (the only transfer
 * coding they decode), by Content-Length, or not at all (the reason why). RFC 9112 6.3: a Transfer-Encoding whose
 * last coding is not chunked leaves the length unknown; Transfer-Encoding beside Content-Length "ought to be handled
 * as an error" (a smuggling attempt); 6.1: a coding not understood gets 501 on a server.
 */
type BodyFraming =
  | { kind: 'chunked' }
  | { kind: 'length'; length: number | undefined }
  | { kind: 'bad'; status: 400 | 501; why: string };

export function bodyFraming(f: Framing): BodyFraming {
  if (f.codings === undefined) return { kind: 'length', length: f.contentLength };
  const list = f.codings.join(', ');
  if (f.codings[f.codings.length - 1] !== 'chunked')
    return { kind: 'bad', status: 400, why: `Transfer-Encoding ${JSON.stringify(list)} does not end in chunked` };
  if (f.codings.length > 1)
    return { kind: 'bad', status: 501, why: `Transfer-Encoding ${JSON.stringify(list)}: only chunked is decoded here` };
  if (f.contentLength !== undefined) return { kind: 'bad', status: 400, why: 'Transfer-Encoding and Content-Length' };
  return { kind: 'chunked' };
}

/** The longest chunk size or trailer line read. */
const MAX_LINE = 4096;

/**
 * Decodes a chunked body (RFC 9112 7.1) from pieces of any size: `push` takes the bytes that follow the head and
 * returns how many of them belonged to the body (the rest is the next message) once the body is complete, or -1
 * while it needs more. Chunk extensions are skipped, trailer fields read and dropped. `body()` is the data: views of
 * the pieces pushed, which must not be reused. Throws HeadError for what is not chunked framing (a size that is not
 * hex or over 12 hex digits, a chunk not followed by CRLF, an over-long line) and BodyTooLarge over `maxBody`.
 */
export class ChunkedDecoder {
  readonly #parts: Buffer[] = [];
  #size = 0;
  #state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  /** Bytes of a size or trailer line not complete yet. */
  #line: Buffer | undefined;
  #left = 0;

  /** `keep`: whether to keep the data for `body()` (a client that only frames the response does not). */
  constructor(
    private readonly maxBody = Infinity,
    private readonly keep = true,
  ) {}

  push(data: Buffer): number {
    let at = 0;
    while (at < data.length) {
      if (this.#state === 'data') {
        const n = Math.min(this.#left, data.length - at);
        if (this.keep) this.#parts.push(data.subarray(at, at + n));
        this.#left -= n;
        at += n;
        if (this.#left === 0) this.#state = 'data-crlf';
        continue;
      }
      // The other states read a line: up to and with its CRLF.
      const lf = data.indexOf(LF, at);
      if (lf < 0) {
        this.#keep(data.subarray(at));
        return -1;
      }
      const piece = data.subarray(at, lf + 1);
      const line = this.#line ? Buffer.concat([this.#line, piece]) : piece;
      this.#line = undefined;
      at = lf + 1;
      if (line.length > MAX_LINE) throw new HeadError('chunked body: line over 4 KiB');
      if (line.length < 2 || line[line.length - 2] !== CR) throw new HeadError('chunked body: line without CRLF');
      const end = line.length - 2;
      if (this.#state === 'data-crlf') {
        if (end !== 0) throw new HeadError('chunked body: chunk data not followed by CRLF');
        this.#state = 'size';
      } else if (this.#state === 'size') {
        let n = 0;
        let i = 0;
        for (; i < end; i++) {
          const b = line[i];
          const d = b >= 48 && b <= 57 ? b - 48 : (b | 32) >= 97 && (b | 32) <= 102 ? (b | 32) - 87 : -1;
          if (d < 0) break;
          n = n * 16 + d;
        }
        // RFC 9112 7.1.1: chunk-ext is BWS ";" ...; nothing else may follow the size.
        let j = i;
        while (j < end && (line[j] === SP || line[j] === HTAB)) j++;
        if (i === 0 || i > 12 || (j < end && line[j] !== 59))
          throw new HeadError(`chunked body: bad chunk size line ${text(line, 0, end)}`);
        this.#size += n;
        if (this.#size > this.maxBody) throw new BodyTooLarge(`chunked body over ${this.maxBody} bytes`);
        if (n === 0) this.#state = 'trailer';
        else {
          this.#left = n;
          this.#state = 'data';
        }
      } else if (end === 0) {
        return at;
      }
      // A trailer field: read, not kept.
    }
    return -1;
  }

  body(): Buffer {
    return this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts);
  }

  #keep(rest: Buffer): void {
    this.#line = this.#line ? Buffer.concat([this.#line, rest]) : Buffer.from(rest);
    if (this.#line.length > MAX_LINE) throw new HeadError('chunked body: line over 4 KiB');
  }
}
