import { defineConfig } from 'vitest/config';

/**
 * Test files that keep the CPU busy for most of their run: real Chromium, spawned server processes, the on-box OCR
 * and the parse pool's child processes. They run first, `HEAVY_WORKERS` at a time (default 2).
 */
const HEAVY = [
  'test/**/*.browser.test.ts',
  'test/**/*.cli.test.ts',
  'test/integration/multinode.test.ts',
  'test/collection/parse-pool*.test.ts',
  'test/collection/received-ocr-retry.test.ts',
  'test/jobs/jobs.multi-process.test.ts',
  'test/parse/parse-images.test.ts',
  'test/assistant/push-example-client.test.ts',
  'test/assistant/push-nodes.test.ts',
];

/** A worker count from the environment (a positive integer), else the default. */
const workers = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const shared = {
  pool: 'forks' as const,
  // Migrates one template database per engine for each project; test databases are copies of it
  // (CONTRIBUTING.md, "Test databases").
  globalSetup: ['test/helpers/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // expect.poll's default (1 s) is too short for a browser page on a loaded 2-core CI machine; a poll still ends
  // as soon as its condition holds.
  expect: { poll: { timeout: 10_000 } },
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'heavy',
          include: HEAVY,
          maxWorkers: workers('HEAVY_WORKERS', 2),
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          // Everything else: mostly waiting (on PostgreSQL, timers, the job worker) rather than computing (one worker
          // kept a 2-core machine 30 % busy on them); after the heavy ones, `LIGHT_WORKERS` at a time (default 3).
          // CONTRIBUTING.md "Keeping the suite fast" has the measurements.
          name: 'light',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...HEAVY, '**/node_modules/**'],
          maxWorkers: workers('LIGHT_WORKERS', 3),
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
