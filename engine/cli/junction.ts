#!/usr/bin/env node
// The `junction` command. The package's `bin` runs the compiled file (dist/engine/cli/junction.js); in this
// repository `npm run junction -- <args>` runs the sources through tsx.
import { main } from './main.js';

process.exitCode = await main(process.argv);
