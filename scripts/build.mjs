// `npm run build`: a clean dist/ compiled by tsc (tsconfig.build.json), plus the other files of engine/ and
// connectors/ (the dashboard's static files, the `junction init` template, a gRPC proto), which the code reads
// from beside itself. `--if-stale` (the `prepare` script) leaves a dist/ built from the same sources as it is.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FINGERPRINT_FILE, buildFingerprint, distIsCurrent } from './build-fingerprint.mjs';

if (process.argv.includes('--if-stale') && distIsCurrent()) {
  process.stdout.write('dist/ is up to date with engine/ and connectors/: not built again (npm run build forces it)\n');
  process.exit(0);
}
// Taken before compiling: a source edited meanwhile makes the next --if-stale build again.
const fingerprint = buildFingerprint();
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
writeFileSync(FINGERPRINT_FILE, `${fingerprint}\n`);
