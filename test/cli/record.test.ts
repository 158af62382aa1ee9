/**
 * `junction record` against the Magento and Salesforce emulators: the recorded case replays offline as a passing
 * spec test, keeps the YAML around it, and holds no credential.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAGENTO_EMULATOR_TOKEN, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';

let shop: MagentoEmulator;
let crm: SalesforceEmulator;
let repo: SpecRepo;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  shop = await startMagentoEmulator({ host: '127.0.0.1', port: 0 });
  crm = await startSalesforceEmulator({ host: '127.0.0.1', port: 0 });
  repo = createSpecRepo();
  env = {
    SHOP_URL: shop.url,
    SHOP_TOKEN: MAGENTO_EMULATOR_TOKEN,
    CRM_URL: crm.url,
    CRM_CLIENT_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
    CRM_CLIENT_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
    // Recording resolves secrets into real calls, so it takes the engine's allowlist, as `junction run` does.
    JUNCTION_ALLOWED_SECRETS: 'SHOP_*,CRM_*,HOOK_SECRET',
    // Recording calls the emulators on loopback: the operator allows exactly those hosts.
    JUNCTION_ALLOWED_PRIVATE_HOSTS: `${new URL(shop.url).host},${new URL(crm.url).host}`,
  };
});
afterEach(async () => {
  await Promise.all([shop.stop(), crm.stop()]);
  repo.remove();
});

describe('junction record', () => {
  it('appends a case with the responses received, which then passes offline', async () => {
    const result = await junctionInProcess(
      ['record', 'prices-to-shop', '--event', 'specs/events/mug.json', '--case', 'mug from the emulator'],
      env,
      { cwd: repo.dir },
    );
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: 'recorded "mug from the emulator" in specs/prices-to-shop.test.yaml: delivered, 3 requests\n',
    });
    const text = readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8');
    expect(text).toContain('# the everyday case: one price, two stock locations');
    expect(text).toContain(
      '  - name: mug from the emulator\n    event_file: events/mug.json\n    responses:\n      price:\n        status: 200\n',
    );
    expect(text).not.toContain(MAGENTO_EMULATOR_TOKEN);
    const offline = await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir });
    expect(offline.stdout).toContain('✓ prices-to-shop › mug from the emulator\n');
    expect(offline.code).toBe(0);
  });

  it('records through OAuth without keeping the token or the client secret', async () => {
    writeFileSync(
      join(repo.dir, 'grace.json'),
      JSON.stringify({ id: 7, firstname: 'Grace', lastname: 'Hopper', email: 'grace@example.com' }),
    );
    const result = await junctionInProcess(['record', 'contacts-to-crm', '--event', 'grace.json'], env, {
      cwd: repo.dir,
    });
    expect(result.stdout).toBe(
      'recorded "recorded from grace.json" in specs/contacts-to-crm.test.yaml: delivered, 1 request\n',
    );
    const text = readFileSync(join(repo.dir, 'specs/contacts-to-crm.test.yaml'), 'utf8');
    expect(text).toContain('    event:\n      id: 7\n      firstname: Grace\n');
    expect(text).not.toContain(SALESFORCE_EMULATOR_CLIENT.clientSecret);
    expect(text).not.toMatch(/access_token|Bearer/);
    expect((await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
  });

  it('records a failing call as a dead-lettered case', async () => {
    // An unknown SKU makes Magento's PUT a create, which a price-only body cannot satisfy.
    writeFileSync(join(repo.dir, 'ghost.json'), JSON.stringify({ sku: 'GHOST-1', price: 3, active: true, stock: [] }));
    const result = await junctionInProcess(['record', 'prices-to-shop', '--event', 'ghost.json'], env, {
      cwd: repo.dir,
    });
    expect(result.stdout).toBe(
      'recorded "recorded from ghost.json" in specs/prices-to-shop.test.yaml: dead_lettered (validation), 1 request\n',
    );
    expect((await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
  });

  it('writes nothing when the run stopped before a system answered, and says why', async () => {
    const before = readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8');
    const { JUNCTION_ALLOWED_PRIVATE_HOSTS: _allowed, ...notAllowed } = env;
    const blocked = await junctionInProcess(
      ['record', 'prices-to-shop', '--event', 'specs/events/mug.json'],
      notAllowed,
      { cwd: repo.dir },
    );
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toBe('');
    expect(blocked.stderr).toContain(
      `junction: nothing recorded: the event ended dead_lettered (outbound-blocked): ${new URL(shop.url).host} is a loopback, private, reserved or metadata address;`,
    );
    expect(blocked.stderr).toContain(
      'replayed from the responses received it ends dead_lettered (no-recorded-response), so the case would not pass',
    );
    const { SHOP_TOKEN: _token, ...noToken } = env;
    const unset = await junctionInProcess(['record', 'prices-to-shop', '--event', 'specs/events/mug.json'], noToken, {
      cwd: repo.dir,
    });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain(
      'nothing recorded: the event ended dead_lettered (missing-secret): environment variable SHOP_TOKEN is not set',
    );
    expect(readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8')).toBe(before);
    // The blocked host's hint names --allow-private-host, which record takes as run does.
    const hostsAllowed = await junctionInProcess(
      ['record', 'prices-to-shop', '--event', 'specs/events/mug.json', '--allow-private-host', new URL(shop.url).host],
      notAllowed,
      { cwd: repo.dir },
    );
    expect(hostsAllowed.stdout).toBe(
      'recorded "recorded from mug.json" in specs/prices-to-shop.test.yaml: delivered, 3 requests\n',
    );
  });

  it('records nothing for an event the runtime refuses by its key, sends nothing, and names the key line', async () => {
    const before = readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8');
    writeFileSync(join(repo.dir, 'nosku.json'), JSON.stringify({ price: 3, active: true, stock: [] }));
    const result = await junctionInProcess(['record', 'prices-to-shop', '--event', 'nosku.json'], env, {
      cwd: repo.dir,
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'junction: nothing recorded: specs/prices-to-shop.yaml:5:6: the key expression `sku` gave no scalar value ' +
        'for this event (ingest answers 400 unidentifiable-event: nothing is stored or written). Nothing was sent; ' +
        'fix the key expression (or the event) and record again\n',
    });
    expect(shop.requests).toEqual([]);
    expect(readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8')).toBe(before);
  });

  it('records nothing for a body webhook ingest refuses, and sends nothing', async () => {
    writeFileSync(join(repo.dir, 'text.json'), JSON.stringify('MUG-1 costs 12.50'));
    const result = await junctionInProcess(['record', 'prices-to-shop', '--event', 'text.json'], env, {
      cwd: repo.dir,
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'junction: nothing recorded: the event: body must be a JSON object or array (ingest answers 400 ' +
        'not-an-object: nothing is stored or written). Nothing was sent; fix the event and record again\n',
    });
    expect(shop.requests).toEqual([]);
  });

  it("stops a transform at the runtime's limits and records nothing, naming the step's line", async () => {
    // Recursion 400 levels deep (about 3 call sites each): within JSONata's own default, past the runtime's 500.
    repo.edit('prices-to-shop.yaml', (t) =>
      t.replace(
        '"quantity": qty,',
        '"quantity": qty + ($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(400)) * 0,',
      ),
    );
    const before = readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8');
    const result = await junctionInProcess(['record', 'prices-to-shop', '--event', 'specs/events/mug.json'], env, {
      cwd: repo.dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    // The depth guard stops it; on a machine loaded enough to stall the process for a second the evaluation's
    // wall-clock guard may come first (either is the runtime's `transform-guard`).
    const guard = '(Stack overflow error|Expression evaluation timeout)[^()]*';
    expect(result.stderr).toMatch(
      new RegExp(
        "^junction: nothing recorded: specs/prices-to-shop\\.yaml:16:5: step stock\\[0\\] hit the runtime's " +
          `transform limits \\(JSONata U1001: ${guard}\\), so the runtime dead-letters this event \\(transform-guard\\) ` +
          'after the 1 request before it, which this run sent\\. The limits: 1000 ms per evaluation, call depth 500, ' +
          "10,000,000 characters of output; fix the step's expressions and record again\\n$",
      ),
    );
    // The price went out before the stock step's transform ran; the stopped stock write did not.
    expect(shop.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /rest/default/V1/products/MUG-1']);
    expect(readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8')).toBe(before);
  });

  it('refuses a case name that is taken', async () => {
    const result = await junctionInProcess(
      ['record', 'prices-to-shop', '--event', 'specs/events/mug.json', '--case', 'inactive products are skipped'],
      env,
      { cwd: repo.dir },
    );
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'junction: specs/prices-to-shop.test.yaml already has a case named "inactive products are skipped"; pass --case <name>\n',
    });
  });
});
