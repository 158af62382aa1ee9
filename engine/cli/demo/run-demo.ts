/**
 * `junction demo` (`npm run demo`): the whole loop on one machine. Starts the embedded nats-server and the vendor
 * emulators, copies
 * specs/ into a local Git repository and runs the engine on it, generates traffic with live progress, then — on a
 * timeline — breaks a target and lets retries recover, commits a mapping change and hot-swaps it, produces a
 * permanent failure and replays it after a fix. `--for N` stops after N seconds and prints one JSON line.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { startEngine } from '../../runtime/engine.js';
import type { Engine } from '../../runtime/engine.js';
import { emptySpecSet } from '../../gitops/empty-spec-set.js';
import { startGitSync } from '../../gitops/git-sync.js';
import type { GitSync } from '../../gitops/git-sync.js';
import { checkTargets } from './demo-check.js';
import { BROKER_PATIENCE_MS, BrokerPatience, Retryable } from '../broker-patience.js';
import { progressLines, progressNote } from './demo-progress.js';
import { createDemoRepo } from './demo-repo.js';
import type { DemoRepo } from './demo-repo.js';
import { startSeedSystems } from '../../../connectors/seed-systems.js';
import type { SeedSystems } from '../../../connectors/seed-systems.js';
import type { SentErpEvents } from './demo-erp-traffic.js';
import { DemoTraffic } from './demo-traffic.js';
import { DemoBngTraffic } from './demo-bng-traffic.js';
import { createWiring } from '../wiring.js';
import { WaitTimeout, waitUntil } from '../wait-until.js';
import { packagePath } from '../../package-root.js';

export interface DemoOptions {
  /** Stop after this many seconds and print the JSON summary. @default run until Ctrl-C */
  durationS?: number;
  /** The engine's webhook port (the dashboard is on the next); a busy port falls back to a free one. @default 8080 */
  port?: number;
  /**
   * Ctrl-C (SIGINT or SIGTERM, aborted with that signal's name). Once traffic flows it ends the traffic, then the
   * demo drains and checks; during start-up it stops what has started, says what, and the demo exits 130.
   */
  signal?: AbortSignal;
}

