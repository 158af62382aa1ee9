/**
 * The one redaction module, for everything that leaves the engine as text: logs, errors, DLQ entries, API answers,
 * recorded requests and fixtures. Two rules, applied together:
 * - by key: values under secret-looking keys (passwords, tokens, API keys, signatures, session ids...) are masked;
 * - by value: every literal value of a resolved secret is masked where it appears (a URL path, an error message, a
 *   response excerpt), as are bearer/basic credentials in text. A short value (under ANYWHERE_SECRET_LENGTH) or an
 *   all-digit one is masked only where it stands alone, not inside a longer word or number (a PIN `4821` in
 *   `pin 4821 refused`, not in order `148213`); a longer one wherever it appears.
 * Walks are iterative, so no input is too deep to redact.
 */

/** What a masked value reads as. */
export const REDACTED = '[redacted]';

/** Secret values shorter than this are not masked by value: they would match ordinary text everywhere. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Secret values this long or longer, unless all digits, are masked wherever they appear, inside longer words too (a
 * token glued to a prefix). Shorter ones, and numbers, only where they stand alone: masking `2026` inside every
 * timestamp, or `4821` inside `148213`, would garble ordinary text and point at the secret's digits.
 */
const ANYWHERE_SECRET_LENGTH = 8;

const ALL_DIGITS = /^\d+$/;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const isWordCharacter = (c: string | undefined) => c !== undefined && WORD_CHARACTER.test(c);

/** Key names (lower case, `-`/`_` removed) that hold a secret wherever they appear in the name... */
const SECRET_KEY_PART =
  /(authori[sz]ation|cookie|passw(or)?d|passphrase|secret|token|apikey|signature|credential|privatekey|session(id|key))/;
/** ...and short names that are secrets only on their own (`pass`, not `passenger`). */
const SECRET_KEY_WHOLE = new Set(['pass', 'pwd', 'pin', 'ssn', 'session', 'auth']);
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)$/i;

/** Answers of isSecretKey by key: bodies repeat the same field names on every event. */
const secretKeys = new Map<string, boolean>();
const SECRET_KEYS_KEPT = 10_000;

/** True when a field or parameter named `key` holds a secret. */
export function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    const normalised = key.toLowerCase().replace(/[-_\s]/g, '');
    secret = SECRET_KEY_WHOLE.has(normalised) || SECRET_KEY_PART.test(normalised);
    if (secretKeys.size >= SECRET_KEYS_KEPT) secretKeys.clear();
    secretKeys.set(key, secret);
  }
  return secret;
}

/** Copy of `headers` with auth and cookie headers masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  // for-in over own keys: Object.entries' array and pairs, per request, for the same keys in the same order.
  for (const name in headers)
    if (Object.hasOwn(headers, name))
      out[name] = SECRET_HEADER.test(name) || isSecretKey(name) ? REDACTED : headers[name];
  return out;
}

/**
 * Deep copy of `value` with every non-null value under a secret-looking key masked. Iterative, so any depth works;
 * a shared object is copied once and stays shared.
 */
export function redactFields<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const copies = new Map<object, Record<string, unknown>>();
  const pending: object[] = [];
  const copyOf = (source: object) => {
    let copy = copies.get(source);
    if (!copy) {
      copy = (Array.isArray(source) ? [] : {}) as Record<string, unknown>;
      copies.set(source, copy);
      pending.push(source);
    }
    return copy;
  };
  const root = copyOf(value);
  while (pending.length > 0) {
    const source = pending.pop()!;
    const target = copies.get(source)!;
    const isArray = Array.isArray(source);
    for (const [key, v] of Object.entries(source)) {
      if (!isArray && isSecretKey(key) && v !== null && v !== undefined) setOwn(target, key, REDACTED);
      else setOwn(target, key, v !== null && typeof v === 'object' ? copyOf(v) : v);
    }
  }
  return root as T;
}

