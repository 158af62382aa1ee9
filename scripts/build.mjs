// `npm run build`: a clean dist/ compiled by tsc (tsconfig.build.json), plus the dashboard's static files, which
// the engine serves from beside its compiled code.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('engine/dashboard', 'dist/engine/dashboard', { recursive: true, filter: (path) => !path.endsWith('.ts') });
