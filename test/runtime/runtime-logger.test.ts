/**
 * The runtime logger's error lines: an error's message once, its cause beside it. The first line a new user meets
 * when a connection's variable is unset is a ConnectorError wrapping a MissingSecretError with the same message.
 */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createRuntimeLogger } from '../../engine/runtime/observe/runtime-logger.js';
import { asConnectorError } from '../../engine/http/classify-response.js';

it('logs a wrapped error with its own message once and the cause as its own object', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  const missing = Object.assign(new Error('environment variable SHOP_URL is not set (referenced as ${env:SHOP_URL})'), {
    name: 'MissingSecretError',
  });
  createRuntimeLogger('info', sink).warn({ err: asConnectorError(missing) }, 'poll failed');
  const { err } = JSON.parse(lines[0]) as { err: { type: string; message: string; cause: { message: string } } };
  expect({ type: err.type, message: err.message, cause: err.cause.message }).toEqual({
    type: 'ConnectorError',
    message: 'environment variable SHOP_URL is not set (referenced as ${env:SHOP_URL})',
    cause: 'environment variable SHOP_URL is not set (referenced as ${env:SHOP_URL})',
  });
});