/**
 * Masks the given secret values in a text (nothing else: `Basic plan` stays as it is): a long one wherever it
 * appears, a short or all-digit one where it stands alone (ANYWHERE_SECRET_LENGTH). Every mask reads the same,
 * whatever the value's length.
 */
export function redactSecretValues(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH || !out.includes(secret)) continue;
    out = anywhere(secret) ? out.split(secret).join(REDACTED) : maskStandingAlone(out, secret);
  }
  return out;
}

const anywhere = (secret: string) => secret.length >= ANYWHERE_SECRET_LENGTH && !ALL_DIGITS.test(secret);

/**
 * `text` with each occurrence of `secret` masked that no letter or digit continues: one before it when the secret
 * starts with a letter or digit, one after it when it ends with one.
 */
function maskStandingAlone(text: string, secret: string): string {
  const guardStart = isWordCharacter(secret[0]);
  const guardEnd = isWordCharacter(secret[secret.length - 1]);
  let out = '';
  let from = 0;
  for (let i = text.indexOf(secret); i >= 0;) {
    const end = i + secret.length;
    if ((guardStart && isWordCharacter(text[i - 1])) || (guardEnd && isWordCharacter(text[end]))) {
      i = text.indexOf(secret, i + 1);
      continue;
    }
    out += text.slice(from, i) + REDACTED;
    from = end;
    i = text.indexOf(secret, end);
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Masks bearer/basic credentials in a text (`Bearer <token>`, `Basic <base64>`). */
export function redactCredentials(text: string): string {
  // The pattern starts with one of the two words: a text with neither is not searched (every request's URL and path).
  if (!text.includes('Bearer') && !text.includes('Basic')) return text;
  return text.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
}

/** Masks the given secret values in a text (redactSecretValues), and bearer/basic credentials. */
export function redactText(text: string, secrets: Iterable<string>): string {
  return redactCredentials(redactSecretValues(text, secrets));
}

/**
 * JSON text (a log line, a stored body) with the secret values masked and still JSON: a number equal to a secret
 * (a numeric PIN) becomes the string `"[redacted]"`, where masking the text would leave `"pin":[redacted]`. Parses
 * only when a value is there to mask; text that is not JSON is masked as text. `forms`: the values' JSON forms,
 * when the caller keeps them (jsonForms).
 */
export function redactJsonText(
  text: string,
  secrets: readonly string[],
  forms: readonly string[] = jsonForms(secrets),
): string {
  const masked = redactSecretValues(text, forms);
  if (masked === text) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return masked;
  }
  // A log line keeps its line end; JSON.stringify writes none.
  const trailing = /\s*$/.exec(text)![0];
  return JSON.stringify(redactJsonValue(parsed, secrets)) + trailing;
}

/**
 * Copy of a JSON value with the secret values (and bearer/basic credentials) masked in its strings, the values in its
 * keys, and each number equal to one replaced by REDACTED. Iterative, so any depth works.
 */
function redactJsonValue(value: unknown, secrets: readonly string[]): unknown {
  const numbers = new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH && ALL_DIGITS.test(s)));
  const leaf = (v: unknown) =>
    typeof v === 'string' ? redactText(v, secrets) : typeof v === 'number' && numbers.has(String(v)) ? REDACTED : v;
  if (value === null || typeof value !== 'object') return leaf(value);
  const root = (Array.isArray(value) ? [] : {}) as Record<string, unknown>;
  const pending: [object, Record<string, unknown>][] = [[value, root]];
  while (pending.length > 0) {
    const [source, target] = pending.pop()!;
    const isArray = Array.isArray(source);
    for (const [key, v] of Object.entries(source)) {
      const name = isArray ? key : redactSecretValues(key, secrets);
      if (v === null || typeof v !== 'object') setOwn(target, name, leaf(v));
      else {
        const copy = (Array.isArray(v) ? [] : {}) as Record<string, unknown>;
        setOwn(target, name, copy);
        pending.push([v, copy]);
      }
    }
  }
  return root;
}

