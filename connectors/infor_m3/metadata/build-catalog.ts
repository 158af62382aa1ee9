/**
 * Builds connectors/infor_m3/catalog/m3-catalog.ts from the gathered M3 metadata (metadata/<PROGRAM>.json): every
 * transaction with its inputs (type, length, mandatory flag) and outputs. `--check` fails when the checked-in
 * catalog differs from a fresh build, so the metadata and the catalog never drift (`npm run check:m3-catalog`).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const METADATA = fileURLToPath(new URL('./', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../catalog/m3-catalog.ts', import.meta.url));
const HEADER = `/* Generated from connectors/infor_m3/metadata/*.json by \`npm run gen:m3-catalog\`. Do not edit: change the
 * metadata and regenerate. Input: [name, type, length, mandatory, label]; output: [name, type, length, label]. */
`;

interface Field {
  name: string;
  type: string;
  length: number | null;
  mandatory?: boolean;
  description: string;
}
interface ProgramFile {
  program: string;
  description: string;
  source: { repo: string; commit: string; path: string };
  transactions: { name: string; description: string; inputs: Field[]; outputs: Field[] }[];
}

export async function buildCatalog(): Promise<string> {
  const files = (await readdir(METADATA)).filter((f) => f.endsWith('.json')).sort();
  const programs: ProgramFile[] = [];
  for (const file of files) programs.push(JSON.parse(await readFile(METADATA + file, 'utf8')) as ProgramFile);
  const sources = Object.fromEntries(
    programs.map((p) => [
      p.program,
      { description: p.description, repo: p.source.repo, commit: p.source.commit, path: p.source.path },
    ]),
  );
  const transactions: Record<string, unknown> = {};
  for (const p of programs)
    for (const t of p.transactions)
      transactions[`${p.program}/${t.name}`] = {
        description: t.description,
        inputs: t.inputs.map((f) => [f.name, f.type, f.length, f.mandatory === true, f.description]),
        outputs: t.outputs.map((f) => [f.name, f.type, f.length, f.description]),
      };
  const source = `${HEADER}import type { M3Source, M3TransactionMeta } from './catalog-types.js';

/** Where each program's metadata comes from. */
export const M3_SOURCES: Readonly<Record<string, M3Source>> = ${JSON.stringify(sources)};

/** Every MI transaction Junction knows, by \`PROGRAM/Transaction\`. */
export const M3_CATALOG: Readonly<Record<string, M3TransactionMeta>> = ${JSON.stringify(transactions)};
`;
  const options = (await resolveConfig(OUTPUT)) ?? {};
  return format(source, { ...options, filepath: OUTPUT });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fresh = await buildCatalog();
  if (process.argv.includes('--check')) {
    const current = await readFile(OUTPUT, 'utf8').catch(() => '');
    if (current !== fresh) {
      process.stderr.write(`${OUTPUT} is out of date: run \`npm run gen:m3-catalog\` and commit the result\n`);
      process.exit(1);
    }
    process.stdout.write('M3 catalog is up to date\n');
  } else {
    await writeFile(OUTPUT, fresh);
    process.stdout.write(`wrote ${OUTPUT}\n`);
  }
}
