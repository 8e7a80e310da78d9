import { describe, expect, it } from 'vitest';
import { createManualClock, systemClock } from './clock.js';
import { createSettledWaiter } from './settled-waiter.js';

describe('createSettledWaiter', () => {
  it('returns at once when the value is already done or no wait was asked', async () => {
    const waiter = createSettledWaiter();
    let reads = 0;
    const read = async () => {
      reads += 1;
      return 'x';
    };
    expect(
      await waiter.waitUntil(systemClock, 'k', { initial: 'done', read, done: (v) => v === 'done', seconds: 5 }),
    ).toBe('done');
    expect(
      await waiter.waitUntil(systemClock, 'k', { initial: 'open', read, done: (v) => v === 'done', seconds: 0 }),
    ).toBe('open');
    expect(reads).toBe(0);
  });

  it('is woken by announce(key) long before the next poll', async () => {
    const waiter = createSettledWaiter({ pollMs: 60_000 });
    let stored = 'pending';
    const started = performance.now();
    const waiting = waiter.waitUntil(systemClock, 'invoice:1', {
      initial: 'pending',
      read: async () => stored,
      done: (v) => v === 'issued',
      seconds: 30,
    });
    setTimeout(() => {
      stored = 'issued';
      waiter.announce('invoice:2'); // another key wakes nobody here
      waiter.announce('invoice:1');
    }, 20);
    expect(await waiting).toBe('issued');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('sees a value settled by another process through the fallback poll (no announce)', async () => {
    const waiter = createSettledWaiter({ pollMs: 20 });
    let reads = 0;
    const value = await waiter.waitUntil(systemClock, 'order:1', {
      initial: 'submitted',
      read: async () => (++reads >= 3 ? 'invoiced' : 'submitted'),
      done: (v) => v === 'invoiced',
      seconds: 10,
    });
    expect(value).toBe('invoiced');
    expect(reads).toBe(3);
  });

  it('keeps the last value when a read finds nothing', async () => {
    const waiter = createSettledWaiter({ pollMs: 10 });
    const value = await waiter.waitUntil(systemClock, 'k', {
      initial: 'pending',
      read: async () => undefined,
      done: () => false,
      seconds: 0.05,
    });
    expect(value).toBe('pending');
  });

  it('times out with the last value read, on a manual clock that never moves (bounded by real time)', async () => {
    const waiter = createSettledWaiter({ pollMs: 20 });
    const clock = createManualClock('2025-06-01T00:00:00Z');
    let reads = 0;
    const started = performance.now();
    const value = await waiter.waitUntil(clock, 'k', {
      initial: 'pending',
      read: async () => {
        reads += 1;
        return 'issuing';
      },
      done: (v) => v === 'issued',
      seconds: 0.2,
    });
    expect(value).toBe('issuing');
    expect(reads).toBe(10);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('ends when the Clock passes the deadline, before the real-time budget', async () => {
    const waiter = createSettledWaiter({ pollMs: 20 });
    const clock = createManualClock('2025-06-01T00:00:00Z');
    let reads = 0;
    const value = await waiter.waitUntil(clock, 'k', {
      initial: 'pending',
      read: async () => {
        reads += 1;
        clock.advance(4_000);
        return 'issuing';
      },
      done: () => false,
      seconds: 10,
    });
    expect(value).toBe('issuing');
    expect(reads).toBe(3);
  });
});
