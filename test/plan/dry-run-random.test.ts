/**
 * `$random()` and `$shuffle()` in a dry run draw from a generator seeded alike for every run, so a plan (and the PR
 * comment made of it) shows the same values each time and lists only what the change changed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { seededRandom } from '../../engine/plan/seeded-random.js';
import { runCli } from '../cli/run-cli.js';
import { createSpecRepo } from './spec-repo.js';
import type { SpecRepo } from './spec-repo.js';

let repo: SpecRepo | undefined;
let dir: string | undefined;
afterEach(async () => {
  repo?.remove();
  repo = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const TARGET = `apiVersion: junction/v1
kind: Connection
name: target
type: http
base_url: \${env:TARGET_URL}
auth: { type: none }
`;

const DRAWS = `apiVersion: junction/v1
kind: Integration
name: draws
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /draws }
    body: '{ "id": id, "n": $random(), "m": $random(), "order": $shuffle([1, 2, 3, 4, 5, 6, 7, 8]) }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
`;

it('gives $random() and $shuffle() the seeded generator numbers, the same in every run', async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-random-'));
  await writeFile(join(dir, 'target.yaml'), TARGET);
  await writeFile(join(dir, 'draws.yaml'), DRAWS);
  const specSet = (await compileDirectory(createWiring(), dir)).result.specSet!;
  const run = () =>
    dryRun(specSet, createConnectorRegistry(), {
      integration: 'draws',
      event: { id: 7 },
      responses: { write: { status: 201, body: {} } },
    });
  const first = await run();
  const second = await run();
  // What the documented generator gives, in evaluation order: $random, $random, then the shuffle's 7 draws.
  const draw = seededRandom();
  const [n, m] = [draw(), draw()];
  const order = [1, 2, 3, 4, 5, 6, 7, 8];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(draw() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  expect(first.outcome).toBe('delivered');
  expect(first.requests.map((r) => r.body)).toEqual([{ id: 7, n, m, order }]);
  expect(second.requests).toEqual(first.requests);
  expect(n).not.toBe(m);
  expect(order).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
});

it('lists only the changed field of a mapping that also draws $random(), in junction plan', async () => {
  repo = createSpecRepo();
  // The base already draws a random quantity jitter; the change only doubles the price.
  repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty + $floor($random() * 1000),'));
  repo.git('commit', '-q', '-am', 'jitter');
  repo.edit('prices-to-shop.yaml', (t) => t.replace('"price": $round(price, 2)', '"price": $round(price * 2, 2)'));
  const result = await runCli(['plan', '--base', 'main', 'specs', '--format', 'json'], { cwd: repo.dir });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).integrations).toEqual([
    {
      name: 'prices-to-shop',
      status: 'changed',
      cases: [
        {
          name: 'price and stock reach the shop',
          changes: [
            {
              request: 'price PUT /rest/default/V1/products/MUG-1',
              path: 'body.product.price',
              before: 12.5,
              after: 25,
            },
          ],
        },
      ],
    },
  ]);
});
