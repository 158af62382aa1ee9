/**
 * The Magento <-> FinancialForce seed specs (a temporary copy, optionally edited) running on a real nats-server
 * against the vendor emulators: the world of the go-live, dependency, backfill and reconcile tests. The Magento
 * flows poll every second here.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { touch } from '../../connectors/magento/emulator/index.js';
import type { MagentoState, Row } from '../../connectors/magento/emulator/state.js';
import type { RuntimeTuning } from '../../engine/runtime/runtime-options.js';
import { sendSigned } from '../helpers/seed-webhooks.js';
import { startSeedWorld } from '../helpers/seed-world.js';
import type { SeedWorld } from '../helpers/seed-world.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';

const SEED = fileURLToPath(new URL('../../specs/magento-ff', import.meta.url));

export interface SeedEngine extends SeedWorld {
  /** The spec directory the engine runs (a copy). */
  dir: string;
  /** Puts the emulators' URLs and credentials into process.env, for CLI commands run in this process. */
  stubEnv(): void;
  /**
   * Sends a record as its source does: a Magento customer, order, invoice or credit memo is saved in the Magento
   * emulator (now), and 202 once the flow's poll has stored it (or found it stored before); anything else is POSTed
   * as a signed webhook (its status).
   */
  post(integration: string, body: unknown, system?: 'magento' | 'ff'): Promise<number>;
}

/** `edits`: per spec file, [search, replace] pairs applied to the copy before it is compiled. */
export async function startSeedEngine(
  options: { edits?: Record<string, [string, string][]>; tuning?: Partial<RuntimeTuning>; workers?: boolean } = {},
): Promise<SeedEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-seed-'));
  await cp(SEED, dir, { recursive: true });
  for (const file of (await readdir(dir)).filter((f) => /^magento-.*(?<!\.test)\.yaml$/.test(f)))
    await writeFile(join(dir, file), (await readFile(join(dir, file), 'utf8')).replace(/^( {4}every:) .*$/m, '$1 1s'));
  for (const [file, pairs] of Object.entries(options.edits ?? {})) {
    let text = await readFile(join(dir, file), 'utf8');
    for (const [search, replace] of pairs) {
      if (!text.includes(search)) throw new Error(`${file} has no ${JSON.stringify(search)} to replace`);
      text = text.replace(search, replace);
    }
    await writeFile(join(dir, file), text);
  }
  const world = await startSeedWorld(dir, { tuning: options.tuning, workers: options.workers, probeConnections: true });
  const { systems, engine } = world;
  return {
    ...world,
    dir,
    stubEnv: () => {
      for (const [name, value] of Object.entries(systems.env))
        if (value !== undefined && process.env[name] !== value) vi.stubEnv(name, value);
    },
    post: async (integration, body, system = 'magento') => {
      if (saveInMagento(systems.magento.state, integration, body as Row)) {
        const stored = async () =>
          (await engine.status()).integrations.find((i) => i.name === integration)?.counts.in ?? 0;
        const polls = async () =>
          (await engine.metrics.getSingleMetric('junction_polls_total')?.get())?.values.find(
            (v) => v.labels.integration === integration,
          )?.value ?? 0;
        const [storedBefore, pollsBefore] = [await stored(), await polls()];
        // Stored, or two polls finished: the one running now may have listed before the save, the next one lists it
        // (a record identical to one already stored, fetched for a waiting order, is not stored again).
        await waitFor(
          async () => (await stored()) > storedBefore || (await polls()) >= pollsBefore + 2,
          `a poll of ${integration} after the record was saved (this engine polls it every second)`,
          30_000,
        );
        return 202;
      }
      const res = await sendSigned(engine.url!, integration, body, system);
      await res.arrayBuffer();
      return res.status;
    },
    stop: async () => {
      vi.unstubAllEnvs();
      await world.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a record of a Magento-polled integration in the store, stamped now; false for other integrations. */
function saveInMagento(state: MagentoState, integration: string, record: Row): boolean {
  const saved = touch({ ...record });
  if (integration === 'magento-customers-to-ff-accounts') state.customers.set(Number(saved.id), saved);
  else if (integration === 'magento-orders-to-ff-invoices') state.orders.set(Number(saved.entity_id), saved);
  else if (integration === 'magento-creditmemos-to-ff-credit-notes')
    state.creditmemos.set(Number(saved.entity_id), saved);
  else if (integration === 'magento-invoice-payments-to-ff-cash-entries')
    state.invoices.splice(0, Infinity, ...state.invoices.filter((i) => i.entity_id !== saved.entity_id), saved);
  else return false;
  return true;
}

/**
 * The Magento store's customers in the order the customer listings (backfill, reconcile, xref match) return them:
 * by `updated_at`, then id. The emulator's seed customers are among them, so counts come from here, not from the
 * customers a test adds.
 */
export function listedCustomers(w: SeedWorld): Row[] {
  return [...w.systems.magento.state.customers.values()].sort(
    (a, b) => String(a.updated_at).localeCompare(String(b.updated_at)) || Number(a.id) - Number(b.id),
  );
}

/** The Magento customer ids FF's accounts carry, sorted: once all is delivered, each customer's id exactly once. */
export function accountCustomerIds(w: SeedWorld): string[] {
  return w.systems.ff
    .records('Account')
    .flatMap((a) =>
      a.Magento_Customer_Id__c === undefined || a.Magento_Customer_Id__c === null
        ? []
        : [String(a.Magento_Customer_Id__c)],
    )
    .sort();
}

/** Customer ids as strings, sorted as accountCustomerIds sorts them. */
export const customerIds = (customers: Row[]): string[] => customers.map((c) => String(c.id)).sort();
