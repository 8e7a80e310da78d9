import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
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
