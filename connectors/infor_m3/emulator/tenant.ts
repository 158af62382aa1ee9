/**
 * What one emulated M3 site has: the transaction layouts it runs (the catalog's, plus input fields the site's layouts
 * have and the catalog lacks, e.g. from a newer release) and whether it exposes MRS001MI, M3's MI repository
 * interface. The layouts drive both the checks of every call and the metadata MRS001MI answers, so a schema pulled
 * from the emulator is exactly what it enforces.
 */
import type { M3Input } from '../catalog/catalog-types.js';
import { M3_TRANSACTIONS } from '../schemas/index.js';
import type { M3Transaction } from '../schemas/index.js';

/** How the emulated site differs from the built-in catalog. */
export interface M3TenantOptions {
  /** Input fields the site's layouts add, by `PROGRAM/Transaction`: the calls take them, MRS001MI lists them. */
  extraInputs?: Readonly<Record<string, readonly M3Input[]>>;
  /** False: the site does not expose MRS001MI, as a site whose API user may not run it. @default true */
  miRepository?: boolean;
}

/** The site: its transactions by `PROGRAM/Transaction`, and whether MRS001MI answers. */
export interface M3Tenant {
  transactions: ReadonlyMap<string, M3Transaction>;
  miRepository: boolean;
}

export const MI_REPOSITORY = 'MRS001MI';

export function m3Tenant(options: M3TenantOptions = {}): M3Tenant {
  const transactions = new Map(M3_TRANSACTIONS.map((t) => [t.name, t]));
  for (const [name, inputs] of Object.entries(options.extraInputs ?? {})) {
    const tx = transactions.get(name);
    if (!tx) throw new Error(`extraInputs: the catalog has no transaction ${name}`);
    transactions.set(name, { ...tx, inputs: [...tx.inputs, ...inputs] });
  }
  return { transactions, miRepository: options.miRepository ?? true };
}

/** True when the site runs `PROGRAM/Transaction`. */
export function runs(tenant: M3Tenant, name: string): boolean {
  return tenant.transactions.has(name) && (tenant.miRepository || name.split('/')[0] !== MI_REPOSITORY);
}