/**
 * The first `chars` characters of a response body, for an error: secrets are masked before the cut, so one that
 * spans it leaves nothing of itself, and also as a vendor may quote them back from a request (percent-encoded in a
 * URL, form-encoded in a token request). Error paths only: the encoded forms cost a little per call.
 */
export function responseExcerpt(text: string, secrets: readonly string[], chars: number): string {
  const forms = [
    ...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)])),
  ];
  const longest = forms.reduce((n, s) => Math.max(n, s.length), 0);
  // Masked text at least `longest` past the cut: a secret cut off at the window's end then lies past the cut too.
  let end = chars + longest;
  let masked = redactText(text.slice(0, end), forms);
  while (masked.length < chars + longest && end < text.length) {
    end += chars + longest;
    masked = redactText(text.slice(0, end), forms);
  }
  return masked.slice(0, chars);
}

/**
 * A request or response body as it may be recorded: secret-looking fields and literal secret values masked. Returns
 * `value` itself when there is nothing to mask, so plans and fixtures keep their exact shape. `json` is the value's
 * JSON text when the caller has it already.
 */
export function redactBody(value: unknown, secrets: readonly string[], json?: string): unknown {
  if (value === undefined || value === null) return value;
  const text = typeof value === 'string' ? value : (json ?? JSON.stringify(value));
  if (text === undefined) return value;
  const literal = secrets.some((s) => s.length >= MIN_SECRET_LENGTH && text.includes(s));
  if (!literal && !hasSecretField(value)) return value;
  const masked = redactFields(value);
  if (!literal) return masked;
  // Value by value, not the JSON text: a number equal to a secret masked in the text would no longer parse.
  return typeof masked === 'string' ? redactText(masked, secrets) : redactJsonValue(masked, secrets);
}

