/**
 * What a webhook body's Content-Type says about its text, and the body as the UTF-8 JSON the engine stores. JSON
 * is UTF-8 (RFC 8259 §8.1), and most senders send `application/json` with no charset or `charset=utf-8`; those
 * are told apart by a string compare, no parse. A sender that names another charset (ISO-8859-1, windows-1252,
 * UTF-16) gets its body decoded and stored as UTF-8; one whose charset this engine cannot decode, or who sends a
 * form instead of JSON (GitHub's default webhook content type), is refused before the body is read.
 */
import { isUtf8 } from 'node:buffer';
import type { IngestReply } from './webhook-ingest.js';

/** How the body's bytes are read: `utf8`, or a charset label that TextDecoder knows. */
export type BodyCharset = 'utf8' | { label: string };
type OtherCharset = Exclude<BodyCharset, 'utf8'>;

const UTF8: BodyCharset = 'utf8';
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
/** Labels for UTF-8 itself, and for ASCII, which is a part of it (WHATWG would read `us-ascii` as windows-1252). */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'us-ascii', 'ascii']);
/** Media types whose body is never a JSON text. */
const FORMS = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/** The body's charset per its Content-Type, or the refusal of a form or of a charset this engine cannot decode. */
export function bodyCharset(contentType: string | undefined): BodyCharset | IngestReply {
  if (
    contentType === undefined ||
    contentType === 'application/json' ||
    contentType === 'application/json; charset=utf-8'
  )
    return UTF8;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (FORMS.has(mediaType)) return notJson(mediaType);
  const label = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (label === undefined || UTF8_LABELS.has(label)) return UTF8;
  try {
    new TextDecoder(label);
  } catch {
    return unsupportedCharset(label);
  }
  return { label };
}

/**
 * The body as UTF-8 without a byte order mark, or why not: bytes that are not valid in its charset (silently
 * replaced, they would reach the target as U+FFFD), or nothing at all. A UTF-8 body is checked, not copied.
 */
export function utf8Body(raw: Buffer, charset: BodyCharset): Buffer | IngestReply {
  let text = raw;
  if (charset === UTF8) {
    if (!isUtf8(raw)) return badEncoding('UTF-8');
  } else {
    const { label } = charset as OtherCharset;
    try {
      // `fatal`: a byte that is not in the charset is an error, not a U+FFFD. The decoder drops a byte order mark.
      text = Buffer.from(new TextDecoder(label, { fatal: true }).decode(raw), 'utf8');
    } catch {
      return badEncoding(label);
    }
  }
  if (text.length >= 3 && text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf) text = text.subarray(3);
  if (text.length === 0)
    return {
      status: 400,
      body: { error: 'empty-body', message: 'the body is empty: a webhook carries one JSON object or array' },
    };
  return text;
}

function badEncoding(charset: string): IngestReply {
  const message =
    charset === 'UTF-8'
      ? 'the body is not valid UTF-8, which JSON text is (RFC 8259 §8.1): a sender using another charset names it ' +
        'in Content-Type'
      : `the body is not valid ${charset} (the charset its Content-Type names)`;
  return { status: 400, body: { error: 'bad-encoding', message } };
}

function unsupportedCharset(label: string): IngestReply {
  return {
    status: 415,
    body: {
      error: 'unsupported-charset',
      message: `charset ${JSON.stringify(label)} is not one this engine can decode: send the body as UTF-8 (RFC 8259 §8.1)`,
    },
    close: true,
  };
}

function notJson(mediaType: string): IngestReply {
  return {
    status: 415,
    body: {
      error: 'unsupported-media-type',
      message:
        `Content-Type ${mediaType} is not accepted: send the event as JSON ` +
        '(a GitHub webhook: set its content type to application/json)',
    },
    headers: { accept: 'application/json' },
    close: true,
  };
}
