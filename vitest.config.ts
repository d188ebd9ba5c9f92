import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll's 1 s default is shorter than a cold local handler on a busy CI machine.
    expect: { poll: { timeout: 20_000 } },
    // Integration and browser tests each run a whole local cloud; two at a time fits two cores.
    maxWorkers: 2,
    // The handlers' structured logs would bury the test report; warnings and errors still show.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    minWorkers: 1,
  },
});
