#!/usr/bin/env node
// The `junction` command. The package's `bin` runs the compiled file (dist/engine/cli/junction.js); in this
// repository `npm run junction -- <args>` runs the sources through tsx. The Node.js version is checked before the
// commands are imported, so an old Node gets that one line rather than whatever of theirs fails first.
import { unsupportedNode } from './node-version.js';

const problem = unsupportedNode(process.versions.node);
if (problem) {
  process.stderr.write(`junction: ${problem}\n`);
  process.exitCode = 1;
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv);
}
