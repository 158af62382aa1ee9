/**
 * The operator commands print what vendors wrote (error messages, answers) to a terminal. A control character in
 * them must reach the screen as an escape (`\u001b`, `\n`): raw, an ESC sequence clears the screen, retitles the
 * window or writes the clipboard (OSC 52), and a newline forges a line of output (a "delivered" attempt that never
 * happened). Real engine, nats-server and target; the real `junction` commands. (Record keys cannot hold control
 * characters: ingest refuses them, test/runtime/header-values.test.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatCheckRows } from '../../engine/cli/formats/check-report.js';
import { junction } from '../ops/cli-in-process.js';
import { startFakeTarget } from '../runtime/helpers/fake-target.js';
import type { FakeTarget } from '../runtime/helpers/fake-target.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { TARGET_CONNECTION, startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';

// Clear the screen, set the window title, and a line that looks like a delivered attempt.
const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007sku unknown\n  #2  2026-01-01T00:00:00.000Z  delivered';
const ESCAPED = '\\u001b[2J\\u001b]0;pwned\\u0007sku unknown\\n  #2  2026-01-01T00:00:00.000Z  delivered';
// Every control character but the newlines between output lines.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let vendor: FakeTarget;
let h: VendorEngine;
beforeAll(async () => {
  // The generic HTTP connector reports a 422's `message` as the error: the vendor's own words.
  vendor = await startFakeTarget();
  vendor.fault = (req) => (req.body ? { respond: { status: 422, body: { message: HOSTILE } } } : undefined);
  h = await startVendorEngine(
    {
      // The emulator stays the `target` connection; this one points at the fake target, which can answer 422.
      'connections/vendor.yaml': TARGET_CONNECTION.replace('name: target', 'name: vendor').replace(
        'TARGET_',
        'VENDOR_',
      ),
      'orders.yaml': integrationYaml({ put: { connection: 'vendor' }, maxAttempts: 2 }),
    },
    { VENDOR_URL: vendor.url },
  );
  const posted = await fetch(`${h.engine.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'k1' }),
  });
  expect(posted.status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered', 30_000);
}, 60_000);
afterAll(async () => {
  await h?.dispose();
  await vendor?.stop();
});

/** Each output line, checked to hold no control character and no line the hostile text forged. */
function screen(output: string): string[] {
  const lines = output.split('\n');
  for (const line of lines) expect(line).not.toMatch(CONTROL);
  expect(lines.filter((l) => /^\s*(#2|forged)/.test(l))).toEqual([]);
  return lines;
}

it('junction trace shows the error and the answer with their control characters escaped', async () => {
  const { code, stdout } = await junction('trace', 'orders', 'k1', '--nats', h.nats.url);
  expect(code).toBe(0);
  const lines = screen(stdout);
  expect(lines.find((l) => l.includes('dead_lettered'))).toMatch(new RegExp(` 422: ${escapeRegex(ESCAPED)}$`));
  expect(lines.find((l) => l.startsWith('dead letter '))).toContain(` 422: ${ESCAPED}  (`);
  // --format json keeps the text as it is, in JSON's own escapes.
  const json = await junction('trace', 'orders', 'k1', '--nats', h.nats.url, '--format', 'json');
  expect(JSON.parse(json.stdout)).toMatchObject({ deadLetters: [{ key: 'k1', error: { message: HOSTILE } }] });
});

it('junction status shows a problem with its control characters escaped', async () => {
  // A pause reason pasted with the vendor's answer in it: status lists it under the integration.
  expect((await junction('pause', 'orders', '--reason', `vendor says ${HOSTILE}`, '--nats', h.nats.url)).code).toBe(0);
  await waitFor(async () => (await h.engine.status()).integrations[0].status === 'paused', 'paused', 30_000);
  const { code, stdout } = await junction('status', '--url', h.engine.operatorUrl!);
  expect(code).toBe(0);
  expect(screen(stdout).find((l) => l.includes('vendor says'))).toMatch(
    // The pause reason is quoted (engine/runtime/control/paused-by.ts), its control characters escaped inside.
    new RegExp(`: "vendor says ${escapeRegex(ESCAPED)}"$`),
  );
});

it('junction check and the other tables show a message with its control characters escaped', () => {
  // A failed auth check quotes the vendor's answer (an OAuth error_description, say).
  const table = formatCheckRows(
    [{ kind: 'connection', name: 'erp', check: 'auth', status: 'problem', message: `token refused: ${HOSTILE}` }],
    'stylish',
  );
  expect(screen(table)).toEqual([`connection  erp  auth  problem  token refused: ${ESCAPED}`, '']);
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