const say = (line: string) => process.stdout.write(line + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CUSTOMERS = [42, 43, 44, 45, 46];
const BNG_CUSTOMERS = [601, 602, 603];
const M3_EXECUTE = '/m3api-rest/v2/execute';
/** How often the demo's Magento polls run (demo-repo.ts shortens the seed specs' interval to this). */
const POLL_MS = 1000;

/** Runs the demo; resolves to the exit code (0 when nothing was lost or duplicated, 130 when stopped starting). */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const duration = options.durationS;
  const port = options.port ?? 8080;
  const signal = options.signal ?? new AbortController().signal;
  mkdirSync('.junction', { recursive: true });
  const root = mkdtempSync(join(resolve('.junction'), 'demo-'));
  const parts: { systems?: SeedSystems; repo?: DemoRepo } = {};
  let engine: Engine | undefined;
  let sync: GitSync | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let stopping = false;
  // What is starting, for the line a Ctrl-C during start-up ends with; undefined once traffic flows.
  let startPhase: string | undefined = 'loading the demo';
  // The broker may go away while the demo runs (nats-server stopped or restarted): senders and the demo's own NATS
  // calls wait for it, as the engine does.
  const patience = new BrokerPatience();
  // Stopping ends the traffic, then the demo drains and checks; with the broker away it ends at once instead.
  const stop = () => {
    stopping = true;
    patience.stop();
  };
  signal.addEventListener('abort', stop, { once: true });
  // Stops what has started, last first, and names it (a Ctrl-C during start-up says what it stopped).
  const stopped: string[] = [];
  let tornDown: Promise<void> | undefined;
  const teardown = () =>
    (tornDown ??= (async () => {
      clearInterval(ticker);
      if (sync) await sync.stop().then(() => stopped.push('the Git sync'));
      if (engine) await engine.stop().then(() => stopped.push('the engine and its nats-server'));
      if (parts.systems)
        await parts.systems
          .stop()
          .then(() => stopped.push('the emulators (Magento, FinancialForce, Salesforce, M3, BNG)'));
      if (parts.repo) rmSync(parts.repo.dir, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    })());
  try {
    signal.throwIfAborted();
    startPhase = 'starting the emulators';
    const systems = (parts.systems = await startSeedSystems());
    signal.throwIfAborted();
    startPhase = 'creating the demo spec repository';
    const repo = (parts.repo = await createDemoRepo(packagePath('specs'), POLL_MS));
    signal.throwIfAborted();
    startPhase = 'starting nats-server and the engine';
    const logger = pino({ level: 'warn' }, pino.destination(join(root, 'engine.log')));
    const wiring = createWiring({ env: systems.env });
    const start = (p: number) =>
      startEngine({
        specSet: emptySpecSet(),
        invoker: wiring.invokerFactory,
        streams: wiring.streamFactory,
        port: p,
        operator: { port: p === 0 ? 0 : p + 1 },
        env: systems.env,
        security: wiring.security,
        embeddedRoot: root,
        logger,
      });
    const running = await start(port).catch((error: Error) =>
      port !== 0 && /EADDRINUSE/.test(error.message) ? start(0) : Promise.reject(error),
    );
    engine = running;
    signal.throwIfAborted();
    startPhase = "starting the engine's Git sync";
    // The engine follows the demo repository like production follows main: merged commits go live by themselves.
    sync = await startGitSync(running, {
      mirror: { repo: repo.dir, branch: 'main', path: 'specs', dir: join(root, 'git') },
      natsUrl: engine.natsUrl,
      natsOptions: engine.natsOptions,
      compile: wiring.compileTree,
      pollMs: 1000,
      log: logger,
    });
    running.attachSync(sync);
    startPhase = "waiting for the engine to run the demo repository's first commit";
    await waitUntil(
      async () => running.specSet.commit === (await repo.head()),
      60_000,
      "the engine to run the demo repository's first commit",
      signal,
    );
    say(
      `Junction demo: engine ${running.url} (dashboard: ${running.operatorUrl}/), NATS ${running.natsUrl}, spec repo ${repo.dir}`,
    );
    // The embedded server needs the credentials in <root>/.junction/nats.json: NATS's URL alone is refused.
    say(
      `operator commands: cd ${root} && npx junction dlq list (or trace, pause, alert list: they find this ` +
        `demo's NATS there); npx junction status --url ${running.operatorUrl}`,
    );
    say(
      `emulators: magento ${systems.magento.url}, FinancialForce ${systems.ff.url}, Salesforce ${systems.salesforce.url}, ` +
        `Infor M3 ${systems.m3.url}, BNG ${systems.bng.url}`,
    );
    const traffic = new DemoTraffic(running.url!, systems.ff, systems.magento.state, patience);
    const bng = new DemoBngTraffic(running.url!, traffic.sent.bng, patience);
    // The demo's own reads and replays of dead letters fail only while NATS is away: waited for like the senders.
    const openDeadLetters = () =>
      patience.retry('listing the dead letters', () => running.deadLetters.list({ status: 'open' }), true);
    startPhase = 'waiting for the first customers to be delivered';
    for (const id of CUSTOMERS) traffic.customer(id);
    for (const id of BNG_CUSTOMERS) await bng.customer(id);
    const delivered = async (name: string) =>
      (await engine!.status()).integrations.find((i) => i.name === name)!.counts.delivered;
    await waitUntil(
      async () =>
        (await delivered('magento-customers-to-ff-accounts')) >= CUSTOMERS.length &&
        (await delivered('bng-customers-to-m3')) >= BNG_CUSTOMERS.length,
      60_000,
      'the first customers to be delivered (Magento to FinancialForce, BNG to M3)',
      signal,
    );
    startPhase = undefined;

    const started = Date.now();
    // What the progress header says besides the broker: a target that is down, the drain.
    let condition = 'traffic flowing';
    let printing: Promise<void> | undefined;
    const printProgress = async () => {
      const status = await running.status().catch(() => undefined);
      const note = progressNote(condition, patience.waiting, status, Date.now(), BROKER_PATIENCE_MS);
      say(progressLines(status, (Date.now() - started) / 1000, note));
    };
    // On a timer, not in the traffic loop: a sender waiting for the broker holds that loop up.
    const tick = () => {
      printing ??= printProgress().finally(() => (printing = undefined));
    };
    tick();
    ticker = setInterval(tick, 2000);

    const total = duration ?? Infinity;
    const at = (fraction: number, fallbackS: number) => (duration ? duration * fraction : fallbackS) * 1000;
    const timeline = [
      {
        at: at(0.2, 10),
        note: 'FinancialForce is down (503): events retry with backoff',
        run: () => {
          condition = 'FinancialForce down (503): its events retry with backoff';
          systems.ff.fail({
            status: 503,
            times: 1_000_000,
            pathPrefix: '/services/data',
            body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'maintenance' }],
          });
        },
      },
      {
        at: at(0.35, 18),
        note: 'FinancialForce is back: the retries recover',
        run: () => {
          condition = 'traffic flowing';
          systems.ff.clearFaults();
        },
      },
      {
        at: at(0.4, 21),
        note: 'M3 commits orders, confirmations and GL postings but the answers are lost: found, not sent twice',
        run: () => {
          for (const transaction of ['OIS100MI/AddBatchHead', 'OIS100MI/Confirm', 'GLS840MI/UpdBatch'])
            systems.m3.fail({ dropAfterCommit: true, pathPrefix: `${M3_EXECUTE}/${transaction}`, times: 2 });
        },
      },
      {
        at: at(0.45, 24),
        note: 'committing a mapping change (invoice description)…',
        run: async () => {
          const commit = await repo.commitChange(
            'magento-ff/magento-orders-to-ff-invoices.yaml',
            (t) => t.replace('"Magento order " & increment_id', '"Web order " & increment_id'),
            'Invoices say "Web order"',
          );
          const committedAt = Date.now();
          await waitUntil(async () => engine!.specSet.commit === commit, 60_000, 'the mapping change to go live');
          say(
            `  commit ${commit.slice(0, 10)} is live ${Date.now() - committedAt} ms after the commit: new invoices say "Web order …"`,
          );
        },
      },
      {
        at: at(0.55, 30),
        note: 'an ad on a fulfilled contract: a permanent error goes to the dead-letter queue',
        run: async () => void (await traffic.ad('C-1002')),
      },
      {
        at: at(0.7, 40),
        note: 'the contract is reopened; replaying the dead letter',
        run: async () => {
          // On a busy machine the ad may still be queued: reopened first, it would be delivered, not dead-lettered.
          await waitUntil(
            async () => (await openDeadLetters()).length > 0,
            60_000,
            'the ad for a fulfilled contract to be dead-lettered',
          );
          const contract = systems.salesforce.records('Contract').find((c) => c.ContractNumber === 'C-1002')!;
          systems.salesforce.store.update('Contract', String(contract.Id), { Status: 'Activated' });
          for (const entry of await openDeadLetters())
            await patience.retry('replaying the dead letter', () => engine!.replay(entry.id, entry.integration), true);
        },
      },
    ];
    // Every step of the timeline runs, even when a busy machine makes the steps late.
    // The timeline's clock stops while the broker is away, so each step still shows (FinancialForce down, then back).
    const demoTime = () => Date.now() - started - patience.waitedMs;
    while (!stopping && (demoTime() < total * 1000 * 0.85 || timeline.length)) {
      const elapsed = demoTime();
      while (timeline.length && timeline[0].at <= elapsed) {
        const step = timeline.shift()!;
        say(`  » ${step.note}`);
        await step.run();
      }
      await traffic.round(CUSTOMERS);
      await bng.round(BNG_CUSTOMERS);
      traffic.payInvoiceQuotes(systems.magento.state);
      traffic.payBilledOrders();
      await sleep(200);
    }
    say('  » traffic stopped; waiting for the queues to drain');
    condition = 'draining';
    // The Magento polls (every second in the demo) find the last changes first.
    const notDrained = (error: unknown) => {
      if (!(error instanceof WaitTimeout)) throw error;
      say('  (queues did not drain in 60 s)');
    };
    const drained = async () => {
      await sleep(2 * POLL_MS);
      // Cut off from NATS, the engine shows lag 0: not drained but unknown, so waited for like a sender.
      const status = await patience.retry('the drain', async () => {
        const answer = await engine!.status();
        if (!answer.nats.connected) throw new Retryable('the engine is cut off from NATS');
        return answer;
      });
      return status.integrations.every((i) => i.lag === 0 && i.inFlight === 0 && i.waiting === 0);
    };
    await waitUntil(drained, 60_000, 'the queues to drain').catch(notDrained);
    // Quotes sent and orders billed during the drain are paid too, so every invoice ends paid or dead-lettered.
    traffic.payInvoiceQuotes(systems.magento.state);
    traffic.payBilledOrders();
    await waitUntil(drained, 60_000, 'the queues to drain').catch(notDrained);
    clearInterval(ticker);
    await printing;
    const letters = await patience.retry('listing the dead letters', () => running.deadLetters.list(), true);
    for (const d of letters)
      say(
        `  dead letter ${d.id} ${d.integration} key=${d.key} ${d.error.code}: ${d.error.message.slice(0, 120)} (${d.reason}, ${d.attempts} attempts, ${d.status})`,
      );
    const open = new Set(letters.filter((d) => d.status === 'open').map((d) => `${d.integration}/${d.key}`));
    const check = checkTargets(systems, traffic.sent, open);
    for (const key of check.lostKeys) say(`  lost: ${key} was sent but is not in its target and not dead-lettered`);
    for (const line of erpHighlights(systems, traffic.sent.erp)) say(line);
    say(progressLines(await running.status(), (Date.now() - started) / 1000, 'done'));
    say(
      JSON.stringify({
        events: check.events,
        delivered: check.delivered,
        dead_lettered: letters.length,
        replayed: letters.filter((d) => d.status === 'replayed').length,
        lost: check.lost,
        duplicates: check.duplicates,
      }),
    );
    return check.lost === 0 && check.duplicates === 0 ? 0 : 1;
  } catch (error) {
    if (startPhase === undefined || !signal.aborted) throw error;
    // Interrupted while starting: nothing to drain or check, so stop it all now and say what was running.
    await teardown();
    process.stderr.write(
      `junction demo: interrupted (${String(signal.reason)}) while ${startPhase}; stopped ` +
        `${stopped.length ? stopped.join(', ') : 'nothing (nothing had started)'}. Nothing of the demo is left running.\n`,
    );
    return 130;
  } finally {
    await teardown();
  }
}