/** A URL with secret-looking query parameters, user info and literal secrets masked. */
export function redactUrl(url: string, secrets: readonly string[]): string {
  const all = [...secrets, ...secrets.map(encodeURIComponent)];
  // User info ends at an `@`: a URL without one is not searched.
  const withoutUser = url.includes('@') ? url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`) : url;
  const q = withoutUser.indexOf('?');
  if (q < 0) return redactText(withoutUser, all);
  const params = new URLSearchParams(withoutUser.slice(q + 1));
  const keys = [...params.keys()].filter(isSecretKey);
  if (keys.length === 0) return redactText(withoutUser, all);
  for (const key of keys) params.set(key, REDACTED);
  return redactText(`${withoutUser.slice(0, q)}?${params.toString()}`, all);
}

/** Secret values as they appear inside JSON text (quotes and backslashes escaped). */
export function jsonForms(secrets: Iterable<string>): string[] {
  return [...secrets].flatMap((s) => {
    const escaped = JSON.stringify(s).slice(1, -1);
    return escaped === s ? [s] : [s, escaped];
  });
}

function hasSecretField(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const child of v) if (child !== null && typeof child === 'object') stack.push(child);
      continue;
    }
    // for-in over own keys: no key array per object of every request body.
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      const child = (v as Record<string, unknown>)[k];
      if (child === null || child === undefined) continue;
      if (isSecretKey(k)) return true;
      if (typeof child === 'object') stack.push(child);
    }
  }
  return false;
}

/**
 * Pino redact paths for structured logs (by key, two levels deep); secret values are masked in every line by
 * `createRuntimeLogger`.
 */
export const LOG_REDACT_PATHS = [
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.*.authorization',
  '*.*.password',
  '*.*.secret',
  '*.*.token',
  'headers.*',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * Sets an own property of a copy, `__proto__` included: JSON.parse gives an event's `__proto__` key as an own key, and
 * `copy[key] = value` would set the copy's prototype instead (the key vanished from the views of dead letters, and a
 * redact path through it masked the prototype, not the key).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** A field path of an integration's `redact` list, split at the dots; `*` is any one field. */
export type FieldPath = readonly string[];

/**
 * Copy of `value` with whatever is at one of `paths` replaced by REDACTED; arrays are walked through (`lines.price`
 * is every line's price). Returns `value` itself when no path matches. The depth is the paths' length plus the
 * arrays on the way (events are at most 64 deep: ingest refuses deeper ones).
 */
export function redactPaths<T>(value: T, paths: readonly FieldPath[]): T {
  let out: unknown = value;
  for (const path of paths) out = maskAt(out, path, 0);
  return out as T;
}

function maskAt(node: unknown, path: FieldPath, i: number): unknown {
  if (i === path.length) return node === undefined ? node : REDACTED;
  if (Array.isArray(node)) {
    const copy = node.map((element) => maskAt(element, path, i));
    return copy.some((element, n) => element !== node[n]) ? copy : node;
  }
  if (node === null || typeof node !== 'object') return node;
  const source = node as Record<string, unknown>;
  const keys = path[i] === '*' ? Object.keys(source) : Object.hasOwn(source, path[i]) ? [path[i]] : [];
  let copy: Record<string, unknown> | undefined;
  for (const key of keys) {
    const masked = maskAt(source[key], path, i + 1);
    if (masked !== source[key]) setOwn((copy ??= { ...source }), key, masked);
  }
  return copy ?? node;
}

/**
 * The strings and numbers (long enough to mask by value; a number as its digits) under secret-looking keys in each
 * document, leaves of objects under them too: a target that quotes a refused value back (`rejected password …`,
 * `PIN 4821 is wrong`) quotes what `redactFields` masks, so texts shown beside a document (an error, a response
 * excerpt) mask these. Iterative, at any depth.
 */
export function secretFieldValues(documents: readonly unknown[]): string[] {
  const found = new Set<string>();
  const stack: [unknown, boolean][] = documents.map((d) => [d, false]);
  while (stack.length > 0) {
    const [node, secret] = stack.pop()!;
    if (typeof node === 'string' || typeof node === 'number') {
      const text = String(node);
      if (secret && text.length >= MIN_SECRET_LENGTH) found.add(text);
    } else if (Array.isArray(node)) for (const child of node) stack.push([child, secret]);
    else if (node !== null && typeof node === 'object')
      for (const [key, child] of Object.entries(node)) stack.push([child, secret || isSecretKey(key)]);
  }
  return [...found];
}

/** The strings and numbers (long enough to mask by value) at `paths` in each document, leaves of objects too. */
function valuesAtPaths(documents: readonly unknown[], paths: readonly FieldPath[]): string[] {
  const found = new Set<string>();
  const collect = (node: unknown, path: FieldPath, i: number): void => {
    if (Array.isArray(node)) return node.forEach((element) => collect(element, path, i));
    if (i === path.length) {
      if (node !== null && typeof node === 'object')
        return Object.values(node).forEach((child) => collect(child, path, i));
      // A number as its digits: masked where it stands alone (redactSecretValues), in JSON as a string.
      const text = typeof node === 'string' || typeof node === 'number' ? String(node) : '';
      if (text.length >= MIN_SECRET_LENGTH) found.add(text);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const source = node as Record<string, unknown>;
    for (const key of path[i] === '*' ? Object.keys(source) : Object.hasOwn(source, path[i]) ? [path[i]] : [])
      collect(source[key], path, i + 1);
  };
  if (paths.length > 0) for (const document of documents) for (const path of paths) collect(document, path, 0);
  return [...found];
}

/**
 * An integration's `redact` paths for the data of one event: documents shown to people get the values at the paths
 * masked, and texts (error messages, response excerpts, log lines) the same values wherever they are quoted.
 */
export class FieldRedaction {
  readonly values: readonly string[];
  constructor(
    readonly paths: readonly FieldPath[],
    documents: readonly unknown[],
  ) {
    this.values = valuesAtPaths(documents, paths);
  }

  document<T>(value: T): T {
    if (this.paths.length === 0) return value;
    return redactBody(redactPaths(value, this.paths), this.values) as T;
  }

  text(text: string): string {
    return this.values.length === 0 ? text : redactText(text, this.values);
  }
}
