import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default is cores − 1, one file at a time on a 2-core machine; most files spend much of their time
    // waiting (PostgreSQL, Chromium, child processes, timers), so two at a time uses the second core
    // (CONTRIBUTING.md, "Keeping the suite fast").
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Migrates one template database per engine for the whole run; test databases are copies of it
    // (CONTRIBUTING.md, "Test databases").
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll's default (1 s) is too short for a browser page on a loaded 2-core CI machine; a poll still ends
    // as soon as its condition holds.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
