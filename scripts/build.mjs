// `npm run build`: a clean dist/ compiled by tsc (tsconfig.build.json), plus the other files of engine/ and
// connectors/ (the dashboard's static files, the `junction init` template, a gRPC proto), which the code reads
// from beside itself.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
for (const dir of ['engine', 'connectors'])
  cpSync(dir, `dist/${dir}`, {
    recursive: true,
    filter: (path) => statSync(path).isDirectory() || !path.endsWith('.ts'),
  });
// tsc writes files without the execute bit: `npx junction` (the package's bin) after a rebuild would be refused.
chmodSync('dist/engine/cli/junction.js', 0o755);
