/**
 * Golden scenarios for `junction plan --base <ref>` in a real Git repository: a change to one mapping shows exactly
 * the changed fields, in JSON and in Markdown; unchanged integrations stay out of the plan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { KEY_CHANGE_ADVICE } from '../../engine/plan/diff/rollout-risks.js';
import { createSpecRepo } from './spec-repo.js';
import type { SpecRepo } from './spec-repo.js';

let repo: SpecRepo | undefined;
afterEach(() => repo?.remove());

describe('junction plan', () => {
  it('shows exactly the changed field of one changed mapping (JSON)', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      integrations: [
        {
          name: 'prices-to-shop',
          status: 'changed',
          cases: [
            {
              name: 'price and stock reach the shop',
              changes: [
                {
                  request: 'stock[0] POST /rest/default/V1/inventory/source-items',
                  path: 'body.sourceItems[0].quantity',
                  before: 40,
                  after: 80,
                },
              ],
            },
          ],
        },
      ],
      diagnostics: [],
      security: [],
      rollout: [],
    });
  });

  it('names a changed record key as a rollout risk in JSON', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('key: sku', 'key: sku & "@" & website'));
    const json = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).rollout).toEqual([
      {
        kind: 'key-changed',
        spec: 'prices-to-shop',
        before: 'sku',
        after: 'sku & "@" & website',
        advice: KEY_CHANGE_ADVICE,
      },
    ]);
  });

  // A CLI run of its own (each takes 15 s at a load of 20).
  it('names a changed record key as a rollout risk in Markdown', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('key: sku', 'key: sku & "@" & website'));
    const markdown = await junctionInProcess(['plan', '--base', 'main', 'specs'], {}, { cwd: repo.dir });
    expect(markdown.stdout).toContain(
      [
        '### ⚠️ Roll out with care: record key changed',
        '',
        "A record's new events will run under another key than its events still stored or parked. The engines " +
          "keep each record's order across the change: its new events wait behind those stored or parked under the " +
          'old key until none is left (`junction status` shows the drain), so they are delayed as long as that ' +
          'backlog takes. For no delay: stop what sends its events (the webhook sender, or the source system), ' +
          'wait until `junction status` shows lag 0 and nothing parked for it, merge, then restart the sender. ' +
          'See docs/runtime.md, "Changing an integration\'s key".',
        '',
        '| spec | key before | key after |',
        '|---|---|---|',
        '| <code>prices-to-shop</code> | <code>sku</code> | <code>sku &amp; "@" &amp; website</code> |',
        '',
      ].join('\n'),
    );
  });

  it('renders the same change as a Markdown table', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    const result = await junctionInProcess(['plan', '--base', repo.base, 'specs'], {}, { cwd: repo.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '## Junction plan',
        '',
        `Compared with \`${repo.base}\` (${repo.base.slice(0, 7)}). Every recorded test case runs before and after the change.`,
        '',
        '**1 integration**: 1 changed.',
        '',
        '### ✏️ <code>prices-to-shop</code> — changed, 1 change in 1 case',
        '',
        '**price and stock reach the shop**',
        '',
        '| request | field | before | after |',
        '|---|---|---|---|',
        '| <code>stock[0] POST /rest/default/V1/inventory/source-items</code> | <code>body.sourceItems[0].quantity</code> | <code>40</code> | <code>80</code> |',
        '',
      ].join('\n'),
    );
  });

  it('reports a changed outcome with its removed requests, and a spec change that plans nothing new', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('when: active = true', 'when: active = true and price > 100'));
    repo.edit('contacts-to-crm.yaml', (t) =>
      t
        .replace('"Email": email', '"Email": $lowercase(email), "Phone": phone')
        .replace('fields: [FirstName, LastName, Email]', 'fields: [FirstName, LastName, Email, Phone]'),
    );
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    const report = JSON.parse(result.stdout) as {
      integrations: { name: string; status: string; cases: { name: string; changes: unknown[] }[] }[];
    };
    expect(report.integrations.map((i) => [i.name, i.status])).toEqual([
      ['contacts-to-crm', 'changed'],
      ['prices-to-shop', 'changed'],
    ]);
    // the contact test event has no phone, and its e-mail is lower case already: the change plans no new write
    expect(report.integrations[0].cases).toEqual([]);
    expect(report.integrations[1].cases).toEqual([
      {
        name: 'price and stock reach the shop',
        changes: [
          { request: null, path: 'outcome', before: 'delivered', after: 'skipped' },
          {
            request: 'price PUT /rest/default/V1/products/MUG-1',
            path: '',
            before: {
              method: 'PUT',
              path: '/rest/default/V1/products/MUG-1',
              body: { product: { sku: 'MUG-1', price: 12.5 }, saveOptions: true },
            },
            after: null,
          },
          {
            request: 'stock[0] POST /rest/default/V1/inventory/source-items',
            path: '',
            before: {
              method: 'POST',
              path: '/rest/default/V1/inventory/source-items',
              body: { sourceItems: [{ sku: 'MUG-1', source_code: 'main_warehouse', quantity: 40, status: 1 }] },
            },
            after: null,
          },
          {
            request: 'stock[1] POST /rest/default/V1/inventory/source-items',
            path: '',
            before: {
              method: 'POST',
              path: '/rest/default/V1/inventory/source-items',
              body: { sourceItems: [{ sku: 'MUG-1', source_code: 'city_store', quantity: 0, status: 0 }] },
            },
            after: null,
          },
        ],
      },
    ]);
  });

  it('reports a renamed integration as removed and added', async () => {
    repo = createSpecRepo();
    repo.edit('contacts-to-crm.yaml', (t) => t.replace('name: contacts-to-crm', 'name: people-to-crm'));
    repo.edit('contacts-to-crm.test.yaml', (t) =>
      t.replace('integration: contacts-to-crm', 'integration: people-to-crm'),
    );
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    const request = {
      method: 'PATCH',
      path: '/services/data/v60.0/sobjects/Contact/Magento_Customer_Id__c/42',
      body: { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' },
    };
    const label = 'contact PATCH /services/data/v60.0/sobjects/Contact/Magento_Customer_Id__c/42';
    expect(JSON.parse(result.stdout)).toEqual({
      integrations: [
        {
          name: 'contacts-to-crm',
          status: 'removed',
          cases: [
            {
              name: 'a customer becomes a contact',
              changes: [
                { request: null, path: 'outcome', before: 'delivered', after: null },
                { request: label, path: '', before: request, after: null },
              ],
            },
          ],
        },
        {
          name: 'people-to-crm',
          status: 'added',
          cases: [
            {
              name: 'a customer becomes a contact',
              changes: [
                { request: null, path: 'outcome', before: null, after: 'delivered' },
                { request: label, path: '', before: null, after: request },
              ],
            },
          ],
        },
      ],
      diagnostics: [],
      // The renamed webhook is a new spec: its secret reference is new too.
      security: [{ kind: 'new-secret', spec: 'people-to-crm', detail: '${env:HOOK_SECRET}' }],
      rollout: [],
    });
  });

  it('lists the validation problems a broken change introduces, and plans nothing', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) =>
      t.replace('"price": $round(price, 2)\n', '"price": $round(price, 2),\n        "special_price": price * 0.9\n'),
    );
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      integrations: [],
      diagnostics: [
        {
          file: 'specs/prices-to-shop.yaml',
          line: 15,
          col: 9,
          severity: 'error',
          code: 'unknown-target-field',
          message: '`special_price` is not a field of product (magento products.update input)',
        },
      ],
      security: [],
      rollout: [],
    });
  });

  it('gives $now() one instant on both sides, so a mapping that stamps the time shows only what the change changed', async () => {
    repo = createSpecRepo();
    repo.edit('contacts-to-crm.yaml', (t) =>
      t
        // A stand-in for a sync stamp (the fixture's Contact has no date field): the time to the millisecond, twice.
        .replace('"Email": email }', '"Email": email, "Phone": $now("[H01]:[m01]:[s01].[f001]") & "/" & $millis() }')
        .replace('fields: [FirstName, LastName, Email]', 'fields: [FirstName, LastName, Email, Phone]'),
    );
    repo.git('commit', '-qam', 'stamp the sync time');
    repo.edit('contacts-to-crm.yaml', (t) => t.replace('"LastName": lastname', '"LastName": $uppercase(lastname)'));
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(JSON.parse(result.stdout).integrations).toEqual([
      {
        name: 'contacts-to-crm',
        status: 'changed',
        cases: [
          {
            name: 'a customer becomes a contact',
            changes: [
              {
                request: 'contact PATCH /services/data/v60.0/sobjects/Contact/Magento_Customer_Id__c/42',
                path: 'body.LastName',
                before: 'Lovelace',
                after: 'LOVELACE',
              },
            ],
          },
        ],
      },
    ]);
  });

  it('exits 2 on a ref that names no commit', async () => {
    repo = createSpecRepo();
    const result = await junctionInProcess(['plan', '--base', 'no-such-branch', 'specs'], {}, { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `junction: cannot read specs at no-such-branch: git ref "no-such-branch" does not name a commit in ${repo.dir}\n`,
    );
  });
});