/**
 * What the demo shows of the ERP flows: a new product in Magento, a refund in FF, an FF account in Magento, and an
 * order paid on account whose payment in FF invoiced it in Magento.
 */
function erpHighlights(systems: SeedSystems, sent: SentErpEvents): string[] {
  const product = systems.magento.state.products.get(sent.products[0]?.sku ?? '');
  const note = systems.ff.records('c2g__codaCreditNote__c')[0];
  const account = sent.accounts[0];
  const customer = [...systems.magento.state.customers.values()].find((c) => c.email === account?.email);
  const paid = sent.paidInFf[0];
  const order = paid && systems.magento.state.orders.get(paid.order);
  return [
    `  catalog: ${sent.products.length} new ERP products created in Magento` +
      (product ? `, e.g. ${String(product.sku)} "${String(product.name)}" at ${String(product.price)}` : ''),
    `  refunds: ${sent.refunds.length} Magento credit memos credited in FinancialForce` +
      (note ? `, e.g. ${String(note.Name)} for credit memo ${String(note.Magento_Creditmemo_Id__c)}` : ''),
    `  customers: ${sent.accounts.length} FinancialForce accounts created as Magento customers` +
      (customer ? `, e.g. ${String(customer.email)} (customer ${String(customer.id)})` : ''),
    `  payments: ${sent.paidInFf.length} orders paid on account and paid in FinancialForce invoiced in Magento` +
      (order ? `, e.g. order ${String(order.increment_id)} paid by ${paid.name}, now ${String(order.state)}` : ''),
  ];
}
