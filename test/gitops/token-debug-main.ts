/** Fetches `argv[2]` (repository) into `argv[3]` (mirror) with $TEST_GIT_TOKEN, printing the head: run with DEBUG. */
import { GitMirror } from '../../engine/gitops/git-mirror.js';

const [repo, dir] = process.argv.slice(2);
const mirror = new GitMirror({ repo, branch: 'main', path: 'specs', dir, token: process.env.TEST_GIT_TOKEN });
process.stdout.write(`${await mirror.fetch()}\n`);
