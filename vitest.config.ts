import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'engine/**/*.test.ts', 'connectors/**/*.test.ts'],
    // Most tests start a nats-server, emulators and an engine, compile spec sets and run CLI commands: CPU work that
    // a loaded 2-core machine stretches 4-5 times (the reconcile CLI test: 4.7 s in CI, 21.8 s at a load of 19), while
    // the longest of them take 15 s on a quiet one. Only a test that fails waits this long.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll gives up after 1 s by default: too short for a page a loaded machine renders (the dashboard tests'
    // first polls of a signed-in page and of the details a click opens).
    expect: { poll: { timeout: 10_000 } },
    // Integration tests start their own nats-server processes; two cores do not like many at once.
    maxWorkers: 2,
    // A process per test file (vitest's default, stated because tests rely on it): the CLI tests run `junction` in
    // process in a scenario's directory (test/helpers/junction-in-process.ts), and worker threads cannot chdir.
    pool: 'forks',
  },
});
